/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tcp.c: the TCP session: handshake, sequence/ack tracking, windows,
 * teardown, stream events; the StreamCtx and its configuration.
 *
 * Where it sits: the engine calls stream_packet() for each TCP packet after
 * flow_table_handle(); this file decides whether the packet is acceptable
 * for the session and hands its payload to reassembly.c. Spec: RFC 9293
 * (state machine, sequence space), RFC 7323 (window scaling); behaviour and
 * event names after Suricata's stream-tcp.c in IDS mode.
 *
 * States (FlowTcpState, the names EVE prints), direction 0 = the client:
 *
 *   none        --SYN (client)---------------------> syn_sent
 *   syn_sent    --SYN/ACK (server) acking the SYN---> syn_recv
 *   syn_recv    --ACK (client) acking the SYN/ACK---> established
 *   established --FIN (client)---------------------> close_wait
 *   established --FIN (server)---------------------> fin_wait1
 *   close_wait  --FIN (server)---------------------> last_ack
 *   last_ack    --ACK (client) of the server's FIN-> closed
 *   fin_wait1   --FIN (client) acking server's FIN-> time_wait
 *   fin_wait1   --FIN (client), FIN not acked------> closing
 *   fin_wait1   --ACK (client) of the server's FIN-> fin_wait2
 *   fin_wait2   --FIN (client)---------------------> time_wait
 *   closing     --ACK (server) of the client's FIN-> time_wait
 *   time_wait   --ACK (server) of the client's FIN-> closed
 *   any         --RST in window--------------------> closed
 *
 * With stream.midstream on, a flow whose first packet is not a SYN gets a
 * session in `established` (window scale assumed 14 both ways, as Suricata).
 *
 * With stream.async-oneside on (Suricata's asynchronous sessions), a client
 * ACK in syn_sent that follows the SYN (seq = ISN + 1) stands for the
 * unseen SYN/ACK: the session becomes established, the server's stream
 * starts at that ACK, and since the server's acknowledgements are never
 * seen, each client segment acknowledges the client's bytes before it
 * (bytes up to the sequence number of the latest client packet are
 * delivered), as Suricata's StreamTcpUpdateLastAck on async sessions.
 *
 * Validation, per packet from sender S to receiver R:
 *   - a bad TCP checksum: ignored by the session (tcp.invalid_checksum);
 *   - an ACK beyond anything R sent plus the window S offers:
 *     pkt_invalid_ack, the packet is ignored;
 *   - data ending beyond S's window (R's last ACK + R's window):
 *     est_packet_out_of_window (fin_out_of_window for a FIN), ignored;
 *   - data wholly before what S already sent: pkt_retransmission (and
 *     est_pkt_before_last_ack / closewait_pkt_before_last_ack when R had
 *     acknowledged it); still inserted, so a retransmission with different
 *     bytes is an overlap judged by the policy;
 *   - SYN and SYN/ACK repeats and strays: the 3whs_* and est_syn* events.
 *
 * TCP Fast Open (RFC 7413): data on the client's SYN is stored; the SYN/ACK
 * may acknowledge it (or only the SYN: 3whs_synack_tfo_data_ignored).
 *
 * Events not raised (known by name so rules load): the 4whs_* family
 * (simultaneous open is not tracked), 3whs_async_wrong_seq, 3whs_ack_data_inject,
 * 3whs_synack_flood, pkt_invalid_timestamp
 * (timestamps are not validated), pkt_broken_ack, pkt_bad_window_update,
 * pkt_spurious_retransmission, suspected_rst_inject, wrong_thread, and the
 * per-state *_wrong_seq / *_invalid_ack variants (pkt_invalid_ack covers them).
 */
#include "stream/stream_int.h"

#include <string.h>

#include "core/log.h"

/* ---- events ---- */

#define STREAM_EV_NAME_(id, name) name,
static const char *const ev_names[STREAM_EV_MAX] = {STREAM_EV_LIST(STREAM_EV_NAME_)};
#undef STREAM_EV_NAME_

const char *stream_event_name(unsigned ev)
{
    return ev < STREAM_EV_MAX ? ev_names[ev] : "unknown";
}

int stream_event_by_name(const char *name)
{
    if (name == NULL)
        return -1;
    if (strncmp(name, "stream.", 7) == 0)
        name += 7;
    for (unsigned i = 1; i < STREAM_EV_MAX; i++)
        if (strcmp(ev_names[i], name) == 0)
            return (int)i;
    /* the spellings of rules/stream-events.rules */
    if (strcmp(name, "3whs_synack_resend_with_different_ack") == 0)
        return STREAM_EV_3WHS_SYNACK_RESEND_WITH_DIFF_ACK;
    if (strcmp(name, "est_synack_resend_with_different_ack") == 0)
        return STREAM_EV_EST_SYNACK_RESEND_WITH_DIFF_ACK;
    return -1;
}

void stream_event_set(StreamCtx *ctx, Packet *p, StreamEvent ev)
{
    stream_count(ctx, ctx->c.ev[ev]);
    if (p == NULL)
        return;
    for (unsigned i = 0; i < p->n_stream_events; i++)
        if (p->stream_events[i] == ev)
            return;
    if (p->n_stream_events < PKT_MAX_EVENTS)
        p->stream_events[p->n_stream_events++] = (uint16_t)ev;
}

/* ---- configuration ---- */

static const struct {
    const char *name;
    StreamPolicy policy;
} policy_names[] = {
    {"bsd", STREAM_POLICY_BSD},         {"first", STREAM_POLICY_FIRST},
    {"last", STREAM_POLICY_LAST},       {"linux", STREAM_POLICY_LINUX},
    {"old-linux", STREAM_POLICY_OLD_LINUX}, {"solaris", STREAM_POLICY_SOLARIS},
    {"windows", STREAM_POLICY_WINDOWS}, {"windows2k3", STREAM_POLICY_WINDOWS},
    {"macos", STREAM_POLICY_WINDOWS},   {"irix", STREAM_POLICY_WINDOWS},
    {"hpux10", STREAM_POLICY_WINDOWS},  {"bsd-right", STREAM_POLICY_HPUX11},
    {"hpux11", STREAM_POLICY_HPUX11},   {"vista", STREAM_POLICY_VISTA},
};

int stream_policy_by_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (size_t i = 0; i < sizeof policy_names / sizeof policy_names[0]; i++)
        if (strcmp(policy_names[i].name, name) == 0)
            return (int)policy_names[i].policy;
    return -1;
}

