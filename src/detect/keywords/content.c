/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/content.c: content and its modifiers (see content.h for the
 * semantics). Parsing only; the search runs in inspect.c through
 * content_find().
 */
#include "detect/keywords/content.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "detect/buffer.h"
#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

#define MAX_CONTENT 65535

/* ------------------------------------------------------------------ */
/* Search                                                              */
/* ------------------------------------------------------------------ */

int64_t content_find(const ContentCtx *c, const uint8_t *buf, uint32_t start, uint32_t end)
{
    if (end < start || end - start < c->len || c->len == 0)
        return c->len == 0 && start <= end ? (int64_t)start : -1;
    const uint8_t *hay = buf + start;
    size_t n = end - start;
    if (!(c->flags & CT_NOCASE)) {
        const uint8_t *f = memmem(hay, n, c->pat, c->len);
        return f ? (int64_t)(f - buf) : -1;
    }
    /* pat is stored lowercased when nocase */
    uint8_t first = c->pat[0];
    for (size_t i = 0; i + c->len <= n; i++) {
        if ((uint8_t)tolower(hay[i]) != first)
            continue;
        uint32_t k = 1;
        while (k < c->len && (uint8_t)tolower(hay[i + k]) == c->pat[k])
            k++;
        if (k == c->len)
            return (int64_t)(start + i);
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* Decoding the argument                                               */
/* ------------------------------------------------------------------ */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int content_decode(const char *arg, uint8_t **out, uint32_t *out_len, bool *negated, char *err, size_t err_len)
{
    const char *p = arg;
    *negated = false;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '!') {
        *negated = true;
        p++;
        while (isspace((unsigned char)*p))
            p++;
    }
    size_t len = strlen(p);
    while (len > 0 && isspace((unsigned char)p[len - 1]))
        len--;
    if (len < 2 || p[0] != '"' || p[len - 1] != '"') {
        snprintf(err, err_len, "content must be a quoted string");
        return -1;
    }
    p++;
    len -= 2;
    if (len == 0) {
        snprintf(err, err_len, "empty content");
        return -1;
    }
    uint8_t *b = mem_alloc(detect_mem(), len + 1);
    if (!b) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    size_t w = 0;
    bool hex = false;
    int hi = -1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (hex) {
            if (c == '|') {
                if (hi >= 0) {
                    snprintf(err, err_len, "odd number of hex digits");
                    goto fail;
                }
                hex = false;
            } else if (isspace(c)) {
                if (hi >= 0) {
                    snprintf(err, err_len, "hex byte split by a blank");
                    goto fail;
                }
            } else {
                int v = hexval(c);
                if (v < 0) {
                    snprintf(err, err_len, "bad hex digit '%c'", c);
                    goto fail;
                }
                if (hi < 0) {
                    hi = v;
                } else {
                    b[w++] = (uint8_t)(hi << 4 | v);
                    hi = -1;
                }
            }
            continue;
        }
        if (c == '|') {
            hex = true;
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= len) {
                snprintf(err, err_len, "trailing backslash");
                goto fail;
            }
            unsigned char e = (unsigned char)p[++i];
            if (e != ';' && e != '"' && e != '\\' && e != ':') {
                snprintf(err, err_len, "invalid escape '\\%c'", e);
                goto fail;
            }
            b[w++] = e;
            continue;
        }
        if (c == '"') {
            snprintf(err, err_len, "unescaped '\"' inside content");
            goto fail;
        }
        b[w++] = c;
    }
    if (hex) {
        snprintf(err, err_len, "unterminated hex '|'");
        goto fail;
    }
    if (w == 0 || w > MAX_CONTENT) {
        snprintf(err, err_len, w == 0 ? "empty content" : "content too long");
        goto fail;
    }
    *out = b;
    *out_len = (uint32_t)w;
    return 0;
fail:
    mem_free(detect_mem(), b);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Keywords                                                            */
/* ------------------------------------------------------------------ */

static void content_free(void *p)
{
    ContentCtx *c = p;
    if (!c)
        return;
    mem_free(detect_mem(), c->pat);
    mem_free(detect_mem(), c);
}

static const DetectKeyword kw_content;

static int content_setup(DetectParse *pc, const char *arg)
{
    char err[128];
    ContentCtx *c = mem_calloc(detect_mem(), 1, sizeof *c);
    if (!c)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    bool neg;
    if (content_decode(arg, &c->pat, &c->len, &neg, err, sizeof err) != 0) {
        mem_free(detect_mem(), c);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "%s", err);
    }
    if (neg)
        c->flags |= CT_NEGATED;
    return detect_sm_add_buffer(pc, &kw_content, c);
}

