/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_stream.c: unit tests for src/stream (TCP sessions and reassembly):
 * handshake, in-order and out-of-order delivery, overlaps under each policy,
 * retransmissions, 1-byte segments, gaps, depth, memcaps, midstream,
 * RST/FIN teardown, flow end, raw chunks, event names.
 *
 * Packets are built by hand as decode/ and flow/ would leave them: only the
 * fields stream/ reads are set (TCP header fields, payload, flow, direction).
 * A client (dir 0) starts at ISN 1000, the server (dir 1) at ISN 5000, so the
 * client's stream offset o is sequence number 1001 + o.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "flow/flow.h"
#include "stream/events.h"
#include "stream/stream.h"

#define CISN 1000u
#define SISN 5000u
#define C(o) (CISN + 1u + (uint32_t)(o)) /* client seq of stream offset o */
#define S(o) (SISN + 1u + (uint32_t)(o))

/* ---- what the consumer saw ---- */

typedef struct Sink {
    uint8_t data[2][8192];
    uint32_t len[2];
    unsigned gaps[2];
    uint64_t gap_bytes[2];
    unsigned eofs[2];
    unsigned calls[2];
    uint32_t keep_back;    /* consume all but this many bytes of each call */
} Sink;

static uint32_t sink_fn(Flow *f, unsigned dir, const uint8_t *data, uint32_t len, unsigned flags,
                        void *user)
{
    (void)f;
    Sink *s = user;
    s->calls[dir]++;
    if (flags & STREAM_DATA_EOF)
        s->eofs[dir]++;
    if (flags & STREAM_DATA_GAP) {
        s->gaps[dir]++;
        s->gap_bytes[dir] += len;
        return len;
    }
    uint32_t take = len;
    if (s->keep_back > 0 && !(flags & STREAM_DATA_EOF))
        take = len > s->keep_back ? len - s->keep_back : 0;
    assert_true(s->len[dir] + take <= sizeof s->data[dir]);
    if (take > 0) /* an EOF call may pass data NULL; memcpy from NULL is undefined */
        memcpy(s->data[dir] + s->len[dir], data, take);
    s->len[dir] += take;
    return take;
}

/* ---- fixture ---- */

typedef struct T {
    Stats stats;
    StreamConfig cfg;
    StreamCtx *ctx;
    Flow flow;
    Sink sink;
    Packet last;           /* the last packet sent (for its events) */
} T;

static T *t_new(void (*tweak)(StreamConfig *))
{
    stats_reset_registry();
    T *t = calloc(1, sizeof *t);
    assert_non_null(t);
    stream_config_defaults(&t->cfg);
    if (tweak != NULL)
        tweak(&t->cfg);
    t->ctx = stream_ctx_new(&t->cfg, &t->stats);
    assert_non_null(t->ctx);
    t->flow.key.proto = 6;
    t->flow.key.ip_ver = 4;
    t->flow.key.port[0] = 40000;
    t->flow.key.port[1] = 80;
    return t;
}

static void t_free(T *t)
{
    stream_flow_free(t->ctx, &t->flow);
    stream_ctx_free(t->ctx);
    free(t);
}

static uint64_t ctr(T *t, const char *name)
{
    int id = stats_find(name);
    assert_true(id >= 0);
    return t->stats.v[id];
}

/* Send one packet; dir 0 = client. */
static void pkt(T *t, unsigned dir, uint8_t flags, uint32_t seq, uint32_t ack, const char *data,
                uint32_t len)
{
    Packet *p = &t->last;
    memset(p, 0, sizeof *p);
    p->flags = PKT_HAS_IPV4 | PKT_HAS_TCP;
    p->ip_ver = 4;
    p->ip_proto = 6;
    p->tcp_flags = flags;
    p->tcp_seq = seq;
    p->tcp_ack = ack;
    p->tcp_win = 65535;
    p->tcp_wscale = 0xff;
    p->payload = (const uint8_t *)data;
    p->payload_len = len;
    p->flow = &t->flow;
    p->to_server = dir == 0;
    t->flow.pkts[dir]++;
    stream_packet(t->ctx, &t->flow, p, sink_fn, &t->sink);
}

static bool has_event(const T *t, StreamEvent ev)
{
    for (unsigned i = 0; i < t->last.n_stream_events; i++)
        if (t->last.stream_events[i] == ev)
            return true;
    return false;
}

