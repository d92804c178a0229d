/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/uint.c: integer comparisons for numeric keywords (see uint.h).
 */
#include "detect/keywords/uint.h"

#include <ctype.h>
#include <string.h>

static const char *skip_ws(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* Parse digits at *s (decimal or 0x hex), advancing *s. */
static int number(const char **s, uint64_t max, uint64_t *out)
{
    const char *p = skip_ws(*s);
    uint64_t v = 0;
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
        base = 16;
        p += 2;
    }
    if (!isxdigit((unsigned char)*p) || (base == 10 && !isdigit((unsigned char)*p)))
        return -1;
    for (;;) {
        int d;
        if (isdigit((unsigned char)*p))
            d = *p - '0';
        else if (base == 16 && isxdigit((unsigned char)*p))
            d = tolower((unsigned char)*p) - 'a' + 10;
        else
            break;
        if (v > (max - (uint64_t)d) / (uint64_t)base)
            return -1;
        v = v * (uint64_t)base + (uint64_t)d;
        p++;
    }
    *out = v;
    *s = p;
    return 0;
}

int detect_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    const char *p = s;
    uint64_t v;
    if (number(&p, max, &v) != 0)
        return -1;
    if (*skip_ws(p) != '\0')
        return -1;
    *out = v;
    return 0;
}

int detect_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    const char *p = skip_ws(s);
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    } else if (*p == '+') {
        p++;
    }
    uint64_t v;
    uint64_t lim = neg ? (uint64_t)(-(min + 1)) + 1 : (uint64_t)max;
    if (detect_parse_u64(p, lim, &v) != 0)
        return -1;
    int64_t r = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    if (r < min || r > max)
        return -1;
    *out = r;
    return 0;
}

int detect_uint_parse(const char *arg, uint64_t max, DetectUint *out)
{
    const char *p = skip_ws(arg);
    memset(out, 0, sizeof *out);
    bool neg = false;
    if (*p == '!') {
        neg = true;
        p = skip_ws(p + 1);
    }
    DetectUintMode mode = DETECT_UINT_EQ;
    if (p[0] == '<' && p[1] == '=') {
        mode = DETECT_UINT_LTE;
        p += 2;
    } else if (p[0] == '>' && p[1] == '=') {
        mode = DETECT_UINT_GTE;
        p += 2;
    } else if (p[0] == '<') {
        mode = DETECT_UINT_LT;
        p++;
    } else if (p[0] == '>') {
        mode = DETECT_UINT_GT;
        p++;
    } else if (p[0] == '=') {
        p++;
    }
    uint64_t a;
    if (number(&p, max, &a) != 0)
        return -1;
    p = skip_ws(p);
    if (mode == DETECT_UINT_EQ && (p[0] == '-' || (p[0] == '<' && p[1] == '>'))) {
        p += p[0] == '-' ? 1 : 2;
        uint64_t b;
        if (number(&p, max, &b) != 0 || *skip_ws(p) != '\0' || b <= a)
            return -1;
        out->mode = neg ? DETECT_UINT_NRANGE : DETECT_UINT_RANGE;
        out->a = a;
        out->b = b;
        return 0;
    }
    if (*p != '\0')
        return -1;
    if (neg) {
        if (mode != DETECT_UINT_EQ)
            return -1;
        mode = DETECT_UINT_NE;
    }
    out->mode = mode;
    out->a = a;
    return 0;
}

bool detect_uint_match(const DetectUint *u, uint64_t v)
{
    switch (u->mode) {
    case DETECT_UINT_EQ: return v == u->a;
    case DETECT_UINT_NE: return v != u->a;
    case DETECT_UINT_LT: return v < u->a;
    case DETECT_UINT_LTE: return v <= u->a;
    case DETECT_UINT_GT: return v > u->a;
    case DETECT_UINT_GTE: return v >= u->a;
    case DETECT_UINT_RANGE: return v > u->a && v < u->b;
    case DETECT_UINT_NRANGE: return !(v > u->a && v < u->b);
    }
    return false;
}
