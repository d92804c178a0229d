/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_detect.c: unit tests for src/detect (rule parser, address and port
 * sets, content inspection semantics, pcre, byte_*, flowbits, thresholds,
 * pass/drop/alert ordering) and output/fastlog's line format.
 *
 * Rules are written to a temporary file and loaded through
 * detect_engine_new(); packets are built by hand (decoded fields only).
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
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "detect/detect.h"
#include "detect/rules/address.h"
#include "detect/rules/classification.h"
#include "detect/keywords/transform.h"
#include "detect/signature.h"
#include "output/alert.h"
#include "output/fastlog.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static Config *conf;

static DetectEngine *load_with(const Config *c, const char *rules)
{
    char path[] = "/tmp/kasbah-test-rules-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(rules);
    assert_int_equal(write(fd, rules, len), (ssize_t)len);
    close(fd);
    const char *files[1] = { path };
    DetectEngine *de = detect_engine_new(c, files, 1);
    unlink(path);
    assert_non_null(de);
    return de;
}

static DetectEngine *load(const char *rules) { return load_with(conf, rules); }

static void set_ip4(IpAddr *a, const char *s)
{
    memset(a, 0, sizeof *a);
    assert_int_equal(inet_pton(AF_INET, s, a->b), 1);
}

/* A TCP/IPv4 packet with payload. */
static Packet tcp_pkt(const char *src, uint16_t sp, const char *dst, uint16_t dp, const void *payload, size_t len)
{
    Packet p;
    memset(&p, 0, sizeof p);
    p.flags = PKT_HAS_IPV4 | PKT_HAS_TCP;
    p.ip_ver = 4;
    p.ip_proto = 6;
    p.ip_ttl = 64;
    set_ip4(&p.src, src);
    set_ip4(&p.dst, dst);
    p.sp = sp;
    p.dp = dp;
    p.tcp_flags = TCP_ACK | TCP_PSH;
    p.payload = payload;
    p.payload_len = (uint32_t)len;
    p.ts_ns = 1000000000LL;
    return p;
}

static unsigned run(DetectEngine *de, Packet *p, DetectAlerts *out)
{
    Stats st;
    memset(&st, 0, sizeof st);
    DetectThread *dt = detect_thread_new(de, &st);
    assert_non_null(dt);
    detect_packet(dt, p, out);
    if (p->flow)
        detect_flow_end(dt, p->flow);
    detect_thread_free(dt);
    return out->n;
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
    Packet p = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, payload, len);
    DetectAlerts out;
    unsigned n = run(de, &p, &out);
    detect_engine_free(de);
    return n == 1;
}

static uint64_t n_loaded(const char *rules)
{
    DetectEngine *de = load(rules);
    uint64_t n = detect_engine_rules_loaded(de);
    detect_engine_free(de);
    return n;
}

static uint64_t n_failed(const char *rules)
{
    DetectEngine *de = load(rules);
    uint64_t n = detect_engine_rules_failed(de);
    detect_engine_free(de);
    return n;
}

/* ------------------------------------------------------------------ */
/* Parser                                                              */
/* ------------------------------------------------------------------ */

static void test_parse_grammar(void **state)
{
    (void)state;
    assert_int_equal(n_loaded("alert tcp any any -> any any (msg:\"a\"; sid:1;)\n"), 1);
    /* every action */
    assert_int_equal(n_loaded("alert ip any any -> any any (sid:1;)\n"
                              "pass ip any any -> any any (sid:2;)\n"
                              "drop ip any any -> any any (sid:3;)\n"
                              "reject ip any any -> any any (sid:4;)\n"
                              "rejectsrc ip any any -> any any (sid:5;)\n"
                              "rejectdst ip any any -> any any (sid:6;)\n"
                              "rejectboth ip any any -> any any (sid:7;)\n"),
                     7);
    /* protocols, including app-layer names */
    assert_int_equal(n_loaded("alert udp any any -> any any (sid:1;)\n"
                              "alert icmp any any -> any any (sid:2;)\n"
                              "alert tcp-pkt any any -> any any (sid:3;)\n"
                              "alert tcp-stream any any -> any any (sid:4;)\n"
                              "alert http any any -> any any (sid:5;)\n"
                              "alert dns any any -> any any (sid:6;)\n"
                              "alert tls any any <> any any (sid:7;)\n"),
                     7);
    /* comments, blank lines, continuation lines */
    assert_int_equal(n_loaded("# a comment\n\n"
                              "alert tcp any any -> any any (msg:\"two \\\n"
                              "lines\"; sid:1;)\n"
                              "   # indented comment\n"),
                     1);
    /* escapes in strings */
    assert_int_equal(n_loaded("alert tcp any any -> any any (msg:\"a \\\"q\\\" \\; b\"; content:\"x\\;y\"; sid:1;)\n"),
                     1);
}