static void handshake(T *t)
{
    pkt(t, 0, TCP_SYN, CISN, 0, NULL, 0);
    pkt(t, 1, TCP_SYN | TCP_ACK, SISN, CISN + 1, NULL, 0);
    pkt(t, 0, TCP_ACK, C(0), S(0), NULL, 0);
}

/* client data at offset o */
static void cdata(T *t, uint32_t o, const char *s)
{
    pkt(t, 0, TCP_ACK | TCP_PSH, C(o), S(0), s, (uint32_t)strlen(s));
}

/* the server acknowledges the client's bytes up to offset o */
static void sack(T *t, uint32_t o)
{
    pkt(t, 1, TCP_ACK, S(0), C(o), NULL, 0);
}

static void expect_c2s(T *t, const char *want)
{
    size_t n = strlen(want);
    assert_int_equal(t->sink.len[0], n);
    assert_memory_equal(t->sink.data[0], want, n);
}

/* ---- handshake ---- */

static void test_handshake(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    pkt(t, 0, TCP_SYN, CISN, 0, NULL, 0);
    assert_true(stream_has_session(&t->flow));
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_SYN_SENT);
    pkt(t, 1, TCP_SYN | TCP_ACK, SISN, CISN + 1, NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_SYN_RECV);
    pkt(t, 0, TCP_ACK, C(0), S(0), NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_ESTABLISHED);
    assert_int_equal(stream_tcp_state(&t->flow), FLOW_TCP_ESTABLISHED);
    assert_int_equal(ctr(t, "tcp.sessions"), 1);
    assert_int_equal(ctr(t, "tcp.syn"), 1);
    assert_int_equal(ctr(t, "tcp.synack"), 1);
    assert_false(stream_is_midstream(&t->flow));
    t_free(t);
}

static void test_handshake_bad_synack(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    pkt(t, 0, TCP_SYN, CISN, 0, NULL, 0);
    pkt(t, 1, TCP_SYN | TCP_ACK, SISN, CISN + 7, NULL, 0);
    assert_true(has_event(t, STREAM_EV_3WHS_SYNACK_WITH_WRONG_ACK));
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_SYN_SENT);
    assert_int_equal(ctr(t, "stream.3whs_synack_with_wrong_ack"), 1);
    /* the real SYN/ACK still completes it */
    pkt(t, 1, TCP_SYN | TCP_ACK, SISN, CISN + 1, NULL, 0);
    pkt(t, 0, TCP_ACK, C(0), S(0) + 1000000u, NULL, 0); /* acks far beyond the window */
    assert_true(has_event(t, STREAM_EV_3WHS_RIGHT_SEQ_WRONG_ACK_EVASION));
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_SYN_RECV);
    pkt(t, 1, TCP_SYN | TCP_ACK, SISN + 3, CISN + 1, NULL, 0);
    assert_true(has_event(t, STREAM_EV_3WHS_SYNACK_RESEND_WITH_DIFF_SEQ));
    pkt(t, 0, TCP_ACK, C(0), S(0), NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_ESTABLISHED);
    pkt(t, 0, TCP_SYN, CISN + 50, 0, NULL, 0);
    assert_true(has_event(t, STREAM_EV_EST_SYN_RESEND_DIFF_SEQ));
    t_free(t);
}

static void test_server_data_before_handshake_ack(void **state)
{
    (void)state;
    /* CVE-2018-6794: the response and FIN come before the client's ACK */
    T *t = t_new(NULL);
    pkt(t, 0, TCP_SYN, CISN, 0, NULL, 0);
    pkt(t, 1, TCP_SYN | TCP_ACK, SISN, CISN + 1, NULL, 0);
    pkt(t, 1, TCP_ACK | TCP_PSH, S(0), C(0), "HTTP/1.1 200 OK\r\n", 17);
    pkt(t, 1, TCP_FIN | TCP_ACK, S(17), C(0), NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_SYN_RECV);
    assert_int_equal(t->sink.len[1], 0);
    pkt(t, 0, TCP_ACK, C(0), S(18), NULL, 0); /* acks data and FIN */
    assert_int_equal(t->sink.len[1], 17);
    assert_memory_equal(t->sink.data[1], "HTTP/1.1 200 OK\r\n", 17);
    assert_int_equal(t->sink.eofs[1], 1);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_FIN_WAIT2);
    t_free(t);
}

/* ---- delivery ---- */

