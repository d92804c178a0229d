/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_decode_sweep.c: unit tests for what the performance work and the full
 * agreement sweep (tests/agreement/agree.py --all, docs/AGREEMENT.md) changed
 * in src/decode: the word-at-a-time Internet checksum, compared with a plain
 * byte-pair sum over every length and alignment; Cisco HDLC on BSD-null
 * links; MPLS over PPP; NSH (RFC 8300); Geneve from either port;
 * LLC/SNAP. main() in test_decode.c runs this
 * group after the others.
 */
#include "tdec.h"

#include <string.h>

#include "decode/decode_int.h"
#include "lib/reader.h"

/* The checksum sum the slow, obvious way: big-endian 16-bit words, a last
 * odd byte as the high half of a word. */
static uint64_t slow_sum(const uint8_t *b, size_t n)
{
    uint64_t s = 0;
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        s += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (i < n)
        s += (uint32_t)b[i] << 8;
    return s;
}

static void test_csum_matches_plain_sum(void **state)
{
    (void)state;
    uint8_t buf[300];
    uint32_t x = 0x12345678u;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    /* every length and start offset (alignment), and all-ones data, which
     * makes the most carries */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            memset(buf, 0xff, sizeof buf);
        for (size_t off = 0; off < 9; off++) {
            for (size_t len = 0; len + off <= sizeof buf; len++) {
                Reader r = rd_init(buf + off, len);
                uint64_t got = decode_csum_add(7, &r);
                assert_int_equal(rd_left(&r), 0);
                assert_true(rd_ok(&r));
                assert_int_equal(decode_csum_fold(got), decode_csum_fold(7 + slow_sum(buf + off, len)));
            }
        }
    }
}

/* A known value: the often-quoted IPv4 header 4500 0073 0000 4000 4011 ....
 * c0a8 0001 c0a8 00c7 has checksum 0xb861; filled in, the header sums to
 * 0xffff through decode_csum_add. */
static void test_csum_ipv4_header_verifies(void **state)
{
    (void)state;
    uint8_t h[20] = { 0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0, 0,
                      0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7 };
    uint16_t c = (uint16_t)~decode_csum_fold(slow_sum(h, sizeof h));
    assert_int_equal(c, 0xb861);
    h[10] = (uint8_t)(c >> 8);
    h[11] = (uint8_t)c;
    Reader r = rd_init(h, sizeof h);
    assert_int_equal(decode_csum_fold(decode_csum_add(0, &r)), 0xffff);
}

/* ------------------------------------------ encapsulations the sweep found */

/* IPv4/UDP ("x") without a link layer, into b; returns its length. */
static size_t ip4_udp(uint8_t *b)
{
    uint8_t e[128];
    size_t n = build_eth_ip4_udp(e, (const uint8_t *)"x", 1);
    memcpy(b, e + 14, n - 14);
    return n - 14;
}

/* pcapplusplus NullLoopback.pcap: Cisco HDLC (0f 00 0800) on a link
 * labelled BSD loopback. */