static void test_parse_failures(void **state)
{
    (void)state;
    log_set_level(-1);
    assert_int_equal(n_failed("alrt tcp any any -> any any (sid:1;)\n"), 1);              /* action */
    assert_int_equal(n_failed("alert foo any any -> any any (sid:1;)\n"), 1);             /* protocol */
    assert_int_equal(n_failed("alert tcp any any => any any (sid:1;)\n"), 1);             /* direction */
    assert_int_equal(n_failed("alert tcp any any -> any (sid:1;)\n"), 1);                 /* field count */
    assert_int_equal(n_failed("alert tcp any any -> any any (msg:\"x\";)\n"), 1);         /* no sid */
    assert_int_equal(n_failed("alert tcp any any -> any any (foo:1; sid:1;)\n"), 1);      /* unknown kw */
    assert_int_equal(n_failed("alert tcp any any -> any any (dsize:abc; sid:1;)\n"), 1);  /* bad value */
    assert_int_equal(n_failed("alert tcp any any -> any any (sid:1)\n"), 1);              /* no ';' */
    assert_int_equal(n_failed("alert tcp any any -> any any (content:\"ab\"; depth:1; sid:1;)\n"), 1);
    assert_int_equal(n_failed("alert tcp any any -> any any (content:\"|4x|\"; sid:1;)\n"), 1);
    assert_int_equal(n_failed("alert tcp any any -> any any (nocase; sid:1;)\n"), 1);     /* no content */
    assert_int_equal(n_failed("alert tcp any any -> any any (pcre:\"/a(/\"; sid:1;)\n"), 1);
    assert_int_equal(n_failed("alert tcp any any -> any any (classtype:nope; sid:1;)\n"), 1);
    assert_int_equal(n_failed("alert tcp $NOPE any -> any any (sid:1;)\n"), 1);
    assert_int_equal(n_failed("alert tcp !any any -> any any (sid:1;)\n"), 1);
    assert_int_equal(n_failed("alert tcp any 70000 -> any any (sid:1;)\n"), 1);
    /* app-layer buffers nobody provides parse but are reported as needing
     * the app-layer; the ones applayer/ provides load */
    assert_int_equal(n_failed("alert tcp any any -> any any (smb.share; content:\"x\"; sid:1;)\n"), 1);
    assert_int_equal(n_failed("alert ssh any any -> any any (ssh.software; content:\"x\"; sid:1;)\n"), 0);
    assert_int_equal(n_failed("alert http any any -> any any (http.uri; content:\"/x\"; sid:1;)\n"), 0);
    assert_int_equal(n_failed("alert dns any any -> any any (dns.query; content:\"x\"; sid:1;)\n"), 0);
    assert_int_equal(n_failed("alert tls any any -> any any (tls.sni; content:\"x\"; sid:1;)\n"), 0);
    assert_int_equal(n_failed("alert tcp any any -> any any (app-layer-protocol:!http; sid:1;)\n"), 0);
    assert_int_equal(n_failed("alert tcp any any -> any any (app-layer-protocol:smtp; sid:1;)\n"), 1);
    assert_int_equal(n_failed("alert tcp any any -> any any (stream-event:3whs_async_wrong_seq; sid:1;)\n"), 0);
    assert_int_equal(n_failed("alert tcp any any -> any any (stream-event:no_such_event; sid:1;)\n"), 1);
    /* duplicate sid: second one fails, first loads */
    DetectEngine *de = load("alert tcp any any -> any any (sid:5;)\nalert udp any any -> any any (sid:5;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 1);
    assert_int_equal(detect_engine_rules_failed(de), 1);
    detect_engine_free(de);
    /* the rest of the file still loads after failures */
    de = load("alert tcp any any -> any any (bogus; sid:1;)\nalert tcp any any -> any any (sid:2;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 1);
    assert_int_equal(detect_engine_rules_failed(de), 1);
    detect_engine_free(de);
    log_set_level(LOG_LVL_WARN);
}

/* ------------------------------------------------------------------ */
/* Addresses and ports                                                 */
/* ------------------------------------------------------------------ */

static bool addr_in(const char *expr, const char *ip)
{
    AddrSet *s;
    char err[128];
    assert_int_equal(addr_set_parse(conf, expr, &s, err, sizeof err), 0);
    IpAddr a;
    memset(&a, 0, sizeof a);
    uint8_t ver = strchr(ip, ':') ? 6 : 4;
    assert_int_equal(inet_pton(ver == 6 ? AF_INET6 : AF_INET, ip, a.b), 1);
    bool r = addr_set_match(s, ver, &a);
    addr_set_free(s);
    return r;
}

static bool port_in(const char *expr, uint16_t port)
{
    PortSet *s;
    char err[128];
    assert_int_equal(port_set_parse(conf, expr, &s, err, sizeof err), 0);
    bool r = port_set_match(s, port);
    port_set_free(s);
    return r;
}

static void test_addresses(void **state)
{
    (void)state;
    assert_true(addr_in("any", "1.2.3.4"));
    assert_true(addr_in("10.0.0.0/8", "10.200.1.1"));
    assert_false(addr_in("10.0.0.0/8", "11.0.0.1"));
    assert_true(addr_in("1.2.3.4", "1.2.3.4"));
    assert_false(addr_in("1.2.3.4", "1.2.3.5"));
    assert_true(addr_in("[1.1.1.1,2.2.2.0/24]", "2.2.2.9"));
    assert_true(addr_in("!1.1.1.1", "1.1.1.2"));
    assert_false(addr_in("!1.1.1.1", "1.1.1.1"));
    assert_false(addr_in("[10.0.0.0/8,!10.1.0.0/16]", "10.1.2.3"));
    assert_true(addr_in("[10.0.0.0/8,!10.1.0.0/16]", "10.2.2.3"));
    assert_true(addr_in("[!10.0.0.0/8]", "8.8.8.8"));            /* only negations: any minus */
    assert_false(addr_in("![1.0.0.0/8,[2.0.0.0/8,3.0.0.0/8]]", "3.3.3.3"));  /* nested */
    assert_true(addr_in("$HOME_NET", "192.168.1.1"));
    assert_false(addr_in("$HOME_NET", "8.8.8.8"));
    assert_true(addr_in("$EXTERNAL_NET", "8.8.8.8"));
    assert_false(addr_in("$EXTERNAL_NET", "172.16.5.5"));
    assert_true(addr_in("10.0.0.1-10.0.0.9", "10.0.0.5"));
    assert_false(addr_in("10.0.0.1-10.0.0.9", "10.0.0.10"));
    assert_true(addr_in("10.0.0.0/255.255.255.0", "10.0.0.200"));
    assert_true(addr_in("2001:db8::/32", "2001:db8:1::1"));
    assert_false(addr_in("2001:db8::/32", "2001:db9::1"));
    assert_true(addr_in("[10.0.0.1,2001:db8::1-2001:db8::ff]", "2001:db8::80"));
    assert_false(addr_in("10.0.0.0/8", "::1"));
    AddrSet *s;
    char err[128];
    assert_int_equal(addr_set_parse(conf, "[1.2.3.4", &s, err, sizeof err), -1);
    assert_int_equal(addr_set_parse(conf, "1.2.3", &s, err, sizeof err), -1);
    assert_int_equal(addr_set_parse(conf, "1.2.3.4/33", &s, err, sizeof err), -1);
}

static void test_ports(void **state)
{
    (void)state;
    assert_true(port_in("any", 1));
    assert_true(port_in("80", 80));
    assert_false(port_in("80", 81));
    assert_true(port_in("1024:", 65535));
    assert_false(port_in("1024:", 1023));
    assert_true(port_in(":1024", 0));
    assert_true(port_in("[80,443,8000:8100]", 8050));
    assert_false(port_in("[80,443,8000:8100]", 8101));
    assert_false(port_in("!80", 80));
    assert_true(port_in("[1:100,!50]", 49));
    assert_false(port_in("[1:100,!50]", 50));
    assert_true(port_in("$HTTP_PORTS", 80));
    PortSet *s;
    char err[128];
    assert_int_equal(port_set_parse(conf, "100:10", &s, err, sizeof err), -1);
    assert_int_equal(port_set_parse(conf, "x", &s, err, sizeof err), -1);
}

/* ------------------------------------------------------------------ */
/* Content semantics (table driven)                                    */
/* ------------------------------------------------------------------ */

typedef struct Case {
    const char *opts;
    const char *payload;
    bool match;
} Case;

static const Case content_cases[] = {
    { "content:\"abc\";", "xxabcxx", true },
    { "content:\"abd\";", "xxabcxx", false },
    { "content:\"ABC\"; nocase;", "xxabcxx", true },
    { "content:\"ABC\";", "xxabcxx", false },
    { "content:\"|61 62|c\";", "xxabcxx", true },
    { "content:!\"zzz\";", "xxabcxx", true },
    { "content:!\"abc\";", "xxabcxx", false },
    { "content:\"abc\"; depth:4;", "xxabcxx", false },
    { "content:\"abc\"; depth:5;", "xxabcxx", true },
    { "content:\"abc\"; offset:3;", "xxabcxx", false },
    { "content:\"abc\"; offset:2; depth:3;", "xxabcxx", true },
    { "content:\"ab\"; content:\"cx\"; distance:0;", "xxabcxx", true },
    { "content:\"ab\"; content:\"xx\"; distance:1;", "xxabcxx", true },
    { "content:\"ab\"; content:\"xx\"; distance:2;", "xxabcxx", false },
    { "content:\"ab\"; content:\"c\"; within:1;", "xxabcxx", true },
    { "content:\"ab\"; content:\"x\"; within:1;", "xxabcxx", false },
    { "content:\"ab\"; content:\"xx\"; distance:-4; within:2;", "xxabcxx", true },
    /* backtracking: the first "a" is followed by the wrong byte */
    { "content:\"a\"; content:\"b\"; within:1;", "axxab", true },
    { "content:\"a\"; content:!\"x\"; within:1;", "axab", true },
    { "content:\"xx\"; startswith;", "xxabcxx", true },
    { "content:\"ab\"; startswith;", "xxabcxx", false },
    { "content:\"cxx\"; endswith;", "xxabcxx", true },
    { "content:\"abc\"; endswith;", "xxabcxx", false },
    { "content:\"xx\"; endswith;", "xxabcxx", true },
    { "content:\"abc\"; fast_pattern; content:\"x\"; distance:0;", "xxabcxx", true },
    { "content:\"abcxx\"; fast_pattern:2,3;", "xxabcxx", true },
    { "content:\"b\"; isdataat:3,relative;", "xxabcxx", true },
    { "content:\"b\"; isdataat:4,relative;", "xxabcxx", false },
    { "content:\"b\"; isdataat:5,relative;", "xxabcxx", false },
    { "isdataat:6;", "xxabcxx", true },
    { "isdataat:7;", "xxabcxx", false },
    { "isdataat:!7;", "xxabcxx", true },
    { "dsize:7;", "xxabcxx", true },
    { "dsize:>7;", "xxabcxx", false },
    { "dsize:5<>8;", "xxabcxx", true },
    { "pcre:\"/a.c/\";", "xxabcxx", true },
    { "pcre:\"/A.C/i\";", "xxabcxx", true },
    { "pcre:\"/A.C/\";", "xxabcxx", false },
    { "pcre:!\"/zz/\";", "xxabcxx", true },
    { "content:\"ab\"; pcre:\"/^c/R\";", "xxabcxx", true },
    { "content:\"ab\"; pcre:\"/^x/R\";", "xxabcxx", false },
    { "content:\"x\"; pcre:\"/^a/R\";", "xxabcxx", true },  /* backtracks to the second x */
    /* byte_* over "\x00\x05hello\x02ab" */
    { "byte_test:2,=,5,0;", "\x00\x05hello", true },
    { "byte_test:2,>,5,0;", "\x00\x05hello", false },
    { "byte_test:2,!=,6,0;", "\x00\x05hello", true },
    { "byte_test:1,&,4,1;", "\x00\x05hello", true },
    { "byte_test:2,=,1280,0,little;", "\x00\x05hello", true },
    { "byte_test:1,=,7,0,string,dec;", "7x", true },
    { "byte_jump:2,0; content:\"o\"; within:1;", "\x00\x05helloo", true },
    { "byte_jump:2,0; content:\"h\"; within:1;", "\x00\x05helloo", false },
    { "byte_extract:2,0,len; content:\"o\"; distance:len; within:2;", "\x00\x03" "abcdo", true },
    { "byte_extract:1,1,n; byte_test:1,=,n,2;", "\x00\x05\x05", true },
    { "byte_math:bytes 1, offset 1, oper +, rvalue 2, result r; byte_test:1,=,r,2;", "\x00\x05\x07", true },
    { "content:\"Q?\"; byte_jump:2,0,relative,string,from_end,post_offset -6; content:\"end\"; distance:0;",
      "Q?02xxxxend!", true },
};

static void test_content_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof content_cases / sizeof content_cases[0]; i++) {
        const Case *c = &content_cases[i];
        size_t len = strlen(c->payload);
        if (c->payload[0] == '\0') /* binary cases: "\x00" then one more byte, then text */
            len = 2 + strlen(c->payload + 2);
        bool got = opts_match(c->opts, c->payload, len);
        if (got != c->match) {
            print_error("case %zu: %s on \"%s\": expected %s\n", i, c->opts, c->payload,
                        c->match ? "match" : "no match");
            fail();
        }
    }
}

