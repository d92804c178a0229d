/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stream.h: TCP session tracking and stream reassembly.
 *
 * Where it sits: after flow/ (the packet has p->flow and p->to_server), before
 * applayer/ and detect/. For every TCP packet of a flow the engine calls
 * stream_packet(); it validates the packet against the session (handshake,
 * sequence and acknowledgement numbers, windows: RFC 793 / RFC 9293, window
 * scaling RFC 7323), records stream events on the packet
 * (Packet.stream_events, named in stream/events.h), reassembles payloads per
 * direction and hands newly reassembled bytes, in order, to a StreamDeliverFn
 * (the application layer). Detection reads the same reassembled bytes through
 * the raw-stream API below.
 *
 * Semantics follow Suricata's stream engine in IDS mode:
 *   - a session starts with the client's SYN; flows picked up without one
 *     get no session unless `stream.midstream` is on;
 *   - data is delivered to the application layer only once the receiver
 *     acknowledged it (IDS mode: what the receiver accepted), or at once when
 *     `stream.inline` is on; when the session closes (RST, both FINs) or the
 *     flow ends, everything held is delivered;
 *   - overlapping segments are resolved by `stream.reassembly.overlap-policy`
 *     (default "bsd"; see reassembly.c for the table), and an overlap whose
 *     bytes differ raises reassembly_overlap_different_data;
 *   - data the receiver acknowledged but that never reached us becomes a gap:
 *     event reassembly_seq_gap, counter tcp.reassembly_gap, and the consumer
 *     is told (STREAM_DATA_GAP) before the data that follows;
 *   - each direction stores at most `stream.reassembly.depth` bytes (default
 *     1 MiB, 0 = unlimited); beyond it nothing more is reassembled;
 *   - with `stream.async-oneside` (default off) a session whose server side
 *     is never seen (asymmetric routing) is still tracked: the client's ACK
 *     after its SYN makes it established, and the client's own sequence
 *     numbers stand in for the acknowledgements nobody sees.
 *
 * Memory: sessions are charged to the "stream" account (stream.memcap,
 * default 64 MiB), segment data to the "reassembly" account
 * (stream.reassembly.memcap, default 256 MiB). Policy when a cap refuses: a
 * session that cannot be created leaves the flow untracked (tcp.ssn_memcap_drop);
 * a segment that cannot be stored is dropped (tcp.segment_memcap_drop) and
 * turns into a gap once acknowledged. Never a crash.
 *
 * Threads: one StreamCtx per worker, used by that worker only; sessions
 * live on the worker's flows. Nothing here takes a lock.
 */
#ifndef KASBAH_STREAM_STREAM_H
#define KASBAH_STREAM_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/stats.h"
#include "decode/packet.h"
#include "flow/flow.h"
#include "lib/alloc.h"
#include "stream/events.h"

/* Overlap policies (Suricata's host-os-policy names). */
typedef enum StreamPolicy {
    STREAM_POLICY_BSD = 0,     /* Suricata's default */
    STREAM_POLICY_FIRST,       /* the first copy of a byte wins ("vista" behaves so) */
    STREAM_POLICY_LAST,        /* the last copy wins */
    STREAM_POLICY_LINUX,
    STREAM_POLICY_OLD_LINUX,
    STREAM_POLICY_SOLARIS,
    STREAM_POLICY_WINDOWS,     /* also windows2k3, macos, irix, hpux10: same rule as bsd */
    STREAM_POLICY_HPUX11,
    STREAM_POLICY_VISTA,
} StreamPolicy;

typedef struct StreamConfig {
    uint64_t memcap;              /* stream.memcap (sessions), 64 MiB; 0 = unlimited */
    uint64_t reassembly_memcap;   /* stream.reassembly.memcap (segment data), 256 MiB */
    uint64_t depth;               /* stream.reassembly.depth per direction, 1 MiB; 0 = unlimited */
    bool midstream;               /* stream.midstream: pick up sessions without a SYN */
    bool async_oneside;           /* stream.async-oneside: track sessions of which only the
                                   * client's side is seen (see tcp.c) */
    bool inline_mode;             /* stream.inline: deliver data without waiting for its ACK */
    StreamPolicy policy;          /* stream.reassembly.overlap-policy, "bsd" */
    uint32_t chunk_size[2];       /* stream.reassembly.toserver-chunk-size / toclient-chunk-size, 2560 */
} StreamConfig;

