/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_run.c: unit tests for engine/run and engine/pipeline: the exit codes
 * of a whole run, the -T report, the EVE file a run leaves (flow records,
 * a final stats record, byte-identical across runs), the stop flag.
 *
 * Captures are built by the test: Ethernet/IPv4 UDP and TCP packets with
 * correct checksums, written with libpcap's pcap_dump into a temporary
 * directory that is removed at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "detect/detect.h"
#include "engine/cli.h"
#include "engine/pipeline.h"
#include "engine/run.h"
#include "output/eve.h"

static char tmpdir[256];

/* ------------------------------------------------------------------ */
/* building packets                                                   */
/* ------------------------------------------------------------------ */

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (n & 1)
        sum += (uint32_t)(b[n - 1] << 8);
    return sum;
}

/* Ethernet + IPv4 + UDP (proto 17) or TCP (6, with `flags`) + payload.
 * Returns the frame length. */
static size_t build(uint8_t *f, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
                    uint16_t sp, uint16_t dp, uint8_t flags, size_t payload)
{
    memset(f, 0, 1600);
    const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 1 }, mac_b[6] = { 2, 0, 0, 0, 0, 2 };
    memcpy(f, mac_b, 6);
    memcpy(f + 6, mac_a, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    size_t l4len = (proto == 6 ? 20 : 8) + payload;
    size_t iplen = 20 + l4len;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(iplen >> 8);
    ip[3] = (uint8_t)iplen;
    ip[4] = 0x12;
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    uint16_t c = csum_fold(csum_add(0, ip, 20));
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    uint8_t *l4 = ip + 20;
    l4[0] = (uint8_t)(sp >> 8);
    l4[1] = (uint8_t)sp;
    l4[2] = (uint8_t)(dp >> 8);
    l4[3] = (uint8_t)dp;
    size_t hl;
    if (proto == 6) {
        l4[4] = 0;
        l4[7] = 1;      /* seq 1 */
        l4[12] = 5 << 4;
        l4[13] = flags;
        l4[14] = 0xff;  /* window */
        hl = 20;
    } else {
        l4[4] = (uint8_t)(l4len >> 8);
        l4[5] = (uint8_t)l4len;
        hl = 8;
    }
    for (size_t i = 0; i < payload; i++)
        l4[hl + i] = (uint8_t)('a' + i % 26);
    uint8_t pseudo[12];
    memcpy(pseudo, src, 4);
    memcpy(pseudo + 4, dst, 4);
    pseudo[8] = 0;
    pseudo[9] = proto;
    pseudo[10] = (uint8_t)(l4len >> 8);
    pseudo[11] = (uint8_t)l4len;
    uint16_t lc = csum_fold(csum_add(csum_add(0, pseudo, 12), l4, l4len));
    size_t at = proto == 6 ? 16 : 6;
    l4[at] = (uint8_t)(lc >> 8);
    l4[at + 1] = (uint8_t)lc;
    return 14 + iplen;
}

/* A capture of n_udp UDP exchanges between distinct port pairs (one
 * request and one reply each) and one TCP handshake, one packet per 10 ms
 * from t0 seconds. */
static void write_capture(const char *path, int n_udp, int64_t t0)
{
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_MICRO);
    assert_non_null(dead);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    assert_non_null(d);
    const uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };
    uint8_t f[1600];
    int64_t us = 0;
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
#define PUT(flen)                                                 \
    do {                                                          \
        h.ts.tv_sec = (time_t)(t0 + us / 1000000);                \
        h.ts.tv_usec = (suseconds_t)(us % 1000000);               \
        h.caplen = h.len = (bpf_u_int32)(flen);                   \
        pcap_dump((u_char *)d, &h, f);                            \
        us += 10000;                                              \
    } while (0)
    for (int i = 0; i < n_udp; i++) {
        PUT(build(f, 17, a, b, (uint16_t)(40000 + i % 20000), 53, 0, 30));
        PUT(build(f, 17, b, a, 53, (uint16_t)(40000 + i % 20000), 0, 60));
    }
    PUT(build(f, 6, a, b, 50000, 80, 0x02, 0));
    PUT(build(f, 6, b, a, 80, 50000, 0x12, 0));
    PUT(build(f, 6, a, b, 50000, 80, 0x10, 0));
#undef PUT
    pcap_dump_close(d);
    pcap_close(dead);
}