/* ------------------------------------------------------------------ */
/* Header keywords                                                     */
/* ------------------------------------------------------------------ */

static void test_header_keywords(void **state)
{
    (void)state;
    DetectEngine *de = load("alert tcp any any -> any 80 (flags:AP; sid:1;)\n"
                            "alert tcp any any -> any 80 (flags:S; sid:2;)\n"
                            "alert tcp any any -> any 80 (flags:A+; sid:3;)\n"
                            "alert tcp any any -> any 80 (ttl:64; sid:4;)\n"
                            "alert tcp any any -> any 80 (ttl:<10; sid:5;)\n"
                            "alert ip any any -> any any (ip_proto:6; sid:6;)\n"
                            "alert ip any any -> any any (ip_proto:udp; sid:7;)\n"
                            "alert tcp $HOME_NET any -> any 81 (sid:8;)\n"
                            "alert tcp any any <> 10.0.0.1 1234 (sid:9;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 9);
    Packet p = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, "x", 1);
    DetectAlerts out;
    run(de, &p, &out);
    bool seen[10] = { false };
    for (unsigned i = 0; i < out.n; i++)
        if (out.a[i].sid < 10)
            seen[out.a[i].sid] = true;
    assert_true(seen[1]);
    assert_false(seen[2]);
    assert_true(seen[3]);
    assert_true(seen[4]);
    assert_false(seen[5]);
    assert_true(seen[6]);
    assert_false(seen[7]);
    assert_false(seen[8]);
    assert_true(seen[9]); /* matched in the reverse direction */
    detect_engine_free(de);

    de = load("alert tcp any any -> any any (tos:16; sid:1;)\n"
              "alert tcp any any -> any any (tcp.mss:>1000; sid:2;)\n"
              "alert tcp any any -> any any (tcp.mss:<1000; sid:3;)\n"
              "alert tcp any any -> any any (window:!512; sid:4;)\n");
    p.ip_tos = 16;
    p.tcp_mss = 1460;
    p.tcp_win = 512;
    run(de, &p, &out);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.a[0].sid, 1);
    assert_int_equal(out.a[1].sid, 2);
    detect_engine_free(de);
}

