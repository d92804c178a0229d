/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_decode.c: unit tests for src/decode, the layers. Every packet is
 * built by hand (tdec_util.c, with checksums computed independently of the
 * decoder): good packets for each protocol and link type, and broken ones
 * -- truncated at every byte, bad lengths, bad checksums, deep VLAN stacks,
 * IPv6 extension chains, ICMP errors. Fragments and tunnels are in
 * test_decode_frag.c; main() runs both groups.
 */
#include "tdec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/events.h"
#include "decode/ipv4.h"
#include "decode/ipv6.h"

/* ---------------------------------------------------------- good paths */

static void test_eth_ipv4_tcp(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[512];
    size_t n = build_eth_ip4_tcp(b);
    Packet p;
    assert_null(run(t, &p, DECODE_DLT_EN10MB, b, n));
    assert_int_equal(p.n_events, 0);
    assert_true(pkt_has(&p, PKT_HAS_ETH | PKT_HAS_IPV4 | PKT_HAS_TCP));
    assert_memory_equal(p.eth_src, MAC_A, 6);
    assert_memory_equal(p.eth_dst, MAC_B, 6);
    assert_int_equal(p.eth_type, 0x0800);
    assert_int_equal(p.ip_ver, 4);
    assert_memory_equal(p.src.b, IP_A, 4);
    assert_memory_equal(p.dst.b, IP_B, 4);
    assert_int_equal(p.l3_off, 14);
    assert_int_equal(p.ip_hlen, 20);
    assert_int_equal(p.ip_id, 0x1234);
    assert_int_equal(p.frag_flags, 0x2);
    assert_int_equal(p.ip_proto, 6);
    assert_int_equal(p.ip_ttl, 64);
    assert_int_equal(p.l4_off, 34);
    assert_int_equal(p.l4_hlen, 20 + sizeof TCP_OPTS);
    assert_int_equal(p.sp, 40000);
    assert_int_equal(p.dp, 80);
    assert_int_equal(p.tcp_seq, 1000);
    assert_int_equal(p.tcp_ack, 2000);
    assert_int_equal(p.tcp_flags, TCP_PSH | TCP_ACK);
    assert_int_equal(p.tcp_win, 65535);
    assert_int_equal(p.tcp_mss, 1460);
    assert_int_equal(p.tcp_wscale, 7);
    assert_true(p.tcp_sack_perm);
    assert_true(p.tcp_has_ts);
    assert_int_equal(p.tcp_tsval, 1);
    assert_int_equal(p.tcp_tsecr, 2);
    assert_int_equal(p.tcp_n_sack, 1);
    assert_int_equal(p.tcp_sack_left[0], 10);
    assert_int_equal(p.tcp_sack_right[0], 20);
    assert_int_equal(p.payload_len, 11);
    assert_memory_equal(p.payload, "hello world", 11);
    assert_false(pkt_has(&p, PKT_IPV4_CSUM_BAD | PKT_L4_CSUM_BAD));
    assert_int_equal(ctr(t, "decoder.pkts"), 1);
    assert_int_equal(ctr(t, "decoder.bytes"), n);
    assert_int_equal(ctr(t, "decoder.ethernet"), 1);
    assert_int_equal(ctr(t, "decoder.ipv4"), 1);
    assert_int_equal(ctr(t, "decoder.tcp"), 1);
    assert_int_equal(ctr(t, "decoder.invalid"), 0);
    assert_int_equal(ctr(t, "decoder.max_pkt_size"), n);
    t_free(t);
}

/* Ethernet pads short frames to 60 bytes: padding is not payload. */
static void test_ethernet_padding(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[128];
    memset(b, 0xee, sizeof b);
    size_t n = build_eth_ip4_udp(b, (const uint8_t *)"hi", 2);
    assert_true(n < 60);
    Packet p;
    run(t, &p, DECODE_DLT_EN10MB, b, 60);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    assert_int_equal(p.payload_len, 2);
    assert_int_equal(p.udp_len, 10);
    assert_int_equal(p.n_events, 0);
    assert_false(pkt_has(&p, PKT_L4_CSUM_BAD));
    t_free(t);
}

/* The expected event when a full Eth/IPv4/TCP packet is cut at k bytes
 * (k < full length) and the wire was as short as the capture. */
static const char *expected_trunc_event(size_t k)
{
    if (k < 14)
        return "ethernet.pkt_too_small";
    if (k < 34)
        return "ipv4.pkt_too_small";
    return "ipv4.trunc_pkt";
}

static void test_truncated_every_offset(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t full[512];
    size_t n = build_eth_ip4_tcp(full);
    for (size_t k = 0; k < n; k++) {
        /* a copy of exactly k bytes, so ASan sees any overread */
        uint8_t *b = malloc(k ? k : 1);
        assert_non_null(b);
        memcpy(b, full, k);
        Packet p;
        assert_null(run(t, &p, DECODE_DLT_EN10MB, b, k));
        const char *want = expected_trunc_event(k);
        if (!has_event(&p, want))
            fail_msg("cut at %zu: expected %s", k, want);
        assert_int_equal(p.n_events, 1);
        assert_false(pkt_has(&p, PKT_HAS_TCP));
        free(b);
    }
    assert_int_equal(ctr(t, "decoder.pkts"), n);
    assert_int_equal(ctr(t, "decoder.invalid"), n);
    t_free(t);
}

/* Cut by snaplen: the wire had the whole packet, the capture has k bytes.
 * Headers present are decoded, payload is what was captured. */