const char *stream_policy_name(StreamPolicy p)
{
    for (size_t i = 0; i < sizeof policy_names / sizeof policy_names[0]; i++)
        if (policy_names[i].policy == p)
            return policy_names[i].name;
    return "unknown";
}

void stream_config_defaults(StreamConfig *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->memcap = 64ull * 1024 * 1024;
    cfg->reassembly_memcap = 256ull * 1024 * 1024;
    cfg->depth = 1024ull * 1024;
    cfg->midstream = false;
    cfg->inline_mode = false;
    cfg->policy = STREAM_POLICY_BSD;
    cfg->chunk_size[0] = cfg->chunk_size[1] = 2560;
}

void stream_config_load(StreamConfig *cfg, const Config *conf)
{
    conf_register_known("stream");
    cfg->memcap = conf_get_size(conf, "stream.memcap", cfg->memcap);
    cfg->reassembly_memcap = conf_get_size(conf, "stream.reassembly.memcap", cfg->reassembly_memcap);
    cfg->depth = conf_get_size(conf, "stream.reassembly.depth", cfg->depth);
    cfg->midstream = conf_get_bool(conf, "stream.midstream", cfg->midstream);
    cfg->async_oneside = conf_get_bool(conf, "stream.async-oneside", cfg->async_oneside);
    /* stream.inline: yes/no, or "auto" (IPS mode only; kasbah reads files: no) */
    const char *il = conf_get_str(conf, "stream.inline", NULL);
    if (il != NULL && strcmp(il, "auto") != 0)
        cfg->inline_mode = conf_get_bool(conf, "stream.inline", cfg->inline_mode);
    const char *pol = conf_get_str(conf, "stream.reassembly.overlap-policy", NULL);
    if (pol != NULL) {
        int v = stream_policy_by_name(pol);
        if (v < 0)
            log_warn("config: stream.reassembly.overlap-policy: unknown policy '%s' "
                     "(expected bsd, first, last, linux, old-linux, solaris, windows, "
                     "hpux11, vista, ...); keeping %s", pol, stream_policy_name(cfg->policy));
        else
            cfg->policy = (StreamPolicy)v;
    }
    uint64_t cs = conf_get_size(conf, "stream.reassembly.toserver-chunk-size", cfg->chunk_size[0]);
    if (cs > 0 && cs <= UINT32_MAX)
        cfg->chunk_size[0] = (uint32_t)cs;
    cs = conf_get_size(conf, "stream.reassembly.toclient-chunk-size", cfg->chunk_size[1]);
    if (cs > 0 && cs <= UINT32_MAX)
        cfg->chunk_size[1] = (uint32_t)cs;
}

/* ---- the context ---- */