/* ------------------------------------------------------------------ */
/* Flow state: flowbits, flowint, flow:                                */
/* ------------------------------------------------------------------ */

static void test_flowbits(void **state)
{
    (void)state;
    DetectEngine *de = load("alert tcp any any -> any any (content:\"login\"; flowbits:set,seen; flowbits:noalert; sid:1;)\n"
                            "alert tcp any any -> any any (content:\"cmd\"; flowbits:isset,seen; sid:2;)\n"
                            "alert tcp any any -> any any (content:\"cmd\"; flowbits:isnotset,seen; sid:3;)\n"
                            "alert tcp any any -> any any (content:\"cmd\"; flowbits:isset,a|seen; sid:4;)\n"
                            "alert tcp any any -> any any (content:\"cmd\"; flowbits:isset,a&seen; sid:5;)\n"
                            "alert tcp any any -> any any (content:\"login\"; flowint:n,=,5; sid:6;)\n"
                            "alert tcp any any -> any any (content:\"cmd\"; flowint:n,==,5; sid:7;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 7);
    Stats st;
    memset(&st, 0, sizeof st);
    DetectThread *dt = detect_thread_new(de, &st);
    Flow f;
    memset(&f, 0, sizeof f);
    f.key.proto = 6;
    DetectAlerts out;

    Packet p1 = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, "cmd", 3);
    p1.flow = &f;
    p1.to_server = true;
    detect_packet(dt, &p1, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.a[0].sid, 3);

    Packet p2 = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, "login", 5);
    p2.flow = &f;
    detect_packet(dt, &p2, &out);
    assert_int_equal(out.n, 1); /* sid 1 is noalert */
    assert_int_equal(out.a[0].sid, 6);

    Packet p3 = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, "cmd", 3);
    p3.flow = &f;
    detect_packet(dt, &p3, &out);
    bool seen[8] = { false };
    for (unsigned i = 0; i < out.n; i++)
        seen[out.a[i].sid] = true;
    assert_true(seen[2]);
    assert_false(seen[3]);
    assert_true(seen[4]);
    assert_false(seen[5]);
    assert_false(seen[6]);
    assert_true(seen[7]); /* flowint n was set to 5 by p2 */
    detect_flow_end(dt, &f);
    assert_null(f.detect);
    detect_thread_free(dt);
    detect_engine_free(de);
}