static void test_snaplen_truncation(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t full[512];
    size_t n = build_eth_ip4_tcp(full);
    size_t l4 = 34, hl = 20 + sizeof TCP_OPTS;
    for (size_t k = 0; k < n; k++) {
        uint8_t *b = malloc(k ? k : 1);
        assert_non_null(b);
        memcpy(b, full, k);
        Packet p;
        pkt_init(&p, DECODE_DLT_EN10MB, b, (uint32_t)k, (uint32_t)n);
        assert_null(decode_packet(t->ctx, &p));
        if (k < 14) {
            assert_true(has_event(&p, "ethernet.pkt_too_small"));
        } else if (k < 34) {
            assert_true(has_event(&p, "ipv4.pkt_too_small"));
        } else if (k < l4 + hl) {
            assert_true(pkt_has(&p, PKT_HAS_IPV4));
            assert_int_equal(p.ip_len, n - 14);
            assert_true(has_event(&p, "tcp.pkt_too_small"));
        } else {
            assert_int_equal(p.n_events, 0);
            assert_true(pkt_has(&p, PKT_HAS_TCP));
            assert_int_equal(p.payload_len, k - l4 - hl);
            /* the checksum cannot be checked on a partial segment */
            assert_false(pkt_has(&p, PKT_L4_CSUM_BAD));
        }
        free(b);
    }
    assert_int_equal(ctr(t, "decoder.truncated_capture"), n);
    t_free(t);
}

/* Every proper prefix of other packet shapes (VLAN, IPv6 with extension
 * headers, ICMP errors, GRE): never a crash (ASan runs this in CI), always
 * at least one event, never a transport layer. */
static void test_prefixes_of_other_shapes(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t shapes[4][512];
    size_t lens[4];
    const uint16_t tp[] = { 0x88a8, 0x8100 };
    size_t o = vlan_stack(shapes[0], tp, 2, 0x0800);
    size_t h = ip4_hdr(shapes[0] + o, 17, 12, NULL, 0, 1, 0);
    udp_dgram(shapes[0] + o + h, 1, 2, (const uint8_t *)"abcd", 4);
    lens[0] = o + h + 12;
    const uint8_t ext[] = { 60, 0, 5, 2, 0, 0, 1, 0, 17, 0, 1, 4, 0, 0, 0, 0 };
    lens[1] = build_ip6_udp(shapes[1], 0, ext, sizeof ext, "payload");
    /* ICMP time exceeded quoting IPv4 + TCP */
    uint8_t tcp[512];
    size_t tl = build_eth_ip4_tcp(tcp);
    o = eth_hdr(shapes[2], 0x0800);
    h = ip4_hdr(shapes[2] + o, 1, 8 + 28, NULL, 0, 3, 0);
    memset(shapes[2] + o + h, 0, 8);
    shapes[2][o + h] = 11;
    memcpy(shapes[2] + o + h + 8, tcp + 14, 28);
    lens[2] = o + h + 36;
    /* GRE carrying IPv4/TCP */
    o = eth_hdr(shapes[3], 0x0800);
    h = ip4_hdr(shapes[3] + o, 47, 4 + tl - 14, NULL, 0, 4, 0);
    put16(shapes[3] + o + h, 0);
    put16(shapes[3] + o + h + 2, 0x0800);
    memcpy(shapes[3] + o + h + 4, tcp + 14, tl - 14);
    lens[3] = o + h + 4 + tl - 14;
    for (int s = 0; s < 4; s++) {
        Packet p;
        Packet *q = run(t, &p, DECODE_DLT_EN10MB, shapes[s], lens[s]);
        assert_true(pkt_has(&p, PKT_HAS_UDP | PKT_HAS_ICMPV4) || q != NULL);
        decode_packet_free(t->ctx, q);
        for (size_t k = 0; k < lens[s]; k++) {
            uint8_t *b = malloc(k ? k : 1);
            assert_non_null(b);
            memcpy(b, shapes[s], k);
            q = run(t, &p, DECODE_DLT_EN10MB, b, k);
            if (p.n_events == 0)
                fail_msg("shape %d cut at %zu: no event", s, k);
            assert_false(pkt_has(&p, PKT_HAS_TCP | PKT_HAS_UDP | PKT_HAS_ICMPV4));
            assert_null(q);
            free(b);
        }
    }
    t_free(t);
}

/* ------------------------------------------------------------- IPv4 bad */

static void test_ipv4_bad_headers(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[256];
    size_t n = build_eth_ip4_udp(b, (const uint8_t *)"abcd", 4);
    Packet p;
    uint8_t c[256];

    memcpy(c, b, n);
    c[14] = 0x44; /* IHL 4 */
    run(t, &p, DECODE_DLT_EN10MB, c, n);
    assert_true(has_event(&p, "ipv4.hlen_too_small"));
    assert_false(pkt_has(&p, PKT_HAS_IPV4));

    memcpy(c, b, n);
    c[14] = 0x55; /* version 5 */
    run(t, &p, DECODE_DLT_EN10MB, c, n);
    assert_true(has_event(&p, "ipv4.wrong_ip_version"));

    memcpy(c, b, n);
    put16(c + 16, 12); /* total length < header */
    run(t, &p, DECODE_DLT_EN10MB, c, n);
    assert_true(has_event(&p, "ipv4.iplen_smaller_than_hlen"));

    memcpy(c, b, n);
    put16(c + 16, 200); /* longer than the frame */
    run(t, &p, DECODE_DLT_EN10MB, c, n);
    assert_true(has_event(&p, "ipv4.trunc_pkt"));

    memcpy(c, b, n);
    c[14] = 0x4f; /* IHL 15: 60-byte header, frame too short */
    put16(c + 16, 100);
    run(t, &p, DECODE_DLT_EN10MB, c, n);
    assert_true(has_event(&p, "ipv4.trunc_pkt"));

    memcpy(c, b, n);
    c[23] = 58; /* ICMPv6 over IPv4 */
    run(t, &p, DECODE_DLT_EN10MB, c, n);
    assert_true(has_event(&p, "ipv4.icmpv6"));
    assert_int_equal(ev_ctr(t, "ipv4.icmpv6"), 1);
    t_free(t);
}

