/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_detect_kw.c: unit tests for the keywords added in session 2 --
 * xbits / hostbits, stream_size, base64_decode / base64_data, asn1, tag,
 * tls.version, dns.opcode, app-layer-event, byte_test's 0-byte string form,
 * the load-failure reasons of ssh_proto / ftpbounce -- the per-port
 * rule groups, and content_find's anchored search.
 *
 * Rules are loaded from text (detect_engine_new_from_text); packets are
 * built by hand; stream_size, dns.opcode, app-layer-event and tls.version
 * run over real stream/ and applayer/ state fed through their public APIs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applayer/applayer.h"
#include "applayer/dns/dns.h"
#include "applayer/tls/tls.h"
#include "core/config.h"
#include "core/log.h"
#include "core/stats.h"
#include "detect/detect.h"
#include "detect/keywords/asn1.h"
#include "detect/keywords/base64.h"
#include "detect/keywords/content.h"
#include "stream/stream.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static DetectEngine *load(const char *rules)
{
    DetectEngine *de = detect_engine_new_from_text(NULL, rules, strlen(rules), "test.rules");
    assert_non_null(de);
    return de;
}

static void set_ip4(IpAddr *a, const char *s)
{
    memset(a, 0, sizeof *a);
    assert_int_equal(inet_pton(AF_INET, s, a->b), 1);
}

static Packet pkt4(uint8_t proto, const char *src, uint16_t sp, const char *dst, uint16_t dp, const void *payload,
                   size_t len)
{
    Packet p;
    memset(&p, 0, sizeof p);
    p.flags = PKT_HAS_IPV4 | (proto == 6 ? PKT_HAS_TCP : PKT_HAS_UDP);
    p.ip_ver = 4;
    p.ip_proto = proto;
    p.ip_ttl = 64;
    set_ip4(&p.src, src);
    set_ip4(&p.dst, dst);
    p.sp = sp;
    p.dp = dp;
    p.tcp_flags = TCP_ACK | TCP_PSH;
    p.payload = payload;
    p.payload_len = (uint32_t)len;
    p.caplen = p.wirelen = (uint32_t)len + 40;
    p.ts_ns = 1000000000LL;
    p.to_server = true;
    return p;
}

static Packet tcp4(const char *src, uint16_t sp, const char *dst, uint16_t dp, const char *payload)
{
    return pkt4(6, src, sp, dst, dp, payload, payload ? strlen(payload) : 0);
}

static bool has_sid(const DetectAlerts *out, uint32_t sid)
{
    for (unsigned i = 0; i < out->n; i++)
        if (out->a[i].sid == sid)
            return true;
    return false;
}

/* Does `alert tcp any any -> any any (OPTS sid:1;)` match payload? */
static bool opts_match(const char *opts, const void *payload, size_t len)
{
    char rule[2048];
    snprintf(rule, sizeof rule, "alert tcp any any -> any any (%s sid:1;)\n", opts);
    DetectEngine *de = load(rule);
    if (detect_engine_rules_loaded(de) != 1) {
        print_error("rule did not load: %s\n", rule);
        detect_engine_free(de);
        fail();
    }
    Stats st;
    memset(&st, 0, sizeof st);
    DetectThread *dt = detect_thread_new(de, &st);
    assert_non_null(dt);
    Packet p = pkt4(6, "10.0.0.1", 1234, "10.0.0.2", 80, payload, len);
    DetectAlerts out;
    detect_packet(dt, &p, &out);
    detect_thread_free(dt);
    detect_engine_free(de);
    return out.n == 1;
}

static uint64_t n_loaded(const char *rules)
{
    DetectEngine *de = load(rules);
    uint64_t n = detect_engine_rules_loaded(de);
    detect_engine_free(de);
    return n;
}

/* ------------------------------------------------------------------ */
/* byte_test 0-byte string form                                        */
/* ------------------------------------------------------------------ */

static void test_byte_test_string0(void **state)
{
    (void)state;
    assert_true(opts_match("byte_test:0,>,100,0,string,dec;", "1234 rest", 9));
    assert_false(opts_match("byte_test:0,>,100,0,string,dec;", "99 rest", 7));
    assert_true(opts_match("byte_test:0,=,0,0,string,dec;", "0", 1));
    assert_false(opts_match("byte_test:0,=,0,0,string,dec;", "x0", 2)); /* no digit at the offset */
    assert_true(opts_match("content:\"len=\"; byte_test:0,>=,82642,0,string,dec,relative;", "len=99999", 9));
    assert_false(opts_match("content:\"len=\"; byte_test:0,>=,82642,0,string,dec,relative;", "len=8264", 8));
    /* 0 bytes without string is still an error */
    assert_int_equal(n_loaded("alert tcp any any -> any any (byte_test:0,=,0,0; sid:1;)\n"), 0);
}

/* ------------------------------------------------------------------ */
/* xbits / hostbits                                                    */
/* ------------------------------------------------------------------ */