static void test_flow_keyword(void **state)
{
    (void)state;
    DetectEngine *de = load("alert tcp any any -> any any (flow:to_server,established; sid:1;)\n"
                            "alert tcp any any -> any any (flow:to_client; sid:2;)\n"
                            "alert tcp any any -> any any (flow:not_established; sid:3;)\n"
                            "alert tcp any any -> any any (flow:stateless; sid:4;)\n");
    Flow f;
    memset(&f, 0, sizeof f);
    f.key.proto = 6;
    f.tcp_state = FLOW_TCP_ESTABLISHED;
    f.state = FLOW_STATE_ESTABLISHED;
    Packet p = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, "x", 1);
    p.flow = &f;
    p.to_server = true;
    DetectAlerts out;
    run(de, &p, &out);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.a[0].sid, 1);
    assert_int_equal(out.a[1].sid, 4);
    /* no flow: direction keywords cannot match */
    Packet q = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, "x", 1);
    run(de, &q, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.a[0].sid, 4);
    detect_engine_free(de);
}

/* ------------------------------------------------------------------ */
/* Thresholds                                                          */
/* ------------------------------------------------------------------ */

static unsigned count_sid(DetectEngine *de, uint32_t sid, int n_packets)
{
    Stats st;
    memset(&st, 0, sizeof st);
    DetectThread *dt = detect_thread_new(de, &st);
    unsigned hits = 0;
    for (int i = 0; i < n_packets; i++) {
        Packet p = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, "x", 1);
        p.ts_ns = 1000000000LL * (i + 1);
        DetectAlerts out;
        detect_packet(dt, &p, &out);
        for (unsigned k = 0; k < out.n; k++)
            if (out.a[k].sid == sid)
                hits++;
    }
    detect_thread_free(dt);
    return hits;
}

