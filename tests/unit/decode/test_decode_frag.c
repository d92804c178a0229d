/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_decode_frag.c: unit tests for src/decode, fragment reassembly and
 * tunnels: IPv4/IPv6 fragments in order, out of order, overlapping (the
 * BSD policy, both halves of the rule), timed out, refused by the memcap
 * and the fragment limit; GRE, ERSPAN, IP-in-IP, VXLAN, GTP-U, MPLS,
 * PPPoE, and the nesting bound. Run by test_decode.c's main().
 */
#include "tdec.h"

#include <stdlib.h>
#include <string.h>

#include "decode/ipv6.h"

/* ------------------------------------------------------------ fragments */

/* The UDP datagram the fragment tests split: 8 + 40 bytes. */
static size_t frag_datagram(uint8_t *udp)
{
    uint8_t pl[40];
    for (int i = 0; i < 40; i++)
        pl[i] = (uint8_t)('A' + i % 26);
    return udp_dgram(udp, 1111, 2222, pl, sizeof pl);
}

/* Eth/IPv4 fragment holding the len bytes at `frag`, placed at datagram
 * byte offset off (a multiple of 8). */
static size_t frag4(uint8_t *b, const uint8_t *frag, size_t off, size_t len, bool mf,
                    uint16_t id)
{
    size_t o = eth_hdr(b, 0x0800);
    uint16_t fo = (uint16_t)((mf ? 0x2000 : 0) | (off / 8));
    size_t h = ip4_hdr(b + o, 17, len, NULL, 0, id, fo);
    memcpy(b + o + h, frag, len);
    return o + h + len;
}

/* The UDP checksum must cover the full datagram: compute it once with a
 * throwaway IPv4 header holding the same addresses. */
static void frag_csum(uint8_t *udp, size_t n)
{
    uint8_t ip[20];
    ip4_hdr(ip, 17, n, NULL, 0, 0, 0);
    l4_csum(ip, 4, 17, udp, n, 6);
}

typedef struct Piece {
    size_t off, len;
    bool mf;
} Piece;

/* Feed pieces in order; returns the chain from the last one. */
static Packet *feed4(T *t, const uint8_t *data, const Piece *pc, int n, Packet *last, uint16_t id,
                     int64_t step_ns)
{
    Packet *chain = NULL;
    static uint8_t bufs[8][256];
    for (int i = 0; i < n; i++) {
        size_t len = frag4(bufs[i], data + pc[i].off, pc[i].off, pc[i].len, pc[i].mf, id);
        Packet *p = i == n - 1 ? last : &(Packet){ 0 };
        pkt_init(p, DECODE_DLT_EN10MB, bufs[i], (uint32_t)len, (uint32_t)len);
        p->ts_ns = 1000 * SEC + i * step_ns;
        chain = decode_packet(t->ctx, p);
        assert_true(pkt_has(p, PKT_IS_FRAGMENT));
        assert_false(pkt_has(p, PKT_HAS_UDP));
        if (i < n - 1)
            assert_null(chain);
    }
    return chain;
}

static void check_reassembled_udp(const Packet *q, const uint8_t *data)
{
    assert_non_null(q);
    assert_true(pkt_has(q, PKT_IS_REASSEMBLED | PKT_IS_PSEUDO | PKT_HAS_IPV4 | PKT_HAS_UDP));
    assert_false(pkt_has(q, PKT_IPV4_CSUM_BAD | PKT_L4_CSUM_BAD | PKT_IS_FRAGMENT));
    assert_int_equal(q->sp, 1111);
    assert_int_equal(q->dp, 2222);
    assert_int_equal(q->payload_len, 40);
    assert_memory_equal(q->payload, data + 8, 40);
    assert_int_equal(q->ip_len, 20 + 48);
    assert_true(pkt_has(q, PKT_HAS_ETH));
}

