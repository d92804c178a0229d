/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_applayer.c: unit tests for the src/applayer framework: the content
 * probes (HTTP, TLS, DNS), protocol detection in either direction and
 * regardless of ports, failure, UDP, counters, the parser contract
 * (ok / incomplete / error / gaps) with a test parser, and the stream ->
 * applayer hand-off with an HTTP request cut into 1-byte segments sent in
 * reverse order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "applayer/applayer.h"
#include "applayer/detect_proto.h"
#include "applayer/sip/sip.h"
#include "applayer/ssh/ssh.h"
#include "core/config.h"
#include "core/stats.h"
#include "flow/flow.h"
#include "stream/stream.h"

static const AppProbeInfo TCP80 = {6, 0, 40000, 80};
static const AppProbeInfo TCP443 = {6, 0, 40000, 443};
static const AppProbeInfo UDP53 = {17, 0, 40000, 53};
static const AppProbeInfo UDP9999 = {17, 0, 40000, 9999};

#define B(s) (const uint8_t *)(s), (sizeof(s) - 1)

/* www.example.com A IN, recursion desired */
static const uint8_t dns_query[] = {
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
    0x00, 0x01, 0x00, 0x01,
};

/* TLS 1.2 record header + ClientHello handshake header */
static const uint8_t tls_ch[] = {0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4, 0x03, 0x03};

/* ---- probes ---- */

static void test_probe_http(void **state)
{
    (void)state;
    assert_int_equal(app_probe_http(B("GET / HTTP/1.1\r\n"), &TCP80), APP_PROBE_YES);
    assert_int_equal(app_probe_http(B("PROPFIND /x HTTP/1.1\r\n"), &TCP80), APP_PROBE_YES);
    assert_int_equal(app_probe_http(B("HTTP/1.1 200 OK\r\n"), &TCP80), APP_PROBE_YES);
    assert_int_equal(app_probe_http(B("GE"), &TCP80), APP_PROBE_NEED_MORE);
    assert_int_equal(app_probe_http(B("GET"), &TCP80), APP_PROBE_NEED_MORE);
    assert_int_equal(app_probe_http(B("HTTP/"), &TCP80), APP_PROBE_NEED_MORE);
    assert_int_equal(app_probe_http(B("GETX / HTTP/1.1"), &TCP80), APP_PROBE_NO);
    assert_int_equal(app_probe_http(B("SSH-2.0-OpenSSH"), &TCP80), APP_PROBE_NO);
    assert_int_equal(app_probe_http(B("get / HTTP/1.1"), &TCP80), APP_PROBE_NO);
}

static void test_probe_tls(void **state)
{
    (void)state;
    assert_int_equal(app_probe_tls(tls_ch, sizeof tls_ch, &TCP443), APP_PROBE_YES);
    assert_int_equal(app_probe_tls(tls_ch, 3, &TCP443), APP_PROBE_NEED_MORE);
    uint8_t bad[sizeof tls_ch];
    memcpy(bad, tls_ch, sizeof bad);
    bad[5] = 0x0b; /* Certificate first: not a session start */
    assert_int_equal(app_probe_tls(bad, sizeof bad, &TCP443), APP_PROBE_NO);
    bad[5] = 0x01;
    bad[2] = 0x07; /* version 3.7 */
    assert_int_equal(app_probe_tls(bad, sizeof bad, &TCP443), APP_PROBE_NO);
    static const uint8_t sslv2[] = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15};
    assert_int_equal(app_probe_tls(sslv2, sizeof sslv2, &TCP443), APP_PROBE_YES);
    assert_int_equal(app_probe_tls(B("GET / HTTP/1.1"), &TCP443), APP_PROBE_NO);
}