/* Suricata's defaults (above). */
void stream_config_defaults(StreamConfig *cfg);

/* Fill cfg from the configuration tree (keys above; missing keys keep the
 * value in cfg). A bad policy name is warned about and ignored. Registers
 * the keys as known. Not thread-safe (configuration time). */
void stream_config_load(StreamConfig *cfg, const Config *conf);

/* The policy named `name` ("bsd", "first", "last", "linux", "old-linux",
 * "solaris", "windows", "windows2k3", "macos", "irix", "hpux10", "hpux11",
 * "vista"); -1 when unknown. */
int stream_policy_by_name(const char *name);
const char *stream_policy_name(StreamPolicy p);

typedef struct StreamCtx StreamCtx;

/* A worker's stream engine. Counters (tcp.sessions, tcp.ssn_memcap_drop,
 * tcp.syn, tcp.synack, tcp.rst, tcp.midstream_pickups, tcp.invalid_checksum,
 * tcp.segment_memcap_drop, tcp.stream_depth_reached, tcp.reassembly_gap,
 * tcp.overlap, tcp.overlap_diff_data, tcp.pkt_on_closed, the gauges tcp.memuse
 * and tcp.reassembly_memuse, and "stream.<event>" for every event) are
 * registered here, so create contexts before packets flow; they are counted
 * in *stats (caller-owned, may be NULL, must outlive the context). cfg is
 * copied. NULL on OOM. */
StreamCtx *stream_ctx_new(const StreamConfig *cfg, Stats *stats);

/* Free the context. Sessions still on flows must have been released with
 * stream_flow_end() first (their memory is charged to this context). */
void stream_ctx_free(StreamCtx *ctx);

/* The two memory accounts ("stream", "reassembly"), for EVE stats. */
const MemAccount *stream_ctx_session_account(const StreamCtx *ctx);
const MemAccount *stream_ctx_reassembly_account(const StreamCtx *ctx);

/* Raw-stream bookkeeping (detection of TCP content rules on the stream).
 * Off by default: then nothing waits for raw inspection, and reassembled
 * bytes are released as soon as the application layer consumed them. The
 * engine turns it on when the loaded rules inspect the stream; then bytes are
 * kept until stream_raw_consume() passed them too, and `keep` bytes before
 * the raw progress stay for the look-back of stream_raw_chunk (the longest
 * stream pattern minus one is enough). Sessions created afterwards use it.
 * Configuration time. */
void stream_ctx_set_raw(StreamCtx *ctx, bool on, uint32_t keep);

/* Called whenever stream/ changed a flow's tcp_state (after setting
 * f->tcp_state), so that the flow table can move the flow to the right
 * timeout class. Optional (NULL clears). */
typedef void (*StreamStateFn)(Flow *f, FlowTcpState old_state, void *user);
void stream_ctx_set_state_hook(StreamCtx *ctx, StreamStateFn fn, void *user);

/* Flags of a delivery. */
enum {
    STREAM_DATA_GAP = 1u << 0, /* `len` bytes are missing here; data is NULL */
    STREAM_DATA_EOF = 1u << 1, /* no more data will come in this direction */
};

/*
 * The consumer of reassembled bytes (the application layer). Called with
 * dir 0 for the client's bytes (to server), 1 for the server's, in stream
 * order per direction. It returns how many of the `len` bytes it consumed
 * (0..len); the rest is offered again, followed by whatever arrives next,
 * on a later call once more data is available (or with STREAM_DATA_EOF).
 * A gap call (data NULL) and a bare EOF call (len 0) return value is
 * ignored. Bytes are valid only during the call. The callee must not call
 * back into stream/ for the same flow except the raw-stream functions.
 */
typedef uint32_t (*StreamDeliverFn)(Flow *f, unsigned dir, const uint8_t *data, uint32_t len,
                                    unsigned flags, void *user);

