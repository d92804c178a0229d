/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * detect.h: the signature engine as the rest of kasbah sees it.
 *
 * A DetectEngine holds the compiled rules: built once from rule files,
 * then read-only and shared by every worker. A DetectThread is one worker's
 * scratch space and per-flow/per-host state (flowbits, thresholds).
 * detect_packet() runs the rules over one decoded packet and fills the
 * alerts to log, in Suricata's order, capped at packet-alert-max.
 *
 * (The engine-facing contract; details live in the _int.h headers of detect/.)
 */
#ifndef KASBAH_DETECT_DETECT_H
#define KASBAH_DETECT_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/stats.h"
#include "decode/packet.h"
#include "flow/flow.h"

typedef struct DetectEngine DetectEngine;
typedef struct DetectThread DetectThread;
struct Signature;

typedef enum DetectAction {
    DETECT_ACTION_ALERT = 0,
    DETECT_ACTION_PASS,
    DETECT_ACTION_DROP,
    DETECT_ACTION_REJECT,
    DETECT_ACTION_REJECTSRC,
    DETECT_ACTION_REJECTDST,
    DETECT_ACTION_REJECTBOTH,
} DetectAction;

#define DETECT_ALERT_MAX 15 /* Suricata's packet-alert-max default */

/* One alert, as the EVE writer needs it. Strings are owned by the engine. */
typedef struct DetectAlert {
    const struct Signature *sig;
    uint32_t gid, sid, rev;
    DetectAction action;
    bool blocked;             /* drop/reject in IPS mode -> EVE "blocked" */
    const char *msg;          /* may be NULL */
    const char *category;     /* classification text, may be NULL */
    int severity;             /* priority, 3 when unset */
    uint64_t tx_id;
    bool has_tx;
} DetectAlert;

typedef struct DetectAlerts {
    DetectAlert a[64];
    unsigned n;
    bool drop;                /* the packet is to be dropped (IPS mode) */
    bool tagged;              /* a tag keyword (session/host) covers this packet */
} DetectAlerts;

/* Load rules from files (and `rule-files` in conf). Every failure is logged
 * as "FILE:LINE: sid N: reason" and counted; the rest load. Returns NULL
 * only on OOM or an unusable configuration. */
DetectEngine *detect_engine_new(const Config *conf, const char *const *rule_files, size_t n_files);
void detect_engine_free(DetectEngine *de);

/* As detect_engine_new, with the rules given as text (tests, fuzzing);
 * name stands for the file name in messages. */
DetectEngine *detect_engine_new_from_text(const Config *conf, const char *text, size_t len, const char *name);
uint64_t detect_engine_rules_loaded(const DetectEngine *de);
/* Do the loaded rules inspect the reassembled TCP stream (TCP payload
 * rules not limited to tcp-pkt)? The engine then turns on stream/'s raw
 * bookkeeping (stream_ctx_set_raw). false for NULL. */
bool detect_engine_inspects_stream(const DetectEngine *de);
uint64_t detect_engine_rules_failed(const DetectEngine *de);
/* Rule files that could not be opened (each logged with the reason). */
uint64_t detect_engine_files_failed(const DetectEngine *de);

/* The memory account every detect allocation is charged to ("detect":
 * rules, prefilter databases, per-flow and per-worker state), for the
 * memcap section of EVE stats. */
struct MemAccount;
struct MemAccount *detect_memory_account(void);

/* Per-worker state; counters registered at creation (detect.alert, ...). */
DetectThread *detect_thread_new(const DetectEngine *de, Stats *stats);
void detect_thread_free(DetectThread *dt);

/* Charge dt's per-flow state (flowbits, flowints, stream and transaction
 * match marks) to acct, an account of dt's own worker, instead of the
 * shared detect account: with several workers the shared account's peak
 * would depend on how their allocations interleave. Not the flow memcap's
 * account: a refused mark would let a transaction alert twice. Call before
 * the first packet. */
void detect_thread_set_flow_account(DetectThread *dt, struct MemAccount *acct);

/* Inspect p (decoded; p->flow set when it has one). out is reset and filled. */
void detect_packet(DetectThread *dt, Packet *p, DetectAlerts *out);

/* The flow is ending (before detect_flow_end): inspect the transactions
 * app data reached since the last packet of a direction, with pseudo packet
 * p of that direction (p->flow, p->to_server, addresses, ports set by the
 * caller; no payload), as Suricata's flow-end pseudo packets do, and the
 * stream bytes not inspected yet (forced raw chunk). Only transaction rules
 * and TCP stream rules run. out is reset and filled. */
void detect_flow_end_packet(DetectThread *dt, Packet *p, DetectAlerts *out);

/* Would detect_flow_end_packet have work for direction dir (0 to server)? */
bool detect_flow_end_pending(const Flow *f, unsigned dir);

/* Transactions of f below the returned id were inspected in both
 * directions and will not be inspected again (UINT64_MAX: nothing inspects
 * f, no rules or a pass rule matched). For applayer_flow_tx_release. */
uint64_t detect_flow_tx_inspected(const DetectThread *dt, const Flow *f);

/* Release detect state kept on a flow that is ending. */
void detect_flow_end(DetectThread *dt, Flow *f);

/* Added for engine threads: how many signatures have a threshold or
 * detection_filter tracked by_src, by_dst or by_rule, whose state spans
 * flows (a worker thread keeps it for its own flows only). 0 for NULL. */
uint64_t detect_engine_cross_flow_thresholds(const DetectEngine *de);

#endif