/* uricontent:"x" == http.uri; content:"x" (the pre-sticky-buffer form). */
static int uricontent_setup(DetectParse *pc, const char *arg)
{
    int id = detect_buffer_register("http.uri", NULL);
    if (id < 0)
        return detect_parse_error(pc, DETECT_ERR_OOM, "buffer table full");
    int saved = pc->cur_buf;
    pc->cur_buf = id;
    int rc = content_setup(pc, arg);
    pc->cur_buf = saved;
    if (rc == 0 && detect_buffer_getter(id) == NULL && pc->needs_buf < 0)
        pc->needs_buf = id;
    return rc;
}

/* The content a modifier applies to, or NULL after reporting why. */
static ContentCtx *last_content(DetectParse *pc, const char *what)
{
    SigMatch *sm = detect_parse_last_pm(pc);
    if (!sm || sm->kw->id != DETECT_KW_CONTENT) {
        detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "'%s' needs a preceding content", what);
        return NULL;
    }
    return sm->ctx;
}

static int nocase_setup(DetectParse *pc, const char *arg)
{
    (void)arg;
    ContentCtx *c = last_content(pc, "nocase");
    if (!c)
        return -1;
    if (c->flags & CT_NOCASE)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "nocase given twice");
    c->flags |= CT_NOCASE;
    for (uint32_t i = 0; i < c->len; i++)
        c->pat[i] = (uint8_t)tolower(c->pat[i]);
    return 0;
}

/* A numeric modifier value or a byte_extract variable name. */
static int mod_value(DetectParse *pc, const char *arg, const char *what, int64_t min, int32_t *out, bool *is_var)
{
    int64_t v;
    *is_var = false;
    if (detect_parse_i64(arg, min, 65535, &v) == 0) {
        *out = (int32_t)v;
        return 0;
    }
    if (isalpha((unsigned char)arg[0]) || arg[0] == '_') {
        int idx = sig_var_find(pc->s, arg);
        if (idx < 0)
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "%s: unknown variable '%.40s'", what, arg);
        *out = idx;
        *is_var = true;
        return 0;
    }
    return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "%s: bad value '%.40s'", what, arg);
}

static int check_mix(DetectParse *pc, const ContentCtx *c, bool relative)
{
    if (relative && (c->flags & (CT_DEPTH | CT_OFFSET | CT_STARTSWITH)) && (c->flags & CT_STARTSWITH))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "startswith cannot be combined with distance/within");
    return 0;
}

static int depth_setup(DetectParse *pc, const char *arg)
{
    ContentCtx *c = last_content(pc, "depth");
    bool var;
    if (!c || mod_value(pc, arg, "depth", 1, &c->depth, &var) != 0)
        return -1;
    if (c->flags & (CT_DEPTH | CT_STARTSWITH))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "depth given twice (or with startswith)");
    if (!var && (uint32_t)c->depth < c->len)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "depth %d is smaller than the content (%u bytes)",
                                  c->depth, c->len);
    c->flags |= CT_DEPTH | (var ? CT_DEPTH_VAR : 0);
    return 0;
}

static int offset_setup(DetectParse *pc, const char *arg)
{
    ContentCtx *c = last_content(pc, "offset");
    bool var;
    if (!c || mod_value(pc, arg, "offset", 0, &c->offset, &var) != 0)
        return -1;
    if (c->flags & (CT_OFFSET | CT_STARTSWITH))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "offset given twice (or with startswith)");
    c->flags |= CT_OFFSET | (var ? CT_OFFSET_VAR : 0);
    return 0;
}

static int distance_setup(DetectParse *pc, const char *arg)
{
    ContentCtx *c = last_content(pc, "distance");
    bool var;
    if (!c || mod_value(pc, arg, "distance", -65535, &c->distance, &var) != 0)
        return -1;
    if (c->flags & CT_DISTANCE)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "distance given twice");
    if (check_mix(pc, c, true) != 0)
        return -1;
    c->flags |= CT_DISTANCE | (var ? CT_DISTANCE_VAR : 0);
    return 0;
}

