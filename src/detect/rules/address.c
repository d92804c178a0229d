/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rules/address.c: address and port expressions of rule headers (see
 * address.h for the grammar). Sets are built as sorted disjoint ranges by
 * union / subtraction, so that matching is a binary search whatever the
 * shape of the expression.
 */
#include "detect/rules/address.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/signature.h"
#include "lib/alloc.h"

#define MAX_DEPTH 16   /* variable / list nesting; deeper is a loop or abuse */

/* ------------------------------------------------------------------ */
/* 128-bit helpers                                                     */
/* ------------------------------------------------------------------ */

static int u128_cmp(U128 a, U128 b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo)
        return a.lo < b.lo ? -1 : 1;
    return 0;
}

static U128 u128_inc(U128 a)
{
    a.lo++;
    if (a.lo == 0)
        a.hi++;
    return a;
}

static U128 u128_dec(U128 a)
{
    if (a.lo == 0)
        a.hi--;
    a.lo--;
    return a;
}

static const U128 U128_MAX = { UINT64_MAX, UINT64_MAX };
static const U128 U128_ZERO = { 0, 0 };

static U128 u128_from_bytes(const uint8_t b[16])
{
    U128 r = { 0, 0 };
    for (int i = 0; i < 8; i++)
        r.hi = (r.hi << 8) | b[i];
    for (int i = 8; i < 16; i++)
        r.lo = (r.lo << 8) | b[i];
    return r;
}

/* ------------------------------------------------------------------ */
/* Range lists (generic over 32-bit and 128-bit by two small copies)   */
/* ------------------------------------------------------------------ */

typedef struct Set4 { AddrRange4 *r; size_t n, cap; } Set4;
typedef struct Set6 { AddrRange6 *r; size_t n, cap; } Set6;
typedef struct Set { Set4 v4; Set6 v6; bool oom; } Set;

static void set_fini(Set *s)
{
    mem_free(detect_mem(), s->v4.r);
    mem_free(detect_mem(), s->v6.r);
    memset(s, 0, sizeof *s);
}

static void add4(Set *s, uint32_t lo, uint32_t hi)
{
    if (s->v4.n == s->v4.cap) {
        size_t nc = s->v4.cap ? s->v4.cap * 2 : 4;
        AddrRange4 *nr = mem_realloc(detect_mem(), s->v4.r, nc * sizeof *nr);
        if (!nr) {
            s->oom = true;
            return;
        }
        s->v4.r = nr;
        s->v4.cap = nc;
    }
    s->v4.r[s->v4.n].lo = lo;
    s->v4.r[s->v4.n].hi = hi;
    s->v4.n++;
}

static void add6(Set *s, U128 lo, U128 hi)
{
    if (s->v6.n == s->v6.cap) {
        size_t nc = s->v6.cap ? s->v6.cap * 2 : 4;
        AddrRange6 *nr = mem_realloc(detect_mem(), s->v6.r, nc * sizeof *nr);
        if (!nr) {
            s->oom = true;
            return;
        }
        s->v6.r = nr;
        s->v6.cap = nc;
    }
    s->v6.r[s->v6.n].lo = lo;
    s->v6.r[s->v6.n].hi = hi;
    s->v6.n++;
}

static int cmp4(const void *a, const void *b)
{
    const AddrRange4 *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : 0;
}

static int cmp6(const void *a, const void *b)
{
    const AddrRange6 *x = a, *y = b;
    return u128_cmp(x->lo, y->lo);
}