static void test_probe_dns(void **state)
{
    (void)state;
    assert_int_equal(app_probe_dns(dns_query, sizeof dns_query, &UDP53), APP_PROBE_YES);
    assert_int_equal(app_probe_dns(dns_query, sizeof dns_query, &UDP9999), APP_PROBE_YES);
    /* truncated question: a datagram is whole, so no */
    assert_int_equal(app_probe_dns(dns_query, 20, &UDP53), APP_PROBE_NO);
    /* a pointer in the question pointing forward */
    uint8_t fwd[sizeof dns_query];
    memcpy(fwd, dns_query, sizeof fwd);
    fwd[12] = 0xc0;
    fwd[13] = 0x20;
    assert_int_equal(app_probe_dns(fwd, sizeof fwd, &UDP53), APP_PROBE_NO);
    /* two questions: fine on 53, not elsewhere (strict) */
    uint8_t two[sizeof dns_query * 2];
    memcpy(two, dns_query, sizeof dns_query);
    memcpy(two + sizeof dns_query, dns_query + 12, sizeof dns_query - 12);
    two[5] = 2;
    assert_int_equal(app_probe_dns(two, sizeof dns_query * 2 - 12, &UDP53), APP_PROBE_YES);
    assert_int_equal(app_probe_dns(two, sizeof dns_query * 2 - 12, &UDP9999), APP_PROBE_NO);
    /* TCP: length prefix */
    uint8_t tcp[2 + sizeof dns_query];
    tcp[0] = 0;
    tcp[1] = sizeof dns_query;
    memcpy(tcp + 2, dns_query, sizeof dns_query);
    AppProbeInfo t53 = {6, 0, 40000, 53};
    assert_int_equal(app_probe_dns(tcp, sizeof tcp, &t53), APP_PROBE_YES);
    assert_int_equal(app_probe_dns(tcp, 10, &t53), APP_PROBE_NEED_MORE);
    assert_int_equal(app_probe_dns(B("GET / HTTP/1.1\r\n"), &UDP53), APP_PROBE_NO);
    assert_int_equal(app_probe_dns(B("GET / HTTP/1.1\r\n"), &t53), APP_PROBE_NO);
    /* NetBIOS name service (RFC 1002) is DNS-shaped but is not DNS; port 53 wins */
    AppProbeInfo nb = {17, 0, 137, 137}, nb53 = {17, 0, 137, 53};
    assert_int_equal(app_probe_dns(dns_query, sizeof dns_query, &nb), APP_PROBE_NO);
    assert_int_equal(app_probe_dns(dns_query, sizeof dns_query, &nb53), APP_PROBE_YES);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(app_proto_name(APP_PROTO_HTTP), "http");
    assert_string_equal(app_proto_name(APP_PROTO_TLS), "tls");
    assert_string_equal(app_proto_name(APP_PROTO_DNS), "dns");
    assert_string_equal(app_proto_name(APP_PROTO_FAILED), "failed");
    assert_null(app_proto_name(APP_PROTO_UNKNOWN));
    assert_null(app_proto_name(99));
    assert_int_equal(app_proto_by_name("http1"), APP_PROTO_HTTP);
    assert_int_equal(app_proto_by_name("dns"), APP_PROTO_DNS);
    assert_int_equal(app_proto_by_name("smb"), -1);
}

/* ---- detection through the framework ---- */

typedef struct A {
    Stats stats;
    AppLayerCtx *ctx;
    Flow flow;
} A;

static A *a_new(uint8_t proto, uint16_t sp, uint16_t dp)
{
    stats_reset_registry();
    A *a = calloc(1, sizeof *a);
    assert_non_null(a);
    applayer_registry_init();
    a->ctx = applayer_ctx_new(NULL, &a->stats);
    assert_non_null(a->ctx);
    a->flow.key.proto = proto;
    a->flow.key.port[0] = sp;
    a->flow.key.port[1] = dp;
    return a;
}

static void a_free(A *a)
{
    applayer_flow_end(a->ctx, &a->flow);
    assert_null(a->flow.app);
    assert_int_equal(applayer_ctx_account(a->ctx)->used, 0);
    applayer_ctx_free(a->ctx);
    free(a);
}

static uint64_t ctr(const A *a, const char *name)
{
    int id = stats_find(name);
    assert_true(id >= 0);
    return a->stats.v[id];
}

static uint32_t give(A *a, unsigned dir, const void *buf, size_t len, unsigned flags)
{
    return applayer_stream_deliver(&a->flow, dir, buf, (uint32_t)len, flags, a->ctx);
}

