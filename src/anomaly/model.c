/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * model.c: saving and loading the trained detector (format in model.h).
 *
 * The loader reads through a bounds-checked cursor: every field is checked
 * against the bytes left before it is read, every count against its limit
 * before anything is allocated, and the CRC before any field is believed.
 */
#include "anomaly/model.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

static const uint8_t magic[8] = {'K', 'S', 'B', 'H', 'A', 'N', 'M', 'L'};

#define HEADER_LEN 104u

static void fail(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t err_len, const char *fmt, ...)
{
    if (err == NULL || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* ---- writing ---- */

typedef struct Out {
    FILE *f;
    uLong crc;
    int bad;
} Out;

static void put(Out *o, const void *p, size_t n)
{
    if (o->bad)
        return;
    o->crc = crc32(o->crc, p, (uInt)n);
    if (fwrite(p, 1, n, o->f) != n)
        o->bad = 1;
}

static void put_u32(Out *o, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(o, b, 4);
}

static void put_u64(Out *o, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put(o, b, 8);
}

static void put_f64(Out *o, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    put_u64(o, v);
}

static void put_f64s(Out *o, const double *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_f64(o, d[i]);
}

int model_save(const char *path, KitNet *k, const ModelMeta *meta, char *err, size_t err_len)
{
    if (kitnet_phase(k) != KITNET_PHASE_EXECUTE) {
        fail(err, err_len, "cannot write model %s: the detector is not trained yet (%llu packets seen)",
             path, (unsigned long long)kitnet_count(k));
        return -1;
    }
    Out o = {.f = fopen(path, "wb"), .crc = crc32(0L, Z_NULL, 0), .bad = 0};
    if (o.f == NULL) {
        fail(err, err_len, "cannot write model %s: %s", path, strerror(errno));
        return -1;
    }
    const KitNetConfig *c = kitnet_config(k);
    uint32_t n_ae = kitnet_n_ae(k);
    put(&o, magic, 8);
    put_u32(&o, MODEL_VERSION);
    put_u32(&o, meta->mode);
    put_u32(&o, (uint32_t)c->norm);
    put_u32(&o, c->n);
    put_u32(&o, c->max_ae);
    put_u32(&o, n_ae);
    put_u64(&o, c->fm_grace);
    put_u64(&o, c->ad_grace);
    put_f64(&o, c->lr);
    put_f64(&o, c->hidden_ratio);
    put_f64(&o, meta->threshold);
    put_f64(&o, meta->thr_mu);
    put_f64(&o, meta->thr_sigma);
    put_f64(&o, meta->thr_quantile);
    put_u64(&o, meta->thr_samples);
    const uint32_t *off = kitnet_map_off(k), *map = kitnet_map(k);
    for (uint32_t i = 0; i <= n_ae; i++)
        put_u32(&o, off[i]);
    for (uint32_t i = 0; i < c->n; i++)
        put_u32(&o, map[i]);
    for (uint32_t i = 0; i <= n_ae; i++) {
        const KitAe *a = kitnet_ae(k, i);
        put_u32(&o, a->n_v);
        put_u32(&o, a->n_h);
        put_f64s(&o, a->w, (size_t)a->n_v * a->n_h);
        put_f64s(&o, a->hb, a->n_h);
        put_f64s(&o, a->vb, a->n_v);
        put_f64s(&o, a->nmin, a->n_v);
        put_f64s(&o, a->nmax, a->n_v);
    }
    uint32_t crc = (uint32_t)o.crc;
    put_u32(&o, crc);
    if (fclose(o.f) != 0)
        o.bad = 1;
    if (o.bad) {
        fail(err, err_len, "cannot write model %s: write failed (%s)", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- reading ---- */

typedef struct Cur {
    const uint8_t *p;
    size_t left, pos;
} Cur;

static bool need(const Cur *c, size_t n) { return c->left >= n; }

static uint32_t get_u32(Cur *c)
{
    const uint8_t *b = c->p;
    c->p += 4, c->left -= 4, c->pos += 4;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t get_u64(Cur *c)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)c->p[i] << (8 * i);
    c->p += 8, c->left -= 8, c->pos += 8;
    return v;
}

static double get_f64(Cur *c)
{
    uint64_t v = get_u64(c);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

/* Read n finite doubles into d; false on a non-finite value. */
static bool get_f64s(Cur *c, double *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        d[i] = get_f64(c);
        if (!isfinite(d[i]))
            return false;
    }
    return true;
}

KitNet *model_parse(const uint8_t *buf, size_t len, MemAccount *acct, ModelMeta *meta, char *err,
                    size_t err_len)
{
    if (len < HEADER_LEN + 4) {
        fail(err, err_len, "truncated: %zu bytes, a model has at least %u", len, HEADER_LEN + 4);
        return NULL;
    }
    if (memcmp(buf, magic, 8) != 0) {
        fail(err, err_len, "not a kasbah anomaly model (bad magic)");
        return NULL;
    }
    Cur c = {.p = buf + 8, .left = len - 8 - 4, .pos = 8};
    uint32_t version = get_u32(&c);
    if (version != MODEL_VERSION) {
        fail(err, err_len, "model format version %u is not supported (this build reads %u)",
             version, MODEL_VERSION);
        return NULL;
    }
    uint32_t stored = (uint32_t)buf[len - 4] | (uint32_t)buf[len - 3] << 8 |
                      (uint32_t)buf[len - 2] << 16 | (uint32_t)buf[len - 1] << 24;
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf, (uInt)(len - 4));
    if (crc != stored) {
        fail(err, err_len, "bad checksum (file corrupted or truncated): stored %08x, computed %08x",
             stored, crc);
        return NULL;
    }
    KitNetConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    meta->mode = get_u32(&c);
    uint32_t norm = get_u32(&c);
    cfg.n = get_u32(&c);
    cfg.max_ae = get_u32(&c);
    uint32_t n_ae = get_u32(&c);
    cfg.fm_grace = get_u64(&c);
    cfg.ad_grace = get_u64(&c);
    cfg.lr = get_f64(&c);
    cfg.hidden_ratio = get_f64(&c);
    meta->threshold = get_f64(&c);
    meta->thr_mu = get_f64(&c);
    meta->thr_sigma = get_f64(&c);
    meta->thr_quantile = get_f64(&c);
    meta->thr_samples = get_u64(&c);
    if (meta->mode > 1 || norm > 1) {
        fail(err, err_len, "unknown mode %u or normaliser %u", meta->mode, norm);
        return NULL;
    }
    cfg.norm = (KitNetNorm)norm;
    if (cfg.n == 0 || cfg.n > KITNET_MAX_INPUTS || cfg.max_ae == 0 || cfg.max_ae > cfg.n ||
        n_ae == 0 || n_ae > cfg.n) {
        fail(err, err_len, "bad sizes: n %u, max_ae %u, n_ae %u", cfg.n, cfg.max_ae, n_ae);
        return NULL;
    }
    if (!isfinite(cfg.lr) || !(cfg.hidden_ratio > 0 && cfg.hidden_ratio <= 1) ||
        !(meta->threshold > 0) || !isfinite(meta->threshold)) {
        fail(err, err_len, "bad settings: learning rate, hidden ratio or threshold out of range");
        return NULL;
    }
    size_t map_bytes = 4 * ((size_t)n_ae + 1 + cfg.n);
    if (!need(&c, map_bytes)) {
        fail(err, err_len, "truncated: the feature map needs %zu bytes at offset %zu", map_bytes,
             c.pos);
        return NULL;
    }
    uint32_t off[KITNET_MAX_INPUTS + 1], map[KITNET_MAX_INPUTS];
    for (uint32_t i = 0; i <= n_ae; i++)
        off[i] = get_u32(&c);
    for (uint32_t i = 0; i < cfg.n; i++)
        map[i] = get_u32(&c);
    KitNet *k = kitnet_new_mapped(&cfg, acct, map, off, n_ae);
    if (k == NULL) {
        fail(err, err_len, "invalid feature map (clusters must partition 0..%u, at most %u each) "
             "or out of memory", cfg.n - 1, cfg.max_ae);
        return NULL;
    }
    for (uint32_t i = 0; i <= n_ae; i++) {
        KitAe *a = kitnet_ae(k, i);
        if (!need(&c, 8)) {
            fail(err, err_len, "truncated: autoencoder %u header at offset %zu", i, c.pos);
            goto bad;
        }
        uint32_t nv = get_u32(&c), nh = get_u32(&c);
        if (nv != a->n_v || nh != a->n_h) {
            fail(err, err_len, "autoencoder %u is %ux%u, the feature map implies %ux%u", i, nv, nh,
                 a->n_v, a->n_h);
            goto bad;
        }
        size_t nd = (size_t)nv * nh + nh + 3 * (size_t)nv;
        if (!need(&c, nd * 8)) {
            fail(err, err_len, "truncated: autoencoder %u needs %zu bytes at offset %zu, %zu left",
                 i, nd * 8, c.pos, c.left);
            goto bad;
        }
        if (!get_f64s(&c, a->w, (size_t)nv * nh) || !get_f64s(&c, a->hb, nh) ||
            !get_f64s(&c, a->vb, nv) || !get_f64s(&c, a->nmin, nv) || !get_f64s(&c, a->nmax, nv)) {
            fail(err, err_len, "autoencoder %u holds a value that is not finite", i);
            goto bad;
        }
    }
    if (c.left != 0) {
        fail(err, err_len, "%zu unexpected bytes after the last autoencoder", c.left);
        goto bad;
    }
    kitnet_set_execute(k);
    return k;
bad:
    kitnet_free(k);
    return NULL;
}

/* Largest model file we read: every limit at its maximum is far below this. */
#define MODEL_MAX_BYTES (64u << 20)

KitNet *model_load(const char *path, MemAccount *acct, ModelMeta *meta, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail(err, err_len, "cannot read model %s: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            if (ncap > MODEL_MAX_BYTES) {
                fail(err, err_len, "model %s: larger than %u bytes", path, MODEL_MAX_BYTES);
                goto out;
            }
            uint8_t *nb = mem_realloc(acct, buf, ncap);
            if (nb == NULL) {
                fail(err, err_len, "model %s: out of memory reading it", path);
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fail(err, err_len, "cannot read model %s: read error", path);
        goto out;
    }
    char why[200];
    KitNet *k = model_parse(buf, len, acct, meta, why, sizeof(why));
    if (k == NULL)
        fail(err, err_len, "model %s: %s", path, why);
    fclose(f);
    mem_free(acct, buf);
    return k;
out:
    fclose(f);
    mem_free(acct, buf);
    return NULL;
}
