/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/asn1.c: the asn1 keyword (see asn1.h): option parsing and a
 * small bounded BER walker.
 */
#include "detect/keywords/asn1.h"

#include <ctype.h>
#include <string.h>

#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"
#include "lib/reader.h"

/* One node header. */
typedef struct BerHdr {
    uint8_t cls;            /* 0 universal, 1 application, 2 context, 3 private */
    bool constructed;
    uint32_t tag;
    bool indefinite;
    uint64_t len;           /* declared content length (not for indefinite) */
} BerHdr;

/* Read a node header at r's cursor; false when it does not fit. */
static bool ber_header(Reader *r, BerHdr *h)
{
    uint8_t id = rd_u8(r);
    h->cls = id >> 6;
    h->constructed = (id & 0x20) != 0;
    h->tag = id & 0x1f;
    if (h->tag == 0x1f) {
        h->tag = 0;
        for (int i = 0; i < 5; i++) { /* tags above 2^35 are not plausible */
            uint8_t b = rd_u8(r);
            h->tag = (h->tag << 7) | (b & 0x7f);
            if (!(b & 0x80))
                break;
            if (i == 4)
                return false;
        }
    }
    uint8_t l = rd_u8(r);
    h->indefinite = false;
    if (l < 0x80) {
        h->len = l;
    } else if (l == 0x80) {
        h->indefinite = true;
        h->len = 0;
    } else {
        unsigned n = l & 0x7f;
        if (n > 8)
            return false;
        h->len = 0;
        for (unsigned i = 0; i < n; i++)
            h->len = (h->len << 8) | rd_u8(r);
    }
    return rd_ok(r);
}

/* Checks on one node whose content is r's next min(len, left) bytes. */
static bool node_trips(const Asn1Ctx *c, const BerHdr *h, const Reader *r)
{
    if ((c->flags & ASN1_OVERSIZE_LEN) && !h->indefinite && h->len > c->oversize)
        return true;
    if (h->cls != 0 || h->constructed || h->indefinite || h->len == 0 || !rd_has(r, 1))
        return false;
    uint8_t first = rd_cur(r)[0];
    if ((c->flags & ASN1_BITSTRING_OVF) && h->tag == 3 && first > 7)
        return true;
    if ((c->flags & ASN1_DOUBLE_OVF) && h->tag == 9 && (first & 0xc0) == 0 && h->len > 256)
        return true;
    return false;
}

typedef struct Walk {
    const Asn1Ctx *c;
    unsigned nodes;
} Walk;

/* Walk the nodes in r (one nesting level); true when a check tripped. */
static bool walk(Walk *w, Reader *r, unsigned depth)
{
    while (rd_left(r) > 0) {
        if (w->nodes++ >= ASN1_MAX_NODES)
            return false;
        BerHdr h;
        if (!ber_header(r, &h))
            return false;
        if (node_trips(w->c, &h, r))
            return true;
        if (h.indefinite && !h.constructed)
            return false; /* not valid BER: stop */
        size_t n = h.indefinite ? rd_left(r) : (h.len > rd_left(r) ? rd_left(r) : (size_t)h.len);
        Reader sub = rd_sub(r, n);
        if (h.constructed) {
            if (depth + 1 >= ASN1_MAX_DEPTH)
                return false;
            if (walk(w, &sub, depth + 1))
                return true;
        }
        if (!h.indefinite && h.len > n)
            return false; /* truncated: nothing after it is in the buffer */
    }
    return false;
}

bool asn1_eval(const Asn1Ctx *c, const uint8_t *buf, uint32_t len, uint32_t cur)
{
    int64_t start = 0;
    if (c->flags & ASN1_ABSOLUTE)
        start = c->offset;
    else if (c->flags & ASN1_RELATIVE)
        start = (int64_t)cur + c->offset;
    if (buf == NULL || start < 0 || start >= (int64_t)len)
        return false;
    Reader r = rd_init(buf + start, (size_t)(len - (uint32_t)start));
    Walk w = { c, 0 };
    return walk(&w, &r, 0);
}

/* ---- parsing ---- */

static const DetectKeyword kw_asn1;

static int asn1_setup(DetectParse *pc, const char *arg)
{
    char buf[256];
    if (arg == NULL || strlen(arg) >= sizeof buf)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected options");
    memcpy(buf, arg, strlen(arg) + 1);
    Asn1Ctx c;
    memset(&c, 0, sizeof c);
    for (char *p = buf; p != NULL;) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        while (isspace((unsigned char)*p))
            p++;
        char *e = p + strlen(p);
        while (e > p && isspace((unsigned char)e[-1]))
            *--e = '\0';
        char *val = strpbrk(p, " \t");
        if (val != NULL)
            *val++ = '\0';
        uint64_t u;
        int64_t i;
        if (strcmp(p, "bitstring_overflow") == 0 && val == NULL) {
            c.flags |= ASN1_BITSTRING_OVF;
        } else if (strcmp(p, "double_overflow") == 0 && val == NULL) {
            c.flags |= ASN1_DOUBLE_OVF;
        } else if (strcmp(p, "oversize_length") == 0 && val && detect_parse_u64(val, UINT32_MAX, &u) == 0) {
            c.flags |= ASN1_OVERSIZE_LEN;
            c.oversize = (uint32_t)u;
        } else if (strcmp(p, "absolute_offset") == 0 && val && detect_parse_u64(val, 65535, &u) == 0) {
            c.flags = (c.flags & ~(uint32_t)ASN1_RELATIVE) | ASN1_ABSOLUTE;
            c.offset = (int32_t)u;
        } else if (strcmp(p, "relative_offset") == 0 && val && detect_parse_i64(val, -65535, 65535, &i) == 0) {
            c.flags = (c.flags & ~(uint32_t)ASN1_ABSOLUTE) | ASN1_RELATIVE;
            c.offset = (int32_t)i;
        } else {
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad option '%.40s'", p);
        }
        p = comma != NULL ? comma + 1 : NULL;
    }
    if (!(c.flags & (ASN1_BITSTRING_OVF | ASN1_DOUBLE_OVF | ASN1_OVERSIZE_LEN)))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "no check given (bitstring_overflow, "
                                                            "double_overflow, oversize_length)");
    Asn1Ctx *h = mem_alloc(detect_mem(), sizeof *h);
    if (h == NULL)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *h = c;
    /* relative to the previous content: that content's buffer */
    if ((c.flags & ASN1_RELATIVE) && pc->last_pm_buf >= 0 && pc->last_pm_buf != pc->cur_buf) {
        int cur = pc->cur_buf;
        pc->cur_buf = pc->last_pm_buf;
        int rc = detect_sm_add_buffer(pc, &kw_asn1, h);
        pc->cur_buf = cur;
        return rc;
    }
    return detect_sm_add_buffer(pc, &kw_asn1, h);
}

static const DetectKeyword kw_asn1 = { .name = "asn1", .id = DETECT_KW_ASN1, .setup = asn1_setup };

void kw_asn1_register(void) { detect_keyword_register(&kw_asn1); }