/*
 * Track TCP packet p of flow f (p->flow == f, p->to_server set; packets
 * that are not TCP, or have no flow, are ignored). Creates the session on
 * the opening SYN (or on any packet with stream.midstream), updates state,
 * sequence/ack tracking and windows, records events on p, inserts the
 * payload, sets f->tcp_state, and calls `deliver` (may be NULL) with every
 * byte that became ready, in order. Never fails: bad packets are events.
 */
void stream_packet(StreamCtx *ctx, Flow *f, Packet *p, StreamDeliverFn deliver, void *user);

/*
 * The flow is ending (timeout, eviction, shutdown): deliver everything still
 * held in both directions -- holes become gaps -- then EOF. The session
 * stays, so that detection can still take the last raw chunks
 * (stream_raw_chunk with force); free it with stream_flow_free. Call from
 * the flow table's FlowEndFn. NULL session: no-op.
 */
void stream_flow_flush(StreamCtx *ctx, Flow *f, StreamDeliverFn deliver, void *user);

/* Free f's session (f->tcp = NULL) without delivering anything. NULL
 * session: no-op. */
void stream_flow_free(StreamCtx *ctx, Flow *f);

/* stream_flow_flush, then stream_flow_free. */
void stream_flow_end(StreamCtx *ctx, Flow *f, StreamDeliverFn deliver, void *user);

/* ---- queries ---- */

/* Does f have a tracked session? */
bool stream_has_session(const Flow *f);

/* The session's TCP state (FLOW_TCP_NONE without a session). */
FlowTcpState stream_tcp_state(const Flow *f);

/* Was the session picked up mid-stream? */
bool stream_is_midstream(const Flow *f);

/* Bytes reassembled so far in direction dir (the stream offset up to which
 * data is contiguous, gaps included). 0 without a session. */
uint64_t stream_reassembled(const Flow *f, unsigned dir);

/* Sequence-space progress of direction dir: the sender's next expected
 * sequence number minus its initial one (the SYN and FIN count one each),
 * what Suricata's `stream_size` keyword compares. 0 without a session or
 * before direction dir started. */
uint32_t stream_seq_progress(const Flow *f, unsigned dir);

/*
 * ---- raw stream inspection (detection of TCP content rules) ----
 *
 * As in Suricata's StreamReassembleRaw: each direction has a raw progress
 * (stream offset already inspected). A to-server packet inspects direction 0
 * (the client's bytes), a to-client packet direction 1. A chunk is ready
 * when (IDS mode) at least chunk_size[dir] acknowledged bytes wait beyond
 * the progress, or the session is closing/closed, the depth was reached,
 * the application layer asked for it (stream_raw_trigger), or `force` is
 * set (flow end). In inline mode every packet gets its chunk.
 */
typedef struct StreamRawChunk {
    const uint8_t *data;   /* valid until the next stream_packet / stream_flow_end on this flow */
    uint32_t len;
    uint64_t offset;       /* stream offset of data[0] */
    bool gap_before;       /* a gap precedes data (do not match across it) */
} StreamRawChunk;

/*
 * Fill *out with the bytes of direction dir from max(progress - lookback,
 * oldest byte kept) up to the end of what is ready (stopping before a gap).
 * `lookback` lets a matcher re-see the tail of the previous chunk so that a
 * pattern split across chunks is found (keep it at most the longest pattern
 * minus one, and report only matches ending past the progress). Returns
 * false (out->len 0) when no new bytes are ready. Does not move progress.
 */
bool stream_raw_chunk(const Flow *f, unsigned dir, uint32_t lookback, bool force,
                      StreamRawChunk *out);

/* Mark direction dir inspected up to stream offset `upto` (clamped to what is
 * ready); bytes before it may be released. */
void stream_raw_consume(Flow *f, unsigned dir, uint64_t upto);

/* Current raw progress of direction dir. */
uint64_t stream_raw_progress(const Flow *f, unsigned dir);

/* Ask for the next chunk of dir to be ready now (e.g. the application layer
 * completed a request), regardless of chunk size. */
void stream_raw_trigger(Flow *f, unsigned dir);

#endif