static void counters_register(StreamCounters *c)
{
    c->sessions = stats_register("tcp.sessions");
    c->ssn_memcap = stats_register("tcp.ssn_memcap_drop");
    c->syn = stats_register("tcp.syn");
    c->synack = stats_register("tcp.synack");
    c->rst = stats_register("tcp.rst");
    c->midstream = stats_register("tcp.midstream_pickups");
    c->invalid_csum = stats_register("tcp.invalid_checksum");
    c->seg_memcap = stats_register("tcp.segment_memcap_drop");
    c->depth = stats_register("tcp.stream_depth_reached");
    c->gap = stats_register("tcp.reassembly_gap");
    c->overlap = stats_register("tcp.overlap");
    c->overlap_diff = stats_register("tcp.overlap_diff_data");
    c->on_closed = stats_register("tcp.pkt_on_closed");
    c->memuse = stats_register("tcp.memuse");
    c->ra_memuse = stats_register("tcp.reassembly_memuse");
    c->ev[0] = -1;
    for (unsigned i = 1; i < STREAM_EV_MAX; i++) {
        char name[96];
        size_t n = strlen(ev_names[i]);
        memcpy(name, "stream.", 7);
        memcpy(name + 7, ev_names[i], n + 1);
        c->ev[i] = stats_register(name);
    }
}

StreamCtx *stream_ctx_new(const StreamConfig *cfg, Stats *stats)
{
    StreamCtx *ctx = mem_calloc(NULL, 1, sizeof *ctx);
    if (ctx == NULL)
        return NULL;
    ctx->cfg = *cfg;
    mem_account_init(&ctx->ssn_acct, "stream", cfg->memcap);
    mem_account_init(&ctx->ra_acct, "reassembly", cfg->reassembly_memcap);
    ctx->stats = stats;
    counters_register(&ctx->c);
    return ctx;
}

void stream_ctx_free(StreamCtx *ctx)
{
    mem_free(NULL, ctx);
}

const MemAccount *stream_ctx_session_account(const StreamCtx *ctx) { return &ctx->ssn_acct; }
const MemAccount *stream_ctx_reassembly_account(const StreamCtx *ctx) { return &ctx->ra_acct; }

void stream_ctx_set_raw(StreamCtx *ctx, bool on, uint32_t keep)
{
    ctx->raw = on;
    ctx->raw_keep = on ? keep : 0;
}

void stream_ctx_set_state_hook(StreamCtx *ctx, StreamStateFn fn, void *user)
{
    ctx->on_state = fn;
    ctx->state_user = user;
}

/* ---- sessions ---- */

static void gauge_ssn(StreamCtx *ctx)
{
    if (ctx->stats != NULL)
        stats_set(ctx->stats, ctx->c.memuse, atomic_load_explicit(&ctx->ssn_acct.used, memory_order_relaxed));
}

static TcpSession *session_new(StreamCtx *ctx, Flow *f)
{
    TcpSession *ssn = mem_calloc(&ctx->ssn_acct, 1, sizeof *ssn);
    if (ssn == NULL) {
        stream_count(ctx, ctx->c.ssn_memcap);
        return NULL;
    }
    ssn->cfg = &ctx->cfg;
    ssn->ctx = ctx;
    ssn->raw = ctx->raw;
    ssn->raw_keep = ctx->raw_keep;
    f->tcp = ssn;
    stream_count(ctx, ctx->c.sessions);
    gauge_ssn(ctx);
    return ssn;
}

void stream_flow_free(StreamCtx *ctx, Flow *f)
{
    if (f == NULL || f->tcp == NULL)
        return;
    TcpSession *ssn = f->tcp;
    stream_reassembly_free(ctx, &ssn->s[0]);
    stream_reassembly_free(ctx, &ssn->s[1]);
    mem_free(&ctx->ssn_acct, ssn);
    f->tcp = NULL;
    gauge_ssn(ctx);
}

void stream_flow_flush(StreamCtx *ctx, Flow *f, StreamDeliverFn deliver, void *user)
{
    if (f == NULL || f->tcp == NULL)
        return;
    TcpSession *ssn = f->tcp;
    for (unsigned d = 0; d < 2; d++)
        if (ssn->s[d].flags & TS_INIT)
            stream_deliver(ctx, f, ssn, d, true, true, NULL, deliver, user);
}

void stream_flow_end(StreamCtx *ctx, Flow *f, StreamDeliverFn deliver, void *user)
{
    stream_flow_flush(ctx, f, deliver, user);
    stream_flow_free(ctx, f);
}

bool stream_has_session(const Flow *f) { return f != NULL && f->tcp != NULL; }