static void test_ipv4_options(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[256];
    Packet p;
    /* RR (7, len 7, ptr 4, one slot), NOP, router alert (148, len 4), EOL */
    const uint8_t good[] = { 7, 7, 4, 0, 0, 0, 0, 1, 148, 4, 0, 0, 0, 0, 0, 0 };
    size_t o = eth_hdr(b, 0x0800);
    size_t h = ip4_hdr(b + o, 17, 8, good, sizeof good, 1, 0);
    udp_dgram(b + o + h, 1, 2, NULL, 0);
    l4_csum(b + o, 4, 17, b + o + h, 8, 6);
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + 8);
    assert_int_equal(p.n_events, 0);
    assert_int_equal(p.ip_hlen, 36);
    assert_true(p.ipopts & IPV4_OPTBIT(IPV4_OPT_RR));
    assert_true(p.ipopts & IPV4_OPTBIT(IPV4_OPT_NOP));
    assert_true(p.ipopts & IPV4_OPTBIT(IPV4_OPT_RTRALT));
    assert_true(p.ipopts & IPV4_OPTBIT(IPV4_OPT_EOL));
    assert_false(p.ipopts & IPV4_OPTBIT(IPV4_OPT_TS));
    assert_true(pkt_has(&p, PKT_HAS_UDP));

    /* option length running past the header */
    const uint8_t badlen[] = { 7, 40, 4, 0 };
    h = ip4_hdr(b + o, 17, 8, badlen, sizeof badlen, 1, 0);
    udp_dgram(b + o + h, 1, 2, NULL, 0);
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + 8);
    assert_true(has_event(&p, "ipv4.opt_invalid_len"));
    assert_true(pkt_has(&p, PKT_HAS_UDP)); /* decoding continues */

    /* duplicate router alert */
    const uint8_t dup[] = { 148, 4, 0, 0, 148, 4, 0, 0 };
    h = ip4_hdr(b + o, 17, 8, dup, sizeof dup, 1, 0);
    udp_dgram(b + o + h, 1, 2, NULL, 0);
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + 8);
    assert_true(has_event(&p, "ipv4.opt_duplicate"));

    /* length byte missing */
    const uint8_t trunc[] = { 1, 1, 1, 148 };
    h = ip4_hdr(b + o, 17, 8, trunc, sizeof trunc, 1, 0);
    udp_dgram(b + o + h, 1, 2, NULL, 0);
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + 8);
    assert_true(has_event(&p, "ipv4.opt_malformed"));

    /* route option with a bad pointer */
    const uint8_t badptr[] = { 131, 7, 2, 0, 0, 0, 0, 0 };
    h = ip4_hdr(b + o, 17, 8, badptr, sizeof badptr, 1, 0);
    udp_dgram(b + o + h, 1, 2, NULL, 0);
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + 8);
    assert_true(has_event(&p, "ipv4.opt_malformed"));

    /* unknown option type */
    const uint8_t unk[] = { 0x9e, 4, 0, 0 };
    h = ip4_hdr(b + o, 17, 8, unk, sizeof unk, 1, 0);
    udp_dgram(b + o + h, 1, 2, NULL, 0);
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + 8);
    assert_true(has_event(&p, "ipv4.opt_unknown"));
    t_free(t);
}

/* ------------------------------------------------------------ checksums */

static void check_csums(bool validate)
{
    DecodeConfig cfg;
    decode_config_defaults(&cfg);
    cfg.checksum_validate = validate;
    T *t = t_new_cfg(&cfg);
    uint8_t b[512];
    Packet p;

    size_t n = build_eth_ip4_tcp(b);
    b[24] ^= 0x01; /* IPv4 header checksum */
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_int_equal(pkt_has(&p, PKT_IPV4_CSUM_BAD), validate);
    assert_false(pkt_has(&p, PKT_L4_CSUM_BAD));
    assert_true(pkt_has(&p, PKT_HAS_TCP)); /* still decoded */

    n = build_eth_ip4_tcp(b);
    b[n - 1] ^= 0x20; /* a payload byte: TCP checksum */
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_false(pkt_has(&p, PKT_IPV4_CSUM_BAD));
    assert_int_equal(pkt_has(&p, PKT_L4_CSUM_BAD), validate);

    n = build_eth_ip4_udp(b, (const uint8_t *)"data", 4);
    b[n - 1] ^= 0x20;
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_int_equal(pkt_has(&p, PKT_L4_CSUM_BAD), validate);

    /* UDP checksum 0 over IPv4 means "not computed" */
    n = build_eth_ip4_udp(b, (const uint8_t *)"data", 4);
    put16(b + 34 + 6, 0);
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_false(pkt_has(&p, PKT_L4_CSUM_BAD));

    assert_int_equal(ctr(t, "decoder.csum_bad.ipv4"), validate ? 1 : 0);
    assert_int_equal(ctr(t, "decoder.csum_bad.tcp"), validate ? 1 : 0);
    assert_int_equal(ctr(t, "decoder.csum_bad.udp"), validate ? 1 : 0);
    t_free(t);
}

static void test_checksums_validated(void **state)
{
    (void)state;
    check_csums(true);
}

static void test_checksums_not_validated(void **state)
{
    (void)state;
    check_csums(false);
}

/* ------------------------------------------------------------- TCP, UDP */