/* Sort and merge overlapping/adjacent ranges. */
static void normalize(Set *s)
{
    if (s->v4.n > 1) {
        qsort(s->v4.r, s->v4.n, sizeof *s->v4.r, cmp4);
        size_t w = 0;
        for (size_t i = 1; i < s->v4.n; i++) {
            AddrRange4 *c = &s->v4.r[w];
            if (s->v4.r[i].lo <= c->hi || (c->hi != UINT32_MAX && s->v4.r[i].lo == c->hi + 1)) {
                if (s->v4.r[i].hi > c->hi)
                    c->hi = s->v4.r[i].hi;
            } else {
                s->v4.r[++w] = s->v4.r[i];
            }
        }
        s->v4.n = w + 1;
    }
    if (s->v6.n > 1) {
        qsort(s->v6.r, s->v6.n, sizeof *s->v6.r, cmp6);
        size_t w = 0;
        for (size_t i = 1; i < s->v6.n; i++) {
            AddrRange6 *c = &s->v6.r[w];
            bool adj = u128_cmp(c->hi, U128_MAX) != 0 && u128_cmp(s->v6.r[i].lo, u128_inc(c->hi)) == 0;
            if (u128_cmp(s->v6.r[i].lo, c->hi) <= 0 || adj) {
                if (u128_cmp(s->v6.r[i].hi, c->hi) > 0)
                    c->hi = s->v6.r[i].hi;
            } else {
                s->v6.r[++w] = s->v6.r[i];
            }
        }
        s->v6.n = w + 1;
    }
}

static void set_union(Set *dst, const Set *src)
{
    for (size_t i = 0; i < src->v4.n; i++)
        add4(dst, src->v4.r[i].lo, src->v4.r[i].hi);
    for (size_t i = 0; i < src->v6.n; i++)
        add6(dst, src->v6.r[i].lo, src->v6.r[i].hi);
    if (src->oom)
        dst->oom = true;
    normalize(dst);
}

static void set_any(Set *s, uint32_t v4max)
{
    add4(s, 0, v4max);
    add6(s, U128_ZERO, U128_MAX);
}