static void test_detect_http_any_port(void **state)
{
    (void)state;
    A *a = a_new(6, 40000, 8080);
    assert_int_equal(give(a, 0, "GE", 2, 0), 0); /* need more: kept */
    assert_int_equal(a->flow.app_proto, APP_PROTO_UNKNOWN);
    assert_null(applayer_flow_proto_name(&a->flow));
    const char req[] = "GET / HTTP/1.1\r\n";
    assert_int_equal(give(a, 0, req, sizeof req - 1, 0), sizeof req - 1);
    assert_int_equal(a->flow.app_proto, APP_PROTO_HTTP);
    assert_string_equal(applayer_flow_proto_name(&a->flow), "http");
    assert_int_equal(ctr(a, "app_layer.flow.http"), 1);
    a_free(a);
}

static void test_detect_tls_on_80_server_first(void **state)
{
    (void)state;
    A *a = a_new(6, 40000, 80);
    /* the client's bytes mean nothing yet; the server's are a ServerHello */
    assert_int_equal(give(a, 0, "\x01\x02\x03", 3, 0), 0);
    uint8_t sh[sizeof tls_ch];
    memcpy(sh, tls_ch, sizeof sh);
    sh[5] = 0x02;
    assert_int_equal(give(a, 1, sh, sizeof sh, 0), sizeof sh);
    assert_int_equal(a->flow.app_proto, APP_PROTO_TLS);
    assert_int_equal(ctr(a, "app_layer.flow.tls"), 1);
    assert_int_equal(ctr(a, "app_layer.flow.http"), 0);
    a_free(a);
}

static void test_detect_failed(void **state)
{
    (void)state;
    A *a = a_new(6, 40000, 80);
    /* SMTP: no probe of kasbah's knows it */
    const char cb[] = "EHLO client.example\r\n";
    const char sb[] = "220 mail.example ESMTP\r\n";
    assert_int_equal(give(a, 0, cb, sizeof cb - 1, 0), 0);
    assert_int_equal(a->flow.app_proto, APP_PROTO_UNKNOWN);
    assert_int_equal(give(a, 1, sb, sizeof sb - 1, 0), sizeof sb - 1);
    assert_int_equal(a->flow.app_proto, APP_PROTO_FAILED);
    assert_string_equal(applayer_flow_proto_name(&a->flow), "failed");
    assert_int_equal(ctr(a, "app_layer.flow.failed_tcp"), 1);
    /* from then on everything is dropped */
    assert_int_equal(give(a, 0, "GET / HTTP/1.1\r\n", 16, 0), 16);
    assert_int_equal(a->flow.app_proto, APP_PROTO_FAILED);
    a_free(a);
}