static void test_threshold(void **state)
{
    (void)state;
    DetectEngine *de = load(
        "alert tcp any any -> any any (threshold:type limit, track by_src, count 2, seconds 60; sid:1;)\n"
        "alert tcp any any -> any any (threshold:type threshold, track by_src, count 3, seconds 60; sid:2;)\n"
        "alert tcp any any -> any any (threshold:type both, track by_dst, count 3, seconds 60; sid:3;)\n"
        "alert tcp any any -> any any (detection_filter:track by_src, count 4, seconds 60; sid:4;)\n"
        "alert tcp any any -> any any (threshold:type backoff, track by_rule, count 1, multiplier 2; sid:5;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 5);
    assert_int_equal(count_sid(de, 1, 10), 2);
    assert_int_equal(count_sid(de, 2, 10), 3);
    assert_int_equal(count_sid(de, 3, 10), 1);
    assert_int_equal(count_sid(de, 4, 10), 6);
    assert_int_equal(count_sid(de, 5, 10), 4); /* 1, 2, 4, 8 */
    detect_engine_free(de);
    log_set_level(-1);
    assert_int_equal(n_failed("alert tcp any any -> any any (threshold:type limit, count 2; sid:1;)\n"), 1);
    log_set_level(LOG_LVL_WARN);
}

static void test_threshold_config(void **state)
{
    (void)state;
    char path[] = "/tmp/kasbah-test-thr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# comment\n"
                       "threshold gen_id 1, sig_id 1, type limit, track by_src, count 1, seconds 60\n"
                       "suppress gen_id 1, sig_id 2\n"
                       "suppress gen_id 1, sig_id 3, track by_src, ip 10.0.0.0/8\n"
                       "suppress gen_id 1, sig_id 4, track by_dst, ip 10.0.0.0/8\n"
                       "rate_filter gen_id 1, sig_id 5, track by_rule, count 1, seconds 1\n"
                       "bogus line\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    Config *c = conf_new();
    char set[128];
    snprintf(set, sizeof set, "threshold-file=%s", path);
    assert_int_equal(conf_set(c, set), 0);
    log_set_level(-1);
    DetectEngine *de = load_with(c, "alert tcp any any -> any any (sid:1;)\n"
                                    "alert tcp any any -> any any (sid:2;)\n"
                                    "alert tcp any any -> any any (sid:3;)\n"
                                    "alert tcp any any -> 8.8.8.8 any (sid:4;)\n"
                                    "alert tcp any any -> any any (sid:5;)\n");
    log_set_level(LOG_LVL_WARN);
    unlink(path);
    assert_int_equal(count_sid(de, 1, 5), 1);  /* limit 1 from threshold.config */
    assert_int_equal(count_sid(de, 2, 5), 0);  /* suppressed */
    assert_int_equal(count_sid(de, 3, 5), 0);  /* suppressed: source 10.0.0.1 */
    assert_int_equal(count_sid(de, 5, 5), 5);  /* rate_filter ignored (reported) */
    detect_engine_free(de);
    conf_free(c);
}

/* ------------------------------------------------------------------ */
/* Actions, order, alert limit                                         */
/* ------------------------------------------------------------------ */

static void test_actions_and_order(void **state)
{
    (void)state;
    /* pass wins over everything, whatever the file order */
    DetectEngine *de = load("alert tcp any any -> any any (sid:1;)\n"
                            "drop tcp any any -> any any (sid:2;)\n"
                            "pass tcp any any -> any 80 (sid:3;)\n");
    Packet p = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, "x", 1);
    DetectAlerts out;
    assert_int_equal(run(de, &p, &out), 0);
    Packet q = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 81, "x", 1);
    run(de, &q, &out);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.a[0].sid, 2); /* drop sorts before alert */
    assert_int_equal(out.a[1].sid, 1);
    assert_false(out.a[0].blocked); /* IDS mode */
    assert_false(out.drop);
    detect_engine_free(de);

    /* IPS mode: drop blocks */
    Config *ips = conf_new();
    assert_int_equal(conf_set(ips, "engine.simulate-ips=yes"), 0);
    de = load_with(ips, "drop tcp any any -> any any (sid:2;)\nalert tcp any any -> any any (priority:1; sid:1;)\n");
    run(de, &q, &out);
    assert_int_equal(out.n, 2);
    assert_true(out.a[0].blocked);
    assert_false(out.a[1].blocked);
    assert_true(out.drop);
    detect_engine_free(de);
    conf_free(ips);

    /* priority orders alerts of the same action */
    de = load("alert tcp any any -> any any (priority:3; sid:1;)\nalert tcp any any -> any any (priority:1; sid:2;)\n");
    run(de, &q, &out);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.a[0].sid, 2);
    assert_int_equal(out.a[0].severity, 1);
    detect_engine_free(de);

    /* packet-alert-max: 15 by default; noalert rules take no slot */
    char rules[8192] = "";
    size_t off = 0;
    for (int i = 1; i <= 20; i++)
        off += (size_t)snprintf(rules + off, sizeof rules - off, "alert tcp any any -> any any (%ssid:%d;)\n",
                                i <= 3 ? "noalert; " : "", i);
    de = load(rules);
    run(de, &q, &out);
    assert_int_equal(out.n, 15);
    assert_int_equal(out.a[0].sid, 4);
    detect_engine_free(de);
}

