/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * anomaly.h: the online anomaly detector as the rest of kasbah sees it.
 *
 * Configured by the `anomaly.*` keys (anomaly.enabled, anomaly.mode,
 * anomaly.fm-grace, anomaly.ad-grace, anomaly.max-ae, anomaly.model-save,
 * anomaly.model-load, anomaly.dump-scores, anomaly.dump-features, and the
 * ones listed at AnomalySettings). The detector sees every decoded packet in
 * capture order and, after its learning phases, reports aggregated anomaly
 * events that the engine hands to output/ (EVE `event_type: "anomaly"`,
 * `anomaly.type: "ml"`). docs/ANOMALY.md describes the design.
 *
 * Threading: one AnomalyEngine sees the packets of the whole input in order
 * (the model is one online learner); it is not thread-safe.
 */
#ifndef KASBAH_ANOMALY_ANOMALY_H
#define KASBAH_ANOMALY_ANOMALY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/stats.h"
#include "decode/packet.h"
#include "flow/flow.h"
#include "lib/alloc.h"

typedef struct AnomalyEngine AnomalyEngine;

#define ANOMALY_EXPLAIN_MAX 3

/* One aggregated anomaly event (per flow, or per source host without a flow). */
typedef struct AnomalyEvent {
    int64_t ts_ns;            /* time of the highest-scoring packet */
    uint64_t pcap_cnt;        /* that packet's pcap_cnt */
    uint64_t flow_id;         /* 0 when no flow */
    uint8_t ip_ver, proto;    /* ip_ver 0: not IP (no addresses in EVE) */
    IpAddr src, dst;
    uint16_t sp, dp;          /* valid for TCP, UDP, SCTP */
    double score, threshold;  /* maximum score in the interval; the threshold */
    uint64_t pkts_above;      /* packets above threshold in the interval */
    const char *model;        /* "kitsune" or "default" */
    unsigned n_explain;
    struct { char what[96]; double share; } explain[ANOMALY_EXPLAIN_MAX];
    /* added after the first contract: */
    uint8_t icmp_type, icmp_code; /* valid for ICMP / ICMPv6 (proto 1, 58) */
    int64_t first_ts_ns;      /* first packet above threshold in the interval */
} AnomalyEvent;

typedef void (*AnomalyEmitFn)(const AnomalyEvent *ev, void *user);

/* Every setting, as read from the configuration (defaults in brackets). */
typedef struct AnomalySettings {
    bool enabled;             /* anomaly.enabled [no] */
    bool kitsune;             /* anomaly.mode: kitsune | default [default] */
    uint64_t fm_grace;        /* anomaly.fm-grace [5000] */
    uint64_t ad_grace;        /* anomaly.ad-grace [50000] */
    uint32_t max_ae;          /* anomaly.max-ae [10] */
    const char *model_save;   /* anomaly.model-save [none]; borrowed until anomaly_new returns */
    const char *model_load;   /* anomaly.model-load [none] */
    const char *dump_scores;  /* anomaly.dump-scores [none] */
    const char *dump_features;/* anomaly.dump-features [none] */
    double threshold;         /* anomaly.threshold: fixed threshold; 0 = learn [0] */
    double quantile;          /* anomaly.threshold-quantile [0.9999] */
    double interval_s;        /* anomaly.aggregate-interval, seconds [60] */
    bool per_packet;          /* anomaly.per-packet [no] */
    uint64_t memcap;          /* anomaly.memcap, default mode only [256mb] */
    uint32_t max_links;       /* anomaly.max-links, default mode only [64] */
    double evict_weight;      /* anomaly.evict-weight, default mode only [0.01] */
    uint32_t max_pending;     /* anomaly.max-pending-events [4096] */
} AnomalySettings;

void anomaly_settings_defaults(AnomalySettings *s);

/* Read the anomaly.* keys over the defaults. 0, or -1 after logging a bad
 * value (e.g. an unknown anomaly.mode). */
int anomaly_settings_from_conf(const Config *conf, AnomalySettings *s);

/* NULL with *err == 0 when anomaly.enabled is off; NULL with *err < 0 after
 * logging a clear message (bad model file, unwritable dump file, ...). */
AnomalyEngine *anomaly_new(const Config *conf, Stats *stats, AnomalyEmitFn emit, void *user, int *err);

/* As anomaly_new, from settings (tests and tools). */
AnomalyEngine *anomaly_new_settings(const AnomalySettings *s, Stats *stats, AnomalyEmitFn emit,
                                    void *user, int *err);

/* Feed one decoded packet (every packet, in capture order, each wire packet
 * followed by the pseudo packets of its decode chain). Only wire frames are
 * scored; a pseudo packet carrying the pcap_cnt of the frame before it
 * (tunnel inner, reassembled datagram) lends that frame its ports, as
 * tshark's fields do for the reference. A frame is therefore processed when
 * the next wire packet arrives, or by anomaly_finish. */
void anomaly_packet(AnomalyEngine *ae, const Packet *p);

/* End of input: emit pending events, write dumps and the model file.
 * 0, or -1 after logging (e.g. the model file could not be written). */
int anomaly_finish(AnomalyEngine *ae);
void anomaly_free(AnomalyEngine *ae);

/* The detector's memory account (for memcap stats); NULL for NULL. */
MemAccount *anomaly_account(AnomalyEngine *ae);

/* The threshold in use (+inf until learned); the score of the last packet. */
double anomaly_threshold(const AnomalyEngine *ae);
double anomaly_last_score(const AnomalyEngine *ae);

#endif
