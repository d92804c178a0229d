/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_anomaly.c: unit tests for src/anomaly (AfterImage statistics, the
 * clustering, MT19937, KitNET against the reference, model files, memcap
 * eviction, event aggregation) and the EVE anomaly record.
 *
 * Expected values: 1D statistics computed by hand in the comments; 2D values
 * from a Python transcription of the reference's AfterImage (the same one
 * that reproduces the reference's stored features); the clustering cases
 * worked by hand from scipy's algorithm (KITSUNE.md section 4).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "anomaly/afterimage.h"
#include "anomaly/anomaly.h"
#include "anomaly/features.h"
#include "anomaly/kitnet.h"
#include "anomaly/model.h"
#include "output/anomaly.h"

static void assert_close(double got, double want, double rel)
{
    double d = fabs(got - want), den = fabs(want) > 0 ? fabs(want) : 1;
    if (!(d / den <= rel)) {
        print_error("got %.17g, want %.17g\n", got, want);
        fail();
    }
}

static const uint8_t *K(const char *s) { return (const uint8_t *)s; }

/* ---- AfterImage ---- */

static void test_incstat_1d(void **state)
{
    (void)state;
    AiConfig cfg = {.exact_pow = true};
    AiDb *db = ai_db_new(&cfg, NULL);
    assert_non_null(db);
    double out[15];
    assert_int_equal(ai_update_1d(db, K("x"), 1, 0.0, 10, out), 0);
    /* lambda = 1 (index 2): w = 1 + 1e-20, mean 10, var 0 */
    assert_close(out[6], 1.0, 1e-15);
    assert_close(out[7], 10.0, 1e-15);
    assert_close(out[8], 0.0, 1e-15);
    assert_int_equal(ai_update_1d(db, K("x"), 1, 1.0, 20, out), 0);
    /* one second later at lambda 1 everything halves: CF1 = 5 + 20, CF2 = 50 + 400,
     * w = 0.5 + 1 = 1.5; mean = 25 / 1.5; var = 450 / 1.5 - mean^2 = 22.2.. */
    assert_close(out[6], 1.5, 1e-15);
    assert_close(out[7], 25.0 / 1.5, 1e-15);
    assert_close(out[8], 300.0 - (25.0 / 1.5) * (25.0 / 1.5), 1e-12);
    /* lambda = 5 (index 0): factor 2^-5 */
    assert_close(out[0], 1.0 + 1.0 / 32, 1e-15);
    double w, m, v;
    assert_true(ai_db_peek(db, K("x"), 1, 2, &w, &m, &v));
    assert_close(w, 1.5, 1e-15);
    assert_false(ai_db_peek(db, K("y"), 1, 2, &w, &m, &v));
    ai_db_free(db);
}

static void test_incstat_jitter(void **state)
{
    (void)state;
    AiConfig cfg = {.exact_pow = true, .jitter = true};
    AiDb *db = ai_db_new(&cfg, NULL);
    double out[15];
    ai_update_1d(db, K("ab"), 2, 0.0, 999, out); /* the value is ignored: v = 0 */
    assert_close(out[7], 0.0, 0);
    ai_update_1d(db, K("ab"), 2, 2.0, 999, out); /* v = 2 - 0 = 2 */
    /* lambda 1: CF1 = 0 * 0.25 + 2, w = 0.25 + 1; mean 1.6; var 4 / 1.25 - 2.56 = 0.64 */
    assert_close(out[6], 1.25, 1e-15);
    assert_close(out[7], 1.6, 1e-15);
    assert_close(out[8], 0.64, 1e-12);
    ai_db_free(db);
}