static void test_tcp_bad(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[512];
    Packet p;
    size_t n = build_eth_ip4_tcp(b);
    b[34 + 12] = 0x40; /* data offset 4 */
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(has_event(&p, "tcp.hlen_too_small"));
    assert_false(pkt_has(&p, PKT_HAS_TCP));

    n = build_eth_ip4_tcp(b);
    b[34 + 12] = 0xf0; /* 60-byte header, segment shorter */
    /* make the segment shorter than 60 by cutting the packet and fixing the
     * IP length */
    size_t cut = 34 + 50;
    put16(b + 16, (uint16_t)(cut - 14));
    b[24] = b[25] = 0;
    put16(b + 24, fold(sum16(b + 14, 20, 0)));
    run(t, &p, DECODE_DLT_EN10MB, b, cut);
    assert_true(has_event(&p, "tcp.pkt_too_small"));

    /* MSS with length 3 and a duplicate window scale */
    const uint8_t opts[] = { 2, 3, 5, 3, 3, 2, 3, 3, 4, 0, 0, 0 };
    size_t o = eth_hdr(b, 0x0800);
    uint8_t seg[128];
    size_t sl = tcp_seg(seg, opts, sizeof opts, "x");
    size_t h = ip4_hdr(b + o, 6, sl, NULL, 0, 1, 0);
    memcpy(b + o + h, seg, sl);
    l4_csum(b + o, 4, 6, b + o + h, sl, 16);
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + sl);
    assert_true(has_event(&p, "tcp.opt_invalid_len"));
    assert_true(has_event(&p, "tcp.opt_duplicate"));
    assert_int_equal(p.tcp_wscale, 2);
    assert_int_equal(p.tcp_mss, 0);
    assert_true(pkt_has(&p, PKT_HAS_TCP));
    t_free(t);
}

static void test_udp_bad(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[256], c[256];
    Packet p;
    size_t n = build_eth_ip4_udp(b, (const uint8_t *)"abcdef", 6);

    memcpy(c, b, n);
    put16(c + 34 + 4, 4); /* UDP length < 8 */
    run(t, &p, DECODE_DLT_EN10MB, c, n);
    assert_true(has_event(&p, "udp.len_invalid"));
    assert_false(pkt_has(&p, PKT_HAS_UDP));

    memcpy(c, b, n);
    put16(c + 34 + 4, 40); /* longer than the IP payload */
    run(t, &p, DECODE_DLT_EN10MB, c, n);
    assert_true(has_event(&p, "udp.pkt_too_small"));

    memcpy(c, b, n);
    put16(c + 34 + 4, 10); /* shorter than the IP payload */
    run(t, &p, DECODE_DLT_EN10MB, c, n);
    assert_true(has_event(&p, "udp.hlen_invalid"));
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    assert_int_equal(p.payload_len, 2);

    /* only 6 bytes of UDP header */
    size_t o = eth_hdr(c, 0x0800);
    size_t h = ip4_hdr(c + o, 17, 6, NULL, 0, 1, 0);
    memset(c + o + h, 0, 6);
    run(t, &p, DECODE_DLT_EN10MB, c, o + h + 6);
    assert_true(has_event(&p, "udp.hlen_too_small"));
    t_free(t);
}

/* ----------------------------------------------------------------- VLAN */

static void test_vlan(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[256];
    Packet p;
    const uint16_t tp[] = { 0x88a8, 0x8100, 0x8100, 0x8100 };
    for (int n = 1; n <= 3; n++) {
        size_t o = vlan_stack(b, tp, n, 0x0800);
        size_t h = ip4_hdr(b + o, 17, 8, NULL, 0, 1, 0);
        udp_dgram(b + o + h, 1, 2, NULL, 0);
        l4_csum(b + o, 4, 17, b + o + h, 8, 6);
        run(t, &p, DECODE_DLT_EN10MB, b, o + h + 8);
        assert_int_equal(p.n_events, 0);
        assert_int_equal(p.n_vlan, n);
        for (int i = 0; i < n; i++)
            assert_int_equal(p.vlan_id[i], 100 + i);
        assert_true(pkt_has(&p, PKT_HAS_VLAN | PKT_HAS_UDP));
        assert_int_equal(p.l3_off, 14 + 4 * n);
        assert_int_equal(p.eth_type, 0x0800);
    }
    assert_int_equal(ctr(t, "decoder.vlan"), 3);
    assert_int_equal(ctr(t, "decoder.vlan_qinq"), 2);
    assert_int_equal(ctr(t, "decoder.vlan_qinqinq"), 1);

    size_t o = vlan_stack(b, tp, 4, 0x0800);
    run(t, &p, DECODE_DLT_EN10MB, b, o + 20);
    assert_true(has_event(&p, "vlan.too_many_layers"));
    assert_false(pkt_has(&p, PKT_HAS_IPV4));

    o = vlan_stack(b, tp, 1, 0x0800);
    run(t, &p, DECODE_DLT_EN10MB, b, 16); /* tag cut in half */
    assert_true(has_event(&p, "vlan.header_too_small"));

    o = vlan_stack(b, tp, 1, 0x1234);
    run(t, &p, DECODE_DLT_EN10MB, b, o + 10);
    assert_true(has_event(&p, "vlan.unknown_type"));
    t_free(t);
}

/* ------------------------------------------------------------------ ARP */

static void test_arp(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[64];
    Packet p;
    size_t o = eth_hdr(b, 0x0806);
    put16(b + o, 1);
    put16(b + o + 2, 0x0800);
    b[o + 4] = 6;
    b[o + 5] = 4;
    put16(b + o + 6, 1);
    memcpy(b + o + 8, MAC_A, 6);
    memcpy(b + o + 14, IP_A, 4);
    memset(b + o + 18, 0, 6);
    memcpy(b + o + 24, IP_B, 4);
    run(t, &p, DECODE_DLT_EN10MB, b, o + 28);
    assert_true(pkt_has(&p, PKT_HAS_ARP));
    assert_int_equal(p.arp_op, 1);
    assert_memory_equal(p.arp_sha, MAC_A, 6);
    assert_memory_equal(p.arp_spa, IP_A, 4);
    assert_memory_equal(p.arp_tpa, IP_B, 4);
    assert_int_equal(p.n_events, 0);
    assert_int_equal(ctr(t, "decoder.arp"), 1);

    run(t, &p, DECODE_DLT_EN10MB, b, o + 20);
    assert_true(has_event(&p, "arp.pkt_too_small"));
    assert_false(pkt_has(&p, PKT_HAS_ARP));

    b[o + 4] = 8;
    run(t, &p, DECODE_DLT_EN10MB, b, o + 28);
    assert_true(has_event(&p, "arp.invalid_hardware_size"));
    b[o + 4] = 6;
    put16(b + o + 6, 9);
    run(t, &p, DECODE_DLT_EN10MB, b, o + 28);
    assert_true(has_event(&p, "arp.unsupported_opcode"));
    t_free(t);
}