static void test_in_order_waits_for_ack(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    cdata(t, 0, "GET / HT");
    cdata(t, 8, "TP/1.1\r\n\r\n");
    assert_int_equal(t->sink.len[0], 0); /* IDS mode: nothing before the ACK */
    sack(t, 8);
    expect_c2s(t, "GET / HT");
    sack(t, 18);
    expect_c2s(t, "GET / HTTP/1.1\r\n\r\n");
    assert_int_equal(stream_reassembled(&t->flow, 0), 18);
    t_free(t);
}

static void inline_on(StreamConfig *c) { c->inline_mode = true; }

static void test_inline_delivers_at_once(void **state)
{
    (void)state;
    T *t = t_new(inline_on);
    handshake(t);
    cdata(t, 0, "hello");
    expect_c2s(t, "hello");
    t_free(t);
}

static void test_out_of_order(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    cdata(t, 10, "KLMNO");
    cdata(t, 0, "ABCDE");
    cdata(t, 5, "FGHIJ");
    sack(t, 15);
    expect_c2s(t, "ABCDEFGHIJKLMNO");
    assert_int_equal(t->sink.gaps[0], 0);
    t_free(t);
}

static void test_one_byte_segments_reversed(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    const char *req = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
    uint32_t n = (uint32_t)strlen(req);
    for (uint32_t i = n; i-- > 0;)
        pkt(t, 0, TCP_ACK, C(i), S(0), req + i, 1);
    sack(t, n);
    expect_c2s(t, req);
    t_free(t);
}

/* ---- overlaps ---- */

static StreamPolicy g_policy;
static void set_policy(StreamConfig *c) { c->policy = g_policy; }

/* Stored: "0123" at 0, "wxyz" at 4..8. Then new segment `s` at offset `o`,
 * then everything acknowledged. Returns the delivered text in out. */
static void overlap_case(StreamPolicy pol, uint32_t o, const char *s, char *out, size_t out_size,
                         bool *diff_event)
{
    g_policy = pol;
    T *t = t_new(set_policy);
    handshake(t);
    cdata(t, 0, "0123");
    cdata(t, 4, "wxyz");
    cdata(t, o, s);
    *diff_event = has_event(t, STREAM_EV_REASSEMBLY_OVERLAP_DIFFERENT_DATA);
    uint32_t end = o + (uint32_t)strlen(s) > 8 ? o + (uint32_t)strlen(s) : 8;
    sack(t, end);
    assert_true(t->sink.len[0] < out_size);
    memcpy(out, t->sink.data[0], t->sink.len[0]);
    out[t->sink.len[0]] = '\0';
    if (*diff_event)
        assert_true(ctr(t, "tcp.overlap_diff_data") >= 1);
    t_free(t);
}