FlowTcpState stream_tcp_state(const Flow *f)
{
    return f != NULL && f->tcp != NULL ? f->tcp->state : FLOW_TCP_NONE;
}

bool stream_is_midstream(const Flow *f)
{
    return f != NULL && f->tcp != NULL && (f->tcp->flags & TSS_MIDSTREAM);
}

uint64_t stream_reassembled(const Flow *f, unsigned dir)
{
    if (f == NULL || f->tcp == NULL || dir > 1)
        return 0;
    return f->tcp->s[dir].contig_end;
}

uint32_t stream_seq_progress(const Flow *f, unsigned dir)
{
    if (f == NULL || f->tcp == NULL || dir > 1 || !(f->tcp->s[dir].flags & TS_INIT))
        return 0;
    return f->tcp->s[dir].next_seq - f->tcp->s[dir].isn;
}

/* ---- per-packet helpers ---- */

static uint8_t wscale_of(const Packet *p)
{
    if (p->tcp_wscale == 0xff)
        return 0;
    return p->tcp_wscale > STREAM_WSCALE_MAX ? STREAM_WSCALE_MAX : p->tcp_wscale;
}

/* Start stream st at the sender's sequence number `seq` of its first data
 * byte. */
static void stream_start(TcpStream *st, uint32_t isn, uint32_t first)
{
    st->isn = isn;
    st->base_seq = first;
    st->next_seq = first;
    st->flags |= TS_INIT;
}

static void set_state(StreamCtx *ctx, Flow *f, TcpSession *ssn, FlowTcpState s)
{
    ssn->state = s;
    if (f->tcp_state != s) {
        FlowTcpState old = f->tcp_state;
        f->tcp_state = s;
        if (ctx->on_state != NULL)
            ctx->on_state(f, old, ctx->state_user);
    }
}

/* Window the sender S advertises, scaled (never in a SYN). */
static uint32_t window_of(const TcpStream *s, const Packet *p)
{
    if (p->tcp_flags & TCP_SYN)
        return p->tcp_win;
    return (uint32_t)p->tcp_win << s->wscale;
}

/* Has `ack` acknowledged stream st's FIN? */
static bool acks_fin(const TcpStream *st, uint32_t ack, uint8_t flags)
{
    return (flags & TCP_ACK) && (st->flags & TS_FIN_SEEN) && SEQ_GEQ(ack, st->fin_seq + 1);
}

static void close_session(StreamCtx *ctx, Flow *f, TcpSession *ssn, Packet *p, StreamDeliverFn deliver,
                          void *user)
{
    set_state(ctx, f, ssn, FLOW_TCP_CLOSED);
    /* a reset ends both directions now: holes become gaps, then EOF */
    bool rst = ssn->flags & TSS_CLOSED_BY_RST;
    for (unsigned d = 0; d < 2; d++)
        if (ssn->s[d].flags & TS_INIT)
            stream_deliver(ctx, f, ssn, d, true, rst, p, deliver, user);
}

/* ---- session creation ---- */