static void test_defrag4_in_order(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t d[64];
    size_t n = frag_datagram(d);
    frag_csum(d, n);
    const Piece pc[] = { { 0, 16, true }, { 16, 16, true }, { 32, 16, false } };
    Packet last;
    Packet *q = feed4(t, d, pc, 3, &last, 100, SEC);
    check_reassembled_udp(q, d);
    assert_int_equal(q->pcap_cnt, last.pcap_cnt);
    assert_int_equal(q->ts_ns, last.ts_ns);
    assert_null(q->next);
    assert_int_equal(ctr(t, "defrag.ipv4.fragments"), 3);
    assert_int_equal(ctr(t, "defrag.ipv4.reassembled"), 1);
    assert_int_equal(ctr(t, "decoder.pkts"), 3);
    decode_packet_free(t->ctx, q);
    t_free(t);
}

static void test_defrag4_out_of_order(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t d[64];
    size_t n = frag_datagram(d);
    frag_csum(d, n);
    const Piece pc[] = { { 32, 16, false }, { 0, 16, true }, { 16, 16, true } };
    Packet last;
    Packet *q = feed4(t, d, pc, 3, &last, 101, SEC);
    check_reassembled_udp(q, d);
    decode_packet_free(t->ctx, q);
    /* the tracker is gone: the same id starts afresh */
    Packet *r = feed4(t, d, pc, 2, &last, 101, SEC);
    assert_null(r);
    assert_int_equal(ctr(t, "defrag.ipv4.reassembled"), 1);
    t_free(t);
}

/* BSD policy: lower offset wins; same offset, first arrival wins. */
static void test_defrag4_overlap_bsd(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t d[64], x[64];
    size_t n = frag_datagram(d);
    frag_csum(d, n);
    memset(x, 'X', sizeof x);
    static uint8_t b[6][256];
    Packet ps[6];
    /* 1: [8,24) real; 2: [0,16) real -> lower offset wins over [8,16);
     * 3: [8,16) of X arrives later, offset 8 >= 0 and == 8: loses;
     * 4: [24,40) real; 5: [16,24) X overlapping 1 at a higher offset: loses;
     * 6: [40,48) real, last. */
    struct { const uint8_t *src; size_t off, len; bool mf; } seq[] = {
        { d, 8, 16, true }, { d, 0, 16, true }, { x, 8, 8, true },
        { d, 24, 16, true }, { x, 16, 8, true }, { d, 40, 8, false },
    };
    Packet *q = NULL;
    for (int i = 0; i < 6; i++) {
        uint8_t frag[64];
        memcpy(frag, seq[i].src + seq[i].off, seq[i].len);
        size_t o = eth_hdr(b[i], 0x0800);
        size_t h = ip4_hdr(b[i] + o, 17, seq[i].len, NULL, 0, 55,
                           (uint16_t)((seq[i].mf ? 0x2000 : 0) | (seq[i].off / 8)));
        memcpy(b[i] + o + h, frag, seq[i].len);
        pkt_init(&ps[i], DECODE_DLT_EN10MB, b[i], (uint32_t)(o + h + seq[i].len),
                 (uint32_t)(o + h + seq[i].len));
        q = decode_packet(t->ctx, &ps[i]);
        if (i < 5)
            assert_null(q);
    }
    assert_true(has_event(&ps[1], "ipv4.frag_overlap"));
    assert_true(has_event(&ps[2], "ipv4.frag_overlap"));
    assert_true(has_event(&ps[4], "ipv4.frag_overlap"));
    assert_false(has_event(&ps[3], "ipv4.frag_overlap"));
    check_reassembled_udp(q, d); /* no X anywhere */
    decode_packet_free(t->ctx, q);

    /* the other half of the rule: a later fragment starting BEFORE an
     * earlier one wins the overlap */
    uint8_t y[64];
    memcpy(y, d, sizeof y);
    memset(y + 8, 'Y', 16);  /* the later [0,24) carries Y in [8,24) */
    struct { const uint8_t *src; size_t off, len; bool mf; } seq2[] = {
        { d, 16, 32, false }, { y, 0, 24, true },
    };
    for (int i = 0; i < 2; i++) {
        size_t o = eth_hdr(b[i], 0x0800);
        size_t h = ip4_hdr(b[i] + o, 17, seq2[i].len, NULL, 0, 56,
                           (uint16_t)((seq2[i].mf ? 0x2000 : 0) | (seq2[i].off / 8)));
        memcpy(b[i] + o + h, seq2[i].src + seq2[i].off, seq2[i].len);
        pkt_init(&ps[i], DECODE_DLT_EN10MB, b[i], (uint32_t)(o + h + seq2[i].len),
                 (uint32_t)(o + h + seq2[i].len));
        q = decode_packet(t->ctx, &ps[i]);
    }
    assert_non_null(q);
    assert_true(pkt_has(q, PKT_IS_REASSEMBLED));
    /* bytes 16..23 of the datagram (payload 8..15) come from the later,
     * lower-offset fragment */
    assert_memory_equal(q->payload, y + 8, 16);
    assert_memory_equal(q->payload + 16, d + 24, 24);
    assert_true(pkt_has(q, PKT_L4_CSUM_BAD)); /* Y broke the checksum */
    decode_packet_free(t->ctx, q);
    t_free(t);
}