/* ------------------------------------------------------------------ */
/* helpers                                                            */
/* ------------------------------------------------------------------ */

static void path_in(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", tmpdir, name); }

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kasbah-engine-XXXXXX");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(tmpdir);
    return 0;
}

/* Run kasbah in-process on these words (after the program name). */
static int run(const char *first, ...)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"kasbah";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 63; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    CliOptions o;
    char err[256];
    int rc = cli_parse(&o, argc, argv, NULL, err, sizeof err);
    if (rc == 0)
        rc = engine_run(&o);
    cli_free(&o, NULL);
    return rc;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

static size_t count_str(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ------------------------------------------------------------------ */
/* exit codes                                                         */
/* ------------------------------------------------------------------ */

static void test_missing_input_is_2(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "nope.pcap");
    assert_int_equal(run("-r", p, "-l", tmpdir, NULL), ENGINE_EXIT_INPUT);
    /* nothing was written for a bad input */
    char eve[512];
    path_in(eve, sizeof eve, "eve.json");
    assert_int_not_equal(access(eve, F_OK), 0);
}

static void test_not_a_capture_is_2(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "text.pcap");
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("hello, world\n", f);
    fclose(f);
    assert_int_equal(run("-r", p, "-l", tmpdir, NULL), ENGINE_EXIT_INPUT);
    path_in(p, sizeof p, "emptydir");
    assert_int_equal(mkdir(p, 0700), 0);
    assert_int_equal(run("-r", p, "-l", tmpdir, NULL), ENGINE_EXIT_INPUT);
}

static void test_bad_log_dir_is_3(void **state)
{
    (void)state;
    char p[512], l[512];
    path_in(p, sizeof p, "in.pcap");
    write_capture(p, 1, 1000);
    path_in(l, sizeof l, "no-such-dir");
    assert_int_equal(run("-r", p, "-l", l, NULL), ENGINE_EXIT_OUTPUT);
    /* a file is not a directory */
    assert_int_equal(run("-r", p, "-l", p, NULL), ENGINE_EXIT_OUTPUT);
    /* the default comes from default-log-dir */
    char set[600];
    snprintf(set, sizeof set, "default-log-dir=%s", l);
    assert_int_equal(run("-r", p, "--set", set, NULL), ENGINE_EXIT_OUTPUT);
}

static void test_bad_config_is_4(void **state)
{
    (void)state;
    char p[512], c[512];
    path_in(p, sizeof p, "in.pcap");
    write_capture(p, 1, 1000);
    path_in(c, sizeof c, "bad.yaml");
    FILE *f = fopen(c, "w");
    assert_non_null(f);
    fputs("flow:\n  memcap: [1, 2\n", f);
    fclose(f);
    assert_int_equal(run("-r", p, "-l", tmpdir, "-c", c, NULL), ENGINE_EXIT_CONFIG);
    path_in(c, sizeof c, "missing.yaml");
    assert_int_equal(run("-r", p, "-l", tmpdir, "-c", c, NULL), ENGINE_EXIT_CONFIG);
}

/* A configuration error found after the input opened still leaves no
 * eve.json behind, and -T reports it too. */
static void test_bad_anomaly_setting_is_4(void **state)
{
    (void)state;
    char p[512], eve[512];
    path_in(p, sizeof p, "in.pcap");
    write_capture(p, 1, 1000);
    assert_int_equal(run("-r", p, "-l", tmpdir, "--set", "anomaly.enabled=yes", "--set",
                         "anomaly.mode=no-such-mode", NULL),
                     ENGINE_EXIT_CONFIG);
    path_in(eve, sizeof eve, "eve.json");
    assert_int_not_equal(access(eve, F_OK), 0);
    assert_int_equal(run("-T", "--set", "anomaly.mode=no-such-mode", NULL), ENGINE_EXIT_CONFIG);
}

static void test_usage_is_1(void **state)
{
    (void)state;
    assert_int_equal(run("-r", "x", "--no-such-option", NULL), ENGINE_EXIT_USAGE);
    assert_int_equal(run(NULL), ENGINE_EXIT_USAGE);
}

