/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_dns.c: unit tests for src/applayer/dns (messages built by hand:
 * every record type we parse, compression, pointer loops, overlong names,
 * truncated rdata, TCP framing in 1-byte chunks, query/response matching,
 * OOM) and src/output/dns.c (the version 2 answer object).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "applayer/dns/dns.h"
#include "lib/alloc.h"
#include "lib/json.h"
#include "output/dns.h"

/* ---- a byte builder ---- */

typedef struct Buf {
    uint8_t b[4096];
    size_t n;
} Buf;

static void p8(Buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void p16(Buf *b, unsigned v)
{
    p8(b, v >> 8);
    p8(b, v & 0xff);
}
static void p32(Buf *b, uint32_t v)
{
    p16(b, v >> 16);
    p16(b, v & 0xffff);
}
static void pbytes(Buf *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}
/* "www.example.com" as labels, ending with the root label */
static void pname(Buf *b, const char *dotted)
{
    while (*dotted) {
        const char *dot = strchr(dotted, '.');
        size_t l = dot ? (size_t)(dot - dotted) : strlen(dotted);
        p8(b, (unsigned)l);
        pbytes(b, dotted, l);
        dotted += l + (dot ? 1 : 0);
    }
    p8(b, 0);
}
static void header(Buf *b, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns,
                   unsigned ar)
{
    p16(b, id);
    p16(b, flags);
    p16(b, qd);
    p16(b, an);
    p16(b, ns);
    p16(b, ar);
}
/* an RR header with a pointer name; returns the rdlength position */
static size_t rr(Buf *b, unsigned ptr, unsigned type, uint32_t ttl)
{
    p16(b, 0xc000 | ptr);
    p16(b, type);
    p16(b, 1);
    p32(b, ttl);
    size_t at = b->n;
    p16(b, 0);
    return at;
}
static void rr_end(Buf *b, size_t at)
{
    size_t l = b->n - at - 2;
    b->b[at] = (uint8_t)(l >> 8);
    b->b[at + 1] = (uint8_t)l;
}

static MemAccount g_acct;

static int setup(void **st)
{
    (void)st;
    mem_account_init(&g_acct, "applayer", 0);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    assert_int_equal(g_acct.used, 0);
    return 0;
}

static void query(Buf *b, unsigned id, const char *name, unsigned type)
{
    header(b, id, 0x0100, 1, 0, 0, 0);
    pname(b, name);
    p16(b, type);
    p16(b, 1);
}

/* The response to query(.., "www.example.com", A) with one of everything. */
static void big_response(Buf *b, unsigned id)
{
    header(b, id, 0x8180, 1, 10, 1, 0);
    pname(b, "www.example.com"); /* at 12; "example.com" at 16 */
    p16(b, 1);
    p16(b, 1);
    size_t at = rr(b, 12, 5, 300); /* CNAME -> example.com (compressed) */
    p16(b, 0xc010);
    rr_end(b, at);
    at = rr(b, 16, 1, 60);
    pbytes(b, "\x5d\xb8\xd8\x22", 4);
    rr_end(b, at);
    at = rr(b, 16, 28, 60);
    pbytes(b, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16);
    rr_end(b, at);
    at = rr(b, 16, 15, 60); /* MX 10 mail.example.com */
    p16(b, 10);
    p8(b, 4);
    pbytes(b, "mail", 4);
    p16(b, 0xc010);
    rr_end(b, at);
    at = rr(b, 16, 2, 60); /* NS */
    pname(b, "ns1.example.net");
    rr_end(b, at);
    at = rr(b, 16, 12, 60); /* PTR */
    p16(b, 0xc00c);
    rr_end(b, at);
    at = rr(b, 16, 16, 60); /* TXT: two strings, the first is logged */
    p8(b, 5);
    pbytes(b, "v=spf", 5);
    p8(b, 3);
    pbytes(b, "abc", 3);
    rr_end(b, at);
    at = rr(b, 16, 33, 60); /* SRV 1 2 443 example.com */
    p16(b, 1);
    p16(b, 2);
    p16(b, 443);
    p16(b, 0xc010);
    rr_end(b, at);
    at = rr(b, 16, 65, 60); /* HTTPS 1 . (alpn param ignored) */
    p16(b, 1);
    p8(b, 0);
    pbytes(b, "\x00\x01\x00\x03\x02h2", 7);
    rr_end(b, at);
    at = rr(b, 16, 64, 60); /* SVCB 0 svc.example.com */
    p16(b, 0);
    p8(b, 3);
    pbytes(b, "svc", 3);
    p16(b, 0xc010);
    rr_end(b, at);
    at = rr(b, 16, 6, 3600); /* authority: SOA */
    pname(b, "ns1.example.com");
    pname(b, "hostmaster.example.com");
    p32(b, 2024010101);
    p32(b, 7200);
    p32(b, 3600);
    p32(b, 1209600);
    p32(b, 300);
    rr_end(b, at);
}

static DnsTx *one_udp(DnsState *s, unsigned dir, const Buf *b)
{
    uint32_t c, need;
    assert_int_equal(dns_parse(s, dir, b->b, b->n, &c, &need), DNS_PARSE_OK);
    assert_int_equal(c, b->n);
    return dns_state_tx(s, dns_state_tx_count(s) - 1);
}

/* Release: answered and logged txs go, oldest first; an open one stops it,
 * and a later answer still pairs with its query. */
static void test_tx_release(void **st)
{
    (void)st;
    static Buf q1, q2, q3, r1, r3;
    q1.n = q2.n = q3.n = r1.n = r3.n = 0;
    query(&q1, 1, "www.example.com", 1);
    query(&q2, 2, "www.example.com", 1);
    query(&q3, 3, "www.example.com", 1);
    big_response(&r1, 1);
    big_response(&r3, 3);
    DnsState *s = dns_state_new(&g_acct, false);
    DnsTx *t0 = one_udp(s, 0, &q1);
    one_udp(s, 0, &q2);
    one_udp(s, 0, &q3);
    uint32_t c, need;
    assert_int_equal(dns_parse(s, 1, r1.b, r1.n, &c, &need), DNS_PARSE_OK);
    assert_non_null(t0->response); /* answers tx 0 */
    assert_int_equal(dns_state_tx_release(s, 3, true), 0); /* not logged */
    t0->logged = 3;
    assert_int_equal(dns_state_tx_release(s, 0, true), 0); /* not below upto */
    assert_int_equal(dns_state_tx_release(s, 3, true), 1);
    assert_null(dns_state_tx(s, 0));
    assert_int_equal(dns_state_tx_release(s, 3, false), 0); /* tx 1 unanswered */
    /* the answer to tx 2 still finds it */
    assert_int_equal(dns_parse(s, 1, r3.b, r3.n, &c, &need), DNS_PARSE_OK);
    assert_non_null(dns_state_tx(s, 2)->response);
    assert_int_equal(dns_state_tx_count(s), 3);
    dns_state_free(s);
}

static void test_query_response(void **st)
{
    (void)st;
    static Buf q, r;
    q.n = r.n = 0;
    query(&q, 0x1234, "www.example.com", 1);
    big_response(&r, 0x1234);
    DnsState *s = dns_state_new(&g_acct, false);
    DnsTx *tx = one_udp(s, 0, &q);
    assert_non_null(tx);
    assert_int_equal(tx->tx_id, 0);
    assert_null(tx->response);
    const uint8_t *b;
    uint32_t n;
    assert_true(dns_tx_query(tx, 0, &b, &n));
    assert_int_equal(n, 15);
    assert_memory_equal(b, "www.example.com", 15);
    assert_false(dns_tx_query(tx, 1, &b, &n));
    assert_int_equal(dns_tx_opcode(tx), 0);

    DnsTx *tx2 = one_udp(s, 1, &r);
    assert_ptr_equal(tx, tx2); /* matched by id */
    assert_int_equal(dns_state_tx_count(s), 1);
    assert_int_equal(tx->events, 0);
    const DnsMessage *m = tx->response;
    assert_int_equal(m->n_answers, 10);
    assert_int_equal(m->n_authorities, 1);
    assert_string_equal(m->answers[0].name, "www.example.com");
    assert_string_equal(m->answers[0].data, "example.com");
    assert_string_equal(m->answers[1].name, "example.com");
    assert_string_equal(m->answers[1].data, "93.184.216.34");
    assert_string_equal(m->answers[2].data, "2001:0db8:0000:0000:0000:0000:0000:0001");
    assert_string_equal(m->answers[3].data, "mail.example.com");
    assert_int_equal(m->answers[3].num[0], 10);
    assert_string_equal(m->answers[4].data, "ns1.example.net");
    assert_string_equal(m->answers[5].data, "www.example.com");
    assert_string_equal(m->answers[6].data, "v=spf");
    assert_string_equal(m->answers[7].data, "example.com");
    assert_int_equal(m->answers[7].num[2], 443);
    assert_string_equal(m->answers[8].data, "");
    assert_int_equal(m->answers[8].num[0], 1);
    assert_string_equal(m->answers[9].data, "svc.example.com");
    const DnsRecord *soa = &m->authorities[0];
    assert_string_equal(soa->data, "ns1.example.com");
    assert_string_equal(soa->data2, "hostmaster.example.com");
    assert_int_equal(soa->num[0], 2024010101u);
    assert_int_equal(soa->num[4], 300);

    /* an answer with no question gets a tx of its own */
    static Buf u;
    u.n = 0;
    header(&u, 0x9999, 0x8183, 0, 0, 0, 0);
    DnsTx *tx3 = one_udp(s, 1, &u);
    assert_int_equal(tx3->tx_id, 1);
    assert_null(tx3->request);
    char tmp[8];
    assert_string_equal(dns_rcode_name(tx3->response->flags & 0xf, tmp), "NXDOMAIN");
    dns_state_free(s);
}

static void test_eve_answer(void **st)
{
    (void)st;
    static Buf q, r;
    q.n = r.n = 0;
    query(&q, 7, "a.b", 1);
    header(&r, 7, 0x8580, 1, 2, 0, 0);
    pname(&r, "a.b");
    p16(&r, 1);
    p16(&r, 1);
    size_t at = rr(&r, 12, 1, 10);
    pbytes(&r, "\x01\x02\x03\x04", 4);
    rr_end(&r, at);
    at = rr(&r, 12, 1, 10);
    pbytes(&r, "\x05\x06\x07\x08", 4);
    rr_end(&r, at);
    DnsState *s = dns_state_new(&g_acct, false);
    one_udp(s, 0, &q);
    DnsTx *tx = one_udp(s, 1, &r);
    JsonBuf j;
    json_init(&j, NULL);
    json_object_begin(&j);
    eve_dns_answer_fields(&j, tx);
    json_object_end(&j);
    assert_string_equal(json_cstr(&j),
        "{\"version\":2,\"type\":\"answer\",\"id\":7,\"flags\":\"8580\",\"qr\":true,"
        "\"aa\":true,\"rd\":true,\"ra\":true,\"rrname\":\"a.b\",\"rrtype\":\"A\","
        "\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":\"a.b\",\"rrtype\":\"A\",\"ttl\":10,"
        "\"rdata\":\"1.2.3.4\"},{\"rrname\":\"a.b\",\"rrtype\":\"A\",\"ttl\":10,"
        "\"rdata\":\"5.6.7.8\"}],\"grouped\":{\"A\":[\"1.2.3.4\",\"5.6.7.8\"]}}");
    json_reset(&j);
    json_object_begin(&j);
    eve_dns_query_fields(&j, tx, 0);
    json_object_end(&j);
    assert_string_equal(json_cstr(&j), "{\"type\":\"query\",\"id\":7,\"rrname\":\"a.b\","
                                       "\"rrtype\":\"A\",\"tx_id\":0,\"opcode\":0}");
    json_fini(&j);
    dns_state_free(s);
}

static void test_compression_loops(void **st)
{
    (void)st;
    DnsState *s = dns_state_new(&g_acct, false);
    /* the question's name is a pointer to itself */
    static Buf b;
    b.n = 0;
    header(&b, 1, 0x0100, 1, 0, 0, 0);
    p16(&b, 0xc00c);
    p16(&b, 1);
    p16(&b, 1);
    DnsTx *tx = one_udp(s, 0, &b);
    assert_true(tx->events & (1u << DNS_EV_INFINITE_LOOP));

    /* a forward pointer (to the answer) is refused too */
    b.n = 0;
    header(&b, 2, 0x0100, 1, 0, 0, 0);
    p16(&b, 0xc012);
    p16(&b, 1);
    p16(&b, 1);
    pname(&b, "x");
    tx = one_udp(s, 0, &b);
    assert_true(tx->events & (1u << DNS_EV_INFINITE_LOOP));

    /* two names pointing at each other: the second refers back to the
     * first, which points forward to the second */
    b.n = 0;
    header(&b, 3, 0x8180, 1, 1, 0, 0);
    p8(&b, 1);
    p8(&b, 'a');
    p16(&b, 0xc000 | 20); /* forward: refused */
    p16(&b, 1);
    p16(&b, 1);
    tx = one_udp(s, 1, &b);
    assert_true(tx->events & (1u << DNS_EV_INFINITE_LOOP));
    dns_state_free(s);
}

static void test_overlong_name(void **st)
{
    (void)st;
    static Buf b;
    b.n = 0;
    header(&b, 5, 0x0100, 1, 0, 0, 0);
    for (int i = 0; i < 5; i++) {
        p8(&b, 63);
        for (int k = 0; k < 63; k++)
            p8(&b, 'a' + (unsigned)i);
    }
    p8(&b, 0);
    p16(&b, 1);
    p16(&b, 1);
    DnsState *s = dns_state_new(&g_acct, false);
    DnsTx *tx = one_udp(s, 0, &b);
    assert_true(tx->events & (1u << DNS_EV_NAME_TOO_LONG));
    assert_int_equal(tx->request->n_queries, 1);
    assert_int_equal(tx->request->queries[0].name_len, DNS_MAX_NAME);
    assert_int_equal(tx->request->queries[0].type, 1); /* the rest still parsed */
    dns_state_free(s);
}

static void test_truncated(void **st)
{
    (void)st;
    DnsState *s = dns_state_new(&g_acct, false);
    static Buf b;
    /* A record whose rdlength runs past the end */
    b.n = 0;
    header(&b, 9, 0x8180, 1, 1, 0, 0);
    pname(&b, "t.example");
    p16(&b, 1);
    p16(&b, 1);
    rr(&b, 12, 1, 5);
    b.b[b.n - 1] = 4;
    pbytes(&b, "\x01\x02", 2);
    DnsTx *tx = one_udp(s, 1, &b);
    assert_true(tx->events & (1u << DNS_EV_MALFORMED_DATA));
    assert_int_equal(tx->response->n_queries, 1);
    assert_string_equal(tx->response->queries[0].name, "t.example");

    /* an A record with the wrong rdlength */
    b.n = 0;
    header(&b, 10, 0x8180, 0, 1, 0, 0);
    size_t at = rr(&b, 12, 1, 5);
    pbytes(&b, "\x01\x02\x03", 3);
    rr_end(&b, at);
    tx = one_udp(s, 1, &b);
    assert_true(tx->events & (1u << DNS_EV_MALFORMED_DATA));

    /* every prefix of a big response parses without harm */
    static Buf r;
    r.n = 0;
    big_response(&r, 11);
    for (size_t n = 0; n <= r.n; n++) {
        uint32_t c, need;
        assert_int_equal(dns_parse(s, 1, r.b, n, &c, &need), DNS_PARSE_OK);
    }
    /* too short for a header: an event on the state, no tx */
    uint64_t before = dns_state_tx_count(s);
    uint32_t c, need;
    assert_int_equal(dns_parse(s, 0, r.b, 5, &c, &need), DNS_PARSE_OK);
    assert_int_equal(dns_state_tx_count(s), before);
    assert_true(dns_state_events(s) & (1u << DNS_EV_MALFORMED_DATA));
    dns_state_free(s);
}

static void test_flags_events(void **st)
{
    (void)st;
    DnsState *s = dns_state_new(&g_acct, false);
    static Buf b;
    b.n = 0;
    header(&b, 1, 0x8140, 0, 0, 0, 0); /* a response to the server, Z set */
    DnsTx *tx = one_udp(s, 0, &b);
    assert_true(tx->events & (1u << DNS_EV_NOT_A_REQUEST));
    assert_true(tx->events & (1u << DNS_EV_Z_FLAG_SET));
    b.n = 0;
    header(&b, 2, 0x2800, 0, 0, 0, 0); /* a request (opcode 5) to the client */
    tx = one_udp(s, 1, &b);
    assert_true(tx->events & (1u << DNS_EV_NOT_A_RESPONSE));
    assert_int_equal(dns_tx_opcode(tx), 5);
    assert_int_equal(dns_event_by_name("infinite_loop"), DNS_EV_INFINITE_LOOP);
    assert_string_equal(dns_event_name(DNS_EV_MALFORMED_DATA), "malformed_data");
    dns_state_free(s);
}

/* Framework-like feeding of TCP bytes (unconsumed bytes are offered again). */
static void tcp_feed(DnsState *s, unsigned dir, const uint8_t *p, size_t len, size_t chunk)
{
    static uint8_t pend[2][8192];
    static size_t n[2];
    n[dir] = 0;
    for (size_t off = 0; off < len; off += chunk) {
        size_t k = len - off < chunk ? len - off : chunk;
        memcpy(pend[dir] + n[dir], p + off, k);
        n[dir] += k;
        uint32_t c = 0, need = 0;
        DnsParseStatus st = dns_parse(s, dir, pend[dir], n[dir], &c, &need);
        assert_int_not_equal(st, DNS_PARSE_ERROR);
        if (st == DNS_PARSE_OK)
            c = (uint32_t)n[dir];
        else
            assert_true(need > 0);
        memmove(pend[dir], pend[dir] + c, n[dir] - c);
        n[dir] -= c;
    }
    assert_int_equal(n[dir], 0);
}

static void test_tcp_one_byte(void **st)
{
    (void)st;
    static Buf q, r, tq, tr;
    q.n = r.n = tq.n = tr.n = 0;
    query(&q, 0x4242, "www.example.com", 1);
    big_response(&r, 0x4242);
    /* two queries back to back in the to-server stream */
    for (int i = 0; i < 2; i++) {
        p16(&tq, (unsigned)q.n);
        pbytes(&tq, q.b, q.n);
    }
    p16(&tr, (unsigned)r.n);
    pbytes(&tr, r.b, r.n);
    DnsState *s = dns_state_new(&g_acct, true);
    tcp_feed(s, 0, tq.b, tq.n, 1);
    tcp_feed(s, 1, tr.b, tr.n, 1);
    assert_int_equal(dns_state_tx_count(s), 2);
    DnsTx *tx = dns_state_tx(s, 0);
    assert_non_null(tx->response); /* the oldest unanswered query gets it */
    assert_null(dns_state_tx(s, 1)->response);
    assert_int_equal(tx->response->n_answers, 10);
    uint32_t c, need;
    assert_int_equal(dns_parse(s, 0, tq.b, 1, &c, &need), DNS_PARSE_INCOMPLETE);
    assert_int_equal(c, 0);
    assert_int_equal(need, 1);
    assert_int_equal(dns_parse(s, 0, tq.b, 3, &c, &need), DNS_PARSE_INCOMPLETE);
    assert_int_equal(need, q.n - 1);
    dns_state_free(s);
}

static void test_flood(void **st)
{
    (void)st;
    static Buf q;
    DnsState *s = dns_state_new(&g_acct, false);
    for (unsigned i = 0; i < DNS_MAX_TX + 10; i++) {
        q.n = 0;
        query(&q, i, "f.example", 1);
        one_udp(s, 0, &q);
    }
    assert_int_equal(dns_state_tx_count(s), DNS_MAX_TX + 10);
    assert_null(dns_state_tx(s, 0)); /* the oldest were dropped */
    assert_non_null(dns_state_tx(s, DNS_MAX_TX + 9));
    assert_int_equal(dns_state_tx(s, DNS_MAX_TX + 9)->tx_id, DNS_MAX_TX + 9);
    assert_true(dns_state_tx(s, DNS_MAX_TX + 9)->events & (1u << DNS_EV_FLOODED));
    assert_false(dns_state_tx(s, DNS_MAX_TX - 1)->events & (1u << DNS_EV_FLOODED));
    dns_state_free(s);
}

static void test_oom(void **st)
{
    (void)st;
    static Buf q, r;
    q.n = r.n = 0;
    query(&q, 1, "www.example.com", 1);
    big_response(&r, 1);
    bool saw_error = false;
    for (uint64_t k = 1; k < 40; k++) {
        DnsState *s = dns_state_new(&g_acct, false);
        assert_non_null(s);
        mem_fail_after(k);
        uint32_t c, need;
        DnsParseStatus a = dns_parse(s, 0, q.b, q.n, &c, &need);
        DnsParseStatus b = dns_parse(s, 1, r.b, r.n, &c, &need);
        mem_fail_after(0);
        saw_error |= a == DNS_PARSE_ERROR || b == DNS_PARSE_ERROR;
        dns_state_free(s);
    }
    assert_true(saw_error);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_query_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eve_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compression_loops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlong_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_one_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flood, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oom, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
