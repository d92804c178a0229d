/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_threads.c: unit tests for engine/ring (the SPSC ring and doorbell)
 * and engine/dispatch (the reader's symmetric frame hash), and --threads
 * on the command line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/cli.h"
#include "engine/dispatch.h"
#include "engine/ring.h"
#include "core/stats.h"
#include "detect/detect.h"
#include "lib/json.h"
#include "output/eve.h"

/* ---- ring, one thread ---- */

static void test_ring_fifo_and_contents(void **state)
{
    (void)state;
    Ring r;
    assert_int_equal(ring_init(&r, 1024, NULL, NULL, NULL), 0);
    size_t len;
    uint32_t kind;
    assert_null(ring_peek(&r, &len, &kind));
    for (uint32_t i = 0; i < 5; i++) {
        uint8_t *p = ring_reserve(&r, i * 3 + 1, 100 + i);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, (int)i + 1, i * 3 + 1);
        ring_commit(&r);
    }
    /* fewer than RING_BATCH commits: not visible until published */
    assert_null(ring_peek(&r, &len, &kind));
    ring_publish(&r);
    for (uint32_t i = 0; i < 5; i++) {
        const uint8_t *p = ring_peek(&r, &len, &kind);
        assert_non_null(p);
        assert_int_equal(len, i * 3 + 1);
        assert_int_equal(kind, 100 + i);
        for (size_t k = 0; k < len; k++)
            assert_int_equal(p[k], i + 1);
        /* the same entry until released */
        assert_ptr_equal(ring_peek(&r, &len, &kind), p);
        ring_release(&r);
    }
    assert_null(ring_peek(&r, &len, &kind));
    ring_fini(&r);
}

static void test_ring_full_and_wrap(void **state)
{
    (void)state;
    Ring r;
    assert_int_equal(ring_init(&r, 256, NULL, NULL, NULL), 0);
    assert_int_equal(ring_max_payload(&r), 112);
    assert_null(ring_reserve(&r, 113, 1)); /* never fits */
    /* 3 entries of 16 + 64 = 80 bytes fill 240 of 256 */
    for (int i = 0; i < 3; i++) {
        assert_non_null(ring_reserve(&r, 64, 1));
        ring_commit(&r);
    }
    assert_null(ring_reserve(&r, 64, 1)); /* full */
    ring_publish(&r);
    size_t len;
    uint32_t kind;
    assert_non_null(ring_peek(&r, &len, &kind));
    ring_release(&r);
    /* released but not published: the producer still sees it full */
    assert_null(ring_reserve(&r, 64, 1));
    ring_release_publish(&r);
    /* 16 bytes at the end are too few: a wrap marker, then offset 0 */
    uint8_t *p = ring_reserve(&r, 64, 7);
    assert_non_null(p);
    assert_ptr_equal(p, r.buf + 16);
    p[0] = 0xab;
    ring_commit(&r);
    ring_publish(&r);
    for (int i = 0; i < 2; i++) {
        assert_non_null(ring_peek(&r, &len, &kind));
        assert_int_equal(kind, 1);
        ring_release(&r);
    }
    const uint8_t *q = ring_peek(&r, &len, &kind); /* skips the marker */
    assert_non_null(q);
    assert_int_equal(kind, 7);
    assert_int_equal(q[0], 0xab);
    ring_release(&r);
    assert_null(ring_peek(&r, &len, &kind));
    ring_fini(&r);
}

static void test_ring_zero_length_and_account(void **state)
{
    (void)state;
    MemAccount a;
    mem_account_init(&a, "test", 100);
    Ring r;
    assert_int_not_equal(ring_init(&r, 4096, &a, NULL, NULL), 0); /* refused by the cap */
    ring_fini(&r);
    mem_account_init(&a, "test", 0);
    assert_int_equal(ring_init(&r, 4096, &a, NULL, NULL), 0);
    assert_int_equal(atomic_load(&a.used), 4096);
    assert_non_null(ring_reserve(&r, 0, 3));
    ring_commit(&r);
    ring_publish(&r);
    size_t len = 99;
    uint32_t kind = 0;
    assert_non_null(ring_peek(&r, &len, &kind));
    assert_int_equal(len, 0);
    assert_int_equal(kind, 3);
    ring_fini(&r);
    assert_int_equal(atomic_load(&a.used), 0);
}

/* ---- ring, two threads ---- */

#define N_MSG 200000u

typedef struct Pair2 {
    Ring r;
    Doorbell to_consumer, to_producer;
    uint64_t bad;
} Pair2;

