/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/anomaly.h: the EVE `event_type: "anomaly"` record of the ML
 * detector (anomaly/anomaly.h AnomalyEvent).
 *
 * Shape (header fields in Suricata's CreateEveHeader order, then the
 * detector's object, `type: "ml"` beside Suricata's decode/stream/applayer
 * anomaly types):
 *
 *   {"timestamp":..., "flow_id":N, "pcap_cnt":N, "event_type":"anomaly",
 *    "src_ip":..., "src_port":N, "dest_ip":..., "dest_port":N, "proto":"UDP",
 *    "anomaly":{"type":"ml", "model":"default", "score":0.93,
 *               "threshold":0.21, "pkts_above":17,
 *               "explanation":[{"what":"socket pair: size covariance, 0.1 s window (+4 related)",
 *                               "share":0.61}, ...]}}
 *
 * flow_id only when the event has a flow; addresses only for IP; ports only
 * for TCP/UDP/SCTP; icmp_type/icmp_code for ICMP and ICMPv6.
 */
#ifndef KASBAH_OUTPUT_ANOMALY_H
#define KASBAH_OUTPUT_ANOMALY_H

#include "anomaly/anomaly.h"
#include "lib/json.h"
#include "output/eve.h"

/* Build the record in j (the caller's scratch buffer; reset here), leaving
 * the outer object open for eve_commit to close. */
void eve_anomaly_build(JsonBuf *j, const AnomalyEvent *ev);

/* Build the record in j (the caller's scratch buffer; NULL: a buffer of its
 * own, allocated per record -- events are rare) and commit it to w. Nothing
 * when the "anomaly" type is disabled (returns 0). Returns as eve_commit.
 * Thread-safe as eve_commit. */
int eve_write_anomaly(EveWriter *w, JsonBuf *j, const AnomalyEvent *ev);

#endif