static void test_null_carrying_cisco_hdlc(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[200];
    const uint8_t hdr[4] = { 0x0f, 0x00, 0x08, 0x00 };
    memcpy(b, hdr, 4);
    size_t n = 4 + ip4_udp(b + 4);
    Packet p;
    run(t, &p, DECODE_DLT_NULL, b, n);
    assert_true(pkt_has(&p, PKT_HAS_IPV4 | PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 4);
    assert_int_equal(ctr(t, "decoder.chdlc"), 1);
    b[0] = 0x8f; /* broadcast address */
    run(t, &p, DECODE_DLT_NULL, b, n);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    /* an ordinary AF_INET header is still BSD null */
    const uint8_t af[4] = { 2, 0, 0, 0 };
    memcpy(b, af, 4);
    run(t, &p, DECODE_DLT_NULL, b, n);
    assert_true(pkt_has(&p, PKT_HAS_UDP));
    assert_int_equal(ctr(t, "decoder.chdlc"), 2);
    /* 0f 00 with no ethertype behind it is not HDLC: an unsupported AF */
    const uint8_t odd[4] = { 0x0f, 0x00, 0x00, 0x00 };
    memcpy(b, odd, 4);
    run(t, &p, DECODE_DLT_NULL, b, n);
    assert_true(has_event(&p, "ltnull.unsupported_type"));
    assert_false(pkt_has(&p, PKT_HAS_IPV4));
    t_free(t);
}

/* tcpdump mpls-traceroute.pcap, lspping-fec-*.pcap: MPLS over PPP
 * (protocol 0x0281), here with a label past the reserved range. */
static void test_ppp_carrying_mpls(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[200];
    const uint8_t hdr[8] = { 0xff, 0x03, 0x02, 0x81,      /* PPP, MPLS unicast */
                             0x18, 0x96, 0x01, 0x40 };    /* label 100704, S, TTL 64 */
    memcpy(b, hdr, 8);
    size_t n = 8 + ip4_udp(b + 8);
    Packet p;
    run(t, &p, DECODE_DLT_PPP_SERIAL, b, n);
    assert_true(pkt_has(&p, PKT_HAS_IPV4 | PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 8);
    assert_int_equal(ctr(t, "decoder.mpls"), 1);
    assert_int_equal(p.n_events, 0);
    /* cut inside the label stack: an MPLS event, no IP */
    run(t, &p, DECODE_DLT_PPP_SERIAL, b, 6);
    assert_true(has_event(&p, "mpls.header_too_small"));
    assert_false(pkt_has(&p, PKT_HAS_IPV4));
    t_free(t);
}

/* Ethernet / NSH (base + service path + md) / payload, into b. */
static size_t eth_nsh(uint8_t *b, uint8_t ver, uint8_t len_words, uint8_t md_type,
                      uint8_t next, const uint8_t *payload, size_t n)
{
    size_t o = eth_hdr(b, 0x894f);
    memset(b + o, 0, (size_t)len_words * 4);
    put16(b + o, (uint16_t)((ver << 14) | (63u << 6) | len_words)); /* TTL 63 */
    b[o + 2] = md_type;
    b[o + 3] = next;
    put32(b + o + 4, 0x00002aff); /* SPI 42, SI 255 */
    o += (size_t)len_words * 4;
    memcpy(b + o, payload, n);
    return o + n;
}

/* tcpdump nsh.pcap: RFC 8300 NSH, as Suricata decodes it. */
static void test_nsh(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t ip[128], inner[160], b[300];
    size_t nip = ip4_udp(ip);
    Packet p;

    /* MD type 1 (24-byte header), IPv4 */
    size_t n = eth_nsh(b, 0, 6, 1, 1, ip, nip);
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(pkt_has(&p, PKT_HAS_IPV4 | PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 14 + 24);
    assert_int_equal(p.n_events, 0);
    assert_int_equal(ctr(t, "decoder.nsh"), 1);

    /* MD type 2 without metadata (8 bytes), Ethernet inside */
    size_t ni = build_eth_ip4_udp(inner, (const uint8_t *)"x", 1);
    n = eth_nsh(b, 0, 2, 2, 3, inner, ni);
    run(t, &p, DECODE_DLT_EN10MB, b, n);
    assert_true(pkt_has(&p, PKT_HAS_IPV4 | PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 14 + 8 + 14);

    /* broken headers: an event each, no IP */
    struct { uint8_t ver, words, md, next; const char *ev; } bad[] = {
        { 1, 6, 1, 1, "nsh.unsupported_version" },
        { 0, 1, 2, 1, "nsh.bad_header_length" },
        { 0, 5, 1, 1, "nsh.bad_header_length" },   /* MD type 1 must be 6 words */
        { 0, 6, 0, 1, "nsh.reserved_type" },
        { 0, 6, 15, 1, "nsh.reserved_type" },
        { 0, 6, 3, 1, "nsh.unsupported_type" },
        { 0, 6, 1, 4, "nsh.unsupported_type" },    /* NSH in NSH */
        { 0, 6, 1, 9, "nsh.unknown_payload" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = eth_nsh(b, bad[i].ver, bad[i].words, bad[i].md, bad[i].next, ip, nip);
        run(t, &p, DECODE_DLT_EN10MB, b, n);
        if (!has_event(&p, bad[i].ev))
            fail_msg("case %zu: no %s", i, bad[i].ev);
        assert_false(pkt_has(&p, PKT_HAS_IPV4));
    }
    /* a header longer than the frame, and a frame cut inside the base header */
    n = eth_nsh(b, 0, 63, 2, 1, ip, 0);
    run(t, &p, DECODE_DLT_EN10MB, b, 14 + 40);
    assert_true(has_event(&p, "nsh.bad_header_length"));
    run(t, &p, DECODE_DLT_EN10MB, b, 14 + 5);
    assert_true(has_event(&p, "nsh.header_too_small"));
    (void)n;
    t_free(t);
}

/* arkime_synthetic.pcap: a Geneve reply goes from UDP port 6081 to the
 * sender's port; it is decoded as Geneve like the request (Suricata looks
 * at both ports). */
static void test_geneve_either_port(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t inner[128], gen[200], b[300];
    size_t ni = ip4_udp(inner);
    const uint8_t ghdr[8] = { 0x00, 0x00, 0x08, 0x00, 0x12, 0x34, 0x56, 0x00 }; /* IPv4, VNI */
    memcpy(gen, ghdr, 8);
    memcpy(gen + 8, inner, ni);
    const uint16_t ports[2][2] = { { 12345, 6081 }, { 6081, 12345 } };
    for (int i = 0; i < 2; i++) {
        size_t o = eth_hdr(b, 0x0800);
        size_t h = ip4_hdr(b + o, 17, 8 + 8 + ni, NULL, 0, 9, 0);
        size_t ul = udp_dgram(b + o + h, ports[i][0], ports[i][1], gen, 8 + ni);
        l4_csum(b + o, 4, 17, b + o + h, ul, 6);
        Packet p;
        Packet *chain = run(t, &p, DECODE_DLT_EN10MB, b, o + h + ul);
        assert_non_null(chain);
        assert_true(pkt_has(chain, PKT_HAS_IPV4 | PKT_HAS_UDP));
        assert_int_equal(chain->sp, 5353);
        assert_int_equal(chain->dp, 53);
        decode_packet_free(t->ctx, chain);
    }
    assert_int_equal(ctr(t, "decoder.geneve"), 2);
    t_free(t);
}

/* zeek-traces snap-tcp.pcap: IPv4 in 802.3 + LLC/SNAP (RFC 1042). */
static void test_llc_snap(void **state)
{
    (void)state;
    T *t = t_new();
    uint8_t b[200];
    size_t ni = ip4_udp(b + 22);
    size_t o = eth_hdr(b, (uint16_t)(8 + ni)); /* an 802.3 length */
    const uint8_t snap[8] = { 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00 };
    memcpy(b + o, snap, 8);
    Packet p;
    run(t, &p, DECODE_DLT_EN10MB, b, 22 + ni);
    assert_true(pkt_has(&p, PKT_HAS_IPV4 | PKT_HAS_UDP));
    assert_int_equal(p.l3_off, 22);
    assert_int_equal(p.eth_type, 0x0800);
    /* another OUI, or plain LLC (STP): not decoded, no event */
    b[o + 5] = 0x0c;
    run(t, &p, DECODE_DLT_EN10MB, b, 22 + ni);
    assert_false(pkt_has(&p, PKT_HAS_IPV4));
    assert_int_equal(p.n_events, 0);
    b[o + 5] = 0;
    b[o] = 0x42;
    b[o + 1] = 0x42;
    run(t, &p, DECODE_DLT_EN10MB, b, 22 + ni);
    assert_false(pkt_has(&p, PKT_HAS_IPV4));
    /* SNAP cut short: nothing decoded, nothing read past the end */
    b[o] = b[o + 1] = 0xaa;
    run(t, &p, DECODE_DLT_EN10MB, b, 14 + 7);
    assert_false(pkt_has(&p, PKT_HAS_IPV4));
    t_free(t);
}

const struct CMUnitTest tdec_sweep_tests[] = {
    cmocka_unit_test(test_csum_matches_plain_sum),
    cmocka_unit_test(test_csum_ipv4_header_verifies),
    cmocka_unit_test(test_null_carrying_cisco_hdlc),
    cmocka_unit_test(test_ppp_carrying_mpls),
    cmocka_unit_test(test_nsh),
    cmocka_unit_test(test_geneve_either_port),
    cmocka_unit_test(test_llc_snap),
};
const size_t tdec_n_sweep_tests = sizeof tdec_sweep_tests / sizeof tdec_sweep_tests[0];
