/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/content.h: the content keyword, its modifiers (nocase, depth,
 * offset, distance, within, fast_pattern, startswith, endswith, rawbytes)
 * and the search used by the inspection engine (inspect.c).
 *
 * Semantics (Suricata's, detect-engine-content-inspection.c):
 *   - absolute content: search buf[offset, offset + depth);
 *   - relative content (distance/within, or relative to the previous
 *     payload keyword): start = prev_end + distance (clamped at 0), end =
 *     prev_end + distance + within when within is set; depth/offset, when
 *     also given, narrow further;
 *   - a match moves the inspection cursor to its end; when the following
 *     keyword fails and is relative to this content (CT_RELATIVE_NEXT), the
 *     next occurrence is tried (backtracking);
 *   - a negated content succeeds when the pattern is absent from its
 *     window and never moves the cursor;
 *   - startswith = offset 0, depth len; endswith = the match must end at the
 *     end of the buffer.
 * distance/within/depth/offset may name a byte_extract variable (CT_*_VAR,
 * the value field then holds the variable index).
 */
#ifndef KASBAH_DETECT_KEYWORDS_CONTENT_H
#define KASBAH_DETECT_KEYWORDS_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    CT_NOCASE = 1u << 0,
    CT_NEGATED = 1u << 1,
    CT_DEPTH = 1u << 2,
    CT_OFFSET = 1u << 3,
    CT_DISTANCE = 1u << 4,
    CT_WITHIN = 1u << 5,
    CT_FAST_PATTERN = 1u << 6,   /* fast_pattern given explicitly */
    CT_FP_ONLY = 1u << 7,        /* fast_pattern:only (accepted; verified anyway) */
    CT_FP_CHOP = 1u << 8,        /* fast_pattern:off,len */
    CT_STARTSWITH = 1u << 9,
    CT_ENDSWITH = 1u << 10,
    CT_RAWBYTES = 1u << 11,
    CT_RELATIVE_NEXT = 1u << 12, /* a later keyword is relative to this one */
    CT_DEPTH_VAR = 1u << 13,
    CT_OFFSET_VAR = 1u << 14,
    CT_DISTANCE_VAR = 1u << 15,
    CT_WITHIN_VAR = 1u << 16,
};

typedef struct ContentCtx {
    uint8_t *pat;       /* decoded bytes (hex runs resolved) */
    uint32_t len;
    uint32_t flags;     /* CT_* */
    int32_t depth, offset, distance, within;
    uint32_t fp_off, fp_len;  /* fast_pattern chop */
    uint32_t anchor;    /* index of the pattern byte content_find looks for first: a
                           rarely seen byte, not a letter when nocase (set by the
                           content / nocase setup; any value < len is correct) */
} ContentCtx;

/* Is this content relative to the previous payload keyword? */
static inline bool content_is_relative(const ContentCtx *c)
{
    return (c->flags & (CT_DISTANCE | CT_WITHIN)) != 0;
}

/* First occurrence of c's pattern in buf[start, end) (end <= len), as an
 * offset, or -1. Honours nocase. */
int64_t content_find(const ContentCtx *c, const uint8_t *buf, uint32_t start, uint32_t end);

/* Decode a content argument (quotes, |hex|, escapes \; \" \\ \:) into a
 * new buffer (detect memory). 0, or -1 with a message in err. */
int content_decode(const char *arg, uint8_t **out, uint32_t *out_len, bool *negated, char *err, size_t err_len);

#endif