static void test_defrag4_timeout(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t d[64];
    size_t n = frag_datagram(d);
    frag_csum(d, n);
    const Piece pc[] = { { 0, 16, true }, { 16, 32, false } };
    Packet last;
    /* 61 s between the fragments: past the 60 s default */
    assert_null(feed4(t, d, pc, 2, &last, 200, 61 * SEC));
    assert_int_equal(ctr(t, "defrag.ipv4.timeouts"), 1);
    assert_int_equal(ctr(t, "defrag.ipv4.reassembled"), 0);
    /* 59 s is fine */
    Packet *q = feed4(t, d, pc, 2, &last, 201, 59 * SEC);
    check_reassembled_udp(q, d);
    decode_packet_free(t->ctx, q);
    /* decode_defrag_timeout expires pending datagrams too */
    assert_null(feed4(t, d, pc, 1, &last, 202, SEC));
    decode_defrag_timeout(t->ctx, 2000 * SEC);
    assert_int_equal(ctr(t, "defrag.ipv4.timeouts"), 3);
    assert_int_equal(decode_ctx_defrag_account(t->ctx)->used, 0);
    t_free(t);
}

static void test_defrag4_memcap(void **state)
{
    (void)state;
    DecodeConfig cfg;
    decode_config_defaults(&cfg);
    cfg.defrag_memcap = 300; /* room for one small datagram */
    T *t = t_new_cfg(&cfg);
    uint8_t d[64];
    size_t n = frag_datagram(d);
    frag_csum(d, n);
    const Piece pc[] = { { 0, 16, true } };
    Packet a, b;
    assert_null(feed4(t, d, pc, 1, &a, 300, 0));
    assert_false(has_event(&a, "ipv4.frag_ignored"));
    uint64_t used = decode_ctx_defrag_account(t->ctx)->used;
    assert_true(used > 0 && used <= 300);
    assert_null(feed4(t, d, pc, 1, &b, 301, 0));
    assert_true(has_event(&b, "ipv4.frag_ignored"));
    assert_true(ctr(t, "defrag.max_trackers_reached") + ctr(t, "defrag.memcap_refused") >= 1);
    assert_true(decode_ctx_defrag_account(t->ctx)->refused >= 1);
    t_free(t);

    /* max fragments per datagram */
    decode_config_defaults(&cfg);
    cfg.defrag_max_frags = 2;
    t = t_new_cfg(&cfg);
    const Piece three[] = { { 0, 8, true }, { 8, 8, true }, { 16, 8, true } };
    assert_null(feed4(t, d, three, 3, &a, 302, 0));
    assert_true(has_event(&a, "ipv4.frag_ignored"));
    assert_int_equal(ctr(t, "defrag.max_frags_reached"), 1);
    assert_int_equal(decode_ctx_defrag_account(t->ctx)->used, 0);
    t_free(t);
}

static void test_defrag4_too_large(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[256];
    uint8_t data[64] = { 0 };
    size_t len = frag4(b, data, 8190 * 8, 40, true, 9); /* 65520 + 40 + 20 > 65535 */
    Packet p;
    run(t, &p, DECODE_DLT_EN10MB, b, len);
    assert_true(has_event(&p, "ipv4.frag_pkt_too_large"));
    t_free(t);
}

