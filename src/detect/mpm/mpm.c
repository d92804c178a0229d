/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mpm/mpm.c: Vectorscan literal databases (see mpm.h). Vectorscan's own
 * allocations are routed to the detect memory account, so the prefilter's
 * size shows up in memcap stats with the rest of the rules.
 */
#include "detect/mpm/mpm.h"

#include <hs/hs.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "detect/signature.h"
#include "lib/alloc.h"

/* One-byte patterns are not given to Vectorscan: 5.4.9 (Debian bookworm)
 * misses some of their matches (a lone one-byte literal with
 * HS_FLAG_SINGLEMATCH at any offset >= 64; others in mixed databases), so a
 * rule whose fast pattern is one byte would never be evaluated. They are
 * found by one pass over the buffer instead. Found by tests/fuzz/fuzz_mpm;
 * reproducers tests/fuzz/corpus/mpm/crash-one-byte-*. */
typedef struct OneByte {
    uint32_t id;
    uint8_t byte;
    bool nocase;
} OneByte;

struct Mpm {
    hs_database_t *db;   /* NULL when every pattern is one byte */
    OneByte *one;
    size_t n_one;
};

struct MpmScratch {
    hs_scratch_t *s;
};

static void *hs_alloc_fn(size_t n) { return mem_alloc(detect_mem(), n); }
static void hs_free_fn(void *p) { mem_free(detect_mem(), p); }

static void set_allocator(void)
{
    static bool done;
    if (!done) {
        hs_set_allocator(hs_alloc_fn, hs_free_fn);
        done = true;
    }
}

Mpm *mpm_build(const MpmPattern *p, size_t n, char *err, size_t err_len)
{
    set_allocator();
    if (n == 0 || n > UINT32_MAX) {
        snprintf(err, err_len, "no patterns");
        return NULL;
    }
    const char **exprs = mem_calloc(detect_mem(), n, sizeof *exprs);
    unsigned *flags = mem_calloc(detect_mem(), n, sizeof *flags);
    unsigned *ids = mem_calloc(detect_mem(), n, sizeof *ids);
    size_t *lens = mem_calloc(detect_mem(), n, sizeof *lens);
    Mpm *m = mem_calloc(detect_mem(), 1, sizeof *m);
    if (m != NULL)
        m->one = mem_calloc(detect_mem(), n, sizeof *m->one);
    if (!exprs || !flags || !ids || !lens || !m || !m->one) {
        snprintf(err, err_len, "out of memory");
        goto fail;
    }
    /* Vectorscan's pure-literal API rejects patterns that start with a NUL
     * byte, so every pattern goes in as a regex of \xNN escapes, which
     * the compiler recognises as a literal anyway. */
    unsigned n_hs = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].len == 1) {
            m->one[m->n_one].id = p[i].id;
            m->one[m->n_one].byte = p[i].pat[0];
            m->one[m->n_one].nocase = p[i].nocase;
            m->n_one++;
            continue;
        }
        char *e = mem_alloc(detect_mem(), (size_t)p[i].len * 4 + 1);
        if (!e) {
            snprintf(err, err_len, "out of memory");
            goto fail_exprs;
        }
        static const char hex[] = "0123456789abcdef";
        for (uint32_t k = 0; k < p[i].len; k++) {
            e[k * 4] = '\\';
            e[k * 4 + 1] = 'x';
            e[k * 4 + 2] = hex[p[i].pat[k] >> 4];
            e[k * 4 + 3] = hex[p[i].pat[k] & 15];
        }
        e[(size_t)p[i].len * 4] = '\0';
        exprs[n_hs] = e;
        lens[n_hs] = p[i].len;
        ids[n_hs] = p[i].id;
        flags[n_hs] = HS_FLAG_SINGLEMATCH | (p[i].nocase ? HS_FLAG_CASELESS : 0);
        n_hs++;
    }
    hs_compile_error_t *cerr = NULL;
    if (n_hs > 0 &&
        hs_compile_multi(exprs, flags, ids, n_hs, HS_MODE_BLOCK, NULL, &m->db, &cerr) != HS_SUCCESS) {
        snprintf(err, err_len, "vectorscan: %s", cerr && cerr->message ? cerr->message : "compile failed");
        if (cerr)
            hs_free_compile_error(cerr);
        goto fail_exprs;
    }
    for (size_t i = 0; i < n; i++)
        mem_free(detect_mem(), (void *)(uintptr_t)exprs[i]);
    mem_free(detect_mem(), exprs);
    mem_free(detect_mem(), flags);
    mem_free(detect_mem(), ids);
    mem_free(detect_mem(), lens);
    return m;
fail_exprs:
    for (size_t i = 0; i < n; i++)
        mem_free(detect_mem(), (void *)(uintptr_t)exprs[i]);
fail:
    mem_free(detect_mem(), exprs);
    mem_free(detect_mem(), flags);
    mem_free(detect_mem(), ids);
    mem_free(detect_mem(), lens);
    if (m != NULL)
        mem_free(detect_mem(), m->one);
    mem_free(detect_mem(), m);
    return NULL;
}

void mpm_free(Mpm *m)
{
    if (!m)
        return;
    if (m->db != NULL)
        hs_free_database(m->db);
    mem_free(detect_mem(), m->one);
    mem_free(detect_mem(), m);
}

int mpm_scratch_grow(MpmScratch **scratch, const Mpm *m)
{
    set_allocator();
    if (*scratch == NULL) {
        *scratch = mem_calloc(detect_mem(), 1, sizeof **scratch);
        if (*scratch == NULL)
            return -1;
    }
    if (m == NULL || m->db == NULL)
        return 0;
    return hs_alloc_scratch(m->db, &(*scratch)->s) == HS_SUCCESS ? 0 : -1;
}

void mpm_scratch_free(MpmScratch *s)
{
    if (!s)
        return;
    if (s->s)
        hs_free_scratch(s->s);
    mem_free(detect_mem(), s);
}

typedef struct ScanCb {
    MpmMatchFn fn;
    void *user;
} ScanCb;

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    ScanCb *cb = ctx;
    cb->fn(id, cb->user);
    return 0;
}

int mpm_scan(const Mpm *m, MpmScratch *s, const uint8_t *buf, size_t len, MpmMatchFn fn, void *user)
{
    if (m == NULL || len == 0)
        return 0;
    if (len > UINT32_MAX)
        len = UINT32_MAX;
    if (m->n_one > 0) {
        /* one pass marks the byte values present (see struct Mpm) */
        bool seen[256] = { false };
        for (size_t i = 0; i < len; i++)
            seen[buf[i]] = true;
        for (size_t i = 0; i < m->n_one; i++) {
            uint8_t b = m->one[i].byte;
            uint8_t other = (b >= 'A' && b <= 'Z') ? (uint8_t)(b + 32)
                            : (b >= 'a' && b <= 'z') ? (uint8_t)(b - 32) : b;
            if (seen[b] || (m->one[i].nocase && seen[other]))
                fn(m->one[i].id, user);
        }
    }
    if (m->db == NULL)
        return 0;
    ScanCb cb = { fn, user };
    hs_error_t rc = hs_scan(m->db, (const char *)buf, (unsigned)len, 0, s->s, on_match, &cb);
    if (rc != HS_SUCCESS) {
        static bool warned;
        if (!warned) {
            log_error("detect: vectorscan scan failed (%d)", (int)rc);
            warned = true;
        }
        return -1;
    }
    return 0;
}