static void test_detect_ssh(void **state)
{
    (void)state;
    /* SSH on a port that is not 22, both banners parsed */
    A *a = a_new(6, 40000, 2222);
    const char cb[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
    const char sb[] = "SSH-1.99-Cisco-1.25\r\n";
    assert_int_equal(give(a, 0, "SS", 2, 0), 0); /* need more */
    assert_int_equal(give(a, 0, cb, sizeof cb - 1, 0), sizeof cb - 1);
    assert_int_equal(a->flow.app_proto, APP_PROTO_SSH);
    assert_string_equal(applayer_flow_proto_name(&a->flow), "ssh");
    assert_int_equal(app_proto_by_name("ssh"), APP_PROTO_SSH);
    assert_int_equal(give(a, 1, sb, sizeof sb - 1, 0), sizeof sb - 1);
    const SshState *ss = applayer_flow_state(&a->flow);
    assert_non_null(ss);
    assert_true(ssh_banner(ss, 0)->done);
    assert_string_equal(ssh_banner(ss, 0)->proto, "2.0");
    assert_string_equal(ssh_banner(ss, 0)->software, "OpenSSH_9.2p1");
    assert_string_equal(ssh_banner(ss, 1)->proto, "1.99");
    assert_string_equal(ssh_banner(ss, 1)->software, "Cisco-1.25");
    assert_int_equal(applayer_flow_proto_dir(&a->flow, 0), APP_PROTO_SSH);
    assert_int_equal(applayer_flow_proto_dir(&a->flow, 1), APP_PROTO_SSH);
    assert_int_equal(ctr(a, "app_layer.flow.ssh"), 1);
    /* encrypted packets after the banners: consumed, parser stays on */
    assert_int_equal(give(a, 0, "\x00\x00\x01\x0c\x0a\x14", 6, 0), 6);
    assert_false(applayer_flow_parser_failed(&a->flow));
    a_free(a);

    /* an HTTP client talking to an SSH server: the flow is http, the
     * server's direction on its own is ssh */
    a = a_new(6, 40000, 22);
    const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(give(a, 0, req, sizeof req - 1, 0), sizeof req - 1);
    assert_int_equal(a->flow.app_proto, APP_PROTO_HTTP);
    assert_int_equal(applayer_flow_proto_dir(&a->flow, 1), APP_PROTO_UNKNOWN);
    const char ban[] = "SSH-2.0-OpenSSH_6.6.1\r\n";
    (void)give(a, 1, ban, sizeof ban - 1, 0);
    assert_int_equal(a->flow.app_proto, APP_PROTO_HTTP);
    assert_int_equal(applayer_flow_proto_dir(&a->flow, 0), APP_PROTO_HTTP);
    assert_int_equal(applayer_flow_proto_dir(&a->flow, 1), APP_PROTO_SSH);
    a_free(a);

    /* a client whose first line is not an identification: parser error */
    SshState *st = ssh_state_new(NULL);
    assert_non_null(st);
    assert_int_equal(ssh_parse(st, 0, B("hello\r\n")), SSH_PARSE_ERROR);
    /* a server may send other lines first; a line over 255 bytes is an error */
    assert_int_equal(ssh_parse(st, 1, B("Welcome\r\nSSH-2.0-x y\r\n")), SSH_PARSE_OK);
    assert_string_equal(ssh_banner(st, 1)->software, "x");
    ssh_state_free(st);
    st = ssh_state_new(NULL);
    uint8_t longl[300];
    memset(longl, 'a', sizeof longl);
    assert_int_equal(ssh_parse(st, 1, longl, sizeof longl), SSH_PARSE_ERROR);
    ssh_state_free(st);
    assert_int_equal(app_probe_ssh(B("SSH-2.0"), NULL), APP_PROBE_YES);
    assert_int_equal(app_probe_ssh(B("SS"), NULL), APP_PROBE_NEED_MORE);
    assert_int_equal(app_probe_ssh(B("SSL"), NULL), APP_PROBE_NO);
}

static void test_detect_gap_fails(void **state)
{
    (void)state;
    /* nothing but a gap and an empty direction: unknown, not failed */
    A *a = a_new(6, 40000, 80);
    give(a, 0, NULL, 100, APP_FLAG_GAP);
    give(a, 1, NULL, 0, APP_FLAG_EOF);
    assert_int_equal(a->flow.app_proto, APP_PROTO_UNKNOWN);
    assert_int_equal(ctr(a, "app_layer.flow.failed_tcp"), 0);
    a_free(a);
    /* undecided bytes, then a gap: failed */
    a = a_new(6, 40000, 80);
    assert_int_equal(give(a, 0, "\x01\x02\x03", 3, 0), 0);
    give(a, 0, NULL, 100, APP_FLAG_GAP);
    give(a, 1, NULL, 0, APP_FLAG_EOF);
    assert_int_equal(a->flow.app_proto, APP_PROTO_FAILED);
    assert_int_equal(ctr(a, "app_layer.flow.failed_tcp"), 1);
    a_free(a);
}

static void test_udp_dns(void **state)
{
    (void)state;
    A *a = a_new(17, 40000, 53);
    Packet p;
    memset(&p, 0, sizeof p);
    p.flags = PKT_HAS_IPV4 | PKT_HAS_UDP;
    p.flow = &a->flow;
    p.to_server = true;
    p.payload = dns_query;
    p.payload_len = sizeof dns_query;
    applayer_udp_packet(a->ctx, &a->flow, &p);
    assert_int_equal(a->flow.app_proto, APP_PROTO_DNS);
    assert_int_equal(ctr(a, "app_layer.flow.dns_udp"), 1);
    assert_int_equal(ctr(a, "app_layer.flow.dns_tcp"), 0);
    a_free(a);
}

/* One UDP datagram of flow a; returns whether the error policy took it out
 * of inspection. */
static bool udp(A *a, bool to_server, const char *msg)
{
    Packet p;
    memset(&p, 0, sizeof p);
    p.flags = PKT_HAS_IPV4 | PKT_HAS_UDP;
    p.flow = &a->flow;
    p.to_server = to_server;
    p.payload = (const uint8_t *)msg;
    p.payload_len = (uint32_t)strlen(msg);
    applayer_packet_begin(&a->flow);
    applayer_udp_packet(a->ctx, &a->flow, &p);
    return applayer_packet_dropped(&a->flow);
}

static void test_udp_sip_error_policy(void **state)
{
    (void)state;
    static const char inv[] = "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n"
                              "Content-Length: 0\r\n\r\n";
    static const char ok[] = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(sip_message_kind((const uint8_t *)inv, strlen(inv)), SIP_REQUEST);
    assert_int_equal(sip_message_kind((const uint8_t *)ok, strlen(ok)), SIP_RESPONSE);
    assert_int_equal(sip_message_kind((const uint8_t *)ok, strlen(ok) - 2), SIP_NONE); /* no empty line */
    assert_int_equal(app_probe_sip(B("OPTIONS sip:x SIP/2.0\r\n"), NULL), APP_PROBE_YES);
    assert_int_equal(app_probe_sip(B("GET / HTTP/1.1\r\n"), NULL), APP_PROBE_NO);
    assert_int_equal(app_probe_sip(B("SIP/2.0 20 OK\r\n"), NULL), APP_PROBE_NO);

    /* drop-packet in IPS mode: each datagram with the wrong shape for its
     * direction is taken out of inspection, the parser goes on */
    stats_reset_registry();
    Config *c = conf_new();
    assert_non_null(c);
    assert_int_equal(conf_set(c, "app-layer.error-policy=drop-packet"), 0);
    assert_int_equal(conf_set(c, "engine.simulate-ips=yes"), 0);
    A *a = calloc(1, sizeof *a);
    assert_non_null(a);
    a->ctx = applayer_ctx_new(c, &a->stats);
    assert_non_null(a->ctx);
    a->flow.key.proto = 17;
    a->flow.key.port[0] = 5060;
    a->flow.key.port[1] = 5061;
    assert_false(udp(a, true, inv));
    assert_int_equal(a->flow.app_proto, APP_PROTO_SIP);
    assert_string_equal(applayer_flow_proto_name(&a->flow), "sip");
    assert_false(udp(a, false, ok));
    assert_true(udp(a, false, inv));      /* a request to the client */
    assert_true(udp(a, true, ok));        /* a response to the server */
    assert_false(udp(a, true, inv));      /* parsed again: fine */
    assert_int_equal(ctr(a, "app_layer.error.sip.parser"), 2);
    assert_false(applayer_flow_parser_failed(&a->flow));
    a_free(a);
    conf_free(c);

    /* the same policy in IDS mode does nothing (as Suricata) */
    stats_reset_registry();
    c = conf_new();
    assert_int_equal(conf_set(c, "app-layer.error-policy=drop-packet"), 0);
    a = calloc(1, sizeof *a);
    assert_non_null(a);
    a->ctx = applayer_ctx_new(c, &a->stats);
    a->flow.key.proto = 17;
    assert_false(udp(a, true, inv));
    assert_false(udp(a, true, ok));
    assert_int_equal(ctr(a, "app_layer.error.sip.parser"), 1);
    a_free(a);
    conf_free(c);

    /* pass-flow: from the first error on, the rest of the flow too */
    stats_reset_registry();
    c = conf_new();
    assert_int_equal(conf_set(c, "app-layer.error-policy=pass-flow"), 0);
    a = calloc(1, sizeof *a);
    assert_non_null(a);
    a->ctx = applayer_ctx_new(c, &a->stats);
    a->flow.key.proto = 17;
    assert_false(udp(a, true, inv));
    assert_true(udp(a, true, ok));
    assert_true(udp(a, true, inv));
    a_free(a);
    conf_free(c);
}

static void test_udp_not_dns(void **state)
{
    (void)state;
    A *a = a_new(17, 40000, 5000);
    Packet p;
    memset(&p, 0, sizeof p);
    p.flags = PKT_HAS_IPV4 | PKT_HAS_UDP;
    p.flow = &a->flow;
    p.payload = (const uint8_t *)"hello there, not dns";
    p.payload_len = 20;
    p.to_server = true;
    applayer_udp_packet(a->ctx, &a->flow, &p);
    assert_int_equal(a->flow.app_proto, APP_PROTO_UNKNOWN);
    p.to_server = false;
    applayer_udp_packet(a->ctx, &a->flow, &p);
    assert_int_equal(a->flow.app_proto, APP_PROTO_FAILED);
    assert_int_equal(ctr(a, "app_layer.flow.failed_udp"), 1);
    a_free(a);
}

/* ---- the parser contract, with a test parser for HTTP ---- */

/* Consumes whole lines ending in '\n'; one transaction per line; "ERR"
 * makes it fail. */
typedef struct LineState {
    MemAccount *acct;
    char seen[2][512];
    size_t n_seen[2];
    uint64_t n_tx;
    unsigned gaps;
} LineState;

static void *line_new(MemAccount *acct, const Flow *f, uint8_t ipproto)
{
    (void)f;
    (void)ipproto;
    LineState *s = mem_calloc(acct, 1, sizeof *s);
    if (s != NULL)
        s->acct = acct;
    return s;
}

static void line_free(void *state)
{
    LineState *s = state;
    mem_free(s->acct, s);
}

static AppParseResult line_parse(void *state, Flow *f, unsigned dir, const uint8_t *buf, size_t len,
                                 unsigned flags)
{
    (void)f;
    LineState *s = state;
    AppParseResult r = {APP_PARSE_OK, 0, 0};
    if (flags & APP_FLAG_GAP) {
        s->gaps++;
        return r;
    }
    size_t used = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n')
            continue;
        size_t n = i + 1 - used;
        if (n >= 3 && memcmp(buf + used, "ERR", 3) == 0) {
            r.status = APP_PARSE_ERROR;
            return r;
        }
        if (s->n_seen[dir] + n < sizeof s->seen[dir]) {
            memcpy(s->seen[dir] + s->n_seen[dir], buf + used, n);
            s->n_seen[dir] += n;
        }
        s->n_tx++;
        used = i + 1;
    }
    if (used < len && !(flags & APP_FLAG_EOF)) {
        r.status = APP_PARSE_INCOMPLETE;
        r.consumed = (uint32_t)used;
        r.needed = 1;
    }
    return r;
}

