/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * anomaly.h: the online anomaly detector as the rest of kasbah sees it.
 *
 * Configured by the `anomaly.*` keys (anomaly.enabled, anomaly.mode,
 * anomaly.fm-grace, anomaly.ad-grace, anomaly.max-ae, anomaly.model-save,
 * anomaly.model-load, anomaly.dump-scores, anomaly.dump-features). The
 * detector sees every decoded packet in capture order and, after its
 * learning phases, reports aggregated anomaly events that the engine hands
 * to output/ (EVE `event_type: "anomaly"`, `anomaly.type: "ml"`).
 */
#ifndef KASBAH_ANOMALY_ANOMALY_H
#define KASBAH_ANOMALY_ANOMALY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/stats.h"
#include "decode/packet.h"
#include "flow/flow.h"

typedef struct AnomalyEngine AnomalyEngine;

#define ANOMALY_EXPLAIN_MAX 3

/* One aggregated anomaly event (per flow, or per source host without a flow). */
typedef struct AnomalyEvent {
    int64_t ts_ns;            /* time of the highest-scoring packet */
    uint64_t pcap_cnt;        /* that packet's pcap_cnt */
    uint64_t flow_id;         /* 0 when no flow */
    uint8_t ip_ver, proto;
    IpAddr src, dst;
    uint16_t sp, dp;
    double score, threshold;  /* maximum score in the interval; the threshold */
    uint64_t pkts_above;      /* packets above threshold in the interval */
    const char *model;        /* "kitsune" or "default" */
    unsigned n_explain;
    struct { char what[96]; double share; } explain[ANOMALY_EXPLAIN_MAX];
} AnomalyEvent;

typedef void (*AnomalyEmitFn)(const AnomalyEvent *ev, void *user);

/* NULL with *err == 0 when anomaly.enabled is off; NULL with *err < 0 after
 * logging a clear message (bad model file, unwritable dump file, ...). */
AnomalyEngine *anomaly_new(const Config *conf, Stats *stats, AnomalyEmitFn emit, void *user, int *err);

/* Feed one decoded packet (every packet, in capture order). */
void anomaly_packet(AnomalyEngine *ae, const Packet *p);

/* End of input: emit pending events, write dumps and the model file.
 * 0, or -1 after logging (e.g. the model file could not be written). */
int anomaly_finish(AnomalyEngine *ae);
void anomaly_free(AnomalyEngine *ae);

#endif