/* 2D at lambda 1, against the reference's arithmetic (values from Python). */
static void test_incstat_2d(void **state)
{
    (void)state;
    AiConfig cfg = {.exact_pow = true};
    AiDb *db = ai_db_new(&cfg, NULL);
    double out[35];
    static const struct { const char *a, *b; double t, v; double want[7]; } seq[] = {
        {"A", "B", 0.0, 10, {1.0, 10.0, 0.0, 0.0, 10.0, 0.0, 0}},
        {"B", "A", 0.5, 20, {1.0, 20.0, 0.0, 0.0, 22.360679774997898, 0.0, 0}},
        {"A", "B", 1.0, 30, {1.5, 23.333333333333332, 88.88888888888903, 88.88888888888903,
                             30.731814857642956, 0.0, 0}},
        {"B", "A", 1.2, 5, {1.615572206672458, 10.715363919948206, 53.06507406177734,
                            103.52360432811047, 25.67612642867635, -14.092382587190203,
                            -0.20519005079717328}},
        {"A", "B", 1.5, 12, {2.060660171779821, 17.833477758629538, 77.83605190505858,
                             94.20378475066109, 20.80509439787434, 0.7482977792996227,
                             0.011643396031111941}},
        /* a stream paired with itself reuses its first link (the reference's lookup) */
        {"A", "A", 1.7, 7, {2.7939088733048107, 13.955943361519795, 76.94876662835057,
                            93.47199992942417, 17.59509531224188, 11.06118688556725,
                            0.17309977809717877}},
    };
    for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
        assert_int_equal(ai_update_2d(db, K(seq[i].a), 1, K(seq[i].b), 1, seq[i].t, seq[i].v, out), 0);
        for (int j = 0; j < 7; j++)
            assert_close(out[14 + j], seq[i].want[j], 1e-13);
    }
    assert_int_equal(ai_db_counters(db)->links, 1);
    ai_db_free(db);
}

static void test_memcap_eviction(void **state)
{
    (void)state;
    MemAccount acct;
    mem_account_init(&acct, "anomaly-test", 256 * 1024);
    AiConfig cfg = {.exact_pow = false, .max_links = 4, .evict_weight = 0.01};
    AiDb *db = ai_db_new(&cfg, &acct);
    assert_non_null(db);
    double out[35];
    char key[32];
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(key, sizeof(key), "host-%d", i);
        assert_int_equal(ai_update_2d(db, K(key), (size_t)n, K("server"), 6, i * 0.001, 100, out), 0);
        assert_true(acct.used <= acct.cap);
    }
    const AiCounters *c = ai_db_counters(db);
    assert_true(c->evicted_forced > 0);
    assert_true(c->streams < 20000);
    /* "server" is paired with every host but keeps at most 4 links */
    assert_true(c->evicted_links > 0);
    assert_true(c->links <= c->streams * 4);
    assert_int_equal(c->alloc_fail, 0);
    /* idle eviction: long after the last packet every stream has decayed */
    uint64_t before = c->streams;
    unsigned n_ev = ai_db_sweep(db, 1e6, 1000000);
    assert_int_equal(n_ev, before);
    assert_int_equal(ai_db_counters(db)->evicted_idle, before);
    assert_int_equal(ai_db_counters(db)->streams, 0);
    ai_db_free(db);
    assert_int_equal(acct.used, 0);
}

/* ---- KitNET pieces ---- */

static void test_mt19937(void **state)
{
    (void)state;
    KitMt r;
    kitnet_mt_seed(&r, 1234);
    /* numpy.random.RandomState(1234).random_sample() */
    assert_true(kitnet_mt_double(&r) == 0.1915194503788923);
    kitnet_mt_seed(&r, 5489);
    assert_int_equal(kitnet_mt_next(&r), 3499211612u); /* MT19937 reference output */
}