static void *producer(void *arg)
{
    Pair2 *p = arg;
    for (uint32_t i = 0; i < N_MSG; i++) {
        size_t len = 4 + (i * 7919u) % 200; /* varied sizes: wraps at many offsets */
        uint8_t *m;
        for (;;) {
            m = ring_reserve(&p->r, len, i & 0xffu);
            if (m != NULL)
                break;
            uint64_t e = doorbell_epoch(&p->to_producer);
            ring_publish(&p->r);
            m = ring_reserve(&p->r, len, i & 0xffu);
            if (m != NULL)
                break;
            doorbell_wait(&p->to_producer, e);
        }
        memcpy(m, &i, 4);
        for (size_t k = 4; k < len; k++)
            m[k] = (uint8_t)(i + k);
        ring_commit(&p->r);
    }
    ring_publish(&p->r);
    return NULL;
}

static void test_ring_two_threads(void **state)
{
    (void)state;
    static Pair2 p;
    memset(&p, 0, sizeof p);
    doorbell_init(&p.to_consumer);
    doorbell_init(&p.to_producer);
    /* small, so that the producer fills it and waits over and over */
    assert_int_equal(ring_init(&p.r, 2048, NULL, &p.to_consumer, &p.to_producer), 0);
    pthread_t tid;
    assert_int_equal(pthread_create(&tid, NULL, producer, &p), 0);
    for (uint32_t i = 0; i < N_MSG; i++) {
        size_t len;
        uint32_t kind;
        const uint8_t *m;
        for (;;) {
            m = ring_peek(&p.r, &len, &kind);
            if (m != NULL)
                break;
            uint64_t e = doorbell_epoch(&p.to_consumer);
            ring_release_publish(&p.r);
            m = ring_peek(&p.r, &len, &kind);
            if (m != NULL)
                break;
            doorbell_wait(&p.to_consumer, e);
        }
        uint32_t got;
        memcpy(&got, m, 4);
        if (got != i || len != 4 + (i * 7919u) % 200 || kind != (i & 0xffu))
            p.bad++;
        for (size_t k = 4; k < len; k++)
            if (m[k] != (uint8_t)(i + k))
                p.bad++;
        ring_release(&p.r);
    }
    ring_release_publish(&p.r);
    pthread_join(tid, NULL);
    assert_int_equal(p.bad, 0);
    size_t len;
    assert_null(ring_peek(&p.r, &len, NULL));
    ring_fini(&p.r);
    doorbell_fini(&p.to_consumer);
    doorbell_fini(&p.to_producer);
}

static void test_doorbell_no_lost_ring(void **state)
{
    (void)state;
    Doorbell d;
    doorbell_init(&d);
    uint64_t e = doorbell_epoch(&d);
    doorbell_ring(&d);
    doorbell_wait(&d, e); /* rung after the epoch was read: returns at once */
    assert_int_not_equal(doorbell_epoch(&d), e);
    doorbell_fini(&d);
}

/* ---- dispatch ---- */

/* Ethernet + IPv4 header (+ 20 bytes of L4) from src to dst. */
static size_t eth_ipv4(uint8_t *b, const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
                       uint16_t frag, bool vlan)
{
    size_t o = 0;
    memset(b, 0, 128);
    o = 12;
    if (vlan) {
        b[o++] = 0x81;
        b[o++] = 0x00;
        b[o++] = 0x00;
        b[o++] = 0x05;
    }
    b[o++] = 0x08;
    b[o++] = 0x00;
    uint8_t *ip = b + o;
    ip[0] = 0x45;
    ip[6] = (uint8_t)(frag >> 8);
    ip[7] = (uint8_t)frag;
    ip[9] = proto;
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    return o + 20 + 20;
}

static const uint8_t A4[4] = { 10, 0, 0, 1 }, B4[4] = { 192, 168, 7, 9 }, C4[4] = { 10, 0, 0, 2 };

static void test_dispatch_symmetric_ipv4(void **state)
{
    (void)state;
    uint8_t f1[128], f2[128], f3[128];
    size_t n1 = eth_ipv4(f1, A4, B4, 6, 0, false);
    size_t n2 = eth_ipv4(f2, B4, A4, 6, 0, false);
    uint32_t h = dispatch_hash(f1, n1, 1);
    assert_int_not_equal(h, 0);
    assert_int_equal(dispatch_hash(f2, n2, 1), h);
    /* a non-first fragment (offset 100, no ports) of the same pair */
    size_t n3 = eth_ipv4(f3, B4, A4, 17, 100, false);
    assert_int_equal(dispatch_hash(f3, n3, 1), h);
    /* the same pair behind a VLAN tag */
    n3 = eth_ipv4(f3, A4, B4, 6, 0, true);
    assert_int_equal(dispatch_hash(f3, n3, 1), h);
    /* another pair: another value (for these two) */
    n3 = eth_ipv4(f3, A4, C4, 6, 0, false);
    assert_int_not_equal(dispatch_hash(f3, n3, 1), h);
}