static int within_setup(DetectParse *pc, const char *arg)
{
    ContentCtx *c = last_content(pc, "within");
    bool var;
    if (!c || mod_value(pc, arg, "within", 1, &c->within, &var) != 0)
        return -1;
    if (c->flags & CT_WITHIN)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "within given twice");
    if (!var && (uint32_t)c->within < c->len)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "within %d is smaller than the content (%u bytes)",
                                  c->within, c->len);
    if (check_mix(pc, c, true) != 0)
        return -1;
    c->flags |= CT_WITHIN | (var ? CT_WITHIN_VAR : 0);
    return 0;
}

static int fast_pattern_setup(DetectParse *pc, const char *arg)
{
    ContentCtx *c = last_content(pc, "fast_pattern");
    if (!c)
        return -1;
    if (c->flags & CT_FAST_PATTERN)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "fast_pattern given twice");
    /* one fast pattern per rule */
    Signature *s = pc->s;
    for (uint16_t b = 0; b < s->n_bufs; b++)
        for (uint16_t i = 0; i < s->bufs[b].list.n; i++) {
            const SigMatch *sm = &s->bufs[b].list.sm[i];
            if (sm->kw->id == DETECT_KW_CONTENT && ((const ContentCtx *)sm->ctx)->flags & CT_FAST_PATTERN)
                return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "only one fast_pattern per rule");
        }
    c->flags |= CT_FAST_PATTERN;
    c->fp_off = 0;
    c->fp_len = c->len;
    if (arg == NULL)
        return 0;
    if (strcmp(arg, "only") == 0) {
        c->flags |= CT_FP_ONLY;
        return 0;
    }
    const char *comma = strchr(arg, ',');
    char a[24], b[24];
    if (!comma || (size_t)(comma - arg) >= sizeof a || strlen(comma + 1) >= sizeof b)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected 'only' or 'offset,length', got '%.40s'", arg);
    memcpy(a, arg, (size_t)(comma - arg));
    a[comma - arg] = '\0';
    memcpy(b, comma + 1, strlen(comma + 1) + 1);
    uint64_t off, len;
    if (detect_parse_u64(a, 65535, &off) != 0 || detect_parse_u64(b, 65535, &len) != 0 || len == 0 ||
        off + len > c->len)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "fast_pattern chop '%.40s' outside the content", arg);
    c->flags |= CT_FP_CHOP;
    c->fp_off = (uint32_t)off;
    c->fp_len = (uint32_t)len;
    return 0;
}

static int startswith_setup(DetectParse *pc, const char *arg)
{
    (void)arg;
    ContentCtx *c = last_content(pc, "startswith");
    if (!c)
        return -1;
    if (c->flags & (CT_DEPTH | CT_OFFSET | CT_DISTANCE | CT_WITHIN))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "startswith cannot be combined with depth/offset/distance/within");
    c->flags |= CT_STARTSWITH | CT_DEPTH | CT_OFFSET;
    c->depth = (int32_t)c->len;
    c->offset = 0;
    return 0;
}

static int endswith_setup(DetectParse *pc, const char *arg)
{
    (void)arg;
    ContentCtx *c = last_content(pc, "endswith");
    if (!c)
        return -1;
    c->flags |= CT_ENDSWITH;
    return 0;
}

static int rawbytes_setup(DetectParse *pc, const char *arg)
{
    (void)arg;
    ContentCtx *c = last_content(pc, "rawbytes");
    if (!c)
        return -1;
    c->flags |= CT_RAWBYTES;
    return 0;
}

static const DetectKeyword kw_content = {
    .name = "content", .id = DETECT_KW_CONTENT, .setup = content_setup, .free = content_free,
};

static const DetectKeyword kws[] = {
    { .name = "uricontent", .id = DETECT_KW_CONTENT, .setup = uricontent_setup, .free = content_free },
    { .name = "nocase", .flags = KW_F_NOOPT, .setup = nocase_setup },
    { .name = "depth", .setup = depth_setup },
    { .name = "offset", .setup = offset_setup },
    { .name = "distance", .setup = distance_setup },
    { .name = "within", .setup = within_setup },
    { .name = "fast_pattern", .flags = KW_F_OPTIONAL, .setup = fast_pattern_setup },
    { .name = "startswith", .flags = KW_F_NOOPT, .setup = startswith_setup },
    { .name = "endswith", .flags = KW_F_NOOPT, .setup = endswith_setup },
    { .name = "rawbytes", .flags = KW_F_NOOPT, .setup = rawbytes_setup },
};

void kw_content_register(void)
{
    detect_keyword_register(&kw_content);
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        detect_keyword_register(&kws[i]);
}