static void test_cluster_toy(void **state)
{
    (void)state;
    /* two tight pairs: {0,1} at 1, {2,3} at 2, joined at 4 */
    const double d[16] = {0, 1, 5, 6, 1, 0, 4, 7, 5, 4, 0, 2, 6, 7, 2, 0};
    uint32_t map[4], off[5];
    assert_int_equal(kitnet_cluster(d, 4, 2, NULL, map, off), 2);
    assert_int_equal(off[1], 2);
    assert_int_equal(map[0], 0);
    assert_int_equal(map[1], 1);
    assert_int_equal(map[2], 2);
    assert_int_equal(map[3], 3);
    assert_int_equal(kitnet_cluster(d, 4, 4, NULL, map, off), 1);
    assert_int_equal(kitnet_cluster(d, 4, 1, NULL, map, off), 4);

    /* ties: three points all at distance 1. Prim from 0 takes (0,1) then (1,2);
     * merge 0 makes node 3 = (0, 1); merge 1 joins leaf 2 and node 3 with the
     * smaller id (2) on the left, so with m = 2 the clusters are [2], [0, 1]. */
    const double t[9] = {0, 1, 1, 1, 0, 1, 1, 1, 0};
    uint32_t map3[3], off3[4];
    assert_int_equal(kitnet_cluster(t, 3, 2, NULL, map3, off3), 2);
    assert_int_equal(off3[1], 1);
    assert_int_equal(map3[0], 2);
    assert_int_equal(map3[1], 0);
    assert_int_equal(map3[2], 1);
}

/* The shared data: $KASBAH_SHARED, else the folder beside the source tree
 * (where CI puts it), else /work/shared. */
static const char *shared_dir(void)
{
    const char *s = getenv("KASBAH_SHARED");
    if (s != NULL && s[0] != '\0' && access(s, R_OK) == 0)
        return s;
    if (access(KASBAH_SOURCE_ROOT "/../shared/data", R_OK) == 0)
        return KASBAH_SOURCE_ROOT "/../shared";
    return "/work/shared";
}

/* KitNET on the reference's own features: the feature map and every score. */
static void test_kitnet_reference(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof(path), "%s/data/kitsune/mirai_first38363.features.f64", shared_dir());
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("%s not found (set KASBAH_SHARED to the shared data folder)", path);
    }
    const size_t N = 38363;
    double *X = malloc(N * FEAT_N * sizeof(double));
    assert_non_null(X);
    assert_int_equal(fread(X, sizeof(double), N * FEAT_N, f), N * FEAT_N);
    fclose(f);
    snprintf(path, sizeof(path), "%s/data/kitsune/mirai_first38363.scores.csv", shared_dir());
    FILE *s = fopen(path, "r");
    assert_non_null(s);
    char line[128];
    assert_non_null(fgets(line, sizeof(line), s));

    KitNetConfig c;
    kitnet_config_defaults(&c);
    c.fm_grace = 5000;
    c.ad_grace = 20000;
    c.norm = KITNET_NORM_REFERENCE;
    KitNet *k = kitnet_new(&c, NULL);
    assert_non_null(k);
    double maxrel = 0;
    size_t n_scored = 0;
    for (size_t i = 0; i < N; i++) {
        double got = kitnet_process(k, X + i * FEAT_N), want;
        assert_non_null(fgets(line, sizeof(line), s));
        char *comma = strchr(line, ',');
        assert_non_null(comma);
        want = strtod(comma + 1, NULL);
        if (want == 0) {
            assert_true(got == 0);
            continue;
        }
        n_scored++;
        double rel = fabs(got - want) / fabs(want);
        if (rel > maxrel)
            maxrel = rel;
    }
    fclose(s);
    print_message("KitNET on reference features: %zu scored, max relative difference %.3g\n",
                  n_scored, maxrel);
    assert_int_equal(n_scored, 13362);
    assert_true(maxrel <= 1e-9);
    /* feature_map.json, flattened (16 autoencoders) */
    static const uint32_t want_off[17] = {0, 1, 11, 21, 28, 32, 38, 43, 48, 58, 64, 73, 77, 82, 88, 98, 100};
    static const uint32_t want_map[100] = {
        35, 71, 78, 85, 92, 91, 98, 99, 84, 70, 77, 81, 82, 74, 75, 67, 68, 88, 89, 95, 96,
        42, 49, 41, 48, 34, 20, 27, 9, 36, 12, 43, 6, 29, 0, 15, 3, 22, 79, 65, 72, 86, 93,
        59, 62, 56, 50, 53, 61, 58, 52, 55, 64, 63, 60, 57, 51, 54, 39, 11, 38, 46, 14, 45,
        32, 8, 31, 18, 2, 17, 25, 5, 24, 10, 37, 13, 44, 87, 94, 80, 66, 73, 7, 30, 1, 16,
        4, 23, 90, 97, 83, 69, 76, 40, 47, 33, 19, 26, 21, 28};
    assert_int_equal(kitnet_n_ae(k), 16);
    assert_memory_equal(kitnet_map_off(k), want_off, sizeof(want_off));
    assert_memory_equal(kitnet_map(k), want_map, sizeof(want_map));
    kitnet_free(k);
    free(X);
}