static void test_classification_and_meta(void **state)
{
    (void)state;
    DetectEngine *de = load("alert tcp any any -> any any (msg:\"m\"; classtype:trojan-activity; "
                            "metadata:a b, c d; reference:url,example.com; gid:3; rev:7; sid:9;)\n");
    Packet p = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, "x", 1);
    DetectAlerts out;
    run(de, &p, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.a[0].msg, "m");
    assert_string_equal(out.a[0].category, "A Network Trojan was detected");
    assert_int_equal(out.a[0].severity, 1);
    assert_int_equal(out.a[0].gid, 3);
    assert_int_equal(out.a[0].rev, 7);
    assert_int_equal(out.a[0].sig->n_meta, 2);
    detect_engine_free(de);

    ClassTable t;
    memset(&t, 0, sizeof t);
    assert_int_equal(class_table_add_line(&t, " x-class , Some text , 2"), 0);
    assert_int_equal(class_table_add_line(&t, "bad line"), -1);
    const ClassType *c = class_table_find(&t, "x-class");
    assert_non_null(c);
    assert_string_equal(c->desc, "Some text");
    assert_int_equal(c->prio, 2);
    class_table_fini(&t);
}

static void test_transforms_and_bsize(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t n = transform_apply(XFORM_DOTPREFIX, (const uint8_t *)"a.com", 5, out);
    assert_int_equal(n, 6);
    assert_memory_equal(out, ".a.com", 6);
    n = transform_apply(XFORM_TO_LOWER, (const uint8_t *)"AbC", 3, out);
    assert_memory_equal(out, "abc", 3);
    n = transform_apply(XFORM_STRIP_WS, (const uint8_t *)" a b\tc ", 7, out);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "abc", 3);
    n = transform_apply(XFORM_COMPRESS_WS, (const uint8_t *)"a  \t b", 6, out);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "a b", 3);
    n = transform_apply(XFORM_URL_DECODE, (const uint8_t *)"%41+b%zz", 8, out);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "A b%zz", 6);

    /* tcp.hdr as a sticky buffer with bsize and a transform */
    DetectEngine *de = load("alert tcp any any -> any any (tcp.hdr; bsize:20; sid:1;)\n"
                            "alert tcp any any -> any any (tcp.hdr; bsize:>20; sid:2;)\n"
                            "alert tcp any any -> any any (tcp.hdr; to_uppercase; content:\"AB\"; offset:4; depth:2; sid:3;)\n"
                            "alert tcp any any -> any any (tcp.hdr; content:\"AB\"; offset:4; depth:2; sid:4;)\n");
    assert_int_equal(detect_engine_rules_loaded(de), 4);
    uint8_t frame[40];
    memset(frame, 0, sizeof frame);
    memcpy(frame + 20 + 4, "ab", 2); /* in the TCP sequence number field */
    Packet p = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, "x", 1);
    p.data = frame;
    p.caplen = sizeof frame;
    p.l3_off = 0;
    p.l4_off = 20;
    p.l4_hlen = 20;
    DetectAlerts out2;
    run(de, &p, &out2);
    assert_int_equal(out2.n, 2);
    assert_int_equal(out2.a[0].sid, 1);
    assert_int_equal(out2.a[1].sid, 3);
    detect_engine_free(de);
    log_set_level(-1);
    assert_int_equal(n_failed("alert tcp any any -> any any (dotprefix; content:\"a\"; sid:1;)\n"), 1);
    assert_int_equal(n_failed("alert tcp any any -> any any (urilen:>4; sid:1;)\n"), 0); /* http.uri */
    log_set_level(LOG_LVL_WARN);
}

