/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/uint.h: the integer comparison shared by dsize, ttl, id, seq,
 * ack, window, itype, icode, icmp_id, icmp_seq, urilen, bsize, ...
 *
 * Argument forms (Suricata's detect-engine-uint.c): "N" (equal), "=N",
 * "!N" (not equal), "<N", ">N", "<=N", ">=N", "N-M" and "N<>M" (strictly
 * between: N < x < M), "!N-M" (outside). Blanks are allowed around
 * operators. Values above `max` are rejected.
 */
#ifndef KASBAH_DETECT_KEYWORDS_UINT_H
#define KASBAH_DETECT_KEYWORDS_UINT_H

#include <stdbool.h>
#include <stdint.h>

typedef enum DetectUintMode {
    DETECT_UINT_EQ = 0,
    DETECT_UINT_NE,
    DETECT_UINT_LT,
    DETECT_UINT_LTE,
    DETECT_UINT_GT,
    DETECT_UINT_GTE,
    DETECT_UINT_RANGE,   /* a < x < b */
    DETECT_UINT_NRANGE,  /* !(a < x < b) */
} DetectUintMode;

typedef struct DetectUint {
    DetectUintMode mode;
    uint64_t a, b;
} DetectUint;

/* Parse arg into *out. 0, or -1 when it does not parse, a value exceeds max
 * or a range is empty. Thread-safe. */
int detect_uint_parse(const char *arg, uint64_t max, DetectUint *out);

bool detect_uint_match(const DetectUint *u, uint64_t v);

/* Parse a plain unsigned decimal (or 0x hex) number covering all of s
 * (blanks trimmed); 0 or -1. */
int detect_parse_u64(const char *s, uint64_t max, uint64_t *out);
/* Same for a signed value in [min, max]. */
int detect_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
