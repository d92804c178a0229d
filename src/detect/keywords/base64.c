/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/base64.c: base64_decode and base64_data (see base64.h): argument
 * parsing, the decoder, and the evaluation inspect.c calls.
 */
#include "detect/keywords/base64.h"

#include <ctype.h>
#include <string.h>

#include "detect/buffer.h"
#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

static int g_b64_buf = -1;

int base64_data_buffer_id(void) { return g_b64_buf; }

/* 0..63, or -1 outside the RFC 4648 alphabet. */
static int b64_value(uint8_t ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

size_t base64_decode_rfc4648(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    size_t w = 0;
    uint32_t acc = 0;
    unsigned n = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value(in[i]);
        if (v < 0)
            break;
        acc = (acc << 6) | (uint32_t)v;
        if (++n == 4) {
            for (int k = 2; k >= 0 && w < cap; k--)
                out[w++] = (uint8_t)(acc >> (8 * k));
            if (w >= cap)
                return w;
            acc = 0;
            n = 0;
        }
    }
    /* a final partial group: 2 characters = 1 byte, 3 = 2 bytes */
    if (n == 2 && w < cap) {
        out[w++] = (uint8_t)(acc >> 4);
    } else if (n == 3) {
        if (w < cap)
            out[w++] = (uint8_t)(acc >> 10);
        if (w < cap)
            out[w++] = (uint8_t)(acc >> 2);
    }
    return w;
}

bool base64_decode_eval(const Base64Ctx *c, const uint8_t *buf, uint32_t len, uint32_t cur, uint8_t *out,
                        uint32_t cap, uint32_t *out_len)
{
    *out_len = 0;
    uint64_t start = (c->relative ? (uint64_t)cur : 0) + c->offset;
    if (buf == NULL || start >= len)
        return false;
    uint64_t n = len - start;
    if (c->bytes != 0 && c->bytes < n)
        n = c->bytes;
    *out_len = (uint32_t)base64_decode_rfc4648(buf + start, (size_t)n, out, cap);
    return *out_len > 0;
}

/* ---- parsing ---- */

static const DetectKeyword kw_b64_decode, kw_b64_data;

static int b64_decode_setup(DetectParse *pc, const char *arg)
{
    Base64Ctx c = { 0, 0, false };
    char buf[128];
    if (arg != NULL) {
        if (strlen(arg) >= sizeof buf)
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "argument too long");
        memcpy(buf, arg, strlen(arg) + 1);
        char *p = buf;
        while (p != NULL) {
            char *comma = strchr(p, ',');
            if (comma != NULL)
                *comma = '\0';
            while (isspace((unsigned char)*p))
                p++;
            char *e = p + strlen(p);
            while (e > p && isspace((unsigned char)e[-1]))
                *--e = '\0';
            uint64_t v;
            if (strcmp(p, "relative") == 0) {
                c.relative = true;
            } else if (strncmp(p, "bytes", 5) == 0 && isspace((unsigned char)p[5]) &&
                       detect_parse_u64(p + 5, UINT32_MAX, &v) == 0) {
                c.bytes = (uint32_t)v;
            } else if (strncmp(p, "offset", 6) == 0 && isspace((unsigned char)p[6]) &&
                       detect_parse_u64(p + 6, UINT32_MAX, &v) == 0) {
                c.offset = (uint32_t)v;
            } else if (*p != '\0') {
                return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad option '%.40s'", p);
            }
            p = comma != NULL ? comma + 1 : NULL;
        }
    }
    if (c.relative && pc->last_pm_buf < 0 && detect_parse_prev_sm(pc) == NULL)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "relative without a previous match");
    Base64Ctx *h = mem_alloc(detect_mem(), sizeof *h);
    if (h == NULL)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *h = c;
    pc->s->flags |= SIG_F_BASE64;
    /* relative to the previous content: that content's buffer */
    if (c.relative && pc->last_pm_buf >= 0 && pc->last_pm_buf != pc->cur_buf) {
        int cur = pc->cur_buf;
        pc->cur_buf = pc->last_pm_buf;
        int rc = detect_sm_add_buffer(pc, &kw_b64_decode, h);
        pc->cur_buf = cur;
        return rc;
    }
    return detect_sm_add_buffer(pc, &kw_b64_decode, h);
}

static bool has_decode(const Signature *s)
{
    for (uint16_t b = 0; b < s->n_bufs; b++)
        for (uint16_t i = 0; i < s->bufs[b].list.n; i++)
            if (s->bufs[b].list.sm[i].kw->id == DETECT_KW_BASE64_DECODE)
                return true;
    return false;
}

static int b64_data_setup(DetectParse *pc, const char *arg)
{
    (void)arg;
    if (!has_decode(pc->s))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "base64_data must follow a base64_decode");
    if (g_b64_buf < 0)
        return detect_parse_error(pc, DETECT_ERR_OOM, "base64_data buffer not registered");
    pc->cur_buf = g_b64_buf;
    return 0;
}

/* base64_data has no bytes of its own in a packet: inspect.c feeds it the
 * output of base64_decode. */
static bool get_none(const Packet *p, const uint8_t **buf, uint32_t *len)
{
    (void)p;
    (void)buf;
    (void)len;
    return false;
}

static const DetectKeyword kw_b64_decode = {
    .name = "base64_decode", .id = DETECT_KW_BASE64_DECODE, .flags = KW_F_OPTIONAL, .setup = b64_decode_setup,
};
static const DetectKeyword kw_b64_data = {
    .name = "base64_data", .flags = KW_F_NOOPT, .setup = b64_data_setup,
};

void kw_base64_register(void)
{
    g_b64_buf = detect_buffer_register("base64_data", get_none);
    detect_keyword_register(&kw_b64_decode);
    detect_keyword_register(&kw_b64_data);
}