/* dst = a \ b (both normalized). */
static void set_subtract(Set *dst, const Set *a, const Set *b)
{
    for (size_t i = 0; i < a->v4.n; i++) {
        uint64_t lo = a->v4.r[i].lo, hi = a->v4.r[i].hi;
        for (size_t j = 0; j < b->v4.n && lo <= hi; j++) {
            uint64_t blo = b->v4.r[j].lo, bhi = b->v4.r[j].hi;
            if (bhi < lo || blo > hi)
                continue;
            if (blo > lo)
                add4(dst, (uint32_t)lo, (uint32_t)(blo - 1));
            lo = bhi + 1;
        }
        if (lo <= hi)
            add4(dst, (uint32_t)lo, (uint32_t)hi);
    }
    for (size_t i = 0; i < a->v6.n; i++) {
        U128 lo = a->v6.r[i].lo, hi = a->v6.r[i].hi;
        bool done = false;
        for (size_t j = 0; j < b->v6.n && !done; j++) {
            U128 blo = b->v6.r[j].lo, bhi = b->v6.r[j].hi;
            if (u128_cmp(bhi, lo) < 0 || u128_cmp(blo, hi) > 0)
                continue;
            if (u128_cmp(blo, lo) > 0)
                add6(dst, lo, u128_dec(blo));
            if (u128_cmp(bhi, hi) >= 0)
                done = true;
            else
                lo = u128_inc(bhi);
        }
        if (!done)
            add6(dst, lo, hi);
    }
    if (a->oom || b->oom)
        dst->oom = true;
    normalize(dst);
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

typedef struct PState {
    const Config *conf;
    bool ports;          /* parsing ports, not addresses */
    char *err;
    size_t err_len;
    bool failed;
} PState;

static void perr(PState *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void perr(PState *ps, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err, ps->err_len, fmt, ap);
    va_end(ap);
}

/* Copy text[0..len) trimmed into buf (NUL-terminated); false if too long. */
static bool trim_copy(const char *text, size_t len, char *buf, size_t cap)
{
    while (len > 0 && isspace((unsigned char)text[0])) {
        text++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    if (len >= cap)
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    return true;
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    if (*s == '\0')
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool parse_ip(const char *s, uint8_t *ver, uint8_t b[16])
{
    memset(b, 0, 16);
    if (strchr(s, ':')) {
        if (inet_pton(AF_INET6, s, b) != 1)
            return false;
        *ver = 6;
        return true;
    }
    if (inet_pton(AF_INET, s, b) != 1)
        return false;
    *ver = 4;
    return true;
}

static uint32_t be32(const uint8_t b[4])
{
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

/* One address literal: ip, ip/len, ip/mask, ip-ip. */
static void parse_addr_literal(PState *ps, const char *s, Set *out)
{
    char buf[128];
    if (!trim_copy(s, strlen(s), buf, sizeof buf)) {
        perr(ps, "address too long");
        return;
    }
    char *slash = strchr(buf, '/');
    char *dash = strchr(buf, '-');
    uint8_t ver, b[16];
    if (dash && !slash) {
        *dash = '\0';
        uint8_t ver2, b2[16];
        if (!parse_ip(buf, &ver, b) || !parse_ip(dash + 1, &ver2, b2) || ver != ver2) {
            perr(ps, "bad address range '%s-%s'", buf, dash + 1);
            return;
        }
        if (ver == 4) {
            uint32_t lo = be32(b), hi = be32(b2);
            if (lo > hi) {
                perr(ps, "address range '%s-%s' is reversed", buf, dash + 1);
                return;
            }
            add4(out, lo, hi);
        } else {
            U128 lo = u128_from_bytes(b), hi = u128_from_bytes(b2);
            if (u128_cmp(lo, hi) > 0) {
                perr(ps, "address range '%s-%s' is reversed", buf, dash + 1);
                return;
            }
            add6(out, lo, hi);
        }
        return;
    }
    if (slash)
        *slash = '\0';
    if (!parse_ip(buf, &ver, b)) {
        perr(ps, "bad address '%s'", buf);
        return;
    }
    uint32_t plen = ver == 4 ? 32 : 128;
    if (slash) {
        const char *m = slash + 1;
        uint8_t mver, mb[16];
        if (ver == 4 && strchr(m, '.') && parse_ip(m, &mver, mb) && mver == 4) {
            uint32_t mask = be32(mb);
            /* a netmask must be contiguous ones */
            uint32_t inv = ~mask;
            if ((inv & (inv + 1)) != 0) {
                perr(ps, "bad netmask '%s'", m);
                return;
            }
            plen = 0;
            while (plen < 32 && (mask & (0x80000000u >> plen)))
                plen++;
        } else if (!parse_u32(m, ver == 4 ? 32 : 128, &plen)) {
            perr(ps, "bad prefix length '/%s'", m);
            return;
        }
    }
    if (ver == 4) {
        uint32_t a = be32(b);
        uint32_t mask = plen == 0 ? 0 : 0xffffffffu << (32 - plen);
        add4(out, a & mask, (a & mask) | ~mask);
    } else {
        U128 a = u128_from_bytes(b), mask;
        if (plen == 0) {
            mask.hi = 0;
            mask.lo = 0;
        } else if (plen <= 64) {
            mask.hi = plen == 64 ? UINT64_MAX : ~(UINT64_MAX >> plen);
            mask.lo = 0;
        } else {
            mask.hi = UINT64_MAX;
            mask.lo = plen == 128 ? UINT64_MAX : ~(UINT64_MAX >> (plen - 64));
        }
        U128 lo = { a.hi & mask.hi, a.lo & mask.lo };
        U128 hi = { lo.hi | ~mask.hi, lo.lo | ~mask.lo };
        add6(out, lo, hi);
    }
}

/* One port literal: N, N:M, N:, :M. */
static void parse_port_literal(PState *ps, const char *s, Set *out)
{
    char buf[64];
    if (!trim_copy(s, strlen(s), buf, sizeof buf)) {
        perr(ps, "port too long");
        return;
    }
    char *colon = strchr(buf, ':');
    uint32_t lo, hi;
    if (colon) {
        *colon = '\0';
        const char *a = buf, *b = colon + 1;
        while (*b == ' ')
            b++;
        lo = 0;
        hi = 65535;
        if ((*a && !parse_u32(a, 65535, &lo)) || (*b && !parse_u32(b, 65535, &hi)) || (!*a && !*b)) {
            perr(ps, "bad port range '%s:%s'", a, b);
            return;
        }
        if (lo > hi) {
            perr(ps, "port range '%s:%s' is reversed", a, b);
            return;
        }
    } else {
        if (!parse_u32(buf, 65535, &lo)) {
            perr(ps, "bad port '%s'", buf);
            return;
        }
        hi = lo;
    }
    add4(out, lo, hi);
}

static void parse_expr(PState *ps, const char *text, size_t len, int depth, Set *out);

/* Resolve $NAME through the configuration. */
static void parse_var(PState *ps, const char *name, int depth, Set *out)
{
    char path[320];
    snprintf(path, sizeof path, "vars.%s.%s", ps->ports ? "port-groups" : "address-groups", name);
    const char *v = conf_get_str(ps->conf, path, NULL);
    if (v == NULL) {
        perr(ps, "unknown %s variable $%s", ps->ports ? "port" : "address", name);
        return;
    }
    parse_expr(ps, v, strlen(v), depth + 1, out);
}

/* Parse one element (no leading '!'): list, variable, any or literal. */
static void parse_positive(PState *ps, const char *text, size_t len, int depth, Set *out)
{
    char buf[256];
    if (depth > MAX_DEPTH) {
        perr(ps, "%s nested too deeply (variable loop?)", ps->ports ? "ports" : "addresses");
        return;
    }
    while (len > 0 && isspace((unsigned char)*text)) {
        text++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    if (len == 0) {
        perr(ps, "empty %s", ps->ports ? "port" : "address");
        return;
    }
    if (text[0] == '[') {
        if (text[len - 1] != ']') {
            perr(ps, "unbalanced '[' in '%.*s'", (int)(len > 60 ? 60 : len), text);
            return;
        }
        Set pos = { 0 }, neg = { 0 };
        bool any_pos = false;
        size_t i = 1, start = 1;
        int nest = 0;
        for (; i < len; i++) {
            char c = text[i];
            if (c == '[')
                nest++;
            else if (c == ']' && nest > 0)
                nest--;
            else if ((c == ',' && nest == 0) || i == len - 1) {
                const char *e = text + start;
                size_t elen = i - start;
                while (elen > 0 && isspace((unsigned char)*e)) {
                    e++;
                    elen--;
                }
                if (elen == 0) {
                    perr(ps, "empty element in list '%.*s'", (int)(len > 60 ? 60 : len), text);
                    break;
                }
                Set tmp = { 0 };
                if (e[0] == '!') {
                    parse_expr(ps, e + 1, elen - 1, depth + 1, &tmp);
                    set_union(&neg, &tmp);
                } else {
                    parse_expr(ps, e, elen, depth + 1, &tmp);
                    set_union(&pos, &tmp);
                    any_pos = true;
                }
                set_fini(&tmp);
                start = i + 1;
            }
        }
        if (nest != 0)
            perr(ps, "unbalanced '[' in list");
        if (!any_pos)
            set_any(&pos, ps->ports ? 65535 : UINT32_MAX);
        Set res = { 0 };
        if (!ps->failed) {
            if (ps->ports) {
                pos.v6.n = 0;
            }
            set_subtract(&res, &pos, &neg);
        }
        set_fini(&pos);
        set_fini(&neg);
        set_union(out, &res);
        set_fini(&res);
        return;
    }
    if (!trim_copy(text, len, buf, sizeof buf)) {
        perr(ps, "%s expression too long", ps->ports ? "port" : "address");
        return;
    }
    if (buf[0] == '$') {
        parse_var(ps, buf + 1, depth, out);
        return;
    }
    if (strcmp(buf, "any") == 0) {
        set_any(out, ps->ports ? 65535 : UINT32_MAX);
        if (ps->ports)
            out->v6.n = 0;
        return;
    }
    if (ps->ports)
        parse_port_literal(ps, buf, out);
    else
        parse_addr_literal(ps, buf, out);
}

static void parse_expr(PState *ps, const char *text, size_t len, int depth, Set *out)
{
    while (len > 0 && isspace((unsigned char)*text)) {
        text++;
        len--;
    }
    if (len > 0 && text[0] == '!') {
        Set inner = { 0 }, all = { 0 }, res = { 0 };
        parse_expr(ps, text + 1, len - 1, depth + 1, &inner);
        set_any(&all, ps->ports ? 65535 : UINT32_MAX);
        if (ps->ports)
            all.v6.n = 0;
        set_subtract(&res, &all, &inner);
        set_union(out, &res);
        set_fini(&inner);
        set_fini(&all);
        set_fini(&res);
        return;
    }
    parse_positive(ps, text, len, depth, out);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

static bool is_plain_any(const char *text)
{
    char buf[8];
    return trim_copy(text, strlen(text), buf, sizeof buf) && strcmp(buf, "any") == 0;
}

int addr_set_parse(const Config *conf, const char *text, AddrSet **out, char *err, size_t err_len)
{
    *out = NULL;
    if (is_plain_any(text))
        return 0;
    PState ps = { conf, false, err, err_len, false };
    Set s = { 0 };
    parse_expr(&ps, text, strlen(text), 0, &s);
    if (!ps.failed && s.oom)
        perr(&ps, "out of memory");
    if (!ps.failed && s.v4.n == 0 && s.v6.n == 0)
        perr(&ps, "address '%s' matches nothing", text);
    if (ps.failed) {
        set_fini(&s);
        return -1;
    }
    AddrSet *as = mem_calloc(detect_mem(), 1, sizeof *as);
    if (!as) {
        set_fini(&s);
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    as->v4 = s.v4.r;
    as->n_v4 = s.v4.n;
    as->v6 = s.v6.r;
    as->n_v6 = s.v6.n;
    as->any = as->n_v4 == 1 && as->v4[0].lo == 0 && as->v4[0].hi == UINT32_MAX && as->n_v6 == 1 &&
              u128_cmp(as->v6[0].lo, U128_ZERO) == 0 && u128_cmp(as->v6[0].hi, U128_MAX) == 0;
    *out = as;
    return 0;
}

void addr_set_free(AddrSet *s)
{
    if (!s)
        return;
    mem_free(detect_mem(), s->v4);
    mem_free(detect_mem(), s->v6);
    mem_free(detect_mem(), s);
}

bool addr_set_match(const AddrSet *s, uint8_t ip_ver, const IpAddr *a)
{
    if (s == NULL || s->any)
        return true;
    if (ip_ver == 4) {
        uint32_t v = be32(a->b);
        size_t lo = 0, hi = s->n_v4;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (s->v4[mid].hi < v)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < s->n_v4 && s->v4[lo].lo <= v;
    }
    if (ip_ver == 6) {
        U128 v = u128_from_bytes(a->b);
        size_t lo = 0, hi = s->n_v6;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (u128_cmp(s->v6[mid].hi, v) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < s->n_v6 && u128_cmp(s->v6[lo].lo, v) <= 0;
    }
    return false;
}

int port_set_parse(const Config *conf, const char *text, PortSet **out, char *err, size_t err_len)
{
    *out = NULL;
    if (is_plain_any(text))
        return 0;
    PState ps = { conf, true, err, err_len, false };
    Set s = { 0 };
    parse_expr(&ps, text, strlen(text), 0, &s);
    if (!ps.failed && s.oom)
        perr(&ps, "out of memory");
    if (!ps.failed && s.v4.n == 0)
        perr(&ps, "port '%s' matches nothing", text);
    if (ps.failed) {
        set_fini(&s);
        return -1;
    }
    PortSet *p = mem_calloc(detect_mem(), 1, sizeof *p);
    PortRange *r = p ? mem_calloc(detect_mem(), s.v4.n, sizeof *r) : NULL;
    if (!p || !r) {
        mem_free(detect_mem(), p);
        set_fini(&s);
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < s.v4.n; i++) {
        r[i].lo = (uint16_t)s.v4.r[i].lo;
        r[i].hi = (uint16_t)s.v4.r[i].hi;
    }
    p->r = r;
    p->n = s.v4.n;
    p->any = p->n == 1 && r[0].lo == 0 && r[0].hi == 65535;
    set_fini(&s);
    *out = p;
    return 0;
}

void port_set_free(PortSet *s)
{
    if (!s)
        return;
    mem_free(detect_mem(), s->r);
    mem_free(detect_mem(), s);
}

bool port_set_match(const PortSet *s, uint16_t port)
{
    if (s == NULL || s->any)
        return true;
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->r[mid].hi < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->r[lo].lo <= port;
}