/* ----------------------------------------------------------------- IPv6 */

/* Eth / IPv6 / ext headers (raw bytes, first one named by nh) / UDP. */
static void test_ipv6_ext_chain(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[512];
    Packet p;
    /* hop-by-hop (router alert) -> routing type 2 -> dest opts (PadN +
     * tunnel limit) -> atomic fragment -> UDP */
    const uint8_t ext[] = {
        43, 0, 5, 2, 0, 0, 1, 0,                /* HBH: RA, PadN 0 */
        60, 2, 2, 1, 0, 0, 0, 0,                /* RH type 2, segleft 1 */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        44, 0, 4, 1, 5, 1, 0, 0,                /* DST: tunnel limit, PadN 0 */
        17, 0, 0, 0, 0, 0, 0, 9,                /* FH: offset 0, M 0 */
    };
    size_t n = build_ip6_udp(b, 0, ext, sizeof ext, "six");
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(pkt_has(&p, PKT_HAS_IPV6 | PKT_HAS_UDP));
    assert_false(pkt_has(&p, PKT_IS_FRAGMENT));
    assert_int_equal(p.ip6_exthdrs, IPV6_EXT_HOPOPTS | IPV6_EXT_ROUTING | IPV6_EXT_DSTOPTS |
                                        IPV6_EXT_FRAGMENT);
    assert_int_equal(p.ip_hlen, 40 + sizeof ext);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.l4_off, 14 + 40 + sizeof ext);
    assert_int_equal(p.payload_len, 3);
    assert_true(has_event(&p, "ipv6.exthdr_useless_fh"));
    assert_false(pkt_has(&p, PKT_L4_CSUM_BAD));
    assert_memory_equal(p.src.b, IP6_A, 16);

    /* extension header running past the packet */
    const uint8_t cut[] = { 17, 4, 0, 0, 0, 0, 0, 0 };
    n = build_ip6_udp(b, 60, cut, sizeof cut, "");
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(has_event(&p, "ipv6.trunc_exthdr"));
    assert_false(pkt_has(&p, PKT_HAS_UDP));

    /* routing type 0, duplicated */
    const uint8_t rh0[] = { 43, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0 };
    n = build_ip6_udp(b, 43, rh0, sizeof rh0, "");
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(has_event(&p, "ipv6.rh_type_0"));
    assert_true(has_event(&p, "ipv6.exthdr_dupl_rh"));
    assert_true(pkt_has(&p, PKT_HAS_UDP));

    /* hop-by-hop with only padding */
    const uint8_t pad[] = { 17, 0, 1, 4, 0, 0, 0, 0 };
    n = build_ip6_udp(b, 0, pad, sizeof pad, "");
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(has_event(&p, "ipv6.hopopts_only_padding"));

    /* option length past the header */
    const uint8_t badopt[] = { 17, 0, 0x05, 9, 0, 0, 0, 0 };
    n = build_ip6_udp(b, 0, badopt, sizeof badopt, "");
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(has_event(&p, "ipv6.exthdr_invalid_optlen"));

    /* AH with non-zero reserved, then UDP */
    const uint8_t ah[] = { 17, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 };
    n = build_ip6_udp(b, 51, ah, sizeof ah, "ah");
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(p.ip6_exthdrs & IPV6_EXT_AH);
    assert_true(has_event(&p, "ipv6.exthdr_ah_res_not_null"));
    assert_true(pkt_has(&p, PKT_HAS_UDP));

    /* ESP ends the walk */
    const uint8_t esp[] = { 0, 0, 1, 0, 0, 0, 0, 1 };
    n = build_ip6_udp(b, 50, esp, sizeof esp, "");
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(p.ip6_exthdrs & IPV6_EXT_ESP);
    assert_int_equal(p.ip_proto, 50);
    assert_false(pkt_has(&p, PKT_HAS_UDP));

    /* No Next Header followed by data */
    n = build_ip6_udp(b, 59, NULL, 0, "zz");
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(has_event(&p, "ipv6.data_after_none_header"));
    assert_int_equal(p.ip_proto, 59);

    /* payload length past the frame */
    n = build_ip6_udp(b, 17, NULL, 0, "abc");
    put16(b + 14 + 4, 300);
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(has_event(&p, "ipv6.trunc_pkt"));

    n = build_ip6_udp(b, 17, NULL, 0, "abc");
    run(t, &p, DECODE_DLT_EN10MB, b, 14 + 30);
    assert_true(has_event(&p, "ipv6.pkt_too_small"));

    b[14] = 0x40;
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(has_event(&p, "ipv6.wrong_ip_version"));
    t_free(t);
}

/* ----------------------------------------------------------------- ICMP */