/* ---- model files ---- */

static void vec(double *x, int i, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        x[j] = sin(0.37 * i + j) * (j + 1) + (j % 2 ? cos(0.11 * i) : 0);
}

static KitNet *trained_net(void)
{
    KitNetConfig c;
    kitnet_config_defaults(&c);
    c.n = 8;
    c.max_ae = 3;
    c.fm_grace = 40;
    c.ad_grace = 200;
    KitNet *k = kitnet_new(&c, NULL);
    double x[8];
    for (int i = 0; i < 241; i++) {
        vec(x, i, 8);
        kitnet_process(k, x);
    }
    assert_int_equal(kitnet_phase(k), KITNET_PHASE_EXECUTE);
    return k;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *b = malloc(1 << 20);
    *len = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

static void fix_crc(uint8_t *b, size_t len)
{
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), b, (uInt)(len - 4));
    for (int i = 0; i < 4; i++)
        b[len - 4 + i] = (uint8_t)(crc >> (8 * i));
}

static void expect_parse_error(const uint8_t *b, size_t len, const char *needle)
{
    ModelMeta meta;
    char err[256] = "";
    KitNet *k = model_parse(b, len, NULL, &meta, err, sizeof(err));
    if (k != NULL || strstr(err, needle) == NULL) {
        print_error("wanted an error containing '%s', got '%s'\n", needle, err);
        kitnet_free(k);
        fail();
    }
}

/* The default mode's table sigmoid: the same training gives nearly the same
 * scores (the table is within 1e-6 of the sigmoid), but not the same bits,
 * which shows the fast path ran. */
static void test_kitnet_fast(void **state)
{
    (void)state;
    KitNet *nets[2];
    for (int f = 0; f < 2; f++) {
        KitNetConfig c;
        kitnet_config_defaults(&c);
        c.n = 8;
        c.max_ae = 3;
        c.fm_grace = 40;
        c.ad_grace = 200;
        c.fast = f == 1;
        nets[f] = kitnet_new(&c, NULL);
        assert_non_null(nets[f]);
        double x[8];
        for (int i = 0; i < 241; i++) {
            vec(x, i, 8);
            kitnet_process(nets[f], x);
        }
        assert_int_equal(kitnet_phase(nets[f]), KITNET_PHASE_EXECUTE);
    }
    int n_diff = 0;
    double x[8];
    for (int i = 300; i < 400; i++) {
        vec(x, i, 8);
        double a = kitnet_process(nets[0], x), b = kitnet_process(nets[1], x);
        assert_true(a > 0 && b > 0);
        if (fabs(a - b) > 1e-3 * a)
            print_error("packet %d: exact %.17g fast %.17g\n", i, a, b);
        assert_true(fabs(a - b) <= 1e-3 * a);
        n_diff += a != b;
    }
    assert_true(n_diff > 0);
    /* switching the fast path off again gives the reference arithmetic */
    assert_int_equal(kitnet_set_fast(nets[1], false), 0);
    assert_false(kitnet_config(nets[1])->fast);
    kitnet_free(nets[0]);
    kitnet_free(nets[1]);
}

/* The open-addressing stream table: growth, deletion by backward shift and
 * lookups after many evictions in the middle of probe runs. */