static uint64_t line_tx_count(const void *state) { return ((const LineState *)state)->n_tx; }

static const AppParserOps line_ops = {
    .name = "http",
    .proto = APP_PROTO_HTTP,
    .ipprotos = APP_IPPROTO_TCP,
    .accepts_gaps = false,
    .state_new = line_new,
    .state_free = line_free,
    .parse = line_parse,
    .tx_count = line_tx_count,
};

static void register_line_parser(void)
{
    applayer_registry_init();
    if (applayer_parser_get(APP_PROTO_HTTP) == NULL)
        assert_int_equal(applayer_parser_register(&line_ops), 0);
    assert_int_equal(applayer_parser_register(&line_ops), -EEXIST);
}

static void test_parser_contract(void **state)
{
    (void)state;
    AppParserOps bad = line_ops;
    bad.parse = NULL;
    assert_int_equal(applayer_parser_register(&bad), -EINVAL);
    register_line_parser();
    A *a = a_new(6, 40000, 80);
    /* detection and parsing see the same bytes; the partial line is kept */
    const char one[] = "GET / HTTP/1.1\r\nHost: a";
    uint32_t c = give(a, 0, one, sizeof one - 1, 0);
    assert_int_equal(c, 16);
    LineState *ls = applayer_flow_state(&a->flow);
    assert_non_null(ls);
    assert_int_equal(ls->n_seen[0], 16);
    assert_int_equal(applayer_tx_count(&a->flow), 1);
    assert_true(applayer_flow_updated(&a->flow, 0));
    applayer_packet_begin(&a->flow);
    assert_false(applayer_flow_updated(&a->flow, 0));
    /* the rest is offered again with more */
    const char two[] = "Host: a\r\n";
    assert_int_equal(give(a, 0, two, sizeof two - 1, 0), sizeof two - 1);
    assert_int_equal(ls->n_seen[0], 25);
    assert_int_equal(ctr(a, "app_layer.tx.http"), 2);
    /* an error disables the parser for the flow */
    assert_int_equal(give(a, 1, "ERR\n", 4, 0), 4);
    assert_true(applayer_flow_parser_failed(&a->flow));
    assert_null(applayer_flow_state(&a->flow));
    assert_int_equal(ctr(a, "app_layer.error.http.parser"), 1);
    assert_int_equal(give(a, 0, "x\n", 2, 0), 2);
    a_free(a);
}