static void test_icmpv4(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[256];
    Packet p;
    /* echo request id 0x1234 seq 7 */
    size_t o = eth_hdr(b, 0x0800);
    size_t h = ip4_hdr(b + o, 1, 12, NULL, 0, 1, 0);
    uint8_t *ic = b + o + h;
    memset(ic, 0, 12);
    ic[0] = 8;
    put16(ic + 4, 0x1234);
    put16(ic + 6, 7);
    memcpy(ic + 8, "ping", 4);
    put16(ic + 2, fold(sum16(ic, 12, 0)));
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + 12);
    assert_true(pkt_has(&p, PKT_HAS_ICMPV4));
    assert_int_equal(p.icmp_type, 8);
    assert_int_equal(p.icmp_id, 0x1234);
    assert_int_equal(p.icmp_seq, 7);
    assert_int_equal(p.payload_len, 4);
    assert_int_equal(p.n_events, 0);
    assert_false(pkt_has(&p, PKT_L4_CSUM_BAD));

    /* port unreachable quoting IPv4 + UDP 5353 -> 53 (the reverse direction) */
    uint8_t q[64];
    size_t qh = ip4_hdr(q, 17, 8, NULL, 0, 9, 0);
    memcpy(q + 12, IP_B, 4);
    memcpy(q + 16, IP_A, 4);
    udp_dgram(q + qh, 5353, 53, NULL, 0);
    h = ip4_hdr(b + o, 1, 8 + qh + 8, NULL, 0, 2, 0);
    ic = b + o + h;
    memset(ic, 0, 8);
    ic[0] = 3;
    ic[1] = 3;
    memcpy(ic + 8, q, qh + 8);
    put16(ic + 2, fold(sum16(ic, 8 + qh + 8, 0)));
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + 8 + qh + 8);
    assert_true(pkt_has(&p, PKT_HAS_ICMPV4 | PKT_HAS_ICMP_INNER));
    assert_int_equal(p.icmp_inner.ip_ver, 4);
    assert_int_equal(p.icmp_inner.proto, 17);
    assert_memory_equal(p.icmp_inner.src.b, IP_B, 4);
    assert_memory_equal(p.icmp_inner.dst.b, IP_A, 4);
    assert_true(p.icmp_inner.has_ports);
    assert_int_equal(p.icmp_inner.sp, 5353);
    assert_int_equal(p.icmp_inner.dp, 53);
    assert_int_equal(p.n_events, 0);
    assert_false(pkt_has(&p, PKT_L4_CSUM_BAD));

    /* the quote cut short: an event, the ICMP layer stays */
    h = ip4_hdr(b + o, 1, 8 + 12, NULL, 0, 2, 0);
    ic = b + o + h;
    memset(ic, 0, 8);
    ic[0] = 11;
    memcpy(ic + 8, q, 12);
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + 20);
    assert_true(has_event(&p, "icmpv4.ipv4_trunc_pkt"));
    assert_true(pkt_has(&p, PKT_HAS_ICMPV4));
    assert_false(pkt_has(&p, PKT_HAS_ICMP_INNER));

    /* unknown type, unknown code, too small */
    ic[0] = 42;
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + 20);
    assert_true(has_event(&p, "icmpv4.unknown_type"));
    ic[0] = 3;
    ic[1] = 99;
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + 20);
    assert_true(has_event(&p, "icmpv4.unknown_code"));
    h = ip4_hdr(b + o, 1, 6, NULL, 0, 2, 0);
    run(t, &p, DECODE_DLT_EN10MB, b, o + h + 6);
    assert_true(has_event(&p, "icmpv4.pkt_too_small"));
    t_free(t);
}

static void test_icmpv6(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[256];
    Packet p;
    size_t o = eth_hdr(b, 0x86dd);
    /* echo request */
    ip6_hdr(b + o, 58, 12);
    uint8_t *ic = b + o + 40;
    memset(ic, 0, 12);
    ic[0] = 128;
    put16(ic + 4, 77);
    put16(ic + 6, 3);
    l4_csum(b + o, 6, 58, ic, 12, 2);
    run(t, &p, DECODE_DLT_EN10MB, b, o + 52);
    assert_true(pkt_has(&p, PKT_HAS_ICMPV6));
    assert_int_equal(p.icmp_id, 77);
    assert_int_equal(p.icmp_seq, 3);
    assert_false(pkt_has(&p, PKT_L4_CSUM_BAD));
    assert_int_equal(p.n_events, 0);
    ic[9] ^= 1;
    run(t, &p, DECODE_DLT_EN10MB, b, o + 52);
    assert_true(pkt_has(&p, PKT_L4_CSUM_BAD));

    /* destination unreachable quoting IPv6 + UDP */
    uint8_t q[48];
    ip6_hdr(q, 17, 8);
    udp_dgram(q + 40, 3000, 4000, NULL, 0);
    ip6_hdr(b + o, 58, 8 + 48);
    ic = b + o + 40;
    memset(ic, 0, 8);
    ic[0] = 1;
    ic[1] = 4;
    memcpy(ic + 8, q, 48);
    l4_csum(b + o, 6, 58, ic, 56, 2);
    run(t, &p, DECODE_DLT_EN10MB, b, o + 40 + 56);
    assert_true(pkt_has(&p, PKT_HAS_ICMP_INNER));
    assert_int_equal(p.icmp_inner.ip_ver, 6);
    assert_int_equal(p.icmp_inner.proto, 17);
    assert_int_equal(p.icmp_inner.sp, 3000);
    assert_int_equal(p.icmp_inner.dp, 4000);
    assert_memory_equal(p.icmp_inner.src.b, IP6_A, 16);
    assert_int_equal(p.n_events, 0);

    /* quote too short; MLD with hop limit 64; unassigned type */
    ip6_hdr(b + o, 58, 8 + 20);
    run(t, &p, DECODE_DLT_EN10MB, b, o + 40 + 28);
    assert_true(has_event(&p, "icmpv6.ipv6_trunc_pkt"));
    ic[0] = 130;
    ic[1] = 0;
    run(t, &p, DECODE_DLT_EN10MB, b, o + 40 + 28);
    assert_true(has_event(&p, "icmpv6.mld_message_with_invalid_hl"));
    ic[0] = 50;
    run(t, &p, DECODE_DLT_EN10MB, b, o + 40 + 28);
    assert_true(has_event(&p, "icmpv6.unassigned_type"));
    ic[0] = 200;
    run(t, &p, DECODE_DLT_EN10MB, b, o + 40 + 28);
    assert_true(has_event(&p, "icmpv6.experimentation_type"));
    t_free(t);
}