static void test_table_churn(void **state)
{
    (void)state;
    MemAccount acct;
    mem_account_init(&acct, "anomaly-test", 0);
    AiConfig cfg = {.exact_pow = false, .max_links = 8, .evict_weight = 0.5};
    AiDb *db = ai_db_new(&cfg, &acct);
    assert_non_null(db);
    double out[15], w, mean, var;
    char key[32];
    /* even hosts at t = 0, then odd hosts at t = 1000: a sweep at t = 1000
     * finds the even ones (the least recently used) idle (weight 2^-10 at
     * lambda 0.01); their slots are scattered through the odd ones' runs */
    for (int odd = 0; odd < 2; odd++) {
        for (int i = odd; i < 6000; i += 2) {
            int n = snprintf(key, sizeof(key), "h%d", i);
            assert_int_equal(ai_update_1d(db, K(key), (size_t)n, odd ? 1000.0 : 0.0, i, out), 0);
        }
    }
    assert_int_equal(ai_db_counters(db)->streams, 6000);
    assert_int_equal(ai_db_sweep(db, 1000.0, 100000), 3000);
    for (int i = 0; i < 6000; i++) {
        int n = snprintf(key, sizeof(key), "h%d", i);
        bool found = ai_db_peek(db, K(key), (size_t)n, 0, &w, &mean, &var);
        assert_int_equal(found, i % 2 == 1);
        if (found)
            assert_true(mean == (double)i);
    }
    ai_db_free(db);
    assert_int_equal(acct.used, 0);
}

