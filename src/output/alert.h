/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/alert.h: EVE `alert` records (Suricata 7 output-json-alert.c).
 *
 * Record layout, in Suricata's order:
 *   timestamp, flow_id, pcap_cnt, event_type "alert", src_ip, src_port,
 *   dest_ip, dest_port, proto, pkt_src (eve_header_packet, packet
 *   direction as Suricata's alerts), then
 *   alert {action "allowed" | "blocked", gid, signature_id, rev, signature,
 *          category, severity, metadata {key: [values...]}},
 *   app_proto (when the app-layer identified the flow's protocol),
 *   direction ("to_server" /
 *   "to_client", with a flow), flow {pkts_toserver, pkts_toclient,
 *   bytes_toserver, bytes_toclient, start, src_ip, dest_ip, src_port,
 *   dest_port} (the flow's client as source).
 * `signature` is "" and `category` absent when the rule has none, as in
 * Suricata. Thread-safe like eve_commit: each thread passes its JsonBuf.
 */
#ifndef KASBAH_OUTPUT_ALERT_H
#define KASBAH_OUTPUT_ALERT_H

#include "detect/detect.h"
#include "lib/json.h"
#include "output/eve.h"

/* Write one alert record for p. Returns as eve_commit (0 also when the
 * "alert" type is disabled). */
int eve_write_alert(EveWriter *w, JsonBuf *j, const Packet *p, const DetectAlert *a);

/* Write every alert of as, in order. 0, or -1 when any record failed. */
int eve_write_alerts(EveWriter *w, JsonBuf *j, const Packet *p, const DetectAlerts *as);

#endif
