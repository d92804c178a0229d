/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stream_int.h: details shared inside src/stream/ only: the session, the
 * per-direction stream, the segment list and the counters.
 *
 * Offsets: every byte of a direction has a 64-bit stream offset, 0 being
 * the byte after the SYN (base_seq). Sequence numbers map to offsets
 * relative to the contiguous end (seq_to_off), which is valid as long as a
 * segment lies within 2^31 bytes of it -- TCP windows are far smaller.
 *
 * Invariants of a TcpStream (all offsets):
 *   buf_off <= min(app_progress, raw_progress) <= contig_end
 *   buf holds bytes [buf_off, buf_off + buf_len); buf_len covers every
 *     stored segment (bytes between segments are unset and never read)
 *   contig_end: every byte in [buf_off, contig_end) is present or inside a
 *     declared gap
 *   segs: sorted by (off, len); each lies at least partly at or after buf_off
 *   gaps: sorted, disjoint, within [buf_off, contig_end)
 */
#ifndef KASBAH_STREAM_STREAM_INT_H
#define KASBAH_STREAM_STREAM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "stream/stream.h"

/* Sequence arithmetic modulo 2^32 (RFC 1982). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

/* RFC 7323: the largest shift a window scale option may ask for. */
#define STREAM_WSCALE_MAX 14

/* Gaps remembered per direction for the raw inspector; when more pile up
 * the raw progress skips past the oldest (its bytes go uninspected). */
#define STREAM_MAX_GAPS 8

/* How far ahead of the oldest kept byte a segment may lie and still be
 * stored (beyond the depth nothing is stored anyway): bounds the buffer a
 * sender can make us hold with one far-away segment when the depth is
 * unlimited (0) or larger than this. */
#define STREAM_MAX_AHEAD (16u * 1024 * 1024)

/* App-layer detection may hold unconsumed bytes; this bounds them. */
#define STREAM_MAX_UNCONSUMED (256u * 1024)

typedef struct Seg {
    struct Seg *prev, *next;
    uint64_t off;          /* stream offset of the first byte */
    uint32_t len;
} Seg;

typedef struct Gap {
    uint64_t start, end;
} Gap;

/* Per-direction flags. */
enum {
    TS_SYN_SEEN = 1u << 0,
    TS_FIN_SEEN = 1u << 1,      /* fin_seq valid */
    TS_WSCALE = 1u << 2,        /* sent a window scale option in its SYN */
    TS_DEPTH = 1u << 3,         /* depth reached: nothing more is stored */
    TS_EOF_SENT = 1u << 4,      /* STREAM_DATA_EOF delivered */
    TS_RAW_TRIGGER = 1u << 5,   /* next raw chunk is ready regardless of size */
    TS_ACK_SEEN = 1u << 6,      /* last_ack holds a value */
    TS_INIT = 1u << 7,          /* base_seq/next_seq hold values */
};

typedef struct TcpStream {
    uint32_t isn;          /* initial sequence number */
    uint32_t base_seq;     /* seq of stream offset 0 */
    uint32_t next_seq;     /* next seq expected from this sender (max right edge seen) */
    uint32_t last_ack;     /* highest ack from the peer covering this sender's bytes */
    uint32_t win;          /* this sender's advertised receive window, scaled */
    uint32_t fin_seq;      /* seq of the FIN (TS_FIN_SEEN) */
    uint8_t wscale;        /* shift for this sender's windows */
    uint16_t flags;        /* TS_* */

    /* reassembly */
    uint8_t *buf;
    uint32_t buf_len, buf_cap;
    uint64_t buf_off;
    uint64_t contig_end;
    uint64_t app_progress;
    uint64_t app_offered;  /* end of what the consumer was last offered */
    uint64_t raw_progress;
    Seg *head, *tail;
    uint32_t n_segs;
    Gap gaps[STREAM_MAX_GAPS];
    uint8_t n_gaps;
} TcpStream;

/* Session flags. */
enum {
    TSS_MIDSTREAM = 1u << 0,
    TSS_CLOSED_BY_RST = 1u << 1,
    TSS_WSCALE_OK = 1u << 2,    /* both SYNs carried window scale */
    TSS_ASYNC = 1u << 3,        /* one-sided (stream.async-oneside): only the client is seen */
};

struct TcpSession {
    TcpStream s[2];        /* [0] the client's bytes (to server), [1] the server's */
    FlowTcpState state;
    uint8_t flags;         /* TSS_* */
    uint8_t synack_count;
    uint16_t tfo_len;      /* bytes of data on the client's SYN (TCP Fast Open) */
    const StreamConfig *cfg;   /* the context's config (raw flag, chunk sizes) */
    StreamCtx *ctx;        /* the owning context (releases from stream_raw_consume) */
    bool raw;              /* raw bookkeeping on */
    uint32_t raw_keep;     /* bytes kept before the raw progress */
};
typedef struct TcpSession TcpSession;

/* Counter ids. */
typedef struct StreamCounters {
    int sessions, ssn_memcap, syn, synack, rst, midstream, invalid_csum;
    int seg_memcap, depth, gap, overlap, overlap_diff, on_closed;
    int memuse, ra_memuse;
    int ev[STREAM_EV_MAX];
} StreamCounters;

struct StreamCtx {
    StreamConfig cfg;
    MemAccount ssn_acct;   /* "stream" */
    MemAccount ra_acct;    /* "reassembly" */
    Stats *stats;
    StreamCounters c;
    bool raw;
    uint32_t raw_keep;
    StreamStateFn on_state;
    void *state_user;
};

static inline void stream_count(StreamCtx *ctx, int id)
{
    if (ctx->stats != NULL)
        stats_inc(ctx->stats, id);
}

/* Record event ev on p and count it. */
void stream_event_set(StreamCtx *ctx, Packet *p, StreamEvent ev);

/* ---- reassembly.c ---- */

/* Map seq of stream st to a stream offset (may be negative: before base). */
int64_t stream_seq_to_off(const TcpStream *st, uint32_t seq);

/* Insert payload (seq, data, len) into st, applying the overlap policy,
 * depth and memcap. Events go on p. */
void stream_insert(StreamCtx *ctx, TcpSession *ssn, TcpStream *st, Packet *p, uint32_t seq,
                   const uint8_t *data, uint32_t len);

/* Deliver what is ready in direction dir to `deliver`, creating gaps for
 * acknowledged holes. `all`: ignore the ACK limit (session closed, flow
 * end); `final`: also turn every remaining hole into a gap and send EOF. */
void stream_deliver(StreamCtx *ctx, Flow *f, TcpSession *ssn, unsigned dir, bool all, bool final,
                    Packet *p, StreamDeliverFn deliver, void *user);

/* Release the bytes and segments of st that every consumer passed. */
void stream_release(StreamCtx *ctx, TcpSession *ssn, TcpStream *st);

/* Release every byte and segment of st. */
void stream_reassembly_free(StreamCtx *ctx, TcpStream *st);

#endif