static void test_model_roundtrip(void **state)
{
    (void)state;
    KitNet *k = trained_net();
    char path[] = "/tmp/kasbah-test-model-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    ModelMeta meta = {.mode = 1, .threshold = 0.25, .thr_mu = -2, .thr_sigma = 0.5,
                      .thr_quantile = 0.999, .thr_samples = 100};
    char err[256];
    assert_int_equal(model_save(path, k, &meta, err, sizeof(err)), 0);
    ModelMeta m2;
    KitNet *k2 = model_load(path, NULL, &m2, err, sizeof(err));
    assert_non_null(k2);
    assert_true(m2.threshold == 0.25 && m2.thr_samples == 100 && m2.mode == 1);
    assert_int_equal(kitnet_phase(k2), KITNET_PHASE_EXECUTE);
    double x[8];
    for (int i = 300; i < 320; i++) {
        vec(x, i, 8);
        double a = kitnet_process(k, x), b = kitnet_process(k2, x);
        assert_true(a > 0);
        assert_memory_equal(&a, &b, sizeof(a));
    }

    size_t len;
    uint8_t *buf = slurp(path, &len);
    ModelMeta m3;
    KitNet *k3 = model_parse(buf, len, NULL, &m3, err, sizeof(err));
    assert_non_null(k3);
    kitnet_free(k3);
    /* one flipped bit anywhere: the checksum catches it */
    uint8_t *bad = malloc(len);
    memcpy(bad, buf, len);
    bad[len / 2] ^= 0x10;
    expect_parse_error(bad, len, "checksum");
    /* truncated */
    expect_parse_error(buf, len - 9, "checksum");
    expect_parse_error(buf, 50, "truncated");
    /* not a model */
    memcpy(bad, buf, len);
    bad[0] = 'X';
    expect_parse_error(bad, len, "magic");
    /* a future version */
    memcpy(bad, buf, len);
    bad[8] = 2;
    fix_crc(bad, len);
    expect_parse_error(bad, len, "version");
    /* a feature map that is not a partition (index 0 twice), with a valid checksum */
    memcpy(bad, buf, len);
    uint32_t n_ae = buf[28];
    size_t map_at = 104 + 4 * (n_ae + 1);
    memcpy(bad + map_at + 4, bad + map_at, 4);
    fix_crc(bad, len);
    expect_parse_error(bad, len, "feature map");
    /* a NaN weight */
    memcpy(bad, buf, len);
    size_t w_at = map_at + 4 * 8 + 8;
    const double nan_v = nan("");
    memcpy(bad + w_at, &nan_v, 8);
    fix_crc(bad, len);
    expect_parse_error(bad, len, "not finite");
    /* missing file: the message names it */
    assert_null(model_load("/nonexistent/model.bin", NULL, &m3, err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/model.bin"));

    free(bad);
    free(buf);
    unlink(path);
    kitnet_free(k);
    kitnet_free(k2);
}

static void test_constant_feature_bounded(void **state)
{
    (void)state;
    /* feature 0 is constant during training; the reference divides by 1e-16 */
    KitNetConfig c;
    kitnet_config_defaults(&c);
    c.n = 4;
    c.max_ae = 2;
    c.fm_grace = 20;
    c.ad_grace = 100;
    double sref = 0, sbnd = 0;
    for (int mode = 0; mode < 2; mode++) {
        c.norm = mode ? KITNET_NORM_BOUNDED : KITNET_NORM_REFERENCE;
        KitNet *k = kitnet_new(&c, NULL);
        double x[4];
        for (int i = 0; i < 121; i++) {
            x[0] = 7;
            x[1] = sin(i), x[2] = cos(i), x[3] = sin(2 * i);
            kitnet_process(k, x);
        }
        x[0] = 8;
        double s = kitnet_process(k, x);
        if (mode)
            sbnd = s;
        else
            sref = s;
        kitnet_free(k);
    }
    assert_true(sref > 1e6);          /* the reference's blow-up */
    assert_true(sbnd > 0 && sbnd < 3); /* bounded, still flagged */
}

/* ---- the engine: threshold, aggregation, explanation ---- */

typedef struct Seen {
    int n;
    AnomalyEvent ev[64];
} Seen;

static void on_event(const AnomalyEvent *ev, void *user)
{
    Seen *s = user;
    if (s->n < 64)
        s->ev[s->n] = *ev;
    s->n++;
}

static void udp_packet(Packet *p, uint8_t src_last, uint16_t sp, int64_t ts_ns, uint32_t len)
{
    memset(p, 0, sizeof(*p));
    p->flags = PKT_HAS_ETH | PKT_HAS_IPV4 | PKT_HAS_UDP;
    p->eth_src[5] = src_last;
    p->eth_dst[5] = 1;
    p->ip_ver = 4;
    p->ip_proto = 17;
    p->src.b[0] = 10, p->src.b[3] = src_last;
    p->dst.b[0] = 10, p->dst.b[3] = 1;
    p->sp = sp;
    p->dp = 53;
    p->ts_ns = ts_ns;
    p->wirelen = len;
    p->caplen = len;
}

static void test_engine_events(void **state)
{
    (void)state;
    static Stats st;
    AnomalySettings s;
    anomaly_settings_defaults(&s);
    s.enabled = true;
    s.fm_grace = 50;
    s.ad_grace = 400;
    Seen seen = {0};
    int err = 1;
    AnomalyEngine *ae = anomaly_new_settings(&s, &st, on_event, &seen, &err);
    assert_non_null(ae);
    assert_int_equal(err, 0);
    Packet p;
    int64_t t = 1000000000000;
    for (int i = 0; i < 1000; i++) {
        t += 10000000; /* 10 ms */
        udp_packet(&p, 2, 40000, t, 100 + (uint32_t)(i % 3));
        p.pcap_cnt = (uint64_t)i + 1;
        anomaly_packet(ae, &p);
    }
    double thr = anomaly_threshold(ae);
    assert_true(isfinite(thr) && thr > 0);
    int benign_events = seen.n;
    /* a burst from a new host: big packets, 1 us apart, many ports */
    for (int i = 0; i < 200; i++) {
        t += 1000;
        udp_packet(&p, 66, (uint16_t)(1000 + i), t, 1500);
        p.pcap_cnt = 2000 + (uint64_t)i;
        anomaly_packet(ae, &p);
    }
    assert_int_equal(anomaly_finish(ae), 0);
    int found = 0;
    for (int i = benign_events; i < seen.n && i < 64; i++) {
        const AnomalyEvent *ev = &seen.ev[i];
        assert_true(ev->score > ev->threshold);
        assert_string_equal(ev->model, "default");
        double sum = 0;
        for (unsigned j = 0; j < ev->n_explain; j++) {
            assert_true(ev->explain[j].share > 0);
            assert_true(strchr(ev->explain[j].what, ':') != NULL);
            sum += ev->explain[j].share;
        }
        assert_true(sum <= 1 + 1e-9);
        if (ev->src.b[3] == 66) {
            found++;
            assert_true(ev->pkts_above > 1); /* aggregated per source host */
            assert_true(ev->n_explain >= 1);
        }
    }
    assert_int_equal(found, 1);
    anomaly_free(ae);
}

/* A flood of random sources (a spoofed SYN flood's shape: every packet a new
 * host, socket and pair) through the whole detector with a 1 MiB memcap: the
 * account never passes the cap, streams are evicted to make room and counted
 * in stats, no update is skipped for lack of memory, and every packet after
 * training is still scored. */
static void test_memcap_flood(void **state)
{
    (void)state;
    static Stats st;
    AnomalySettings s;
    anomaly_settings_defaults(&s);
    s.enabled = true;
    s.fm_grace = 50;
    s.ad_grace = 400;
    s.memcap = 1u << 20;
    int err = 1;
    AnomalyEngine *ae = anomaly_new_settings(&s, &st, NULL, NULL, &err);
    assert_non_null(ae);
    const MemAccount *acct = anomaly_account(ae);
    Packet p;
    int64_t t = 1000000000000;
    uint64_t r = 0x9e3779b97f4a7c15ull;
    const int n = 60000;
    for (int i = 0; i < n; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        t += 10000; /* 10 us: nothing is idle long enough to be swept */
        udp_packet(&p, (uint8_t)r, (uint16_t)(r >> 8), t, 60);
        memcpy(p.src.b, &r, 4);
        memcpy(p.eth_src, (const uint8_t *)&r + 2, 6);
        p.pcap_cnt = (uint64_t)i + 1;
        anomaly_packet(ae, &p);
        assert_true(acct->used <= s.memcap);
    }
    assert_int_equal(anomaly_finish(ae), 0);
    assert_true(acct->peak <= s.memcap);
    assert_true(acct->peak > s.memcap / 2); /* the flood did fill the table */
    int forced = stats_find("anomaly.evicted_forced"), fail = stats_find("anomaly.alloc_fail");
    int scored = stats_find("anomaly.scored"), streams = stats_find("anomaly.streams");
    assert_true(forced >= 0 && fail >= 0 && scored >= 0 && streams >= 0);
    /* four tables, most packets new in each: tens of thousands evicted */
    assert_true(st.v[forced] > (uint64_t)n);
    assert_int_equal(st.v[fail], 0);
    assert_int_equal(st.v[scored], n - 451);
    assert_true(st.v[streams] < (uint64_t)n);
    anomaly_free(ae);
}

static void test_eve_record(void **state)
{
    (void)state;
    AnomalyEvent ev;
    memset(&ev, 0, sizeof(ev));
    ev.ts_ns = 1540446382933899000;
    ev.pcap_cnt = 7;
    ev.flow_id = 42;
    ev.ip_ver = 4;
    ev.proto = 17;
    ev.src.b[0] = 192, ev.src.b[1] = 168, ev.src.b[2] = 2, ev.src.b[3] = 1;
    ev.dst.b[0] = 8, ev.dst.b[1] = 8, ev.dst.b[2] = 8, ev.dst.b[3] = 8;
    ev.sp = 5353;
    ev.dp = 53;
    ev.score = 0.5;
    ev.threshold = 0.25;
    ev.pkts_above = 3;
    ev.model = "kitsune";
    ev.n_explain = 1;
    snprintf(ev.explain[0].what, sizeof(ev.explain[0].what), "socket pair: size covariance, 0.1 s window");
    ev.explain[0].share = 0.75;
    JsonBuf j;
    json_init(&j, NULL);
    eve_anomaly_build(&j, &ev);
    assert_true(json_ok(&j));
    json_object_end(&j); /* eve_commit closes the record */
    assert_true(json_complete(&j));
    const char *s = json_cstr(&j);
    assert_non_null(strstr(s, "\"flow_id\":42,\"pcap_cnt\":7,\"event_type\":\"anomaly\""));
    assert_non_null(strstr(s, "\"src_ip\":\"192.168.2.1\",\"src_port\":5353"));
    assert_non_null(strstr(s, "\"proto\":\"UDP\""));
    assert_non_null(strstr(s, "\"anomaly\":{\"type\":\"ml\",\"model\":\"kitsune\",\"score\":0.5,"
                              "\"threshold\":0.25,\"pkts_above\":3,\"explanation\":[{\"what\":"
                              "\"socket pair: size covariance, 0.1 s window\",\"share\":0.75}]}"));
    json_fini(&j);
}

/* A tunnelled frame keys its socket stream on the inner TCP port followed by
 * the outer UDP port (tshark's tcp.srcport + udp.srcport). */
static void test_feature_layers(void **state)
{
    (void)state;
    FeatConfig cfg = {.keys = FEAT_KEYS_TEXT, .exact = true};
    FeatCtx *fc = feat_ctx_new(&cfg, NULL);
    assert_non_null(fc);
    Packet outer, inner;
    double x[FEAT_N];
    for (int i = 0; i < 2; i++) {
        udp_packet(&outer, 7, 4789, 1000000000 + i * 1000, 150);
        memset(&inner, 0, sizeof(inner));
        inner.flags = PKT_HAS_IPV4 | PKT_HAS_TCP | PKT_IS_PSEUDO | PKT_IS_TUNNEL_INNER;
        inner.sp = (uint16_t)(80 + i); /* a different inner port each time */
        inner.dp = 5000;
        FeatLayers l;
        feat_layers_init(&l, &outer);
        feat_layers_add(&l, &inner);
        assert_true(l.tcp && l.udp && l.tcp_sp == 80 + i && l.udp_sp == 4789);
        assert_int_equal(feat_extract_layers(fc, &outer, &l, x), 0);
        assert_close(x[65], 1.0, 1e-12); /* a new socket stream each time */
        assert_close(x[15], 1.0 + i * pow(2.0, -5e-6), 1e-9); /* one host pair */
    }
    /* without the inner layer both frames share one socket stream */
    FeatCtx *fc2 = feat_ctx_new(&cfg, NULL);
    for (int i = 0; i < 2; i++) {
        udp_packet(&outer, 7, 4789, 1000000000 + i * 1000, 150);
        feat_extract(fc2, &outer, x);
    }
    assert_true(x[65] > 1.9);
    feat_ctx_free(fc);
    feat_ctx_free(fc2);
}

static void test_feature_names(void **state)
{
    (void)state;
    char b[96];
    feat_column_name(0, b, sizeof(b));
    assert_string_equal(b, "MI_dir_5_weight");
    feat_column_name(70, b, sizeof(b));
    assert_string_equal(b, "HpHp_5_covariance_0_1");
    feat_column_name(99, b, sizeof(b));
    assert_string_equal(b, "HpHp_0.01_pcc_0_1");
    feat_describe(70, b, sizeof(b));
    assert_string_equal(b, "socket pair: size covariance, 0.1 s window");
    feat_describe(64, b, sizeof(b));
    assert_string_equal(b, "host-pair jitter: inter-arrival variance, 1 min window");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incstat_1d),
        cmocka_unit_test(test_incstat_jitter),
        cmocka_unit_test(test_incstat_2d),
        cmocka_unit_test(test_memcap_eviction),
        cmocka_unit_test(test_mt19937),
        cmocka_unit_test(test_cluster_toy),
        cmocka_unit_test(test_kitnet_reference),
        cmocka_unit_test(test_kitnet_fast),
        cmocka_unit_test(test_table_churn),
        cmocka_unit_test(test_model_roundtrip),
        cmocka_unit_test(test_constant_feature_bounded),
        cmocka_unit_test(test_engine_events),
        cmocka_unit_test(test_memcap_flood),
        cmocka_unit_test(test_eve_record),
        cmocka_unit_test(test_feature_layers),
        cmocka_unit_test(test_feature_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
