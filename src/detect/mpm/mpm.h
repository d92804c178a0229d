/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mpm/mpm.h: the multi-pattern prefilter over Vectorscan (libhs).
 *
 * A Mpm is a compiled block-mode literal database (hs_compile_multi over
 * \xNN-escaped literals, HS_MODE_BLOCK, HS_FLAG_SINGLEMATCH so that each
 * id is reported at most once per scan, HS_FLAG_CASELESS for nocase
 * patterns). One-byte patterns are matched outside Vectorscan by one pass
 * over the buffer (Vectorscan 5.4.9 loses some of their matches; see
 * mpm.c); their ids are reported once per scan too. Pattern ids are the
 * caller's (signature numbers). The database is immutable and shared by all
 * workers; each worker owns an MpmScratch large enough for every database
 * it scans (mpm_scratch_grow).
 */
#ifndef KASBAH_DETECT_MPM_MPM_H
#define KASBAH_DETECT_MPM_MPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Mpm Mpm;
typedef struct MpmScratch MpmScratch;

typedef struct MpmPattern {
    const uint8_t *pat;
    uint32_t len;
    bool nocase;
    uint32_t id;
} MpmPattern;

/* Compile n patterns (n > 0). NULL on failure with a message in err. */
Mpm *mpm_build(const MpmPattern *p, size_t n, char *err, size_t err_len);
void mpm_free(Mpm *m);

/* Make *scratch usable with m (allocating or growing it). 0 or -1. */
int mpm_scratch_grow(MpmScratch **scratch, const Mpm *m);
void mpm_scratch_free(MpmScratch *s);

/* Called once per pattern id found. */
typedef void (*MpmMatchFn)(uint32_t id, void *user);

/* Scan buf; 0, or -1 when the scan failed (logged once). */
int mpm_scan(const Mpm *m, MpmScratch *s, const uint8_t *buf, size_t len, MpmMatchFn fn, void *user);

#endif