/* ------------------------------------------------------------ link types */

static void test_link_types(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t e[256], b[300];
    size_t n = build_eth_ip4_udp(e, (const uint8_t *)"x", 1);
    const uint8_t *ip = e + 14;
    size_t iplen = n - 14;
    Packet p;

    const int raw[] = { DECODE_DLT_RAW, DECODE_DLT_LINKTYPE_RAW, DECODE_DLT_IPV4 };
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        run(t, &p, raw[i], ip, iplen);
        assert_true(pkt_has(&p, PKT_HAS_IPV4 | PKT_HAS_UDP));
        assert_int_equal(p.l3_off, 0);
        assert_false(pkt_has(&p, PKT_HAS_ETH));
    }
    uint8_t bad = 0x50;
    run(t, &p, DECODE_DLT_RAW, &bad, 1);
    assert_true(has_event(&p, "ipraw.invalid_ip_version"));

    /* IPv6 on LINKTYPE_IPV6 */
    uint8_t v6[128];
    size_t n6 = build_ip6_udp(v6, 17, NULL, 0, "q");
    run(t, &p, DECODE_DLT_IPV6, v6 + 14, n6 - 14);
    assert_true(pkt_has(&p, PKT_HAS_IPV6 | PKT_HAS_UDP));

    /* Linux cooked v1 */
    memset(b, 0, 16);
    put16(b + 2, 1);
    put16(b + 14, 0x0800);
    memcpy(b + 16, ip, iplen);
    run(t, &p, DECODE_DLT_LINUX_SLL, b, 16 + iplen);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 16);
    run(t, &p, DECODE_DLT_LINUX_SLL, b, 10);
    assert_true(has_event(&p, "sll.pkt_too_small"));

    /* Linux cooked v2 */
    memset(b, 0, 20);
    put16(b, 0x86dd);
    put16(b + 8, 1);
    memcpy(b + 20, v6 + 14, n6 - 14);
    run(t, &p, DECODE_DLT_LINUX_SLL2, b, 20 + n6 - 14);
    assert_true(pkt_has(&p, PKT_HAS_IPV6 | PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 20);

    /* BSD null, both byte orders, and loop */
    const uint8_t af_le[4] = { 2, 0, 0, 0 }, af_be[4] = { 0, 0, 0, 2 };
    const uint8_t af6_le[4] = { 30, 0, 0, 0 }, af_odd[4] = { 0, 0, 0, 99 };
    memcpy(b, af_le, 4);
    memcpy(b + 4, ip, iplen);
    run(t, &p, DECODE_DLT_NULL, b, 4 + iplen);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    memcpy(b, af_be, 4);
    run(t, &p, DECODE_DLT_NULL, b, 4 + iplen);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    run(t, &p, DECODE_DLT_LOOP, b, 4 + iplen);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    memcpy(b, af6_le, 4);
    memcpy(b + 4, v6 + 14, n6 - 14);
    run(t, &p, DECODE_DLT_NULL, b, 4 + n6 - 14);
    assert_true(pkt_has(&p, PKT_HAS_IPV6 | PKT_HAS_UDP));
    memcpy(b, af_odd, 4);
    run(t, &p, DECODE_DLT_NULL, b, 4 + iplen);
    assert_true(has_event(&p, "ltnull.unsupported_type"));
    run(t, &p, DECODE_DLT_NULL, b, 3);
    assert_true(has_event(&p, "ltnull.pkt_too_small"));

    /* PPP with and without address/control */
    const uint8_t ppp_ac[4] = { 0xff, 0x03, 0x00, 0x21 };
    memcpy(b, ppp_ac, 4);
    memcpy(b + 4, ip, iplen);
    run(t, &p, DECODE_DLT_PPP, b, 4 + iplen);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 4);
    b[3] = 0x21; /* compressed protocol field, no address/control */
    run(t, &p, DECODE_DLT_PPP, b + 3, 1 + iplen);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 1);
    const uint8_t lcp[4] = { 0xff, 0x03, 0xc0, 0x21 };
    memcpy(b, lcp, 4);
    run(t, &p, DECODE_DLT_PPP, b, 10);
    assert_true(has_event(&p, "ppp.unsup_proto"));

    /* Cisco HDLC */
    b[0] = 0x0f;
    b[1] = 0;
    put16(b + 2, 0x0800);
    memcpy(b + 4, ip, iplen);
    run(t, &p, DECODE_DLT_C_HDLC, b, 4 + iplen);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 4);
    run(t, &p, DECODE_DLT_C_HDLC, b, 3);
    assert_true(has_event(&p, "chdlc.pkt_too_small"));
    /* ... and on a link labelled PPP (Cisco routers do that) */
    run(t, &p, DECODE_DLT_PPP, b, 4 + iplen);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 4);

    /* 802.1ah: I-TAG + customer addresses, then IPv4 */
    size_t o = eth_hdr(b, 0x88e7);
    memset(b + o, 0, 16);
    put16(b + o + 16, 0x0800);
    memcpy(b + o + 18, ip, iplen);
    run(t, &p, DECODE_DLT_EN10MB, b, o + 18 + iplen);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 32);
    run(t, &p, DECODE_DLT_EN10MB, b, o + 10);
    assert_true(has_event(&p, "ieee8021ah.header_too_small"));

    /* radiotap (minimal 8 bytes) + 802.11 QoS data FromDS + LLC/SNAP + IPv4 */
    memset(b, 0, 8);
    b[2] = 8;
    uint8_t *w = b + 8;
    memset(w, 0, 26);
    w[0] = 0x88; /* type data, subtype QoS data */
    w[1] = 0x02; /* FromDS */
    const uint8_t snap[8] = { 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00 };
    memcpy(w + 26, snap, 8);
    memcpy(w + 34, ip, iplen);
    run(t, &p, DECODE_DLT_IEEE802_11_RADIO, b, 8 + 34 + iplen);
    assert_true(pkt_has(&p, PKT_HAS_IPV4 | PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 42);
    run(t, &p, DECODE_DLT_IEEE802_11, w, 34 + iplen);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    run(t, &p, DECODE_DLT_IEEE802_11, w, 20);
    assert_true(has_event(&p, "wifi.pkt_too_small"));
    w[1] = 0x42; /* protected: nothing to decode, no event */
    run(t, &p, DECODE_DLT_IEEE802_11, w, 34 + iplen);
    assert_false(pkt_has(&p, PKT_HAS_IPV4));
    assert_int_equal(p.n_events, 0);
    b[2] = 200; /* radiotap longer than the packet */
    run(t, &p, DECODE_DLT_IEEE802_11_RADIO, b, 8 + 34 + iplen);
    assert_true(has_event(&p, "wifi.pkt_too_small"));

    /* an unsupported link type is counted, not decoded */
    assert_false(decode_datalink_supported(147));
    run(t, &p, 147, e, n);
    assert_int_equal(p.flags, 0);
    assert_int_equal(ctr(t, "decoder.unknown_datalink"), 1);
    assert_true(decode_datalink_supported(DECODE_DLT_LINUX_SLL2));
    assert_int_equal(ctr(t, "decoder.sll"), 2);
    assert_int_equal(ctr(t, "decoder.sll2"), 1);
    assert_int_equal(ctr(t, "decoder.null"), 6);
    t_free(t);
}