/* IPv6: Eth / IPv6 / DST opts / FH / data */
static size_t frag6(uint8_t *b, const uint8_t *data, size_t off, size_t len, bool mf, uint32_t id)
{
    size_t o = eth_hdr(b, 0x86dd);
    ip6_hdr(b + o, 60, 8 + 8 + len);
    const uint8_t dst[] = { 44, 0, 1, 4, 0, 0, 0, 0 };
    memcpy(b + o + 40, dst, 8);
    uint8_t *fh = b + o + 48;
    fh[0] = 17;
    fh[1] = 0;
    put16(fh + 2, (uint16_t)((off / 8) << 3 | (mf ? 1 : 0)));
    put32(fh + 4, id);
    memcpy(fh + 8, data + off, len);
    return o + 56 + len;
}

static void test_defrag6(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t d[64];
    size_t n = frag_datagram(d);
    uint8_t ip[40];
    ip6_hdr(ip, 17, n);
    l4_csum(ip, 6, 17, d, n, 6);
    uint8_t b1[256], b2[256];
    Packet p1, p2;
    size_t l2 = frag6(b2, d, 24, 24, false, 0xdeadbeef);
    size_t l1 = frag6(b1, d, 0, 24, true, 0xdeadbeef);
    assert_null(run(t, &p2, DECODE_DLT_EN10MB, b2, l2));
    assert_true(pkt_has(&p2, PKT_IS_FRAGMENT));
    assert_int_equal(p2.frag_off, 3);
    assert_int_equal(p2.ip_proto, 17);
    Packet *q = run(t, &p1, DECODE_DLT_EN10MB, b1, l1);
    assert_non_null(q);
    assert_true(pkt_has(q, PKT_IS_REASSEMBLED | PKT_HAS_IPV6 | PKT_HAS_UDP));
    assert_false(pkt_has(q, PKT_L4_CSUM_BAD | PKT_IS_FRAGMENT));
    assert_int_equal(q->ip6_exthdrs, IPV6_EXT_DSTOPTS);
    assert_int_equal(q->ip_hlen, 48);
    assert_int_equal(q->payload_len, 40);
    assert_memory_equal(q->payload, d + 8, 40);
    assert_int_equal(ctr(t, "defrag.ipv6.fragments"), 2);
    assert_int_equal(ctr(t, "defrag.ipv6.reassembled"), 1);
    decode_packet_free(t->ctx, q);

    /* M set with a length not a multiple of 8 */
    l1 = frag6(b1, d, 0, 20, true, 5);
    run(t, &p1, DECODE_DLT_EN10MB, b1, l1);
    assert_true(has_event(&p1, "ipv6.frag_invalid_length"));

    /* overlap event */
    l1 = frag6(b1, d, 0, 24, true, 6);
    run(t, &p1, DECODE_DLT_EN10MB, b1, l1);
    l2 = frag6(b2, d, 16, 16, true, 6);
    run(t, &p2, DECODE_DLT_EN10MB, b2, l2);
    assert_true(has_event(&p2, "ipv6.frag_overlap"));
    t_free(t);
}

/* --------------------------------------------------------------- tunnels */