/* -T prints "N rules loaded, M failed" as the last line on stdout. */
static void test_test_mode(void **state)
{
    (void)state;
    char out[512];
    path_in(out, sizeof out, "stdout.txt");
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    int rc = run("-T", NULL);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    assert_int_equal(rc, ENGINE_EXIT_OK);
    char *text = slurp(out, NULL);
    assert_non_null(text);
    size_t n = strlen(text);
    assert_true(n > 0 && text[n - 1] == '\n');
    text[n - 1] = '\0';
    const char *last = strrchr(text, '\n');
    last = last ? last + 1 : text;
    unsigned long long loaded = 99, failed = 99;
    char tail[8] = "";
    assert_int_equal(sscanf(last, "%llu rules loaded, %llu failed%7s", &loaded, &failed, tail), 2);
    assert_int_equal(failed, 0);
    free(text);
}

/* ------------------------------------------------------------------ */
/* a whole run                                                        */
/* ------------------------------------------------------------------ */

static void test_run_writes_eve(void **state)
{
    (void)state;
    char p[512], eve[512];
    path_in(p, sizeof p, "in.pcap");
    write_capture(p, 5, 1491603877);
    assert_int_equal(run("-r", p, "-l", tmpdir, NULL), ENGINE_EXIT_OK);
    path_in(eve, sizeof eve, "eve.json");
    size_t len = 0;
    char *text = slurp(eve, &len);
    assert_non_null(text);
    assert_true(len > 0 && text[len - 1] == '\n');
    /* 5 UDP flows + 1 TCP flow, then one stats record, the last line */
    assert_int_equal(count_str(text, "\"event_type\":\"flow\""), 6);
    assert_int_equal(count_str(text, "\"event_type\":\"stats\""), 1);
    assert_int_equal(count_str(text, "\n"), 7);
    text[len - 1] = '\0';
    const char *last = strrchr(text, '\n');
    assert_non_null(last);
    assert_non_null(strstr(last, "\"event_type\":\"stats\""));
    assert_non_null(strstr(last, "\"rules_loaded\":0"));
    /* every line is one object */
    for (char *line = text; line != NULL && *line; ) {
        char *nl = strchr(line, '\n');
        assert_int_equal(line[0], '{');
        assert_int_equal((nl ? nl : line + strlen(line))[-1], '}');
        line = nl ? nl + 1 : NULL;
    }
    assert_non_null(strstr(text, "\"reason\":\"shutdown\""));
    assert_non_null(strstr(text, "\"timestamp\":\"2017-04-07T22:24:"));
    free(text);
}

/* Rules from -S: alerts reach eve.json, the flows are marked alerted, and a
 * rule that fails to load is fatal only with --init-errors-fatal / -T. */
static void test_run_with_rules(void **state)
{
    (void)state;
    char p[512], r[512], eve[512];
    path_in(p, sizeof p, "in.pcap");
    write_capture(p, 5, 1491603877);
    path_in(r, sizeof r, "t.rules");
    FILE *f = fopen(r, "w");
    assert_non_null(f);
    fputs("alert udp any any -> any 53 (msg:\"to dns\"; sid:1000001; rev:1;)\n", f);
    fputs("alert tcp any any -> any any (msg:\"bad\"; no-such-keyword; sid:2;)\n", f);
    fclose(f);
    assert_int_equal(run("-r", p, "-S", r, "-l", tmpdir, NULL), ENGINE_EXIT_OK);
    path_in(eve, sizeof eve, "eve.json");
    char *text = slurp(eve, NULL);
    assert_non_null(text);
    assert_int_equal(count_str(text, "\"event_type\":\"alert\""), 5);
    assert_int_equal(count_str(text, "\"signature_id\":1000001"), 5);
    assert_int_equal(count_str(text, "\"alerted\":true"), 5);
    assert_non_null(strstr(text, "\"rules_loaded\":1,\"rules_failed\":1"));
    free(text);
    assert_int_equal(run("-r", p, "-S", r, "-l", tmpdir, "--init-errors-fatal", NULL), ENGINE_EXIT_CONFIG);
    assert_int_equal(run("-T", "-S", r, NULL), ENGINE_EXIT_CONFIG);
}