static void test_fastlog_format(void **state)
{
    (void)state;
    Packet p = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, "x", 1);
    p.ts_ns = 1491604077251547000LL; /* 2017-04-07T22:27:57.251547Z */
    DetectAlert a;
    memset(&a, 0, sizeof a);
    a.gid = 1;
    a.sid = 2;
    a.rev = 3;
    a.msg = "hello";
    a.category = "Misc activity";
    a.severity = 3;
    a.action = DETECT_ACTION_DROP;
    char line[512];
    fastlog_format(line, sizeof line, &p, &a, true);
    assert_string_equal(line, "04/07/2017-22:27:57.251547  [Drop] [**] [1:2:3] hello [**] "
                              "[Classification: Misc activity] [Priority: 3] {TCP} 10.0.0.1:1234 -> 10.0.0.2:80\n");
}

static void test_eve_alert_record(void **state)
{
    (void)state;
    DetectEngine *de = load("drop tcp any any -> any any (msg:\"m \\\"q\\\"\"; classtype:trojan-activity; target:src_ip; "
                            "metadata:k v1, k v2, z w; rev:7; sid:9;)\n");
    Packet p = tcp_pkt("10.0.0.1", 1234, "10.0.0.2", 80, "x", 1);
    DetectAlerts out;
    run(de, &p, &out);
    assert_int_equal(out.n, 1);
    char dir[] = "/tmp/kasbah-test-eve-XXXXXX";
    assert_non_null(mkdtemp(dir));
    EveWriter *w = eve_open(NULL, dir);
    assert_non_null(w);
    JsonBuf j;
    json_init(&j, NULL);
    assert_int_equal(eve_write_alerts(w, &j, &p, &out), 0);
    json_fini(&j);
    assert_int_equal(eve_close(w), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/eve.json", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[2048] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    unlink(path);
    rmdir(dir);
    assert_non_null(strstr(line, "\"event_type\":\"alert\""));
    assert_non_null(strstr(line, "\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":9,\"rev\":7,"
                                 "\"signature\":\"m \\\"q\\\"\",\"category\":\"A Network Trojan was detected\","
                                 "\"severity\":1,\"source\":{\"ip\":\"10.0.0.2\",\"port\":80},"
                                 "\"target\":{\"ip\":\"10.0.0.1\",\"port\":1234},"
                                 "\"metadata\":{\"k\":[\"v1\",\"v2\"],\"z\":[\"w\"]}}"));
    detect_engine_free(de);
}

static void test_alert_options(void **state)
{
    (void)state;
    AlertOutputOptions o;
    eve_alert_options_read(NULL, &o);
    assert_true(o.app_layer);
    assert_false(o.payload);
    assert_false(o.packet);
    Config *c = conf_new();
    assert_int_equal(conf_load_string(c,
                                      "outputs:\n"
                                      "  - eve-log:\n"
                                      "      types:\n"
                                      "        - flow\n"
                                      "        - alert:\n"
                                      "            payload: yes\n"
                                      "            packet: yes\n",
                                      "test.yaml"),
                     0);
    eve_alert_options_read(c, &o);
    assert_true(o.payload);
    assert_false(o.payload_printable);
    assert_true(o.packet);
    assert_true(o.app_layer); /* on by default, as Suricata's alert metadata */
    conf_free(c);
    c = conf_new();
    assert_int_equal(conf_load_string(c,
                                      "outputs:\n"
                                      "  - eve-log:\n"
                                      "      types:\n"
                                      "        - alert:\n"
                                      "            metadata:\n"
                                      "              app-layer: no\n",
                                      "test.yaml"),
                     0);
    eve_alert_options_read(c, &o);
    assert_false(o.app_layer);
    conf_free(c);
    assert_non_null(detect_memory_account());
}

int main(void)
{
    conf = conf_new();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_grammar),
        cmocka_unit_test(test_parse_failures),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_content_table),
        cmocka_unit_test(test_header_keywords),
        cmocka_unit_test(test_flowbits),
        cmocka_unit_test(test_flow_keyword),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_threshold_config),
        cmocka_unit_test(test_actions_and_order),
        cmocka_unit_test(test_classification_and_meta),
        cmocka_unit_test(test_transforms_and_bsize),
        cmocka_unit_test(test_fastlog_format),
        cmocka_unit_test(test_alert_options),
        cmocka_unit_test(test_eve_alert_record),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    conf_free(conf);
    return rc;
}
