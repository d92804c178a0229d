/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/alert.h: EVE `alert` records (Suricata 7 output-json-alert.c).
 *
 * Record layout, in Suricata's order:
 *   timestamp, flow_id, pcap_cnt, event_type "alert", src_ip, src_port,
 *   dest_ip, dest_port, proto, pkt_src (eve_header_packet, packet
 *   direction as Suricata's alerts), then
 *   alert {action "allowed" | "blocked", gid, signature_id, rev, signature,
 *          category, severity, source/target {ip, port} (rules with
 *          `target`), metadata {key: [values...]}},
 *   app_proto (when the app-layer identified the flow's protocol),
 *   direction ("to_server" /
 *   "to_client", with a flow), flow {pkts_toserver, pkts_toclient,
 *   bytes_toserver, bytes_toclient, start, src_ip, dest_ip, src_port,
 *   dest_port} (the flow's client as source), then when configured
 *   payload, payload_printable, stream (0: a packet, not a reassembled
 *   stream), packet, packet_info {linktype}.
 * `signature` is "" and `category` absent when the rule has none, as in
 * Suricata. Thread-safe like eve_commit: each thread passes its JsonBuf.
 */
#ifndef KASBAH_OUTPUT_ALERT_H
#define KASBAH_OUTPUT_ALERT_H

#include "detect/detect.h"
#include "lib/json.h"
#include "output/eve.h"

/* What alert records carry beyond the defaults, from the `alert` entry of
 * the eve-log `types` list (Suricata's option names): payload (base64 of
 * the packet payload), payload-printable, packet (base64 of the captured
 * bytes, with packet_info.linktype). All off by default, as in Suricata. */
typedef struct AlertOutputOptions {
    bool payload;
    bool payload_printable;
    bool packet;
    bool app_layer;        /* the protocol object of the alert's transaction
                              (Suricata's `metadata` / `metadata.app-layer`, default yes) */
} AlertOutputOptions;

/* Read the options from cfg (NULL: defaults) into *o. */
void eve_alert_options_read(const Config *cfg, AlertOutputOptions *o);

/* Set the options every later eve_write_alert uses. Call before workers
 * start (not thread-safe against concurrent writers). */
void eve_alert_configure(const AlertOutputOptions *o);

/* Write one alert record for p. Returns as eve_commit (0 also when the
 * "alert" type is disabled). */
int eve_write_alert(EveWriter *w, JsonBuf *j, const Packet *p, const DetectAlert *a);

/* Write every alert of as, in order. 0, or -1 when any record failed. */
int eve_write_alerts(EveWriter *w, JsonBuf *j, const Packet *p, const DetectAlerts *as);

#endif