static void test_xbits(void **state)
{
    (void)state;
    DetectEngine *de = load(
        "alert tcp any any -> any any (content:\"login\"; xbits:set,auth,track ip_src,expire 10; xbits:noalert; sid:1;)\n"
        "alert tcp any any -> any any (content:\"cmd\"; xbits:isset,auth,track ip_src; sid:2;)\n"
        "alert tcp any any -> any any (content:\"cmd\"; xbits:isnotset,auth,track ip_src; sid:3;)\n"
        "alert tcp any any -> any any (content:\"pair\"; xbits:set,p,track ip_pair; noalert; sid:4;)\n"
        "alert tcp any any -> any any (content:\"cmd\"; xbits:isset,p,track ip_pair; sid:5;)\n"
        "alert tcp any any -> any any (content:\"flip\"; xbits:toggle,t,track ip_dst; noalert; sid:6;)\n"
        "alert tcp any any -> any any (content:\"cmd\"; xbits:isset,t,track ip_dst; sid:7;)\n"
        "alert tcp any any -> any any (content:\"bye\"; xbits:unset,auth,track ip_src; noalert; sid:8;)\n"
        "alert tcp any any -> any any (content:\"hb\"; hostbits:set,h,dst; noalert; sid:9;)\n"
        "alert tcp any any -> any any (content:\"cmd\"; hostbits:isset,h,src; sid:10;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 10);
    assert_int_equal(detect_engine_rules_failed(de), 0);
    Stats st;
    memset(&st, 0, sizeof st);
    DetectThread *dt = detect_thread_new(de, &st);
    DetectAlerts out;

    Packet p = tcp4("10.0.0.1", 1000, "10.0.0.2", 80, "cmd");
    detect_packet(dt, &p, &out);
    assert_int_equal(out.n, 1);
    assert_true(has_sid(&out, 3));

    p = tcp4("10.0.0.1", 1000, "10.0.0.2", 80, "login");
    detect_packet(dt, &p, &out);
    assert_int_equal(out.n, 0); /* noalert */

    /* another flow (other ports, other destination) of the same source */
    p = tcp4("10.0.0.1", 2000, "10.0.0.9", 443, "cmd");
    p.ts_ns += 5000000000LL;
    detect_packet(dt, &p, &out);
    assert_true(has_sid(&out, 2));
    assert_false(has_sid(&out, 3));
    assert_false(has_sid(&out, 5));

    /* other source: not set */
    p = tcp4("10.0.0.3", 2000, "10.0.0.9", 443, "cmd");
    p.ts_ns += 5000000000LL;
    detect_packet(dt, &p, &out);
    assert_false(has_sid(&out, 2));
    assert_true(has_sid(&out, 3));

    /* expired after 10 s */
    p = tcp4("10.0.0.1", 2000, "10.0.0.9", 443, "cmd");
    p.ts_ns += 11000000000LL;
    detect_packet(dt, &p, &out);
    assert_false(has_sid(&out, 2));
    assert_true(has_sid(&out, 3));

    /* ip_pair: set by 1 -> 2, seen by 2 -> 1, not by 1 -> 3 */
    p = tcp4("10.0.0.1", 1000, "10.0.0.2", 80, "pair");
    detect_packet(dt, &p, &out);
    p = tcp4("10.0.0.2", 80, "10.0.0.1", 1000, "cmd");
    detect_packet(dt, &p, &out);
    assert_true(has_sid(&out, 5));
    p = tcp4("10.0.0.1", 1000, "10.0.0.3", 80, "cmd");
    detect_packet(dt, &p, &out);
    assert_false(has_sid(&out, 5));

    /* toggle on ip_dst: on, then off */
    p = tcp4("10.0.0.5", 1000, "10.0.0.6", 80, "flip");
    detect_packet(dt, &p, &out);
    p = tcp4("10.0.0.7", 1000, "10.0.0.6", 80, "cmd");
    detect_packet(dt, &p, &out);
    assert_true(has_sid(&out, 7));
    p = tcp4("10.0.0.5", 1000, "10.0.0.6", 80, "flip");
    detect_packet(dt, &p, &out);
    p = tcp4("10.0.0.7", 1000, "10.0.0.6", 80, "cmd");
    detect_packet(dt, &p, &out);
    assert_false(has_sid(&out, 7));

    /* unset */
    p = tcp4("10.0.0.1", 1000, "10.0.0.2", 80, "login");
    detect_packet(dt, &p, &out);
    p = tcp4("10.0.0.1", 1000, "10.0.0.2", 80, "bye");
    detect_packet(dt, &p, &out);
    p = tcp4("10.0.0.1", 1000, "10.0.0.2", 80, "cmd");
    detect_packet(dt, &p, &out);
    assert_false(has_sid(&out, 2));

    /* hostbits: set on the destination 10.0.0.8, read as the source */
    p = tcp4("10.0.0.1", 1000, "10.0.0.8", 80, "hb");
    detect_packet(dt, &p, &out);
    p = tcp4("10.0.0.8", 80, "10.0.0.4", 1000, "cmd");
    detect_packet(dt, &p, &out);
    assert_true(has_sid(&out, 10));

    detect_thread_free(dt);
    detect_engine_free(de);

    /* bad forms */
    assert_int_equal(n_loaded("alert tcp any any -> any any (xbits:set,a; sid:1;)\n"), 0);
    assert_int_equal(n_loaded("alert tcp any any -> any any (xbits:set,a,track ip_foo; sid:1;)\n"), 0);
    assert_int_equal(n_loaded("alert tcp any any -> any any (xbits:bump,a,track ip_src; sid:1;)\n"), 0);
    assert_int_equal(n_loaded("alert tcp any any -> any any (xbits:set,a,track ip_src,expire x; sid:1;)\n"), 0);
}

/* ------------------------------------------------------------------ */
/* stream_size                                                         */
/* ------------------------------------------------------------------ */

static void test_stream_size(void **state)
{
    (void)state;
    DetectEngine *de = load("alert tcp any any -> any any (stream_size:server,<,5; sid:1;)\n"
                            "alert tcp any any -> any any (stream_size:client,>,10; sid:2;)\n"
                            "alert tcp any any -> any any (stream_size:both,>=,1; sid:3;)\n"
                            "alert tcp any any -> any any (stream_size:either,=,12; sid:4;)\n"
                            "alert tcp any any -> any any (stream_size:client,!=,12; sid:5;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 5);
    Stats stats;
    memset(&stats, 0, sizeof stats);
    StreamConfig cfg;
    stream_config_defaults(&cfg);
    StreamCtx *sc = stream_ctx_new(&cfg, &stats);
    assert_non_null(sc);
    DetectThread *dt = detect_thread_new(de, &stats);
    Flow f;
    memset(&f, 0, sizeof f);
    f.key.proto = 6;
    Packet p;
    DetectAlerts out;
    const uint32_t cisn = 100, sisn = 900;
#define SEND(dir, fl, seq, ack, data)                                                          \
    do {                                                                                        \
        p = tcp4((dir) == 0 ? "10.0.0.1" : "10.0.0.2", (dir) == 0 ? 40000 : 80,                \
                 (dir) == 0 ? "10.0.0.2" : "10.0.0.1", (dir) == 0 ? 80 : 40000, (data));         \
        p.tcp_flags = (fl);                                                                     \
        p.tcp_seq = (seq);                                                                      \
        p.tcp_ack = (ack);                                                                      \
        p.tcp_win = 65535;                                                                      \
        p.tcp_wscale = 0xff;                                                                    \
        p.flow = &f;                                                                            \
        p.to_server = (dir) == 0;                                                               \
        f.pkts[dir]++;                                                                          \
        stream_packet(sc, &f, &p, NULL, NULL);                                                  \
        detect_packet(dt, &p, &out);                                                            \
    } while (0)
    SEND(0, TCP_SYN, cisn, 0, NULL);
    /* client progress 1 (the SYN), server not started: 0 */
    assert_true(has_sid(&out, 1));
    assert_false(has_sid(&out, 2));
    assert_false(has_sid(&out, 3));
    SEND(1, TCP_SYN | TCP_ACK, sisn, cisn + 1, NULL);
    assert_true(has_sid(&out, 3)); /* both have 1 */
    SEND(0, TCP_ACK, cisn + 1, sisn + 1, NULL);
    SEND(0, TCP_ACK | TCP_PSH, cisn + 1, sisn + 1, "hello world"); /* client: 1 + 11 = 12 */
    assert_true(has_sid(&out, 2));
    assert_true(has_sid(&out, 4));
    assert_false(has_sid(&out, 5));
    assert_true(has_sid(&out, 1));
    SEND(1, TCP_ACK | TCP_PSH, sisn + 1, cisn + 12, "0123"); /* server: 5 */
    assert_false(has_sid(&out, 1));
#undef SEND
    detect_flow_end(dt, &f);
    stream_flow_free(sc, &f);
    /* a packet without a session never matches */
    p = tcp4("10.0.0.1", 1, "10.0.0.2", 2, "x");
    detect_packet(dt, &p, &out);
    assert_int_equal(out.n, 0);
    detect_thread_free(dt);
    stream_ctx_free(sc);
    detect_engine_free(de);
    assert_int_equal(n_loaded("alert tcp any any -> any any (stream_size:up,<,5; sid:1;)\n"), 0);
    assert_int_equal(n_loaded("alert tcp any any -> any any (stream_size:server,~,5; sid:1;)\n"), 0);
    assert_int_equal(n_loaded("alert tcp any any -> any any (stream_size:server,<; sid:1;)\n"), 0);
}

/* ------------------------------------------------------------------ */
/* base64_decode / base64_data                                         */
/* ------------------------------------------------------------------ */

static void test_base64(void **state)
{
    (void)state;
    uint8_t out[32];
    assert_int_equal(base64_decode_rfc4648((const uint8_t *)"aGVsbG8=", 8, out, sizeof out), 5);
    assert_memory_equal(out, "hello", 5);
    assert_int_equal(base64_decode_rfc4648((const uint8_t *)"aGVsbA", 6, out, sizeof out), 4);
    assert_memory_equal(out, "hell", 4);
    assert_int_equal(base64_decode_rfc4648((const uint8_t *)"aGV*sbG8", 8, out, sizeof out), 2); /* stops at '*' */
    assert_int_equal(base64_decode_rfc4648((const uint8_t *)"aGVsbG8=", 8, out, 3), 3);          /* capped */

    const char *rule = "content:\"auth=\"; base64_decode:relative; base64_data; content:\"admin\";";
    assert_true(opts_match(rule, "auth=YWRtaW46cGFzcw==", 21));   /* admin:pass */
    assert_false(opts_match(rule, "auth=dXNlcjpwYXNz", 17));      /* user:pass */
    assert_false(opts_match(rule, "YWRtaW46cGFzcw==", 16));       /* no auth= */
    /* bytes 4: decodes "adm" only */
    assert_false(opts_match("content:\"auth=\"; base64_decode:bytes 4,offset 0,relative; base64_data; "
                            "content:\"admin\";",
                            "auth=YWRtaW46cGFzcw==", 21));
    assert_true(opts_match("content:\"auth=\"; base64_decode:bytes 4, offset 0, relative; base64_data; "
                           "content:\"adm\"; depth:3;",
                           "auth=YWRtaW46cGFzcw==", 21));
    /* offset from the buffer start */
    assert_true(opts_match("base64_decode:offset 2; base64_data; content:\"hello\"; startswith;", "xxaGVsbG8=", 10));
    /* base64_decode alone: matches when something decodes */
    assert_true(opts_match("base64_decode;", "aGVs", 4));
    assert_false(opts_match("base64_decode;", "!!!!", 4));
    /* base64_data needs a base64_decode before it */
    assert_int_equal(n_loaded("alert tcp any any -> any any (base64_data; content:\"x\"; sid:1;)\n"), 0);
    assert_int_equal(n_loaded("alert tcp any any -> any any (base64_decode:bytes; sid:1;)\n"), 0);
}

/* ------------------------------------------------------------------ */
/* asn1                                                                */
/* ------------------------------------------------------------------ */

static void test_asn1(void **state)
{
    (void)state;
    Asn1Ctx c = { ASN1_BITSTRING_OVF, 0, 0 };
    const uint8_t bs_bad[] = { 0x03, 0x02, 0x08, 0x00 };
    const uint8_t bs_ok[] = { 0x03, 0x02, 0x07, 0x00 };
    const uint8_t nested[] = { 0x30, 0x06, 0x02, 0x01, 0x05, 0x03, 0x01, 0x09 };
    assert_true(asn1_eval(&c, bs_bad, sizeof bs_bad, 0));
    assert_false(asn1_eval(&c, bs_ok, sizeof bs_ok, 0));
    assert_true(asn1_eval(&c, nested, sizeof nested, 0));

    Asn1Ctx o = { ASN1_OVERSIZE_LEN, 100, 0 };
    const uint8_t big[] = { 0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x05 }; /* declares 256, truncated */
    const uint8_t small[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
    const uint8_t deep_big[] = { 0x30, 0x05, 0x04, 0x81, 0xc8, 0x00, 0x00 }; /* inner OCTET STRING of 200 */
    assert_true(asn1_eval(&o, big, sizeof big, 0));
    assert_false(asn1_eval(&o, small, sizeof small, 0));
    assert_true(asn1_eval(&o, deep_big, sizeof deep_big, 0));

    /* REAL, decimal encoding, 300 content bytes */
    static uint8_t real[304];
    real[0] = 0x09;
    real[1] = 0x82;
    real[2] = 0x01;
    real[3] = 0x2c;
    real[4] = 0x03; /* NR3, top bits 00 */
    Asn1Ctx d = { ASN1_DOUBLE_OVF, 0, 0 };
    assert_true(asn1_eval(&d, real, sizeof real, 0));
    real[4] = 0x80; /* binary encoding */
    assert_false(asn1_eval(&d, real, sizeof real, 0));

    /* offsets, through rules */
    assert_true(opts_match("asn1:bitstring_overflow, absolute_offset 1;", "X\x03\x02\x08\x00", 5));
    assert_false(opts_match("asn1:bitstring_overflow;", "X\x03\x02\x08\x00", 5)); /* 'X' is not the BIT STRING */
    assert_true(opts_match("content:\"X\"; asn1:bitstring_overflow, relative_offset 0;", "aX\x03\x02\x08\x00", 6));
    assert_true(opts_match("content:\"X\"; asn1:bitstring_overflow, relative_offset -1;", "\x03\x02\x08X", 4) == false);
    assert_true(opts_match("content:\"|08|\"; asn1:bitstring_overflow, relative_offset -3;", "\x03\x02\x08\x00", 4));
    assert_true(opts_match("asn1:oversize_length 10, bitstring_overflow;", "\x04\x20", 2)); /* either check */
    assert_int_equal(n_loaded("alert tcp any any -> any any (asn1:relative_offset 2; sid:1;)\n"), 0);
    assert_int_equal(n_loaded("alert tcp any any -> any any (asn1:triple_overflow; sid:1;)\n"), 0);
    assert_int_equal(n_loaded("alert tcp any any -> any any (asn1:double_overflow, bitstring_overflow, "
                              "relative_offset 54, oversize_length 2048; sid:1;)\n"),
                     1);
}

/* ------------------------------------------------------------------ */
/* tag                                                                 */
/* ------------------------------------------------------------------ */

static void test_tag(void **state)
{
    (void)state;
    DetectEngine *de = load("alert tcp any any -> any any (content:\"evil\"; tag:session,2,packets; sid:1;)\n"
                            "alert tcp any any -> any any (content:\"host\"; tag:host,1,packets,dst; sid:2;)\n"
                            "alert tcp any any -> any any (content:\"quiet\"; tag:session; noalert; sid:3;)\n"
                            "alert tcp any any -> any any (content:\"time\"; tag:session,10,seconds; sid:4;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 4);
    Stats st;
    memset(&st, 0, sizeof st);
    DetectThread *dt = detect_thread_new(de, &st);
    DetectAlerts out;
    Flow f;
    memset(&f, 0, sizeof f);
    f.key.proto = 6;
    const char *seq[] = { "evil", "a", "b", "c" };
    bool tagged[4];
    for (int i = 0; i < 4; i++) {
        Packet p = tcp4("10.0.0.1", 1000, "10.0.0.2", 80, seq[i]);
        p.flow = &f;
        detect_packet(dt, &p, &out);
        tagged[i] = out.tagged;
    }
    assert_false(tagged[0]); /* the alerting packet itself */
    assert_true(tagged[1]);
    assert_true(tagged[2]);
    assert_false(tagged[3]); /* 2 packets used up */
    detect_flow_end(dt, &f);

    /* noalert rules set no tag */
    memset(&f, 0, sizeof f);
    Packet p = tcp4("10.0.0.1", 1000, "10.0.0.2", 80, "quiet");
    p.flow = &f;
    detect_packet(dt, &p, &out);
    p = tcp4("10.0.0.1", 1000, "10.0.0.2", 80, "x");
    p.flow = &f;
    detect_packet(dt, &p, &out);
    assert_false(out.tagged);
    detect_flow_end(dt, &f);

    /* seconds */
    memset(&f, 0, sizeof f);
    p = tcp4("10.0.0.1", 1000, "10.0.0.2", 80, "time");
    p.flow = &f;
    detect_packet(dt, &p, &out);
    p.payload = (const uint8_t *)"x";
    p.payload_len = 1;
    p.ts_ns += 9000000000LL;
    detect_packet(dt, &p, &out);
    assert_true(out.tagged);
    p.ts_ns += 2000000000LL;
    detect_packet(dt, &p, &out);
    assert_false(out.tagged);
    detect_flow_end(dt, &f);

    /* host, dst: the next packet from anyone to or from 10.0.0.9 */
    p = tcp4("10.0.0.1", 1000, "10.0.0.9", 80, "host");
    detect_packet(dt, &p, &out);
    assert_false(out.tagged);
    p = tcp4("10.0.0.9", 53, "10.0.0.7", 53, "y");
    detect_packet(dt, &p, &out);
    assert_true(out.tagged);
    p = tcp4("10.0.0.9", 53, "10.0.0.7", 53, "y");
    detect_packet(dt, &p, &out);
    assert_false(out.tagged);
    detect_thread_free(dt);
    detect_engine_free(de);

    assert_int_equal(n_loaded("alert tcp any any -> any any (tag:flow; sid:1;)\n"), 0);
    assert_int_equal(n_loaded("alert tcp any any -> any any (tag:session,5,hours; sid:1;)\n"), 0);
    assert_int_equal(n_loaded("alert tcp any any -> any any (tag:session,5,packets,src; sid:1;)\n"), 0);
    assert_int_equal(n_loaded("alert tcp any any -> any any (tag: session, 20, packets; sid:1;)\n"), 1);
}

/* ------------------------------------------------------------------ */
/* DNS: dns.opcode, app-layer-event                                    */
/* ------------------------------------------------------------------ */

/* A DNS query for "a.example" with the given flags word. */
static size_t dns_query(uint8_t *b, uint16_t flags)
{
    static const uint8_t q[] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 7, 'e', 'x', 'a', 'm', 'p',
                                 'l', 'e', 0, 0, 1, 0, 1 };
    memcpy(b, q, sizeof q);
    b[2] = (uint8_t)(flags >> 8);
    b[3] = (uint8_t)flags;
    return sizeof q;
}

static unsigned dns_run(DetectEngine *de, uint16_t flags, DetectAlerts *out)
{
    Stats stats;
    memset(&stats, 0, sizeof stats);
    AppLayerCtx *ac = applayer_ctx_new(NULL, &stats);
    assert_non_null(ac);
    DetectThread *dt = detect_thread_new(de, &stats);
    Flow f;
    memset(&f, 0, sizeof f);
    f.key.proto = 17;
    f.key.port[0] = 5353;
    f.key.port[1] = 53;
    uint8_t b[64];
    size_t n = dns_query(b, flags);
    Packet p = pkt4(17, "10.0.0.1", 5353, "10.0.0.2", 53, b, n);
    p.flow = &f;
    f.pkts[0] = 1;
    applayer_packet_begin(&f);
    applayer_udp_packet(ac, &f, &p);
    detect_packet(dt, &p, out);
    detect_flow_end(dt, &f);
    applayer_flow_end(ac, &f);
    detect_thread_free(dt);
    applayer_ctx_free(ac);
    return out->n;
}

static void test_dns_keywords(void **state)
{
    (void)state;
    DetectEngine *de = load("alert dns any any -> any any (dns.opcode:2; sid:1;)\n"
                            "alert dns any any -> any any (dns.opcode:0; sid:2;)\n"
                            "alert dns any any -> any any (dns.opcode:!0; sid:3;)\n"
                            "alert dns any any -> any any (app-layer-event:dns.z_flag_set; sid:4;)\n"
                            "alert dns any any -> any any (app-layer-event:dns.no_such_event; sid:5;)\n"
                            "alert tcp any any -> any any (app-layer-event:smtp.invalid_reply; sid:6;)\n"
                            /* transaction prefilter: plain, nocase, no hit, transformed buffer */
                            "alert dns any any -> any any (dns.query; content:\"example\"; sid:7;)\n"
                            "alert dns any any -> any any (dns.query; content:\"EXAMPLE\"; nocase; sid:8;)\n"
                            "alert dns any any -> any any (dns.query; content:\"exampel\"; sid:9;)\n"
                            "alert dns any any -> any any (dns.query; dotprefix; content:\".a.example\"; sid:10;)\n"
                            "alert dns any any -> any any (dns.query; content:\"EXAMPLE\"; sid:11;)\n"
                            /* dotprefix patterns enter the prefilter without their dot */
                            "alert dns any any -> any any (dns.query; dotprefix; content:\".example\"; endswith; sid:12;)\n"
                            "alert dns any any -> any any (dns.query; dotprefix; content:\".b.example\"; sid:13;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 13); /* unknown events load */
    DetectAlerts out;
    dns_run(de, 0x0100, &out); /* standard query, RD */
    assert_true(has_sid(&out, 7));
    assert_true(has_sid(&out, 8));
    assert_false(has_sid(&out, 9));
    assert_true(has_sid(&out, 10));
    assert_false(has_sid(&out, 11));
    assert_true(has_sid(&out, 12));
    assert_false(has_sid(&out, 13));
    assert_true(has_sid(&out, 2));
    assert_false(has_sid(&out, 1));
    assert_false(has_sid(&out, 3));
    assert_false(has_sid(&out, 4));
    dns_run(de, 0x1100 | 0x0040, &out); /* opcode 2 (status), Z set */
    assert_true(has_sid(&out, 1));
    assert_false(has_sid(&out, 2));
    assert_true(has_sid(&out, 3));
    assert_true(has_sid(&out, 4));
    assert_false(has_sid(&out, 5));
    assert_false(has_sid(&out, 6));
    detect_engine_free(de);
    assert_int_equal(n_loaded("alert dns any any -> any any (dns.opcode:16; sid:1;)\n"), 0);
}

/* ------------------------------------------------------------------ */
/* content_find: memchr on the anchor byte, fallbacks                  */
/* ------------------------------------------------------------------ */

static int64_t find(const char *pat, uint32_t anchor, bool nocase, const char *buf, uint32_t start, uint32_t end)
{
    ContentCtx c;
    memset(&c, 0, sizeof c);
    c.pat = (uint8_t *)(uintptr_t)pat;
    c.len = (uint32_t)strlen(pat);
    c.anchor = anchor;
    c.flags = nocase ? CT_NOCASE : 0;
    return content_find(&c, (const uint8_t *)buf, start, end);
}

static void test_content_find(void **state)
{
    (void)state;
    /* leftmost match, anchor inside the pattern */
    assert_int_equal(find("xyz/", 3, false, "aaxyz/bbxyz/", 0, 12), 2);
    assert_int_equal(find("xyz/", 3, false, "aaxyz/bbxyz/", 3, 12), 8);
    /* the window: a match must end by `end` */
    assert_int_equal(find("ab", 1, false, "abab", 1, 4), 2);
    assert_int_equal(find("ab", 1, false, "abab", 1, 3), -1);
    assert_int_equal(find("b/", 1, false, "ab/", 0, 3), 1); /* anchor at the last byte of the window */
    /* an anchor out of range means the first byte */
    assert_int_equal(find("cd", 99, false, "abcd", 0, 4), 2);
    /* nocase: a non-letter anchor, then a case-insensitive compare; all letters: byte loop */
    assert_int_equal(find("get /x", 3, true, "xxGET /X", 0, 8), 2);
    assert_int_equal(find("abc", 0, true, "xABc", 0, 4), 1);
    assert_int_equal(find("abd", 0, true, "xABc", 0, 4), -1);
    /* an anchor byte seen far too often: memmem / the byte loop finish the search */
    static char hay[1200];
    size_t n = 0;
    while (n + 2 < 1000) {
        hay[n++] = 'a';
        hay[n++] = '/';
    }
    memcpy(hay + n, "a/b", 3);
    n += 3;
    assert_int_equal(find("a/b", 1, false, hay, 0, (uint32_t)n), (int64_t)n - 3);
    assert_int_equal(find("a/b", 1, true, hay, 0, (uint32_t)n), (int64_t)n - 3);
    assert_int_equal(find("a/c", 1, false, hay, 0, (uint32_t)n), -1);
    assert_int_equal(find("a/c", 1, true, hay, 0, (uint32_t)n), -1);
}

/* ------------------------------------------------------------------ */
/* tls.version                                                         */
/* ------------------------------------------------------------------ */

/* A TLS handshake record holding one hello of the given type (1 client,
 * 2 server) with legacy version ver and, when sv != 0, a
 * supported_versions extension selecting sv (server) / offering sv. */
static size_t tls_hello(uint8_t *b, uint8_t type, uint16_t ver, uint16_t sv)
{
    size_t o = 0;
    uint8_t body[128];
    size_t n = 0;
    body[n++] = (uint8_t)(ver >> 8);
    body[n++] = (uint8_t)ver;
    memset(body + n, 0x11, 32);
    n += 32;
    body[n++] = 0; /* session id */
    if (type == 1) {
        body[n++] = 0;
        body[n++] = 2;
        body[n++] = 0x13;
        body[n++] = 0x01; /* one cipher */
        body[n++] = 1;
        body[n++] = 0; /* compression null */
    } else {
        body[n++] = 0x13;
        body[n++] = 0x01;
        body[n++] = 0;
    }
    if (sv != 0) {
        size_t ext = type == 1 ? 7 : 6;
        body[n++] = 0;
        body[n++] = (uint8_t)(4 + ext - 4);
        body[n++] = 0x00;
        body[n++] = 0x2b;
        if (type == 1) {
            body[n++] = 0;
            body[n++] = 3;
            body[n++] = 2;
        } else {
            body[n++] = 0;
            body[n++] = 2;
        }
        body[n++] = (uint8_t)(sv >> 8);
        body[n++] = (uint8_t)sv;
    }
    b[o++] = 0x16;
    b[o++] = 0x03;
    b[o++] = 0x01;
    b[o++] = (uint8_t)((n + 4) >> 8);
    b[o++] = (uint8_t)(n + 4);
    b[o++] = type;
    b[o++] = 0;
    b[o++] = (uint8_t)(n >> 8);
    b[o++] = (uint8_t)n;
    memcpy(b + o, body, n);
    return o + n;
}

static void tls_case(uint16_t server_ver, uint16_t server_sv, bool *m12, bool *m13, bool *m10_cli)
{
    DetectEngine *de = load("alert tls any any -> any any (flow:to_client; tls.version:1.2; sid:1;)\n"
                            "alert tls any any -> any any (flow:to_client; tls.version:1.3; sid:2;)\n"
                            "alert tls any any -> any any (flow:to_server; tls.version:1.0; sid:3;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 3);
    Stats stats;
    memset(&stats, 0, sizeof stats);
    AppLayerCtx *ac = applayer_ctx_new(NULL, &stats);
    DetectThread *dt = detect_thread_new(de, &stats);
    Flow f;
    memset(&f, 0, sizeof f);
    f.key.proto = 6;
    f.key.port[0] = 40000;
    f.key.port[1] = 443;
    uint8_t ch[160], sh[160];
    size_t nc = tls_hello(ch, 1, 0x0301, 0);
    size_t ns = tls_hello(sh, 2, server_ver, server_sv);
    applayer_packet_begin(&f);
    applayer_stream_deliver(&f, 0, ch, (uint32_t)nc, 0, ac);
    applayer_stream_deliver(&f, 1, sh, (uint32_t)ns, 0, ac);
    assert_int_equal(f.app_proto, APP_PROTO_TLS);
    DetectAlerts out;
    Packet p = tcp4("10.0.0.2", 443, "10.0.0.1", 40000, "z");
    p.flow = &f;
    p.to_server = false;
    detect_packet(dt, &p, &out);
    *m12 = has_sid(&out, 1);
    *m13 = has_sid(&out, 2);
    p = tcp4("10.0.0.1", 40000, "10.0.0.2", 443, "z");
    p.flow = &f;
    detect_packet(dt, &p, &out);
    *m10_cli = has_sid(&out, 3);
    detect_flow_end(dt, &f);
    applayer_flow_end(ac, &f);
    detect_thread_free(dt);
    applayer_ctx_free(ac);
    detect_engine_free(de);
}

static void test_tls_version(void **state)
{
    (void)state;
    bool m12, m13, m10;
    tls_case(0x0303, 0, &m12, &m13, &m10);
    assert_true(m12);
    assert_false(m13);
    assert_true(m10); /* the client's hello said 0x0301 */
    tls_case(0x0303, 0x0304, &m12, &m13, &m10);
    assert_false(m12);
    assert_true(m13);
    assert_int_equal(n_loaded("alert tls any any -> any any (tls.version:2.0; sid:1;)\n"), 0);
    assert_int_equal(n_loaded("alert tls any any -> any any (tls.version:\"1.1\"; sid:1;)\n"), 1);
}

/* ------------------------------------------------------------------ */
/* Load-failure reasons                                                */
/* ------------------------------------------------------------------ */

static void test_unparsed_protocols_fail(void **state)
{
    (void)state;
    DetectEngine *de = load("alert tcp any any -> any 21 (content:\"PORT\"; ftpbounce; sid:2;)\n"
                            "alert tcp any any -> any 21 (content:\"PORT\"; sid:3;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 1);
    assert_int_equal(detect_engine_rules_failed(de), 1);
    detect_engine_free(de);
}

/* ssh_proto / ssh.software over applayer/ssh's banners */
static void test_ssh_buffers(void **state)
{
    (void)state;
    DetectEngine *de = load("alert ssh any any -> any any (flow:to_server; ssh_proto; content:\"2.0\"; sid:1;)\n"
                            "alert ssh any any -> any any (ssh.software; content:\"PUTTY\"; sid:2;)\n"
                            "alert ssh any any -> any any (ssh.software; content:\"OpenSSH\"; sid:3;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 3);
    Stats stats;
    memset(&stats, 0, sizeof stats);
    AppLayerCtx *ac = applayer_ctx_new(NULL, &stats);
    DetectThread *dt = detect_thread_new(de, &stats);
    Flow f;
    memset(&f, 0, sizeof f);
    f.key.proto = 6;
    f.key.port[0] = 40000;
    f.key.port[1] = 22;
    const char *cli = "SSH-2.0-PUTTY\r\n", *srv = "SSH-2.0-OpenSSH_8.9\r\n";
    applayer_packet_begin(&f);
    applayer_stream_deliver(&f, 0, (const uint8_t *)cli, (uint32_t)strlen(cli), 0, ac);
    applayer_stream_deliver(&f, 1, (const uint8_t *)srv, (uint32_t)strlen(srv), 0, ac);
    DetectAlerts out;
    Packet p = tcp4("10.0.0.1", 40000, "10.0.0.2", 22, "z");
    p.flow = &f;
    f.pkts[0] = 2;
    detect_packet(dt, &p, &out);
    assert_true(has_sid(&out, 1));
    assert_true(has_sid(&out, 2));
    assert_false(has_sid(&out, 3));
    p = tcp4("10.0.0.2", 22, "10.0.0.1", 40000, "z");
    p.flow = &f;
    p.to_server = false;
    f.pkts[1] = 2;
    detect_packet(dt, &p, &out);
    assert_false(has_sid(&out, 1)); /* flow:to_server */
    assert_true(has_sid(&out, 3));  /* the server's banner on its packets */
    assert_false(has_sid(&out, 2));
    detect_flow_end(dt, &f);
    applayer_flow_end(ac, &f);
    detect_thread_free(dt);
    applayer_ctx_free(ac);
    detect_engine_free(de);
}

/* ------------------------------------------------------------------ */
/* Per-port groups                                                     */
/* ------------------------------------------------------------------ */

static void test_port_groups(void **state)
{
    (void)state;
    /* rules without a prefilter pattern on different destination ports,
     * plus port-any and negated/range ports: each packet sees exactly the
     * rules its ports admit, in signature order */
    DetectEngine *de = load("alert tcp any any -> any 80 (dsize:>0; sid:1;)\n"
                            "alert tcp any any -> any 443 (dsize:>0; sid:2;)\n"
                            "alert tcp any any -> any any (dsize:>0; sid:3;)\n"
                            "alert tcp any any -> any !80 (dsize:>0; sid:4;)\n"
                            "alert tcp any any -> any 1000:2000 (dsize:>0; sid:5;)\n"
                            "alert tcp any any <> any 80 (dsize:>0; sid:6;)\n"
                            "alert tcp any 80 -> any any (dsize:>0; sid:7;)\n"
                            "alert tcp any any -> any 80 (content:\"GET\"; sid:8;)\n"
                            "alert udp any any -> any 80 (dsize:>0; sid:9;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 9);
    Stats st;
    memset(&st, 0, sizeof st);
    DetectThread *dt = detect_thread_new(de, &st);
    DetectAlerts out;
    Packet p = tcp4("10.0.0.1", 40000, "10.0.0.2", 80, "GET /");
    detect_packet(dt, &p, &out);
    assert_true(has_sid(&out, 1));
    assert_false(has_sid(&out, 2));
    assert_true(has_sid(&out, 3));
    assert_false(has_sid(&out, 4));
    assert_false(has_sid(&out, 5));
    assert_true(has_sid(&out, 6));
    assert_false(has_sid(&out, 7));
    assert_true(has_sid(&out, 8));
    assert_false(has_sid(&out, 9));
    for (unsigned i = 1; i < out.n; i++)
        assert_true(out.a[i - 1].sig != out.a[i].sig);
    p = tcp4("10.0.0.2", 80, "10.0.0.1", 1500, "HTTP/1.1 200");
    detect_packet(dt, &p, &out);
    assert_false(has_sid(&out, 1));
    assert_true(has_sid(&out, 3));
    assert_true(has_sid(&out, 4));
    assert_true(has_sid(&out, 5));
    assert_true(has_sid(&out, 6)); /* <>: the source port 80 */
    assert_true(has_sid(&out, 7));
    p = tcp4("10.0.0.1", 40000, "10.0.0.2", 443, "x");
    detect_packet(dt, &p, &out);
    assert_true(has_sid(&out, 2));
    assert_true(has_sid(&out, 3));
    assert_true(has_sid(&out, 4));
    assert_false(has_sid(&out, 1));
    assert_false(has_sid(&out, 6));
    detect_thread_free(dt);
    detect_engine_free(de);
}

int main(void)
{
    log_set_level(LOG_LVL_ERROR);
    applayer_registry_init();
    dns_parser_register();
    tls_parser_register();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_byte_test_string0),
        cmocka_unit_test(test_xbits),
        cmocka_unit_test(test_stream_size),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_asn1),
        cmocka_unit_test(test_tag),
        cmocka_unit_test(test_dns_keywords),
        cmocka_unit_test(test_tls_version),
        cmocka_unit_test(test_unparsed_protocols_fail),
        cmocka_unit_test(test_ssh_buffers),
        cmocka_unit_test(test_port_groups),
        cmocka_unit_test(test_content_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