static void test_tunnels(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t inner[256], b[512];
    size_t in = build_eth_ip4_tcp(inner); /* inner Ethernet frame */
    Packet p;

    /* GRE v0 with key, carrying IPv4 */
    size_t o = eth_hdr(b, 0x0800);
    size_t gl = 8 + (in - 14);
    size_t h = ip4_hdr(b + o, 47, gl, NULL, 0, 1, 0);
    put16(b + o + h, 0x2000);
    put16(b + o + h + 2, 0x0800);
    put32(b + o + h + 4, 42);
    memcpy(b + o + h + 8, inner + 14, in - 14);
    Packet *q = run(t, &p, DECODE_DLT_EN10MB, b, o + h + gl);
    assert_int_equal(p.ip_proto, 47);
    assert_non_null(q);
    assert_true(pkt_has(q, PKT_IS_TUNNEL_INNER | PKT_IS_PSEUDO | PKT_HAS_TCP));
    assert_int_equal(q->tunnel_depth, 1);
    assert_int_equal(q->dp, 80);
    assert_int_equal(q->payload_len, 11);
    assert_int_equal(q->pcap_cnt, p.pcap_cnt);
    assert_null(q->next);
    decode_packet_free(t->ctx, q);

    /* GRE wrong version, and routing bit with a broken SRE list */
    put16(b + o + h, 0x0003);
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + gl);
    assert_true(has_event(&p, "gre.wrong_version"));
    put16(b + o + h, 0x0100);
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + gl);
    assert_true(has_event(&p, "gre.version0_recur"));

    /* ERSPAN type II (GRE with sequence) and type I (without) */
    put16(b + o + h, 0x1000);
    put16(b + o + h + 2, 0x88be);
    put32(b + o + h + 4, 1);
    memset(b + o + h + 8, 0, 8);
    b[o + h + 8] = 0x10; /* version 1 */
    memcpy(b + o + h + 16, inner, in);
    size_t el = 16 + in;
    size_t eh = ip4_hdr(b + o, 47, el, NULL, 0, 1, 0);
    assert_int_equal(eh, h);
    q = run(t, &p, DECODE_DLT_EN10MB, b, o + h + el);
    assert_non_null(q);
    assert_true(pkt_has(q, PKT_HAS_ETH | PKT_HAS_TCP));
    decode_packet_free(t->ctx, q);
    b[o + h + 8] = 0x20; /* version 2 is not type II */
    q = run(t, &p, DECODE_DLT_EN10MB, b, o + h + el);
    assert_null(q);
    assert_true(has_event(&p, "erspan.unsupported_version"));
    put16(b + o + h, 0x0000);
    put16(b + o + h + 2, 0x88be);
    memcpy(b + o + h + 4, inner, in);
    ip4_hdr(b + o, 47, 4 + in, NULL, 0, 1, 0);
    q = run(t, &p, DECODE_DLT_EN10MB, b, o + h + 4 + in);
    assert_non_null(q);
    assert_true(pkt_has(q, PKT_HAS_ETH | PKT_HAS_TCP));
    decode_packet_free(t->ctx, q);
    assert_int_equal(ctr(t, "decoder.erspan"), 3);

    /* IP-in-IP */
    h = ip4_hdr(b + o, 4, in - 14, NULL, 0, 1, 0);
    memcpy(b + o + h, inner + 14, in - 14);
    q = run(t, &p, DECODE_DLT_EN10MB, b, o + h + in - 14);
    assert_non_null(q);
    assert_true(pkt_has(q, PKT_HAS_TCP));
    assert_int_equal(ctr(t, "decoder.ipv4_in_ipv4"), 1);
    decode_packet_free(t->ctx, q);

    /* VXLAN: UDP 4789, VNI 7, inner Ethernet */
    uint8_t vx[300];
    memset(vx, 0, 8);
    vx[0] = 0x08;
    vx[6] = 7;
    memcpy(vx + 8, inner, in);
    size_t n = build_eth_ip4_udp(b, vx, 8 + in);
    put16(b + 34 + 2, 4789);
    q = run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    assert_non_null(q);
    assert_true(pkt_has(q, PKT_HAS_ETH | PKT_HAS_TCP));
    assert_memory_equal(q->eth_src, MAC_A, 6);
    assert_int_equal(q->payload_len, 11);
    assert_int_equal(ctr(t, "decoder.vxlan"), 1);
    decode_packet_free(t->ctx, q);
    b[42] = 0x00; /* I flag clear: plain UDP, no inner packet */
    q = run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_null(q);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    assert_int_equal(ctr(t, "decoder.vxlan"), 1);

    /* Geneve with 4 bytes of options, carrying Ethernet */
    uint8_t gn[300];
    memset(gn, 0, 12);
    gn[0] = 1; /* optlen 1 (4 bytes) */
    put16(gn + 2, 0x6558);
    memcpy(gn + 12, inner, in);
    n = build_eth_ip4_udp(b, gn, 12 + in);
    put16(b + 34 + 2, 6081);
    q = run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_non_null(q);
    assert_true(pkt_has(q, PKT_HAS_ETH | PKT_HAS_TCP));
    assert_int_equal(ctr(t, "decoder.geneve"), 1);
    decode_packet_free(t->ctx, q);

    /* Teredo: origin indication, then IPv6/UDP; and a non-IPv6 payload on
     * the port, which stays plain UDP */
    uint8_t v6[200], td[300];
    size_t n6 = build_ip6_udp(v6, 17, NULL, 0, "teredo");
    memset(td, 0, 8);
    memcpy(td + 8, v6 + 14, n6 - 14);
    n = build_eth_ip4_udp(b, td, 8 + n6 - 14);
    put16(b + 34, 3544);
    q = run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_non_null(q);
    assert_true(pkt_has(q, PKT_HAS_IPV6 | PKT_HAS_UDP));
    assert_int_equal(q->payload_len, 6);
    decode_packet_free(t->ctx, q);
    n = build_eth_ip4_udp(b, (const uint8_t *)"not teredo at all, just text ......................", 52);
    put16(b + 34, 3544);
    assert_null(run(t, &p, DECODE_DLT_EN10MB, b, n));
    assert_int_equal(ctr(t, "decoder.teredo"), 1);

    /* GTP-U G-PDU with a sequence number */
    uint8_t gtp[300];
    gtp[0] = 0x32;
    gtp[1] = 0xff;
    put16(gtp + 2, (uint16_t)(4 + in - 14));
    put32(gtp + 4, 0x11223344);
    memset(gtp + 8, 0, 4);
    memcpy(gtp + 12, inner + 14, in - 14);
    n = build_eth_ip4_udp(b, gtp, 12 + in - 14);
    put16(b + 34 + 2, 2152);
    q = run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_non_null(q);
    assert_true(pkt_has(q, PKT_HAS_TCP));
    assert_int_equal(ctr(t, "decoder.gtp"), 1);
    decode_packet_free(t->ctx, q);

    /* MPLS (two labels) inline, then IPv4 */
    o = eth_hdr(b, 0x8847);
    put32(b + o, (100u << 12) | 64);
    put32(b + o + 4, (200u << 12) | 0x100 | 64);
    memcpy(b + o + 8, inner + 14, in - 14);
    q = run(t, &p, DECODE_DLT_EN10MB, b, o + 8 + in - 14);
    assert_null(q);
    assert_true(pkt_has(&p, PKT_HAS_TCP));
    assert_int_equal(p.l3_off, 22);
    run(t, &p, DECODE_DLT_EN10MB, b, o + 2);
    assert_true(has_event(&p, "mpls.header_too_small"));

    /* PPPoE session carrying IPv4 */
    o = eth_hdr(b, 0x8864);
    b[o] = 0x11;
    b[o + 1] = 0;
    put16(b + o + 2, 1);
    put16(b + o + 4, (uint16_t)(2 + in - 14));
    put16(b + o + 6, 0x0021);
    memcpy(b + o + 8, inner + 14, in - 14);
    run(t, &p, DECODE_DLT_EN10MB, b, o + 8 + in - 14);
    assert_true(pkt_has(&p, PKT_HAS_TCP));
    assert_int_equal(p.l3_off, 22);
    b[o + 1] = 9;
    run(t, &p, DECODE_DLT_EN10MB, b, o + 8 + in - 14);
    assert_true(has_event(&p, "pppoe.wrong_code"));

    /* nesting is bounded: IPv4-in-IPv4 six deep */
    size_t depth = 6, tot = depth * 20 + (in - 14);
    o = 0;
    for (size_t i = 0; i < depth; i++)
        o += ip4_hdr(b + o, 4, tot - o - 20, NULL, 0, 1, 0);
    memcpy(b + o, inner + 14, in - 14);
    q = run(t, &p, DECODE_DLT_RAW, b, tot);
    int chain = 0, flagged = 0;
    for (Packet *x = q; x != NULL; x = x->next) {
        chain++;
        flagged += has_event(x, "too_many_layers");
    }
    assert_int_equal(chain, 4);
    assert_int_equal(flagged, 1);
    decode_packet_free(t->ctx, q);
    t_free(t);
}

const struct CMUnitTest tdec_frag_tests[] = {
    cmocka_unit_test(test_defrag4_in_order),
    cmocka_unit_test(test_defrag4_out_of_order),
    cmocka_unit_test(test_defrag4_overlap_bsd),
    cmocka_unit_test(test_defrag4_timeout),
    cmocka_unit_test(test_defrag4_memcap),
    cmocka_unit_test(test_defrag4_too_large),
    cmocka_unit_test(test_defrag6),
    cmocka_unit_test(test_tunnels),
};
const size_t tdec_n_frag_tests = sizeof tdec_frag_tests / sizeof tdec_frag_tests[0];
