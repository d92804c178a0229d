/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_mpm.c: differential libFuzzer target for the Vectorscan prefilter
 * (src/detect/mpm/): for random literal patterns, some caseless, and a
 * random buffer, mpm_scan() must report exactly the set of pattern ids a
 * naive reference matcher finds, and (mpm.h's contract) no id twice in one
 * scan. Any difference aborts with both sets printed.
 *
 * Input layout:
 *   byte 0      number of patterns, 1 + (b % 48)
 *   byte 1      options: bit 0 ids are shared between pairs of patterns
 *               (then only the set is compared, the detect engine dedupes
 *               anyway); bit 1 ids taken from the top of the 32-bit range
 *   per pattern a flag byte: bit 0 nocase; bit 1 "cut from the buffer";
 *               bit 2 flip the case of the cut (so only nocase matches it);
 *               then a length byte, 1 + (b % 64); then either one offset
 *               byte (cut: the pattern is buffer[off % len ...], as much
 *               as the buffer holds, at least 1 byte) or the literal bytes
 *   the rest    the buffer scanned
 * Patterns cut from the buffer make matches likely; literal ones test the
 * absence of false positives (Vectorscan is not instrumented, so the
 * fuzzer gets no help finding matching literals by itself).
 *
 * Caseless means ASCII only (A-Z/a-z), as in Vectorscan's HS_FLAG_CASELESS
 * and Suricata's nocase.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/mpm/mpm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PATS 48
#define MAX_PAT_LEN 64

typedef struct Spec {
    bool nocase, cut, flip;
    uint32_t len, off;
    const uint8_t *lit;
    uint8_t buf[MAX_PAT_LEN];
} Spec;

static uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

static uint8_t flip(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return (uint8_t)(c + 32);
    if (c >= 'a' && c <= 'z')
        return (uint8_t)(c - 32);
    return c;
}

/* The reference: does pat occur anywhere in buf? */
static bool naive_find(const uint8_t *pat, uint32_t plen, bool nocase, const uint8_t *buf, size_t len)
{
    if (plen > len)
        return false;
    for (size_t i = 0; i + plen <= len; i++) {
        uint32_t k = 0;
        while (k < plen && (nocase ? lower(buf[i + k]) == lower(pat[k]) : buf[i + k] == pat[k]))
            k++;
        if (k == plen)
            return true;
    }
    return false;
}

typedef struct Hits {
    uint32_t ids[MAX_PATS];
    unsigned count[MAX_PATS];
    size_t n_ids;
    bool unknown;
} Hits;

static void on_hit(uint32_t id, void *user)
{
    Hits *h = user;
    for (size_t i = 0; i < h->n_ids; i++)
        if (h->ids[i] == id) {
            h->count[i]++;
            return;
        }
    h->unknown = true;
}

static void report(const char *what, const Spec *s, size_t n, const uint32_t *ids, const Hits *h,
                   const bool *want)
{
    fprintf(stderr, "fuzz_mpm: %s\n", what);
    for (size_t i = 0; i < n; i++) {
        fprintf(stderr, "  pattern %zu id %u nocase %d len %u:", i, ids[i], s[i].nocase, s[i].len);
        for (uint32_t k = 0; k < s[i].len; k++)
            fprintf(stderr, " %02x", s[i].buf[k]);
        fprintf(stderr, "\n");
    }
    for (size_t i = 0; i < h->n_ids; i++)
        fprintf(stderr, "  id %u: vectorscan %u reference %d\n", h->ids[i], h->count[i], want[i]);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static MpmScratch *scratch;
    static Spec spec[MAX_PATS];
    if (size < 2)
        return 0;
    size_t n = 1 + data[0] % MAX_PATS;
    bool shared = (data[1] & 1) != 0;
    uint32_t id_base = (data[1] & 2) ? UINT32_MAX - 2 * MAX_PATS : 0;
    size_t pos = 2;
    size_t got = 0;
    while (got < n && pos + 2 <= size) {
        Spec *s = &spec[got];
        uint8_t fl = data[pos];
        s->nocase = fl & 1;
        s->cut = (fl & 2) != 0;
        s->flip = (fl & 4) != 0;
        s->len = 1 + data[pos + 1] % MAX_PAT_LEN;
        pos += 2;
        if (s->cut) {
            if (pos >= size)
                break;
            s->off = data[pos++];
        } else {
            if (pos >= size)
                break;
            if (s->len > size - pos)
                s->len = (uint32_t)(size - pos);
            s->lit = data + pos;
            pos += s->len;
        }
        got++;
    }
    if (got == 0)
        return 0;
    n = got;
    const uint8_t *buf = data + pos;
    size_t len = size - pos;

    /* Resolve the patterns cut from the buffer (a one-byte pattern when the
     * buffer is empty). */
    MpmPattern pats[MAX_PATS];
    uint32_t ids[MAX_PATS];
    for (size_t i = 0; i < n; i++) {
        Spec *s = &spec[i];
        if (s->cut) {
            if (len == 0) {
                s->len = 1;
                s->buf[0] = 'a';
            } else {
                size_t off = s->off % len;
                if (s->len > len - off)
                    s->len = (uint32_t)(len - off);
                memcpy(s->buf, buf + off, s->len);
            }
            if (s->flip)
                for (uint32_t k = 0; k < s->len; k++)
                    s->buf[k] = flip(s->buf[k]);
        } else {
            memcpy(s->buf, s->lit, s->len);
        }
        ids[i] = id_base + (uint32_t)(shared ? i / 2 : i);
        pats[i].pat = s->buf;
        pats[i].len = s->len;
        pats[i].nocase = s->nocase;
        pats[i].id = ids[i];
    }

    char err[256];
    Mpm *m = mpm_build(pats, n, err, sizeof err);
    if (m == NULL) {
        fprintf(stderr, "fuzz_mpm: mpm_build refused valid literals: %s\n", err);
        abort();
    }
    if (mpm_scratch_grow(&scratch, m) != 0) {
        fprintf(stderr, "fuzz_mpm: mpm_scratch_grow failed\n");
        abort();
    }

    Hits h;
    memset(&h, 0, sizeof h);
    bool want[MAX_PATS];
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t k = 0; k < h.n_ids; k++)
            if (h.ids[k] == ids[i])
                seen = true;
        if (!seen) {
            want[h.n_ids] = false;
            h.ids[h.n_ids++] = ids[i];
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!naive_find(spec[i].buf, spec[i].len, spec[i].nocase, buf, len))
            continue;
        for (size_t k = 0; k < h.n_ids; k++)
            if (h.ids[k] == ids[i])
                want[k] = true;
    }

    if (mpm_scan(m, scratch, buf, len, on_hit, &h) != 0)
        report("mpm_scan failed", spec, n, ids, &h, want);
    if (h.unknown)
        report("vectorscan reported an id no pattern has", spec, n, ids, &h, want);
    for (size_t k = 0; k < h.n_ids; k++) {
        if ((h.count[k] > 0) != want[k])
            report("vectorscan and the reference matcher disagree", spec, n, ids, &h, want);
        if (!shared && h.count[k] > 1)
            report("an id was reported more than once in one scan", spec, n, ids, &h, want);
    }
    mpm_free(m);
    return 0;
}