static void test_run_is_deterministic(void **state)
{
    (void)state;
    char p[512], d1[512], d2[512], e1[600], e2[600];
    path_in(p, sizeof p, "in.pcap");
    write_capture(p, 300, 1600000000);
    path_in(d1, sizeof d1, "one");
    path_in(d2, sizeof d2, "two");
    assert_int_equal(mkdir(d1, 0700), 0);
    assert_int_equal(mkdir(d2, 0700), 0);
    assert_int_equal(run("-r", p, "-l", d1, NULL), ENGINE_EXIT_OK);
    assert_int_equal(run("-r", p, "-l", d2, NULL), ENGINE_EXIT_OK);
    snprintf(e1, sizeof e1, "%s/eve.json", d1);
    snprintf(e2, sizeof e2, "%s/eve.json", d2);
    size_t l1 = 0, l2 = 0;
    char *a = slurp(e1, &l1), *b = slurp(e2, &l2);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(l1 > 1000);
    assert_int_equal(l1, l2);
    assert_memory_equal(a, b, l1);
    free(a);
    free(b);
}

/* A directory is one stream: two captures give the flows of both. */
static void test_run_directory(void **state)
{
    (void)state;
    char d[512], p[600], eve[512];
    path_in(d, sizeof d, "in");
    assert_int_equal(mkdir(d, 0700), 0);
    snprintf(p, sizeof p, "%s/1.pcap", d);
    write_capture(p, 2, 1000);
    snprintf(p, sizeof p, "%s/2.pcap", d);
    write_capture(p, 3, 1001);
    assert_int_equal(run("-r", d, "-l", tmpdir, NULL), ENGINE_EXIT_OK);
    path_in(eve, sizeof eve, "eve.json");
    char *text = slurp(eve, NULL);
    assert_non_null(text);
    /* the same TCP 5-tuple and UDP ports recur in the second file, so its
     * packets join the first file's flows (no timeout in between) */
    assert_non_null(strstr(text, "\"capture\":{\"files\":2"));
    assert_int_equal(count_str(text, "\"event_type\":\"flow\""), 4);
    assert_non_null(strstr(text, "\"pkts_toserver\":4,\"pkts_toclient\":2")); /* TCP: 2 + 1 per file */
    free(text);
}

/* The stop flag (SIGINT/SIGTERM) ends the loop between packets, and the
 * finish still writes every flow and the stats record. */
static int64_t stop_after;
static volatile sig_atomic_t stop_flag;
static Pipeline *tick_pl;

static void stop_tick(void *user)
{
    (void)user;
    if ((int64_t)tick_pl->n_packets >= stop_after)
        stop_flag = 1;
}

static void test_stop_flag(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "big.pcap");
    write_capture(p, 6000, 1000); /* 12003 packets */
    Config *conf = conf_new();
    assert_non_null(conf);
    DetectEngine *de = detect_engine_new(conf, NULL, 0);
    assert_non_null(de);
    EveWriter *eve = eve_open(conf, tmpdir);
    assert_non_null(eve);
    DecodeConfig dc;
    decode_config_defaults(&dc);
    FlowConfig fc;
    flow_config_defaults(&fc);
    Stats cstats;
    memset(&cstats, 0, sizeof cstats);
    CaptureSource *cs = capture_open(p, NULL, &cstats, NULL);
    assert_non_null(cs);

    static Pipeline pl;
    stop_flag = 0;
    assert_int_equal(pipeline_init(&pl, conf, &dc, &fc, de, eve, &stop_flag), 0);
    pl.capture_stats = &cstats;
    tick_pl = &pl;
    stop_after = 4096;
    pipeline_run(&pl, cs, stop_tick, NULL);
    assert_true(pl.interrupted);
    assert_int_equal(pl.n_packets, 4096);
    assert_int_equal(pipeline_finish(&pl), 0);
    /* 2048 UDP exchanges were read: 2048 flows ended at the flush */
    assert_int_equal(pipeline_flows(&pl), 2048);
    pipeline_fini(&pl);
    assert_int_equal(eve_close(eve), 0);
    capture_close(cs);
    detect_engine_free(de);
    conf_free(conf);

    char e[512];
    path_in(e, sizeof e, "eve.json");
    char *text = slurp(e, NULL);
    assert_non_null(text);
    assert_int_equal(count_str(text, "\"event_type\":\"flow\""), 2048);
    assert_int_equal(count_str(text, "\"event_type\":\"stats\""), 1);
    free(text);
}

int test_run_group(void);

int test_run_group(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_missing_input_is_2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_capture_is_2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_log_dir_is_3, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_config_is_4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_anomaly_setting_is_4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_is_1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_test_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_writes_eve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_with_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_is_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_flag, setup, teardown),
    };
    return cmocka_run_group_tests_name("test_run", tests, NULL, NULL);
}