static void test_dispatch_icmp_error_follows_quoted_pair(void **state)
{
    (void)state;
    uint8_t f[128], g[128];
    size_t n = eth_ipv4(f, A4, B4, 6, 0, false);
    uint32_t h = dispatch_hash(f, n, 1);
    /* router C sends A "time exceeded" quoting A -> B */
    memset(g, 0, sizeof g);
    size_t m = eth_ipv4(g, C4, A4, 1, 0, false);
    uint8_t *icmp = g + 14 + 20;
    icmp[0] = 11;
    uint8_t *q = icmp + 8;
    q[0] = 0x45;
    q[9] = 6;
    memcpy(q + 12, A4, 4);
    memcpy(q + 16, B4, 4);
    m = 14 + 20 + 8 + 20 + 8;
    assert_int_equal(dispatch_hash(g, m, 1), h);
    /* an echo request is not an error: its own pair */
    icmp[0] = 8;
    assert_int_not_equal(dispatch_hash(g, m, 1), h);
}

static void test_dispatch_ipv6_raw_and_junk(void **state)
{
    (void)state;
    uint8_t a[60], b[60];
    memset(a, 0, sizeof a);
    a[0] = 0x60;
    a[6] = 17;
    for (int i = 0; i < 16; i++) {
        a[8 + i] = (uint8_t)(0x20 + i);
        a[24 + i] = (uint8_t)(0x90 - i);
    }
    memcpy(b, a, sizeof a);
    memcpy(b + 8, a + 24, 16);
    memcpy(b + 24, a + 8, 16);
    uint32_t h = dispatch_hash(a, sizeof a, 101);
    assert_int_not_equal(h, 0);
    assert_int_equal(dispatch_hash(b, sizeof b, 101), h);
    /* the same packet in Ethernet (the address pair is what counts) */
    uint8_t e[14 + 60];
    memset(e, 0, 14);
    e[12] = 0x86;
    e[13] = 0xdd;
    memcpy(e + 14, b, sizeof b);
    assert_int_equal(dispatch_hash(e, sizeof e, 1), h);
    /* truncated: no address pair, worker 0 */
    assert_int_equal(dispatch_hash(a, 30, 101), 0);
    /* an ARP frame and an unknown link type */
    uint8_t arp[60];
    memset(arp, 0, sizeof arp);
    arp[12] = 0x08;
    arp[13] = 0x06;
    assert_int_equal(dispatch_hash(arp, sizeof arp, 1), 0);
    assert_int_equal(dispatch_hash(a, sizeof a, 4242), 0);
    assert_int_equal(dispatch_hash(NULL, 0, 1), 0);
}

/* ---- the pieces threads.c relies on elsewhere ---- */

/* A worker's memory writer keeps whole lines; the merger appends them to
 * the file writer as they are. */
static void test_eve_memory_writer(void **state)
{
    (void)state;
    char dir[] = "/tmp/kasbah-threads-XXXXXX";
    assert_non_null(mkdtemp(dir));
    EveWriter *file = eve_open(NULL, dir);
    assert_non_null(file);
    EveWriter *mem = eve_open_memory(file);
    assert_non_null(mem);
    assert_true(eve_type_enabled(mem, "flow"));
    JsonBuf j;
    json_init(&j, NULL);
    size_t len = 1;
    uint64_t n = 1;
    assert_null(eve_memory_lines(mem, &len, &n));
    assert_int_equal(len, 0);
    for (int i = 0; i < 2; i++) {
        json_reset(&j);
        json_object_begin(&j);
        json_kv_str(&j, "event_type", i == 0 ? "one" : "two");
        assert_int_equal(eve_commit(mem, &j), 0);
    }
    const char *lines = eve_memory_lines(mem, &len, &n);
    static const char WANT[] = "{\"event_type\":\"one\"}\n{\"event_type\":\"two\"}\n";
    assert_int_equal(n, 2);
    assert_int_equal(len, strlen(WANT));
    assert_memory_equal(lines, WANT, len);
    assert_int_equal(eve_write_lines(file, lines, len, n), 0);
    eve_memory_clear(mem);
    assert_null(eve_memory_lines(mem, &len, &n));
    assert_int_equal(eve_memory_dropped(mem), 0);
    assert_int_equal(eve_records_written(mem), 0); /* nothing reached a file */
    eve_close(mem);
    char path[256];
    snprintf(path, sizeof path, "%s", eve_path(file));
    assert_int_equal(eve_close(file), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char got[256];
    size_t k = fread(got, 1, sizeof got, f);
    fclose(f);
    assert_int_equal(k, strlen(WANT));
    assert_memory_equal(got, WANT, k);
    unlink(path);
    rmdir(dir);
    json_fini(&j);
}

/* A memory writer made like a disabled one writes nothing either. */
static void test_eve_memory_follows_disabled(void **state)
{
    (void)state;
    EveWriter *mem = eve_open_memory(NULL);
    assert_non_null(mem);
    assert_false(eve_type_enabled(mem, "alert"));
    eve_close(mem);
}

/* decoder.max_pkt_size and the like merge by maximum, the rest by sum. */
static void test_stats_merge_max(void **state)
{
    (void)state;
    int sum = stats_register("test.threads.sum");
    int mx = stats_register("test.threads.max");
    stats_mark_max(mx);
    static Stats a, b, total;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&total, 0, sizeof total);
    stats_add(&a, sum, 3);
    stats_add(&b, sum, 4);
    stats_set(&a, mx, 1500);
    stats_set(&b, mx, 9000);
    stats_merge(&total, &a);
    stats_merge(&total, &b);
    assert_int_equal(total.v[sum], 7);
    assert_int_equal(total.v[mx], 9000);
    stats_merge(&total, &a); /* a smaller maximum does not lower it */
    assert_int_equal(total.v[mx], 9000);
}

