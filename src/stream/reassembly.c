/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reassembly.c: per-direction segment storage, overlap policies, in-order
 * delivery with gaps, and the raw-stream view for detection.
 *
 * Where it sits: tcp.c validates a packet against the session and calls
 * stream_insert() with its payload, then stream_deliver() for the direction
 * whose acknowledged edge moved. Detection reads stream_raw_chunk().
 *
 * Storage: each direction keeps one linear buffer of the bytes from the
 * oldest byte still needed (buf_off) up to the end of the furthest stored
 * segment, and a sorted list of the segments as they arrived (offset and
 * length only; their bytes live in the buffer). Keeping the original segment
 * boundaries is what lets the overlap policies decide as Suricata does.
 * Bytes are released from the front once the application layer (and, with
 * raw inspection on, the raw inspector) passed them. The buffer never holds
 * more than the depth (or STREAM_MAX_AHEAD when depth is unlimited). Once a
 * direction has ended (EOF delivered) and both consumers are done with it,
 * the buffer itself is freed, so a closed session waiting for its flow
 * timeout holds no reassembly memory.
 *
 * Overlap policy (Suricata's stream-tcp-list.c, IDS mode). A new segment S
 * overlapping a stored segment L takes the overlapped bytes from S ("new")
 * or keeps L's ("old"):
 *
 *   policy             S starts before L   same start,           S starts after L,
 *                                          S ends at/after L     ends after L
 *   first, vista       old                 old                   old
 *   last               new                 new                   new
 *   bsd, windows (*)   new                 old                   old
 *   linux              new                 new if S ends after   old
 *   old-linux          new                 new                   old
 *   solaris, hpux11    new only if S ends  new                   new
 *                      at/after L's end
 *   (*) also windows2k3, macos, irix, hpux10.
 *
 * Every other shape (S inside L, S ending before L's end) keeps old bytes.
 * When a byte is covered by several stored segments and any of them keeps
 * old bytes, the old byte stays. Bytes already released cannot change: a
 * segment wholly before buf_off is dropped (reassembly_segment_before_base_seq).
 * An overlap whose bytes differ raises reassembly_overlap_different_data
 * (counted tcp.overlap_diff_data); every overlap counts tcp.overlap.
 */
#include "stream/stream_int.h"

#include <string.h>

/* Scratch for overlap handling: a TCP payload is at most 65535 bytes. */
static _Thread_local uint8_t scratch[65536];

int64_t stream_seq_to_off(const TcpStream *st, uint32_t seq)
{
    uint32_t contig_seq = st->base_seq + (uint32_t)st->contig_end;
    return (int64_t)st->contig_end + (int32_t)(seq - contig_seq);
}

/* ---- the buffer ---- */

static void gauge_ra(StreamCtx *ctx)
{
    if (ctx->stats != NULL)
        stats_set(ctx->stats, ctx->c.ra_memuse, atomic_load_explicit(&ctx->ra_acct.used, memory_order_relaxed));
}

/* Make the buffer cover offsets up to `end` (exclusive). false on refusal. */
static bool buf_cover(StreamCtx *ctx, TcpStream *st, uint64_t end)
{
    uint64_t need64 = end - st->buf_off;
    if (need64 > UINT32_MAX)
        return false;
    uint32_t need = (uint32_t)need64;
    if (need <= st->buf_len)
        return true;
    if (need > st->buf_cap) {
        uint64_t cap = st->buf_cap != 0 ? st->buf_cap : 2048;
        while (cap < need)
            cap *= 2;
        /* do not round far past the depth */
        if (ctx->cfg.depth != 0 && cap > need && cap > ctx->cfg.depth)
            cap = need;
        if (cap > UINT32_MAX)
            cap = need;
        uint8_t *nb = mem_realloc(&ctx->ra_acct, st->buf, (size_t)cap);
        if (nb == NULL)
            return false;
        st->buf = nb;
        st->buf_cap = (uint32_t)cap;
        gauge_ra(ctx);
    }
    st->buf_len = need;
    return true;
}

/* Drop everything before offset rel (segments, gaps, buffer bytes). */
static void release_to(StreamCtx *ctx, TcpStream *st, uint64_t rel)
{
    if (rel <= st->buf_off)
        return;
    while (st->head != NULL && st->head->off + st->head->len <= rel) {
        Seg *s = st->head;
        st->head = s->next;
        if (st->head != NULL)
            st->head->prev = NULL;
        else
            st->tail = NULL;
        st->n_segs--;
        mem_free(&ctx->ra_acct, s);
    }
    unsigned k = 0;
    for (unsigned i = 0; i < st->n_gaps; i++)
        if (st->gaps[i].end > rel)
            st->gaps[k++] = st->gaps[i];
    st->n_gaps = (uint8_t)k;

    uint64_t shift = rel - st->buf_off;
    if (shift >= st->buf_len) {
        st->buf_len = 0;
    } else {
        memmove(st->buf, st->buf + shift, st->buf_len - (size_t)shift);
        st->buf_len -= (uint32_t)shift;
    }
    st->buf_off = rel;
    /* give back a large buffer that is mostly empty */
    if (st->buf_cap > 65536 && st->buf_len < st->buf_cap / 4) {
        uint32_t cap = st->buf_len > 2048 ? st->buf_len * 2 : 2048;
        uint8_t *nb = mem_realloc(&ctx->ra_acct, st->buf, cap);
        if (nb != NULL) {
            st->buf = nb;
            st->buf_cap = cap;
        }
    }
    gauge_ra(ctx);
}

/* Oldest byte anybody still needs. */
static uint64_t needed_from(const TcpSession *ssn, const TcpStream *st)
{
    if (!ssn->raw)
        return st->app_progress;
    /* an ended direction inspected to its end: no later chunk looks back */
    if ((st->flags & TS_EOF_SENT) && st->raw_progress >= st->contig_end)
        return st->app_progress;
    uint64_t r = st->raw_progress > ssn->raw_keep ? st->raw_progress - ssn->raw_keep : 0;
    return r < st->app_progress ? r : st->app_progress;
}

void stream_release(StreamCtx *ctx, TcpSession *ssn, TcpStream *st)
{
    if (!ssn->raw)
        st->raw_progress = st->app_progress;
    release_to(ctx, st, needed_from(ssn, st));
    /* the direction ended (EOF delivered) and every consumer is done with
     * its bytes: give the buffer back now rather than at flow end -- a
     * closed session may wait minutes for its timeout (as Suricata frees a
     * closed session's segments once inspected) */
    if ((st->flags & TS_EOF_SENT) && st->buf_len == 0 && st->head == NULL && st->buf != NULL) {
        mem_free(&ctx->ra_acct, st->buf);
        st->buf = NULL;
        st->buf_cap = 0;
        gauge_ra(ctx);
    }
}

void stream_reassembly_free(StreamCtx *ctx, TcpStream *st)
{
    Seg *s = st->head;
    while (s != NULL) {
        Seg *n = s->next;
        mem_free(&ctx->ra_acct, s);
        s = n;
    }
    st->head = st->tail = NULL;
    st->n_segs = 0;
    mem_free(&ctx->ra_acct, st->buf);
    st->buf = NULL;
    st->buf_len = st->buf_cap = 0;
    st->n_gaps = 0;
    gauge_ra(ctx);
}

/* ---- contiguity and gaps ---- */

static void advance_contig(TcpStream *st)
{
    for (Seg *s = st->head; s != NULL; s = s->next) {
        if (s->off > st->contig_end)
            break;
        if (s->off + s->len > st->contig_end)
            st->contig_end = s->off + s->len;
    }
}

/* First stored segment starting after the contiguous end. */
static const Seg *next_after_contig(const TcpStream *st)
{
    for (const Seg *s = st->head; s != NULL; s = s->next)
        if (s->off > st->contig_end)
            return s;
    return NULL;
}

static uint64_t stored_end(const TcpStream *st)
{
    uint64_t e = st->contig_end;
    for (const Seg *s = st->head; s != NULL; s = s->next)
        if (s->off + s->len > e)
            e = s->off + s->len;
    return e;
}

/* Declare [contig_end, end) missing. */
static void add_gap(StreamCtx *ctx, TcpStream *st, Packet *p, uint64_t end)
{
    if (end <= st->contig_end)
        return;
    if (st->n_gaps > 0 && st->gaps[st->n_gaps - 1].end == st->contig_end) {
        st->gaps[st->n_gaps - 1].end = end;
    } else {
        if (st->n_gaps == STREAM_MAX_GAPS) {
            /* the raw inspector skips the oldest gap and what precedes it */
            if (st->raw_progress < st->gaps[0].end)
                st->raw_progress = st->gaps[0].end;
            memmove(&st->gaps[0], &st->gaps[1], sizeof(Gap) * (STREAM_MAX_GAPS - 1));
            st->n_gaps--;
        }
        st->gaps[st->n_gaps].start = st->contig_end;
        st->gaps[st->n_gaps].end = end;
        st->n_gaps++;
    }
    st->contig_end = end;
    stream_count(ctx, ctx->c.gap);
    if (p != NULL)
        stream_event_set(ctx, p, STREAM_EV_REASSEMBLY_SEQ_GAP);
    advance_contig(st);
}

/* ---- insertion ---- */

/* Does a new segment [s0, s1) take the new bytes over stored [l0, l1)? */
static bool use_new(StreamPolicy pol, int64_t s0, int64_t s1, int64_t l0, int64_t l1)
{
    switch (pol) {
    case STREAM_POLICY_LAST:
        return true;
    case STREAM_POLICY_FIRST:
    case STREAM_POLICY_VISTA:
        return false;
    case STREAM_POLICY_BSD:
    case STREAM_POLICY_WINDOWS:
        return s0 < l0;
    case STREAM_POLICY_LINUX:
        return s0 < l0 || (s0 == l0 && s1 > l1);
    case STREAM_POLICY_OLD_LINUX:
        return s0 < l0 || (s0 == l0 && s1 >= l1);
    case STREAM_POLICY_SOLARIS:
    case STREAM_POLICY_HPUX11:
        return s1 >= l1 && !(s0 > l0 && s1 == l1);
    }
    return false;
}

static bool seg_insert(StreamCtx *ctx, TcpStream *st, uint64_t off, uint32_t len)
{
    Seg *n = mem_alloc(&ctx->ra_acct, sizeof *n);
    if (n == NULL)
        return false;
    n->off = off;
    n->len = len;
    /* from the tail: in-order traffic appends */
    Seg *after = st->tail;
    while (after != NULL && (after->off > off || (after->off == off && after->len > len)))
        after = after->prev;
    n->prev = after;
    n->next = after != NULL ? after->next : st->head;
    if (n->next != NULL)
        n->next->prev = n;
    else
        st->tail = n;
    if (after != NULL)
        after->next = n;
    else
        st->head = n;
    st->n_segs++;
    return true;
}

static void insert_one(StreamCtx *ctx, TcpStream *st, Packet *p, uint32_t seq, const uint8_t *data,
                       uint32_t len);

void stream_insert(StreamCtx *ctx, TcpSession *ssn, TcpStream *st, Packet *p, uint32_t seq,
                   const uint8_t *data, uint32_t len)
{
    (void)ssn;
    /* a payload is at most 64 KiB on the wire; larger ones (pseudo packets)
     * go in scratch-sized pieces */
    while (len > sizeof scratch) {
        insert_one(ctx, st, p, seq, data, (uint32_t)sizeof scratch);
        seq += (uint32_t)sizeof scratch;
        data += sizeof scratch;
        len -= (uint32_t)sizeof scratch;
    }
    insert_one(ctx, st, p, seq, data, len);
}

static void insert_one(StreamCtx *ctx, TcpStream *st, Packet *p, uint32_t seq, const uint8_t *data,
                       uint32_t len)
{
    if (len == 0)
        return;
    int64_t soff = stream_seq_to_off(st, seq);
    int64_t send = soff + (int64_t)len;
    if (send <= (int64_t)st->buf_off) {
        stream_event_set(ctx, p, STREAM_EV_REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ);
        return;
    }
    /* the policy compares original edges; only bytes from buf_off on are kept */
    uint64_t s0 = soff < (int64_t)st->buf_off ? st->buf_off : (uint64_t)soff;
    uint64_t s1 = (uint64_t)send;
    const uint8_t *src = data + (size_t)((int64_t)s0 - soff);

    if (ctx->cfg.depth != 0 && s1 > ctx->cfg.depth) {
        /* bytes past the depth are not kept (earlier ones still are) */
        if (!(st->flags & TS_DEPTH)) {
            st->flags |= TS_DEPTH;
            stream_count(ctx, ctx->c.depth);
        }
        if (s0 >= ctx->cfg.depth)
            return;
        s1 = ctx->cfg.depth;
    } else if (s1 - st->buf_off > STREAM_MAX_AHEAD) {
        stream_event_set(ctx, p, STREAM_EV_REASSEMBLY_NO_SEGMENT);
        stream_count(ctx, ctx->c.seg_memcap);
        return;
    }
    uint32_t n = (uint32_t)(s1 - s0);

    /* overlaps with stored segments */
    memcpy(scratch, src, n);
    bool dup = false, overlapped = false, differs = false;
    for (Seg *l = st->head; l != NULL; l = l->next) {
        uint64_t l0 = l->off, l1 = l->off + l->len;
        if (l0 >= s1)
            break;
        if (l1 <= s0)
            continue;
        if (l0 == s0 && l->len == n)
            dup = true;
        overlapped = true;
        uint64_t o0 = l0 > s0 ? l0 : s0, o1 = l1 < s1 ? l1 : s1;
        if (o0 < st->buf_off)
            o0 = st->buf_off;
        if (o0 >= o1)
            continue;
        const uint8_t *old = st->buf + (o0 - st->buf_off);
        if (memcmp(old, src + (o0 - s0), (size_t)(o1 - o0)) != 0) {
            differs = true;
            if (!use_new(ctx->cfg.policy, soff, send, (int64_t)l0, (int64_t)l1))
                memcpy(scratch + (o0 - s0), old, (size_t)(o1 - o0));
        }
    }
    if (overlapped)
        stream_count(ctx, ctx->c.overlap);
    if (differs) {
        stream_count(ctx, ctx->c.overlap_diff);
        stream_event_set(ctx, p, STREAM_EV_REASSEMBLY_OVERLAP_DIFFERENT_DATA);
    }

    if (!buf_cover(ctx, st, s1) || (!dup && !seg_insert(ctx, st, s0, n))) {
        stream_count(ctx, ctx->c.seg_memcap);
        stream_event_set(ctx, p, STREAM_EV_REASSEMBLY_NO_SEGMENT);
        return;
    }
    memcpy(st->buf + (s0 - st->buf_off), scratch, n);
    gauge_ra(ctx);
    advance_contig(st);
}

/* ---- delivery ---- */

/* Offset up to which the receiver acknowledged st's data (FIN excluded). */
static uint64_t acked_end(const TcpStream *st)
{
    if (!(st->flags & TS_ACK_SEEN))
        return 0;
    int64_t a = stream_seq_to_off(st, st->last_ack);
    if (st->flags & TS_FIN_SEEN) {
        int64_t fin = stream_seq_to_off(st, st->fin_seq);
        if (a > fin)
            a = fin;
    }
    return a < 0 ? 0 : (uint64_t)a;
}

static uint64_t fin_off(const TcpStream *st)
{
    int64_t fin = stream_seq_to_off(st, st->fin_seq);
    return fin < 0 ? 0 : (uint64_t)fin;
}

/* The first gap ending after offset o, or NULL. */
static const Gap *gap_after(const TcpStream *st, uint64_t o)
{
    for (unsigned i = 0; i < st->n_gaps; i++)
        if (st->gaps[i].end > o)
            return &st->gaps[i];
    return NULL;
}

void stream_deliver(StreamCtx *ctx, Flow *f, TcpSession *ssn, unsigned dir, bool all, bool final,
                    Packet *p, StreamDeliverFn deliver, void *user)
{
    TcpStream *st = &ssn->s[dir];
    bool unlimited = all || ctx->cfg.inline_mode;

    /* acknowledged holes become gaps (the receiver has data we never saw) */
    uint64_t target = acked_end(st);
    if (final) {
        uint64_t e = stored_end(st);
        if (e > target)
            target = e;
    }
    if (ctx->cfg.depth != 0 && target > ctx->cfg.depth)
        target = ctx->cfg.depth;
    while (st->contig_end < target) {
        const Seg *nx = next_after_contig(st);
        uint64_t end = nx != NULL && nx->off < target ? nx->off : target;
        add_gap(ctx, st, p, end);
    }

    uint64_t lim = st->contig_end;
    if (st->flags & TS_EOF_SENT) {
        /* the consumer was told the end: whatever comes is dropped */
        if (lim > st->app_progress)
            st->app_progress = lim;
        stream_release(ctx, ssn, st);
        return;
    }
    if (!unlimited) {
        uint64_t a = acked_end(st);
        if (a < lim)
            lim = a;
    }
    /* EOF once the FIN's data is all there and acknowledged (or the
     * session was reset, or the flow ends) */
    bool eof_now = !(st->flags & TS_EOF_SENT) &&
                   (final || (all && (ssn->flags & TSS_CLOSED_BY_RST)) ||
                    ((st->flags & TS_FIN_SEEN) && lim >= fin_off(st)));

    if (deliver != NULL && (lim > st->app_progress || eof_now) &&
        (lim > st->app_offered || final || eof_now)) {
        while (st->app_progress < lim) {
            const Gap *g = gap_after(st, st->app_progress);
            if (g != NULL && g->start <= st->app_progress) {
                uint64_t glen = g->end - st->app_progress;
                deliver(f, dir, NULL, glen > UINT32_MAX ? UINT32_MAX : (uint32_t)glen,
                        STREAM_DATA_GAP, user);
                st->app_progress = g->end;
                continue;
            }
            uint64_t stop = g != NULL && g->start < lim ? g->start : lim;
            uint64_t n64 = stop - st->app_progress;
            uint32_t n = n64 > UINT32_MAX ? UINT32_MAX : (uint32_t)n64;
            unsigned fl = 0;
            if (eof_now && st->app_progress + n == lim && stop == lim) {
                fl |= STREAM_DATA_EOF;
                st->flags |= TS_EOF_SENT;
            }
            uint32_t c = deliver(f, dir, st->buf + (st->app_progress - st->buf_off), n, fl, user);
            if (c > n)
                c = n;
            st->app_progress += c;
            if (fl & STREAM_DATA_EOF) {
                st->app_progress = stop; /* nothing more will be asked for */
                break;
            }
            if (c < n) {
                if (stop < lim) {
                    /* the rest can never be completed: a gap follows */
                    st->app_progress = stop;
                    continue;
                }
                if (lim - st->app_progress > STREAM_MAX_UNCONSUMED) {
                    /* a consumer that keeps too much waiting: skip it as a gap */
                    deliver(f, dir, NULL, (uint32_t)(lim - st->app_progress), STREAM_DATA_GAP, user);
                    st->app_progress = lim;
                }
                break;
            }
        }
        st->app_offered = lim;
        if (eof_now && !(st->flags & TS_EOF_SENT)) {
            deliver(f, dir, NULL, 0, STREAM_DATA_EOF, user);
            st->flags |= TS_EOF_SENT;
        }
    } else if (deliver == NULL) {
        /* nobody consumes: the application layer is not running */
        st->app_progress = lim;
    }
    stream_release(ctx, ssn, st);
}

/* ---- raw stream ---- */

static uint64_t raw_ready_end(const TcpSession *ssn, const TcpStream *st, bool inline_mode)
{
    uint64_t lim = st->contig_end;
    bool closed = ssn->state == FLOW_TCP_CLOSED;
    if (!inline_mode && !closed) {
        uint64_t a = acked_end(st);
        if (a < lim)
            lim = a;
    }
    return lim;
}

bool stream_raw_chunk(const Flow *f, unsigned dir, uint32_t lookback, bool force, StreamRawChunk *out)
{
    memset(out, 0, sizeof *out);
    if (f == NULL || f->tcp == NULL || dir > 1)
        return false;
    const TcpSession *ssn = f->tcp;
    const TcpStream *st = &ssn->s[dir];
    bool inline_mode = ssn->cfg->inline_mode;
    uint64_t end = raw_ready_end(ssn, st, inline_mode || force);
    uint64_t from = st->raw_progress;
    if (from < st->buf_off)
        from = st->buf_off;
    const Gap *g = gap_after(st, from);
    bool gap_before = false;
    if (g != NULL && g->start <= from) {
        from = g->end;
        gap_before = true;
        g = gap_after(st, from);
    }
    if (g != NULL && g->start < end)
        end = g->start;
    if (end <= from)
        return false;
    bool ready = force || inline_mode || ssn->state == FLOW_TCP_CLOSED ||
                 (st->flags & (TS_DEPTH | TS_RAW_TRIGGER)) ||
                 end - from >= ssn->cfg->chunk_size[dir] ||
                 ((st->flags & TS_FIN_SEEN) && end >= fin_off(st)) ||
                 (g != NULL && end == g->start);
    if (!ready)
        return false;
    uint64_t start = from;
    if (!gap_before) {
        uint64_t lb = lookback;
        start = from - (from - st->buf_off < lb ? from - st->buf_off : lb);
        /* never look back across a gap */
        for (unsigned i = 0; i < st->n_gaps; i++)
            if (st->gaps[i].end <= from && st->gaps[i].end > start)
                start = st->gaps[i].end;
    }
    out->data = st->buf + (start - st->buf_off);
    out->len = (end - start) > UINT32_MAX ? UINT32_MAX : (uint32_t)(end - start);
    out->offset = start;
    out->gap_before = gap_before;
    return true;
}

void stream_raw_consume(Flow *f, unsigned dir, uint64_t upto)
{
    if (f == NULL || f->tcp == NULL || dir > 1)
        return;
    TcpSession *ssn = f->tcp;
    TcpStream *st = &ssn->s[dir];
    if (upto > st->contig_end)
        upto = st->contig_end;
    if (upto > st->raw_progress)
        st->raw_progress = upto;
    st->flags &= (uint16_t)~TS_RAW_TRIGGER;
    /* no packet may follow an ended direction: release its bytes here */
    if ((st->flags & TS_EOF_SENT) && ssn->ctx != NULL)
        stream_release(ssn->ctx, ssn, st);
}

uint64_t stream_raw_progress(const Flow *f, unsigned dir)
{
    if (f == NULL || f->tcp == NULL || dir > 1)
        return 0;
    return f->tcp->s[dir].raw_progress;
}

void stream_raw_trigger(Flow *f, unsigned dir)
{
    if (f == NULL || f->tcp == NULL || dir > 1)
        return;
    f->tcp->s[dir].flags |= TS_RAW_TRIGGER;
}