static void test_parser_gap_disables(void **state)
{
    (void)state;
    register_line_parser();
    A *a = a_new(6, 40000, 80);
    give(a, 0, "GET / HTTP/1.0\n", 15, 0);
    assert_false(applayer_flow_parser_failed(&a->flow));
    give(a, 0, NULL, 10, APP_FLAG_GAP);
    assert_true(applayer_flow_parser_failed(&a->flow));
    assert_int_equal(ctr(a, "app_layer.error.http.gap"), 1);
    a_free(a);
}

/* ---- stream -> applayer ---- */

static void test_stream_to_applayer(void **state)
{
    (void)state;
    register_line_parser();
    stats_reset_registry();
    Stats stats;
    memset(&stats, 0, sizeof stats);
    StreamConfig cfg;
    stream_config_defaults(&cfg);
    StreamCtx *sc = stream_ctx_new(&cfg, &stats);
    AppLayerCtx *ac = applayer_ctx_new(NULL, &stats);
    assert_non_null(sc);
    assert_non_null(ac);
    Flow f;
    memset(&f, 0, sizeof f);
    f.key.proto = 6;
    f.key.port[0] = 40000;
    f.key.port[1] = 8080;

    Packet p;
    const uint32_t cisn = 100, sisn = 900;
#define SEND(dir, fl, seq, ack, data, len)                                                  \
    do {                                                                                     \
        memset(&p, 0, sizeof p);                                                             \
        p.flags = PKT_HAS_IPV4 | PKT_HAS_TCP;                                                \
        p.tcp_flags = (fl);                                                                  \
        p.tcp_seq = (seq);                                                                   \
        p.tcp_ack = (ack);                                                                   \
        p.tcp_win = 65535;                                                                   \
        p.tcp_wscale = 0xff;                                                                 \
        p.payload = (const uint8_t *)(data);                                                 \
        p.payload_len = (len);                                                               \
        p.flow = &f;                                                                         \
        p.to_server = (dir) == 0;                                                            \
        applayer_packet_begin(&f);                                                           \
        stream_packet(sc, &f, &p, applayer_stream_deliver, ac);                              \
    } while (0)

    SEND(0, TCP_SYN, cisn, 0, NULL, 0);
    SEND(1, TCP_SYN | TCP_ACK, sisn, cisn + 1, NULL, 0);
    SEND(0, TCP_ACK, cisn + 1, sisn + 1, NULL, 0);
    const char *req = "GET /a HTTP/1.1\nHost: example\n\n";
    uint32_t n = (uint32_t)strlen(req);
    for (uint32_t i = n; i-- > 0;)
        SEND(0, TCP_ACK, cisn + 1 + i, sisn + 1, req + i, 1);
    assert_int_equal(f.app_proto, APP_PROTO_UNKNOWN); /* nothing acknowledged yet */
    SEND(1, TCP_ACK, sisn + 1, cisn + 1 + n, NULL, 0);
    assert_int_equal(f.app_proto, APP_PROTO_HTTP);
    assert_true(applayer_flow_updated(&f, 0));
    LineState *ls = applayer_flow_state(&f);
    assert_non_null(ls);
    assert_int_equal(ls->n_seen[0], n);
    assert_memory_equal(ls->seen[0], req, n);
    assert_int_equal(applayer_tx_count(&f), 3);
#undef SEND
    stream_flow_end(sc, &f, applayer_stream_deliver, ac);
    applayer_flow_end(ac, &f);
    assert_int_equal(applayer_ctx_account(ac)->used, 0);
    applayer_ctx_free(ac);
    stream_ctx_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_http),
        cmocka_unit_test(test_probe_tls),
        cmocka_unit_test(test_probe_dns),
        cmocka_unit_test(test_names),
        /* identification only: no parser registered yet */
        cmocka_unit_test(test_detect_http_any_port),
        cmocka_unit_test(test_detect_tls_on_80_server_first),
        cmocka_unit_test(test_detect_failed),
        cmocka_unit_test(test_detect_ssh),
        cmocka_unit_test(test_detect_gap_fails),
        cmocka_unit_test(test_udp_dns),
        cmocka_unit_test(test_udp_not_dns),
        cmocka_unit_test(test_udp_sip_error_policy),
        /* from here on a test parser serves HTTP */
        cmocka_unit_test(test_parser_contract),
        cmocka_unit_test(test_parser_gap_disables),
        cmocka_unit_test(test_stream_to_applayer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