static TcpSession *session_open(StreamCtx *ctx, Flow *f, Packet *p, unsigned d)
{
    uint8_t fl = p->tcp_flags;
    if (d == 0 && (fl & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
        TcpSession *ssn = session_new(ctx, f);
        if (ssn == NULL)
            return NULL;
        TcpStream *c = &ssn->s[0];
        stream_start(c, p->tcp_seq, p->tcp_seq + 1);
        c->flags |= TS_SYN_SEEN;
        c->next_seq = p->tcp_seq + 1;
        if (p->payload_len > 0) {
            /* TCP Fast Open (RFC 7413): data on the SYN */
            stream_insert(ctx, ssn, c, p, p->tcp_seq + 1, p->payload, p->payload_len);
            c->next_seq += p->payload_len;
            ssn->tfo_len = p->payload_len;
        }
        c->win = p->tcp_win;
        if (p->tcp_wscale != 0xff) {
            c->flags |= TS_WSCALE;
            c->wscale = wscale_of(p);
        }
        set_state(ctx, f, ssn, FLOW_TCP_SYN_SENT);
        return ssn;
    }
    if (fl & TCP_RST) {
        stream_event_set(ctx, p, STREAM_EV_RST_BUT_NO_SESSION);
        return NULL;
    }
    if (!ctx->cfg.midstream) {
        if (fl & TCP_FIN)
            stream_event_set(ctx, p, STREAM_EV_FIN_BUT_NO_SESSION);
        return NULL;
    }
    /* mid-stream pick-up: both windows are unknown, assume the largest scale */
    TcpSession *ssn = session_new(ctx, f);
    if (ssn == NULL)
        return NULL;
    ssn->flags |= TSS_MIDSTREAM;
    stream_count(ctx, ctx->c.midstream);
    TcpStream *s = &ssn->s[d], *r = &ssn->s[d ^ 1];
    uint32_t first = (fl & TCP_SYN) ? p->tcp_seq + 1 : p->tcp_seq;
    stream_start(s, first - 1, first);
    s->wscale = STREAM_WSCALE_MAX;
    r->wscale = STREAM_WSCALE_MAX;
    if (fl & TCP_ACK) {
        stream_start(r, p->tcp_ack - 1, p->tcp_ack);
        r->last_ack = p->tcp_ack;
        r->flags |= TS_ACK_SEEN;
    }
    set_state(ctx, f, ssn, FLOW_TCP_ESTABLISHED);
    return ssn;
}

/* ---- the handshake ---- */

static void established(StreamCtx *ctx, Flow *f, TcpSession *ssn, Packet *p, unsigned d,
                        StreamDeliverFn deliver, void *user);

/* Returns true when the packet goes on to the established-state path. */
static bool handshake(StreamCtx *ctx, Flow *f, TcpSession *ssn, Packet *p, unsigned d,
                      StreamDeliverFn deliver, void *user)
{
    TcpStream *c = &ssn->s[0], *s = &ssn->s[1];
    uint8_t fl = p->tcp_flags;
    bool syn = fl & TCP_SYN, ack = fl & TCP_ACK;

    if (fl & TCP_RST) {
        /* in syn_sent only an RST acking the SYN counts (RFC 9293 3.10.7.3) */
        bool ok = ssn->state == FLOW_TCP_SYN_SENT
                      ? (d == 1 && ack && p->tcp_ack == c->isn + 1) || d == 0
                      : true;
        if (ok) {
            ssn->flags |= TSS_CLOSED_BY_RST;
            close_session(ctx, f, ssn, p, deliver, user);
        } else if (ack) {
            stream_event_set(ctx, p, STREAM_EV_RST_INVALID_ACK);
        }
        return false;
    }

    if (ssn->state == FLOW_TCP_SYN_SENT) {
        if (d == 0 && syn && !ack) {
            if (p->tcp_seq != c->isn) { /* a new SYN replaces the old one */
                stream_start(c, p->tcp_seq, p->tcp_seq + 1);
                c->win = p->tcp_win;
            }
            return false;
        }
        if (d == 0 && syn && ack) {
            stream_event_set(ctx, p, STREAM_EV_3WHS_SYNACK_IN_WRONG_DIRECTION);
            return false;
        }
        if (d == 0 && ack && ctx->cfg.async_oneside && p->tcp_seq == c->isn + 1) {
            /* one-sided: the SYN/ACK went another way (see the file comment) */
            ssn->flags |= TSS_ASYNC;
            stream_start(s, p->tcp_ack - 1, p->tcp_ack);
            c->wscale = 0;
            s->wscale = 0;
            set_state(ctx, f, ssn, FLOW_TCP_ESTABLISHED);
            return true;
        }
        if (d == 1 && syn && ack) {
            bool tfo_acked = ssn->tfo_len > 0 && p->tcp_ack == c->isn + 1 + ssn->tfo_len;
            if (p->tcp_ack != c->isn + 1 && !tfo_acked) {
                stream_event_set(ctx, p, STREAM_EV_3WHS_SYNACK_WITH_WRONG_ACK);
                return false;
            }
            if (ssn->tfo_len > 0 && !tfo_acked)
                stream_event_set(ctx, p, STREAM_EV_3WHS_SYNACK_TFO_DATA_IGNORED);
            stream_start(s, p->tcp_seq, p->tcp_seq + 1);
            s->flags |= TS_SYN_SEEN;
            s->win = p->tcp_win;
            if (p->tcp_wscale != 0xff && (c->flags & TS_WSCALE)) {
                ssn->flags |= TSS_WSCALE_OK;
                s->wscale = wscale_of(p);
            } else {
                c->wscale = 0;
                s->wscale = 0;
            }
            c->last_ack = p->tcp_ack;
            c->flags |= TS_ACK_SEEN;
            ssn->synack_count++;
            set_state(ctx, f, ssn, FLOW_TCP_SYN_RECV);
            if (tfo_acked) /* the SYN's data is acknowledged: deliverable */
                stream_deliver(ctx, f, ssn, 0, false, false, p, deliver, user);
            return false;
        }
        return false; /* anything else before the SYN/ACK is not tracked */
    }

    /* syn_recv */
    if (d == 1 && syn && ack) {
        if (p->tcp_seq != s->isn)
            stream_event_set(ctx, p, STREAM_EV_3WHS_SYNACK_RESEND_WITH_DIFF_SEQ);
        else if (p->tcp_ack != c->isn + 1)
            stream_event_set(ctx, p, STREAM_EV_3WHS_SYNACK_RESEND_WITH_DIFF_ACK);
        return false;
    }
    if (d == 0 && syn && ack) {
        stream_event_set(ctx, p, STREAM_EV_3WHS_SYNACK_TOSERVER_ON_SYN_RECV);
        return false;
    }
    if (d == 0 && syn) {
        if (p->tcp_seq != c->isn)
            stream_event_set(ctx, p, STREAM_EV_3WHS_SYN_RESEND_DIFF_SEQ_ON_SYN_RECV);
        return false;
    }
    if (d == 1 && syn) {
        stream_event_set(ctx, p, STREAM_EV_3WHS_SYN_TOCLIENT_ON_SYN_RECV);
        return false;
    }
    if (d == 1) {
        stream_event_set(ctx, p, STREAM_EV_3WHS_ACK_IN_WRONG_DIR);
        /* The server may send data (and even its FIN) before the client's
         * ACK arrives: keep it, or a response could slip past unseen
         * (Suricata's CVE-2018-6794). The state stays syn_recv. */
        if (p->payload_len > 0 || (fl & TCP_FIN))
            established(ctx, f, ssn, p, d, deliver, user);
        return false;
    }
    if (!ack)
        return false;
    bool seq_ok = p->tcp_seq == c->next_seq;
    /* the server may already have sent data (not tracked before the
     * handshake completes): an ACK within the client's window is fine */
    bool ack_ok = SEQ_GEQ(p->tcp_ack, s->isn + 1) &&
                  SEQ_LEQ(p->tcp_ack, s->isn + 1 + (c->win > 0 ? c->win : 1));
    if (!ack_ok) {
        stream_event_set(ctx, p, seq_ok ? STREAM_EV_3WHS_RIGHT_SEQ_WRONG_ACK_EVASION
                                        : STREAM_EV_3WHS_WRONG_SEQ_WRONG_ACK);
        return false;
    }
    set_state(ctx, f, ssn, FLOW_TCP_ESTABLISHED);
    if (s->flags & TS_FIN_SEEN) /* the server closed during the handshake */
        set_state(ctx, f, ssn, FLOW_TCP_FIN_WAIT1);
    return true;
}

/* ---- established and the teardown states ---- */

static void syn_on_established(StreamCtx *ctx, TcpSession *ssn, Packet *p, unsigned d)
{
    const TcpStream *c = &ssn->s[0], *s = &ssn->s[1];
    uint8_t fl = p->tcp_flags;
    bool closing = ssn->state != FLOW_TCP_ESTABLISHED;
    if (fl & TCP_ACK) {
        if (d == 0)
            stream_event_set(ctx, p, STREAM_EV_EST_SYNACK_TOSERVER);
        else if (p->tcp_seq != s->isn)
            stream_event_set(ctx, p, STREAM_EV_EST_SYNACK_RESEND_WITH_DIFF_SEQ);
        else if (p->tcp_ack != c->isn + 1)
            stream_event_set(ctx, p, STREAM_EV_EST_SYNACK_RESEND_WITH_DIFF_ACK);
        else
            stream_event_set(ctx, p, STREAM_EV_EST_SYNACK_RESEND);
        return;
    }
    if (d == 1)
        stream_event_set(ctx, p, STREAM_EV_EST_SYN_TOCLIENT);
    else if (closing)
        stream_event_set(ctx, p, STREAM_EV_SHUTDOWN_SYN_RESEND);
    else if (p->tcp_seq != c->isn)
        stream_event_set(ctx, p, STREAM_EV_EST_SYN_RESEND_DIFF_SEQ);
    else
        stream_event_set(ctx, p, STREAM_EV_EST_SYN_RESEND);
}

/* The state after a FIN and/or ACK from direction d. */
static FlowTcpState next_close_state(const TcpSession *ssn, unsigned d, const Packet *p)
{
    const TcpStream *c = &ssn->s[0], *s = &ssn->s[1];
    uint8_t fl = p->tcp_flags;
    bool fin = fl & TCP_FIN;
    uint32_t ack = p->tcp_ack;
    switch (ssn->state) {
    case FLOW_TCP_ESTABLISHED:
        if (fin)
            return d == 0 ? FLOW_TCP_CLOSE_WAIT : FLOW_TCP_FIN_WAIT1;
        break;
    case FLOW_TCP_CLOSE_WAIT:
        if (d == 1 && fin)
            return FLOW_TCP_LAST_ACK;
        break;
    case FLOW_TCP_LAST_ACK:
        if (d == 0 && acks_fin(s, ack, fl))
            return FLOW_TCP_CLOSED;
        break;
    case FLOW_TCP_FIN_WAIT1:
        if (d == 0 && fin)
            return acks_fin(s, ack, fl) ? FLOW_TCP_TIME_WAIT : FLOW_TCP_CLOSING;
        if (d == 0 && acks_fin(s, ack, fl))
            return FLOW_TCP_FIN_WAIT2;
        break;
    case FLOW_TCP_FIN_WAIT2:
        if (d == 0 && fin)
            return FLOW_TCP_TIME_WAIT;
        break;
    case FLOW_TCP_CLOSING:
        if (d == 1 && acks_fin(c, ack, fl))
            return FLOW_TCP_TIME_WAIT;
        break;
    case FLOW_TCP_TIME_WAIT:
        if (d == 1 && acks_fin(c, ack, fl))
            return FLOW_TCP_CLOSED;
        break;
    default:
        break;
    }
    return ssn->state;
}

static StreamEvent out_of_window_event(FlowTcpState st, bool fin)
{
    if (st == FLOW_TCP_CLOSE_WAIT)
        return fin ? STREAM_EV_CLOSEWAIT_FIN_OUT_OF_WINDOW : STREAM_EV_CLOSEWAIT_ACK_OUT_OF_WINDOW;
    return fin ? STREAM_EV_FIN_OUT_OF_WINDOW : STREAM_EV_EST_PACKET_OUT_OF_WINDOW;
}

static void established(StreamCtx *ctx, Flow *f, TcpSession *ssn, Packet *p, unsigned d,
                        StreamDeliverFn deliver, void *user)
{
    TcpStream *snd = &ssn->s[d], *rcv = &ssn->s[d ^ 1];
    uint8_t fl = p->tcp_flags;
    uint32_t seq = p->tcp_seq, ack = p->tcp_ack, len = p->payload_len;

    if ((fl & TCP_SYN) && (fl & TCP_FIN)) {
        stream_event_set(ctx, p, STREAM_EV_FIN_SYN);
        return;
    }
    if (fl & TCP_SYN) {
        syn_on_established(ctx, ssn, p, d);
        return;
    }
    /* mid-stream: the other side's numbers start with its first packet */
    if (!(snd->flags & TS_INIT))
        stream_start(snd, seq - 1, seq);

    if (fl & TCP_RST) {
        /* acceptable when within what the receiver would take */
        bool in_win = !(snd->flags & TS_ACK_SEEN) ||
                      (SEQ_GEQ(seq, snd->last_ack - 1) &&
                       SEQ_LEQ(seq, snd->last_ack + (rcv->win > 0 ? rcv->win : 1)));
        if ((fl & TCP_ACK) && (rcv->flags & TS_INIT) && SEQ_GT(ack, rcv->next_seq + 1) &&
            !(ssn->flags & TSS_MIDSTREAM)) {
            stream_event_set(ctx, p, STREAM_EV_RST_INVALID_ACK);
            return;
        }
        if (!in_win)
            return;
        if (len > 0)
            stream_insert(ctx, ssn, snd, p, seq, p->payload, len);
        ssn->flags |= TSS_CLOSED_BY_RST;
        close_session(ctx, f, ssn, p, deliver, user);
        return;
    }

    /* the ACK must not acknowledge beyond what the receiver could have sent */
    if ((fl & TCP_ACK) && (rcv->flags & TS_INIT) && (rcv->flags & TS_ACK_SEEN)) {
        uint32_t a_max = rcv->last_ack + snd->win;
        if (SEQ_LT(a_max, rcv->next_seq))
            a_max = rcv->next_seq;
        if ((rcv->flags & TS_FIN_SEEN) && SEQ_LT(a_max, rcv->fin_seq + 1))
            a_max = rcv->fin_seq + 1;
        if (SEQ_GT(ack, a_max)) {
            stream_event_set(ctx, p, STREAM_EV_PKT_INVALID_ACK);
            return;
        }
    }

    bool fin = fl & TCP_FIN;
    uint32_t end = seq + len;
    if (len > 0 || fin) {
        /* in window? (the receiver's last ACK plus its window) */
        if ((snd->flags & TS_ACK_SEEN) && rcv->win > 0 &&
            SEQ_GT(end, snd->last_ack + rcv->win) && !(fin && len == 0 && end == snd->next_seq)) {
            stream_event_set(ctx, p, out_of_window_event(ssn->state, fin));
            return;
        }
        if (len > 0 && SEQ_LT(seq, snd->next_seq) && SEQ_LEQ(end, snd->next_seq)) {
            stream_event_set(ctx, p, STREAM_EV_PKT_RETRANSMISSION);
            if ((snd->flags & TS_ACK_SEEN) && SEQ_LEQ(end, snd->last_ack))
                stream_event_set(ctx, p, ssn->state == FLOW_TCP_CLOSE_WAIT
                                             ? STREAM_EV_CLOSEWAIT_PKT_BEFORE_LAST_ACK
                                             : STREAM_EV_EST_PKT_BEFORE_LAST_ACK);
        }
    }
    if (len > 0) {
        /* nothing after the FIN is data */
        if (!((snd->flags & TS_FIN_SEEN) && SEQ_GEQ(seq, snd->fin_seq)))
            stream_insert(ctx, ssn, snd, p, seq, p->payload, len);
        if (SEQ_GT(end, snd->next_seq))
            snd->next_seq = end;
    }
    if (fin) {
        if (!(snd->flags & TS_FIN_SEEN)) {
            snd->fin_seq = end;
            snd->flags |= TS_FIN_SEEN;
        }
        if (SEQ_GT(end + 1, snd->next_seq))
            snd->next_seq = end + 1;
    }
    snd->win = window_of(snd, p);
    if ((ssn->flags & TSS_ASYNC) && d == 0 &&
        (!(snd->flags & TS_ACK_SEEN) || SEQ_GT(seq, snd->last_ack))) {
        /* nobody acknowledges the client's bytes: its own progress does */
        snd->last_ack = seq;
        snd->flags |= TS_ACK_SEEN;
    }

    FlowTcpState next = next_close_state(ssn, d, p);
    if (fl & TCP_ACK) {
        if (!(rcv->flags & TS_INIT))
            stream_start(rcv, ack - 1, ack);
        if (!(rcv->flags & TS_ACK_SEEN) || SEQ_GT(ack, rcv->last_ack)) {
            rcv->last_ack = ack;
            rcv->flags |= TS_ACK_SEEN;
        }
    }
    if (next == FLOW_TCP_CLOSED) {
        close_session(ctx, f, ssn, p, deliver, user);
        return;
    }
    if (next != ssn->state)
        set_state(ctx, f, ssn, next);
    /* the ACK may have made the other direction's data deliverable; in
     * inline mode the packet's own data is delivered at once */
    if ((fl & TCP_ACK) && (rcv->flags & TS_INIT))
        stream_deliver(ctx, f, ssn, d ^ 1, false, false, p, deliver, user);
    if (ctx->cfg.inline_mode || fin || (ssn->flags & TSS_ASYNC))
        stream_deliver(ctx, f, ssn, d, false, false, p, deliver, user);
}

/* ---- the entry point ---- */

void stream_packet(StreamCtx *ctx, Flow *f, Packet *p, StreamDeliverFn deliver, void *user)
{
    if (f == NULL || p->flow != f || !pkt_has(p, PKT_HAS_TCP) || f->key.proto != 6)
        return;
    if (p->flags & PKT_L4_CSUM_BAD) {
        stream_count(ctx, ctx->c.invalid_csum);
        return;
    }
    unsigned d = p->to_server ? 0 : 1;
    uint8_t fl = p->tcp_flags;
    if ((fl & (TCP_SYN | TCP_ACK)) == TCP_SYN)
        stream_count(ctx, ctx->c.syn);
    else if ((fl & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
        stream_count(ctx, ctx->c.synack);
    if (fl & TCP_RST)
        stream_count(ctx, ctx->c.rst);

    TcpSession *ssn = f->tcp;
    if (ssn == NULL) {
        ssn = session_open(ctx, f, p, d);
        if (ssn == NULL || ssn->state != FLOW_TCP_ESTABLISHED)
            return;
    } else if (f->tcp_state != ssn->state) {
        /* the flow table's flags-only machine ran first: ours is the truth */
        set_state(ctx, f, ssn, ssn->state);
    }

    /* bytes the consumers are done with since the last packet */
    for (unsigned i = 0; i < 2; i++)
        stream_release(ctx, ssn, &ssn->s[i]);

    switch (ssn->state) {
    case FLOW_TCP_NONE:
        return;
    case FLOW_TCP_SYN_SENT:
    case FLOW_TCP_SYN_RECV:
        if (!handshake(ctx, f, ssn, p, d, deliver, user))
            return;
        established(ctx, f, ssn, p, d, deliver, user);
        return;
    case FLOW_TCP_CLOSED:
        stream_count(ctx, ctx->c.on_closed);
        return;
    default:
        established(ctx, f, ssn, p, d, deliver, user);
        return;
    }
}