/* The engine warns about thresholds whose state spans flows. */
static void test_detect_cross_flow_thresholds(void **state)
{
    (void)state;
    static const char RULES[] =
        "alert ip any any -> any any (msg:\"a\"; threshold: type limit, track by_src, count 1, seconds 60; sid:1;)\n"
        "alert ip any any -> any any (msg:\"b\"; threshold: type limit, track by_both, count 1, seconds 60; sid:2;)\n"
        "alert ip any any -> any any (msg:\"c\"; detection_filter: track by_rule, count 5, seconds 60; sid:3;)\n"
        "alert ip any any -> any any (msg:\"d\"; threshold: type limit, track by_dst, count 1, seconds 60; sid:4;)\n"
        "alert ip any any -> any any (msg:\"e\"; sid:5;)\n";
    DetectEngine *de = detect_engine_new_from_text(NULL, RULES, sizeof RULES - 1, "t.rules");
    assert_non_null(de);
    assert_int_equal(detect_engine_rules_loaded(de), 5);
    assert_int_equal(detect_engine_cross_flow_thresholds(de), 3);
    detect_engine_free(de);
    assert_int_equal(detect_engine_cross_flow_thresholds(NULL), 0);
}

/* ---- --threads ---- */

static void test_cli_threads(void **state)
{
    (void)state;
    CliOptions o;
    char err[256];
    char kas[] = "kasbah", r[] = "-r", x[] = "x", th[] = "--threads", three[] = "3";
    char th1[] = "--threads=1";
    char *ok[] = { kas, r, x, th, three, NULL };
    assert_int_equal(cli_parse(&o, 5, ok, NULL, err, sizeof err), 0);
    assert_int_equal(o.threads, 3);
    cli_free(&o, NULL);
    char *eq[] = { kas, r, x, th1, NULL };
    assert_int_equal(cli_parse(&o, 4, eq, NULL, err, sizeof err), 0);
    assert_int_equal(o.threads, 1);
    cli_free(&o, NULL);
    static char bad[][8] = { "0", "-2", "x", "257", "2x", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = { kas, r, x, th, bad[i], NULL };
        assert_int_equal(cli_parse(&o, 5, argv, NULL, err, sizeof err), ENGINE_EXIT_USAGE);
        assert_non_null(strstr(err, "thread count"));
        cli_free(&o, NULL);
    }
}

int test_threads_group(void);

int test_threads_group(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_fifo_and_contents),
        cmocka_unit_test(test_ring_full_and_wrap),
        cmocka_unit_test(test_ring_zero_length_and_account),
        cmocka_unit_test(test_ring_two_threads),
        cmocka_unit_test(test_doorbell_no_lost_ring),
        cmocka_unit_test(test_dispatch_symmetric_ipv4),
        cmocka_unit_test(test_dispatch_icmp_error_follows_quoted_pair),
        cmocka_unit_test(test_dispatch_ipv6_raw_and_junk),
        cmocka_unit_test(test_eve_memory_writer),
        cmocka_unit_test(test_eve_memory_follows_disabled),
        cmocka_unit_test(test_stats_merge_max),
        cmocka_unit_test(test_detect_cross_flow_thresholds),
        cmocka_unit_test(test_cli_threads),
    };
    return cmocka_run_group_tests_name("test_threads", tests, NULL, NULL);
}
