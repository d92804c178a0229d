/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * applayer.h: the application layer framework: protocol numbering, the
 * parser registry, per-flow application state (Flow.app), protocol
 * detection and the hand-off of reassembled bytes to parsers.
 *
 * Where it sits: after stream/ and before detect/. For TCP, the stream
 * engine calls applayer_stream_deliver() (a StreamDeliverFn; user = the
 * AppLayerCtx) with each direction's reassembled bytes in order; for UDP the
 * engine calls applayer_udp_packet() with each datagram. Until a protocol is
 * known the bytes go to the detection probes (applayer/detect_proto.h) --
 * from content, in either direction, never from ports alone; after that to
 * the protocol's parser, if one is registered (otherwise the protocol is only
 * identified). Detection and EVE read transactions through the tx functions.
 *
 * Parser contract (Suricata's app-layer-parser.h, reduced):
 *   parse(state, dir, buf, len, flags) returns
 *     APP_PARSE_OK          every byte consumed;
 *     APP_PARSE_INCOMPLETE  `consumed` bytes used, call again when at least
 *                           `needed` more bytes follow the unconsumed rest
 *                           (the unconsumed bytes are offered again);
 *     APP_PARSE_ERROR       the parser gives up: it is disabled for this
 *                           flow (app_layer.error.<name>.parser counted);
 *                           over UDP only that datagram is refused and the
 *                           next one is parsed again (as Suricata);
 *   flags: APP_FLAG_GAP (buf NULL, len bytes are missing), APP_FLAG_EOF.
 *   A parser without accepts_gaps is disabled by the first gap
 *   (app_layer.error.<name>.gap).
 * Transactions have ids 0, 1, 2, ... per flow; tx_count says how many were
 * created, tx_get returns one (NULL when already freed).
 *
 * Counters (as Suricata): app_layer.flow.<name> (http, tls, dns_tcp,
 * dns_udp), app_layer.flow.failed_tcp / failed_udp, app_layer.tx.<name>,
 * app_layer.error.<name>.{parser,gap,alloc}.
 *
 * Threads: the registry is filled once at start-up (applayer_registry_init
 * and parser registrations, before any AppLayerCtx is made), then read-only.
 * One AppLayerCtx per worker; flows belong to one worker.
 */
#ifndef KASBAH_APPLAYER_APPLAYER_H
#define KASBAH_APPLAYER_APPLAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "applayer/detect_proto.h"
#include "core/config.h"
#include "core/stats.h"
#include "decode/packet.h"
#include "flow/flow.h"
#include "lib/alloc.h"
#include "stream/stream.h"

/* Flow.app_proto values. */
typedef enum AppProto {
    APP_PROTO_UNKNOWN = 0,
    APP_PROTO_HTTP = 1,    /* "http" (rules also say "http1") */
    APP_PROTO_TLS = 2,     /* "tls" */
    APP_PROTO_DNS = 3,     /* "dns" */
    APP_PROTO_FAILED = 4,  /* "failed": detection gave up */
    APP_PROTO_SSH = 5,     /* "ssh" (banner only: applayer/ssh/) */
    APP_PROTO_SIP = 6,     /* "sip" (UDP, message shapes only: applayer/sip/) */
    APP_PROTO_MAX
} AppProto;

/* The EVE / rule name ("http", "tls", "dns", "failed", "ssh", "sip"); NULL for
 * APP_PROTO_UNKNOWN and out-of-range values. */
const char *app_proto_name(unsigned proto);

/* The protocol named `name` (also "http1"); -1 when unknown. */
int app_proto_by_name(const char *name);

/* Transports a parser serves (bit mask). */
enum { APP_IPPROTO_TCP = 1u << 0, APP_IPPROTO_UDP = 1u << 1 };

/* Delivery flags (same values as stream/'s). */
enum { APP_FLAG_GAP = STREAM_DATA_GAP, APP_FLAG_EOF = STREAM_DATA_EOF };

typedef enum AppParseStatus {
    APP_PARSE_OK = 0,
    APP_PARSE_INCOMPLETE,
    APP_PARSE_ERROR,
} AppParseStatus;

typedef struct AppParseResult {
    AppParseStatus status;
    uint32_t consumed;     /* INCOMPLETE: bytes used */
    uint32_t needed;       /* INCOMPLETE: more bytes wanted after the unconsumed rest (0 = any) */
} AppParseResult;

/* A protocol's parser. Every function pointer except probe/parse/state_* may
 * be NULL. Strings and the struct itself must be static. */
typedef struct AppParserOps {
    const char *name;      /* "http", "tls", "dns" */
    AppProto proto;
    uint8_t ipprotos;      /* APP_IPPROTO_* */
    bool accepts_gaps;     /* parse() copes with APP_FLAG_GAP */

    /* NULL keeps the built-in probe of detect_proto.c */
    AppProbe (*probe)(const uint8_t *buf, size_t len, const AppProbeInfo *info);

    /* Per-flow state; allocate from acct (the "applayer" account). NULL on OOM. */
    void *(*state_new)(MemAccount *acct, const Flow *f, uint8_t ipproto);
    void (*state_free)(void *state);

    /* bytes of direction dir (0 to server); see the contract above */
    AppParseResult (*parse)(void *state, Flow *f, unsigned dir, const uint8_t *buf, size_t len,
                            unsigned flags);

    /* transactions */
    uint64_t (*tx_count)(const void *state);
    void *(*tx_get)(void *state, uint64_t tx_id);
    /* progress of tx in direction dir; complete when >= tx_complete[dir] */
    int (*tx_progress)(const void *tx, unsigned dir);
    int tx_complete[2];
    /* Free the transactions with an id below `upto` that are complete in
     * both directions and, when need_logged, were written to EVE; they are
     * gone for tx_get from then on. NULL: transactions live until the state
     * is freed. */
    void (*tx_release)(void *state, uint64_t upto, bool need_logged);
} AppParserOps;

/* Register the built-in protocols: http, tls, dns (probes only; their
 * parsers register themselves), ssh (probe and banner parser, applayer/ssh/)
 * and sip (probe and parser, applayer/sip/). Idempotent. Call once at start-up, before parsers register
 * and contexts are made. */
void applayer_registry_init(void);

/* Attach a parser to its protocol (ops->proto). Returns 0, -EINVAL for a bad
 * ops (no name, unknown proto, no parse/state_new/state_free), -EEXIST when
 * that protocol already has a parser. ops is borrowed for the program's life.
 * Start-up only, not thread-safe. */
int applayer_parser_register(const AppParserOps *ops);

/* The parser of proto, or NULL (none registered: identification only). */
const AppParserOps *applayer_parser_get(AppProto proto);

typedef struct AppLayerCtx AppLayerCtx;

/*
 * A worker's application layer. Reads `app-layer.protocols.<name>.enabled`
 * (yes/no; default yes; "detection-only" keeps detection but not parsing),
 * `app-layer.memcap` (kasbah's; default 256 MiB, 0 = unlimited) and
 * `app-layer.error-policy` (Suricata's exception policy for a parser error:
 * ignore (default), drop-packet, pass-packet, drop-flow, pass-flow, bypass,
 * reject; the drop and reject forms act only in IPS mode,
 * `engine.simulate-ips`) from conf (may be NULL: defaults). Counters are registered here (before packets
 * flow) and counted in *stats (may be NULL). NULL on OOM.
 */
AppLayerCtx *applayer_ctx_new(const Config *conf, Stats *stats);
void applayer_ctx_free(AppLayerCtx *ctx);

/* The "applayer" memory account, for EVE stats. */
const MemAccount *applayer_ctx_account(const AppLayerCtx *ctx);

/* The StreamDeliverFn for stream_packet / stream_flow_end (user = AppLayerCtx). */
uint32_t applayer_stream_deliver(Flow *f, unsigned dir, const uint8_t *data, uint32_t len,
                                 unsigned flags, void *user);

/* A UDP datagram of flow f (p->flow == f): detection, then the parser. */
void applayer_udp_packet(AppLayerCtx *ctx, Flow *f, const Packet *p);

/* The flow is ending: free its application state (f->app = NULL). Call
 * after stream_flow_end (which may still deliver bytes). */
void applayer_flow_end(AppLayerCtx *ctx, Flow *f);

/* ---- queries (detection, EVE) ---- */

/* The protocol the probes recognised in direction dir's own first bytes
 * (0 to server), as Suricata's alproto_ts / alproto_tc: the direction that
 * decided f->app_proto has that protocol; the other direction's first bytes
 * are probed once as well when they arrive (an HTTP client talking to an
 * SSH server gives http to server, ssh to client, while f->app_proto stays
 * http). APP_PROTO_UNKNOWN when that direction carried no byte yet or no
 * probe recognised it. */
AppProto applayer_flow_proto_dir(const Flow *f, unsigned dir);

/* Is the current packet, of direction pkt_dir (0 to server), the first
 * packet of that direction since that direction's protocol was recognised?
 * Suricata's PKT_PROTO_DETECT_TS/TC_DONE: the flag goes to the packet that
 * completed detection when it has that direction, else to the next packet
 * of that direction (bytes of one direction are often delivered on the
 * other direction's ACK). Rules made only of app-layer-protocol match on
 * that packet alone. Asking consumes the mark at the next
 * applayer_packet_begin. */
bool applayer_flow_proto_found_now(Flow *f, unsigned pkt_dir);

/* f->app_proto as a name for EVE `app_proto`: NULL while unknown. */
const char *applayer_flow_proto_name(const Flow *f);

/* The parser state of f, or NULL (no parser, disabled, not detected). */
void *applayer_flow_state(const Flow *f);

/* Was f's parser disabled by an error or gap? */
bool applayer_flow_parser_failed(const Flow *f);

/* Transactions of f (0 / NULL without a parser). */
uint64_t applayer_tx_count(const Flow *f);
void *applayer_tx_get(const Flow *f, uint64_t tx_id);
/* Is tx complete in direction dir? (false without tx_progress) */
bool applayer_tx_complete(const Flow *f, const void *tx, unsigned dir);

/* Every consumer is done with the transactions of f below `inspected`
 * (detection looked at them in both directions, detect_flow_tx_inspected):
 * free those that are complete and, when need_logged (the protocol's EVE
 * record is on), logged -- Suricata's transaction clean-up, which keeps a
 * long-lived flow's memory to its open transactions. Call after the
 * packet's alerts and records are written. No-op without a parser. */
void applayer_flow_tx_release(Flow *f, uint64_t inspected, bool need_logged);

/* Did application data of direction dir reach the parser during the
 * current packet? (Reset by applayer_packet_begin.) */
bool applayer_flow_updated(const Flow *f, unsigned dir);

/* Does the error policy take the current packet of f out of inspection?
 * True when a parser error happened during this packet under drop-packet /
 * pass-packet / reject, or during an earlier one of the flow under
 * drop-flow / pass-flow / bypass (see applayer_ctx_new). The engine skips
 * detection of such a packet (Suricata's no-inspection flags). */
bool applayer_packet_dropped(const Flow *f);

/* Mark the start of a packet's processing for f (clears the updated flags).
 * The engine calls it before stream_packet / applayer_udp_packet. */
void applayer_packet_begin(Flow *f);

#endif