static void test_overlap_policies(void **state)
{
    (void)state;
    static const struct {
        StreamPolicy pol;
        uint32_t off;
        const char *seg;
        const char *want;
    } cases[] = {
        /* S starts before L ("wxyz" at 4..8) and ends after it */
        /* (and starts inside "0123", ending after it) */
        {STREAM_POLICY_BSD, 2, "ABCDEFGH", "0123CDEFGH"},
        {STREAM_POLICY_FIRST, 2, "ABCDEFGH", "0123wxyzGH"},
        {STREAM_POLICY_LAST, 2, "ABCDEFGH", "01ABCDEFGH"},
        {STREAM_POLICY_LINUX, 2, "ABCDEFGH", "0123CDEFGH"},
        {STREAM_POLICY_SOLARIS, 2, "ABCDEFGH", "01ABCDEFGH"},
        {STREAM_POLICY_WINDOWS, 2, "ABCDEFGH", "0123CDEFGH"},
        /* same start as L, ends after it */
        {STREAM_POLICY_BSD, 4, "ABCDEF", "0123wxyzEF"},
        {STREAM_POLICY_FIRST, 4, "ABCDEF", "0123wxyzEF"},
        {STREAM_POLICY_LAST, 4, "ABCDEF", "0123ABCDEF"},
        {STREAM_POLICY_LINUX, 4, "ABCDEF", "0123ABCDEF"},
        {STREAM_POLICY_OLD_LINUX, 4, "ABCDEF", "0123ABCDEF"},
        {STREAM_POLICY_SOLARIS, 4, "ABCDEF", "0123ABCDEF"},
        /* same start, same end (a retransmission with other bytes) */
        {STREAM_POLICY_BSD, 4, "ABCD", "0123wxyz"},
        {STREAM_POLICY_LINUX, 4, "ABCD", "0123wxyz"},
        {STREAM_POLICY_OLD_LINUX, 4, "ABCD", "0123ABCD"},
        {STREAM_POLICY_LAST, 4, "ABCD", "0123ABCD"},
        /* starts inside L, ends after it */
        {STREAM_POLICY_BSD, 6, "ABCD", "0123wxyzCD"},
        {STREAM_POLICY_LINUX, 6, "ABCD", "0123wxyzCD"},
        {STREAM_POLICY_SOLARIS, 6, "ABCD", "0123wxABCD"},
        {STREAM_POLICY_LAST, 6, "ABCD", "0123wxABCD"},
        {STREAM_POLICY_VISTA, 6, "ABCD", "0123wxyzCD"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        bool diff = false;
        overlap_case(cases[i].pol, cases[i].off, cases[i].seg, out, sizeof out, &diff);
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("case %zu (%s, off %u, \"%s\"): got \"%s\", want \"%s\"", i,
                     stream_policy_name(cases[i].pol), cases[i].off, cases[i].seg, out, cases[i].want);
        assert_true(diff);
    }
}

static void test_overlap_same_data_no_event(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    cdata(t, 0, "0123");
    cdata(t, 4, "wxyz");
    cdata(t, 2, "23wx");
    assert_false(has_event(t, STREAM_EV_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    assert_int_equal(ctr(t, "tcp.overlap"), 1);
    assert_int_equal(ctr(t, "tcp.overlap_diff_data"), 0);
    sack(t, 8);
    expect_c2s(t, "0123wxyz");
    t_free(t);
}

static void test_retransmission(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    cdata(t, 0, "abcdef");
    cdata(t, 0, "abcdef");
    assert_true(has_event(t, STREAM_EV_PKT_RETRANSMISSION));
    assert_false(has_event(t, STREAM_EV_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    /* a retransmission with other bytes: bsd keeps the first copy */
    cdata(t, 0, "XXXXXX");
    assert_true(has_event(t, STREAM_EV_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    sack(t, 6);
    expect_c2s(t, "abcdef");
    /* after the ACK: before last ack, and the bytes are gone */
    cdata(t, 0, "abcdef");
    assert_true(has_event(t, STREAM_EV_EST_PKT_BEFORE_LAST_ACK));
    assert_true(has_event(t, STREAM_EV_REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ));
    expect_c2s(t, "abcdef");
    t_free(t);
}

/* ---- gaps, depth, memcaps ---- */

static void test_gap(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    cdata(t, 0, "AAAA");
    cdata(t, 8, "CCCC");      /* [4,8) never arrives */
    sack(t, 12);              /* ... but the server got it */
    assert_true(has_event(t, STREAM_EV_REASSEMBLY_SEQ_GAP));
    assert_int_equal(t->sink.gaps[0], 1);
    assert_int_equal(t->sink.gap_bytes[0], 4);
    expect_c2s(t, "AAAACCCC");
    assert_int_equal(ctr(t, "tcp.reassembly_gap"), 1);
    assert_int_equal(stream_reassembled(&t->flow, 0), 12);
    /* the stream goes on after the gap */
    cdata(t, 12, "DD");
    sack(t, 14);
    expect_c2s(t, "AAAACCCCDD");
    t_free(t);
}

static void depth_10(StreamConfig *c) { c->depth = 10; }

static void test_depth(void **state)
{
    (void)state;
    T *t = t_new(depth_10);
    handshake(t);
    cdata(t, 0, "0123456789abcdefghij");
    sack(t, 20);
    expect_c2s(t, "0123456789");
    assert_true(ctr(t, "tcp.stream_depth_reached") >= 1);
    cdata(t, 20, "more");
    sack(t, 24);
    expect_c2s(t, "0123456789");
    t_free(t);
}

static void tiny_ra(StreamConfig *c) { c->reassembly_memcap = 64; }

static void test_reassembly_memcap(void **state)
{
    (void)state;
    T *t = t_new(tiny_ra);
    handshake(t);
    char big[200];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cdata(t, 0, big);
    assert_int_equal(ctr(t, "tcp.segment_memcap_drop"), 1);
    assert_true(stream_ctx_reassembly_account(t->ctx)->refused >= 1);
    /* acknowledged but not stored: the consumer hears of a gap */
    sack(t, 199);
    assert_int_equal(t->sink.gaps[0], 1);
    assert_int_equal(t->sink.len[0], 0);
    t_free(t);
}

static void tiny_ssn(StreamConfig *c) { c->memcap = 16; }

static void test_session_memcap(void **state)
{
    (void)state;
    T *t = t_new(tiny_ssn);
    pkt(t, 0, TCP_SYN, CISN, 0, NULL, 0);
    assert_false(stream_has_session(&t->flow));
    assert_int_equal(ctr(t, "tcp.ssn_memcap_drop"), 1);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_NONE);
    t_free(t);
}

/* ---- midstream ---- */

static void midstream_on(StreamConfig *c) { c->midstream = true; }

static void test_midstream_off(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    pkt(t, 0, TCP_ACK, 777, 888, "hello", 5);
    assert_false(stream_has_session(&t->flow));
    pkt(t, 1, TCP_ACK, 888, 782, NULL, 0);
    assert_false(stream_has_session(&t->flow));
    assert_int_equal(t->sink.calls[0], 0);
    t_free(t);
}

/* ---- one-sided sessions (stream.async-oneside) ---- */

static void async_on(StreamConfig *c) { c->async_oneside = true; }

static void test_async_oneside(void **state)
{
    (void)state;
    /* off: SYN then the client's ACK (the SYN/ACK went another way): no
     * established session, nothing delivered */
    T *t = t_new(NULL);
    pkt(t, 0, TCP_SYN, 100, 0, NULL, 0);
    pkt(t, 0, TCP_ACK, 101, 5001, NULL, 0);
    pkt(t, 0, TCP_ACK | TCP_PSH, 101, 5001, "GET / ", 6);
    pkt(t, 0, TCP_ACK | TCP_PSH, 107, 5001, "HTTP/1.0", 8);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_SYN_SENT);
    assert_int_equal(t->sink.len[0], 0);
    t_free(t);

    /* on: established at the ACK; each client segment acknowledges the
     * bytes before it, the FIN the rest */
    t = t_new(async_on);
    pkt(t, 0, TCP_SYN, 100, 0, NULL, 0);
    pkt(t, 0, TCP_ACK, 101, 5001, NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_ESTABLISHED);
    pkt(t, 0, TCP_ACK | TCP_PSH, 101, 5001, "GET / ", 6);
    assert_int_equal(t->sink.len[0], 0);
    pkt(t, 0, TCP_ACK | TCP_PSH, 107, 5001, "HTTP/1.0", 8);
    expect_c2s(t, "GET / ");
    pkt(t, 0, TCP_ACK | TCP_FIN, 115, 5001, NULL, 0);
    expect_c2s(t, "GET / HTTP/1.0");
    /* an ACK with a wrong sequence number in syn_sent does not open it */
    t_free(t);
    t = t_new(async_on);
    pkt(t, 0, TCP_SYN, 100, 0, NULL, 0);
    pkt(t, 0, TCP_ACK, 150, 5001, NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_SYN_SENT);
    t_free(t);
}

static void test_midstream_on(void **state)
{
    (void)state;
    T *t = t_new(midstream_on);
    pkt(t, 0, TCP_ACK, 777, 888, "hello", 5);
    assert_true(stream_has_session(&t->flow));
    assert_true(stream_is_midstream(&t->flow));
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_ESTABLISHED);
    assert_int_equal(ctr(t, "tcp.midstream_pickups"), 1);
    pkt(t, 1, TCP_ACK, 888, 782, "world", 5);
    expect_c2s(t, "hello");
    pkt(t, 0, TCP_ACK, 782, 893, NULL, 0);
    assert_int_equal(t->sink.len[1], 5);
    assert_memory_equal(t->sink.data[1], "world", 5);
    t_free(t);
}

/* ---- teardown ---- */

static void test_rst_flushes(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    cdata(t, 0, "unacked");
    assert_int_equal(t->sink.len[0], 0);
    pkt(t, 1, TCP_RST | TCP_ACK, S(0), C(7), NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_CLOSED);
    expect_c2s(t, "unacked");
    assert_int_equal(t->sink.eofs[0], 1);
    assert_int_equal(t->sink.eofs[1], 1);
    assert_int_equal(ctr(t, "tcp.rst"), 1);
    /* nothing after the close */
    cdata(t, 7, "late");
    expect_c2s(t, "unacked");
    assert_int_equal(ctr(t, "tcp.pkt_on_closed"), 1);
    t_free(t);
}

static void test_rst_out_of_window_ignored(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    pkt(t, 1, TCP_RST, S(0) + 1000000u, 0, NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_ESTABLISHED);
    t_free(t);
}

static void test_fin_teardown(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    cdata(t, 0, "req");
    pkt(t, 1, TCP_ACK | TCP_PSH, S(0), C(3), "resp", 4);
    expect_c2s(t, "req");
    pkt(t, 0, TCP_FIN | TCP_ACK, C(3), S(4), NULL, 0);       /* client FIN */
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_CLOSE_WAIT);
    assert_int_equal(t->sink.len[1], 4);
    pkt(t, 1, TCP_ACK, S(4), C(4), NULL, 0);                 /* FIN acked */
    assert_int_equal(t->sink.eofs[0], 1);
    pkt(t, 1, TCP_FIN | TCP_ACK, S(4), C(4), NULL, 0);       /* server FIN */
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_LAST_ACK);
    pkt(t, 0, TCP_ACK, C(4), S(5), NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_CLOSED);
    assert_int_equal(t->sink.eofs[1], 1);
    assert_int_equal(t->sink.eofs[0], 1); /* once */
    t_free(t);
}

/* A session closed by FINs both ways gives its reassembly memory back at
 * once, not at flow end (the flow may wait for its timeout). */
static void test_closed_releases(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    cdata(t, 0, "req");
    pkt(t, 1, TCP_ACK | TCP_PSH, S(0), C(3), "resp", 4);
    assert_true(stream_ctx_reassembly_account(t->ctx)->used > 0);
    pkt(t, 0, TCP_FIN | TCP_ACK, C(3), S(4), NULL, 0);
    pkt(t, 1, TCP_FIN | TCP_ACK, S(4), C(4), NULL, 0);
    pkt(t, 0, TCP_ACK, C(4), S(5), NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_CLOSED);
    assert_true(stream_has_session(&t->flow));
    assert_int_equal(stream_ctx_reassembly_account(t->ctx)->used, 0);
    t_free(t);
}

/* With raw inspection on, a closed session's bytes stay until the raw
 * inspector has consumed them, look-back included, then go. */
static void test_closed_raw_releases(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    stream_ctx_set_raw(t->ctx, true, 3);
    handshake(t);
    cdata(t, 0, "req");
    pkt(t, 1, TCP_ACK | TCP_PSH, S(0), C(3), "resp", 4);
    pkt(t, 0, TCP_FIN | TCP_ACK, C(3), S(4), NULL, 0);
    pkt(t, 1, TCP_FIN | TCP_ACK, S(4), C(4), NULL, 0);
    pkt(t, 0, TCP_ACK, C(4), S(5), NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_CLOSED);
    assert_true(stream_ctx_reassembly_account(t->ctx)->used > 0);
    StreamRawChunk ch;
    assert_true(stream_raw_chunk(&t->flow, 0, 0, true, &ch));
    assert_memory_equal(ch.data, "req", 3);
    stream_raw_consume(&t->flow, 0, ch.offset + ch.len);
    assert_true(stream_ctx_reassembly_account(t->ctx)->used > 0); /* the server's bytes */
    assert_true(stream_raw_chunk(&t->flow, 1, 0, true, &ch));
    assert_memory_equal(ch.data, "resp", 4);
    stream_raw_consume(&t->flow, 1, ch.offset + ch.len);
    assert_int_equal(stream_ctx_reassembly_account(t->ctx)->used, 0);
    assert_false(stream_raw_chunk(&t->flow, 0, 3, true, &ch));
    t_free(t);
}

static void test_fin_server_first(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    pkt(t, 1, TCP_FIN | TCP_ACK, S(0), C(0), NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_FIN_WAIT1);
    pkt(t, 0, TCP_ACK, C(0), S(1), NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_FIN_WAIT2);
    pkt(t, 0, TCP_FIN | TCP_ACK, C(0), S(1), NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_TIME_WAIT);
    pkt(t, 1, TCP_ACK, S(1), C(1), NULL, 0);
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_CLOSED);
    t_free(t);
}

static void test_flow_end_flushes(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    cdata(t, 0, "AB");
    cdata(t, 4, "EF"); /* hole at [2,4), nothing acked */
    stream_flow_end(t->ctx, &t->flow, sink_fn, &t->sink);
    assert_false(stream_has_session(&t->flow));
    expect_c2s(t, "ABEF");
    assert_int_equal(t->sink.gaps[0], 1);
    assert_int_equal(t->sink.eofs[0], 1);
    assert_int_equal(t->sink.eofs[1], 1);
    assert_int_equal(stream_ctx_reassembly_account(t->ctx)->used, 0);
    assert_int_equal(stream_ctx_session_account(t->ctx)->used, 0);
    t_free(t);
}

/* ---- validation events ---- */

static void test_invalid_ack_and_window(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    pkt(t, 0, TCP_ACK, C(0), S(0) + 3000000u, "x", 1);
    assert_true(has_event(t, STREAM_EV_PKT_INVALID_ACK));
    pkt(t, 0, TCP_ACK, C(0) + 200000u, S(0), "y", 1);
    assert_true(has_event(t, STREAM_EV_EST_PACKET_OUT_OF_WINDOW));
    assert_int_equal(ctr(t, "stream.est_packet_out_of_window"), 1);
    sack(t, 0);
    assert_int_equal(t->sink.len[0], 0);
    t_free(t);
}

/* ---- the consumer keeps bytes ---- */

static void test_partial_consume(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    t->sink.keep_back = 2;
    cdata(t, 0, "abcdef");
    sack(t, 6);
    expect_c2s(t, "abcd");
    unsigned calls = t->sink.calls[0];
    sack(t, 6); /* nothing new: not offered again */
    assert_int_equal(t->sink.calls[0], calls);
    t->sink.keep_back = 0;
    cdata(t, 6, "gh");
    sack(t, 8);
    expect_c2s(t, "abcdefgh");
    t_free(t);
}

/* ---- raw stream ---- */

static void small_chunks(StreamConfig *c) { c->chunk_size[0] = c->chunk_size[1] = 8; }

static void test_raw_chunks(void **state)
{
    (void)state;
    T *t = t_new(small_chunks);
    stream_ctx_set_raw(t->ctx, true, 3);
    handshake(t);
    StreamRawChunk ch;
    cdata(t, 0, "0123");
    sack(t, 4);
    assert_false(stream_raw_chunk(&t->flow, 0, 0, false, &ch)); /* below the chunk size */
    assert_true(stream_raw_chunk(&t->flow, 0, 0, true, &ch));   /* forced */
    assert_int_equal(ch.len, 4);
    cdata(t, 4, "456789");
    assert_false(stream_raw_chunk(&t->flow, 0, 0, false, &ch)); /* not acked yet */
    sack(t, 10);
    assert_true(stream_raw_chunk(&t->flow, 0, 0, false, &ch));
    assert_int_equal(ch.offset, 0);
    assert_int_equal(ch.len, 10);
    assert_memory_equal(ch.data, "0123456789", 10);
    stream_raw_consume(&t->flow, 0, ch.offset + ch.len);
    assert_int_equal(stream_raw_progress(&t->flow, 0), 10);
    assert_false(stream_raw_chunk(&t->flow, 0, 0, true, &ch)); /* nothing new */
    cdata(t, 10, "ab");
    sack(t, 12);
    stream_raw_trigger(&t->flow, 0);
    assert_true(stream_raw_chunk(&t->flow, 0, 3, false, &ch)); /* with look-back */
    assert_int_equal(ch.offset, 7);
    assert_memory_equal(ch.data, "789ab", 5);
    t_free(t);
}

static void test_raw_off_releases(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    handshake(t);
    cdata(t, 0, "abcdef");
    sack(t, 6);
    pkt(t, 0, TCP_ACK, C(6), S(0), NULL, 0); /* next packet releases */
    assert_int_equal(stream_raw_progress(&t->flow, 0), 6);
    t_free(t);
}

static void test_flush_then_raw(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    stream_ctx_set_raw(t->ctx, true, 0);
    handshake(t);
    cdata(t, 0, "tail-bytes");
    StreamRawChunk ch;
    assert_false(stream_raw_chunk(&t->flow, 0, 0, false, &ch)); /* not acked */
    stream_flow_flush(t->ctx, &t->flow, sink_fn, &t->sink);
    expect_c2s(t, "tail-bytes");
    assert_true(stream_has_session(&t->flow));
    assert_true(stream_raw_chunk(&t->flow, 0, 0, true, &ch));
    assert_int_equal(ch.len, 10);
    assert_memory_equal(ch.data, "tail-bytes", 10);
    stream_flow_free(t->ctx, &t->flow);
    assert_false(stream_has_session(&t->flow));
    assert_int_equal(stream_ctx_reassembly_account(t->ctx)->used, 0);
    t_free(t);
}

static void test_tcp_fast_open(void **state)
{
    (void)state;
    T *t = t_new(NULL);
    pkt(t, 0, TCP_SYN, CISN, 0, "GET /", 5);
    pkt(t, 1, TCP_SYN | TCP_ACK, SISN, CISN + 1 + 5, NULL, 0); /* acks the data too */
    assert_false(has_event(t, STREAM_EV_3WHS_SYNACK_WITH_WRONG_ACK));
    assert_int_equal(t->flow.tcp_state, FLOW_TCP_SYN_RECV);
    expect_c2s(t, "GET /");
    pkt(t, 0, TCP_ACK, C(5), S(0), NULL, 0);
    cdata(t, 5, " x");
    sack(t, 7);
    expect_c2s(t, "GET / x");
    t_free(t);
}

/* ---- names ---- */

static void test_event_names(void **state)
{
    (void)state;
    assert_int_equal(stream_event_by_name("est_packet_out_of_window"), STREAM_EV_EST_PACKET_OUT_OF_WINDOW);
    assert_int_equal(stream_event_by_name("stream.reassembly_overlap_different_data"),
                     STREAM_EV_REASSEMBLY_OVERLAP_DIFFERENT_DATA);
    assert_int_equal(stream_event_by_name("3whs_synack_resend_with_different_ack"),
                     STREAM_EV_3WHS_SYNACK_RESEND_WITH_DIFF_ACK);
    assert_int_equal(stream_event_by_name("none"), -1);
    assert_int_equal(stream_event_by_name("no_such_event"), -1);
    for (unsigned i = 1; i < STREAM_EV_MAX; i++)
        assert_int_equal(stream_event_by_name(stream_event_name(i)), (int)i);
    assert_string_equal(stream_event_name(STREAM_EV_PKT_INVALID_ACK), "pkt_invalid_ack");
    assert_int_equal(stream_policy_by_name("bsd"), STREAM_POLICY_BSD);
    assert_int_equal(stream_policy_by_name("linux"), STREAM_POLICY_LINUX);
    assert_int_equal(stream_policy_by_name("bogus"), -1);
}

static void test_config_load(void **state)
{
    (void)state;
    Config *c = conf_new();
    assert_non_null(c);
    assert_int_equal(conf_load_string(c,
                                      "stream:\n  memcap: 1mb\n  midstream: true\n"
                                      "  reassembly:\n    depth: 4kb\n    overlap-policy: linux\n",
                                      "test"),
                     0);
    StreamConfig cfg;
    stream_config_defaults(&cfg);
    assert_int_equal(cfg.depth, 1024 * 1024);
    assert_int_equal(cfg.policy, STREAM_POLICY_BSD);
    assert_false(cfg.midstream);
    stream_config_load(&cfg, c);
    assert_int_equal(cfg.memcap, 1024 * 1024);
    assert_int_equal(cfg.depth, 4096);
    assert_int_equal(cfg.policy, STREAM_POLICY_LINUX);
    assert_true(cfg.midstream);
    assert_int_equal(cfg.reassembly_memcap, 256ull * 1024 * 1024);
    conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake),
        cmocka_unit_test(test_handshake_bad_synack),
        cmocka_unit_test(test_server_data_before_handshake_ack),
        cmocka_unit_test(test_in_order_waits_for_ack),
        cmocka_unit_test(test_inline_delivers_at_once),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_one_byte_segments_reversed),
        cmocka_unit_test(test_overlap_policies),
        cmocka_unit_test(test_overlap_same_data_no_event),
        cmocka_unit_test(test_retransmission),
        cmocka_unit_test(test_gap),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_reassembly_memcap),
        cmocka_unit_test(test_session_memcap),
        cmocka_unit_test(test_midstream_off),
        cmocka_unit_test(test_midstream_on),
        cmocka_unit_test(test_async_oneside),
        cmocka_unit_test(test_rst_flushes),
        cmocka_unit_test(test_rst_out_of_window_ignored),
        cmocka_unit_test(test_fin_teardown),
        cmocka_unit_test(test_closed_releases),
        cmocka_unit_test(test_closed_raw_releases),
        cmocka_unit_test(test_fin_server_first),
        cmocka_unit_test(test_flow_end_flushes),
        cmocka_unit_test(test_invalid_ack_and_window),
        cmocka_unit_test(test_partial_consume),
        cmocka_unit_test(test_raw_chunks),
        cmocka_unit_test(test_raw_off_releases),
        cmocka_unit_test(test_flush_then_raw),
        cmocka_unit_test(test_tcp_fast_open),
        cmocka_unit_test(test_event_names),
        cmocka_unit_test(test_config_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