/* ----------------------------------------------------------------- events */

static void test_event_names(void **state)
{
    (void)state;
    for (int i = 1; i < PKT_EV_MAX; i++) {
        const char *n = decode_event_name(i);
        assert_non_null(n);
        assert_int_equal(decode_event_by_name(n), i);
    }
    assert_int_equal(decode_event_by_name("ipv4.trunc_pkt"), PKT_EV_IPV4_TRUNC_PKT);
    assert_string_equal(decode_event_name(PKT_EV_TCP_HLEN_TOO_SMALL), "tcp.hlen_too_small");
    assert_int_equal(decode_event_by_name("no.such_event"), -1);
    assert_int_equal(decode_event_by_name("none"), -1);
    assert_int_equal(decode_event_by_name(NULL), -1);
    assert_null(decode_event_name(-1));
    assert_null(decode_event_name(PKT_EV_MAX));
    /* every event has its counter once a context exists */
    T *t = t_new();
    assert_true(stats_find("decoder.event.ipv6.trunc_exthdr") >= 0);
    assert_true(stats_find("decoder.event.vlan.header_too_small") >= 0);
    t_free(t);
}

/* An event list that overflows keeps the first PKT_MAX_EVENTS but counts all. */
static void test_event_overflow(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[512];
    /* IPv4 options with many distinct problems plus UDP hlen_invalid ... is
     * fiddly; use IPv6 with every kind of event-only condition instead. */
    const uint8_t ext[] = {
        60, 0, 0x33, 0, 1, 0, 0, 0,           /* HBH: unknown opt, zero PadN */
        43, 0, 0x44, 0, 1, 0, 0, 0,           /* DST: unknown opt, zero PadN */
        60, 0, 0, 0, 0, 0, 0, 0,              /* RH type 0 */
        43, 0, 1, 4, 0, 0, 0, 0,              /* DST again: only padding */
        44, 0, 0, 0, 0, 0, 0, 0,              /* RH again: dup, type 0 */
        0, 1, 0, 0, 0, 0, 0, 1,               /* FH: reserved set, atomic */
        17, 0, 1, 4, 0, 0, 0, 0,              /* HBH again: dup, only padding */
    };
    size_t n = build_ip6_udp(b, 0, ext, sizeof ext, "");
    Packet p;
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_int_equal(p.n_events, PKT_MAX_EVENTS);
    uint64_t total = 0;
    for (int i = 1; i < PKT_EV_MAX; i++)
        total += ev_ctr(t, decode_event_name(i));
    assert_int_equal(total, PKT_MAX_EVENTS + 2);
    assert_true(has_event(&p, "ipv6.hopopts_unknown_opt")); /* the first ones are kept */
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    t_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eth_ipv4_tcp),
        cmocka_unit_test(test_ethernet_padding),
        cmocka_unit_test(test_truncated_every_offset),
        cmocka_unit_test(test_snaplen_truncation),
        cmocka_unit_test(test_prefixes_of_other_shapes),
        cmocka_unit_test(test_ipv4_bad_headers),
        cmocka_unit_test(test_ipv4_options),
        cmocka_unit_test(test_checksums_validated),
        cmocka_unit_test(test_checksums_not_validated),
        cmocka_unit_test(test_tcp_bad),
        cmocka_unit_test(test_udp_bad),
        cmocka_unit_test(test_vlan),
        cmocka_unit_test(test_arp),
        cmocka_unit_test(test_ipv6_ext_chain),
        cmocka_unit_test(test_icmpv4),
        cmocka_unit_test(test_icmpv6),
        cmocka_unit_test(test_link_types),
        cmocka_unit_test(test_event_names),
        cmocka_unit_test(test_event_overflow),
    };
    int failed = cmocka_run_group_tests_name("decode layers", tests, NULL, NULL);
    failed += _cmocka_run_group_tests("decode fragments and tunnels", tdec_frag_tests,
                                      tdec_n_frag_tests, NULL, NULL);
    failed += _cmocka_run_group_tests("decode checksum and agreement sweep", tdec_sweep_tests,
                                      tdec_n_sweep_tests, NULL, NULL);
    return failed;
}
