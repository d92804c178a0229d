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

/* ASCII lowercase, as tolower() in the C locale the rules were parsed in. */
static inline uint8_t lc(uint8_t b) { return b >= 'A' && b <= 'Z' ? (uint8_t)(b + 32) : b; }

static bool is_alpha(uint8_t b) { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'); }

/* How often a byte shows up in traffic, roughly (lower = rarer): NUL,
 * space, 0xff and the letters, digits and URL punctuation of text
 * protocols are common; other bytes less so. */
static int byte_commonness(uint8_t b)
{
    if (b == 0x00 || b == ' ' || b == 0xff || b == 0x01)
        return 5;
    if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '/' || b == '.' || b == '-' || b == '=' ||
        b == ':' || b == '\r' || b == '\n')
        return 3;
    if (b >= 'A' && b <= 'Z')
        return 2;
    return 1;
}

/* Choose c->anchor: the rarest-looking byte (first of equals); for nocase
 * patterns a letter only when there is nothing else. */
static void content_set_anchor(ContentCtx *c)
{
    int best = 1 << 20;
    c->anchor = 0;
    for (uint32_t i = 0; i < c->len; i++) {
        int sc = byte_commonness(c->pat[i]) + ((c->flags & CT_NOCASE) && is_alpha(c->pat[i]) ? 100 : 0);
        if (sc < best) {
            best = sc;
            c->anchor = i;
        }
    }
}

static bool equal_nocase(const uint8_t *h, const uint8_t *pat, uint32_t len)
{
    for (uint32_t k = 0; k < len; k++)
        if (lc(h[k]) != pat[k])
            return false;
    return true;
}

/* The byte-by-byte nocase search of hay[from, n). */
static int64_t find_nocase_slow(const ContentCtx *c, const uint8_t *hay, size_t from, size_t n)
{
    uint8_t first = c->pat[0];
    for (size_t i = from; i + c->len <= n; i++)
        if (lc(hay[i]) == first && equal_nocase(hay + i, c->pat, c->len))
            return (int64_t)i;
    return -1;
}

/*
 * memchr for the anchor byte, then compare the whole pattern there: far
 * cheaper than memmem's per-call set-up on the short windows rules search.
 * When the anchor keeps showing up without a match (a common byte after
 * all), the rest of the window goes to memmem / the plain nocase loop, so
 * the cost stays linear in the window.
 */
int64_t content_find(const ContentCtx *c, const uint8_t *buf, uint32_t start, uint32_t end)
{
    if (end < start || end - start < c->len || c->len == 0)
        return c->len == 0 && start <= end ? (int64_t)start : -1;
    const uint8_t *hay = buf + start;
    size_t n = end - start;
    bool nocase = (c->flags & CT_NOCASE) != 0;
    size_t ai = c->anchor < c->len ? c->anchor : 0;
    uint8_t ab = c->pat[ai];
    int64_t r = -1;
    if (nocase && is_alpha(ab)) {
        r = find_nocase_slow(c, hay, 0, n);
    } else {
        size_t last = n - c->len; /* the last start position */
        size_t i = 0, misses = 0, max_misses = 8 + n / 32;
        for (;;) {
            const uint8_t *q = memchr(hay + i + ai, ab, last - i + 1);
            if (q == NULL)
                break;
            size_t at = (size_t)(q - hay) - ai;
            if (nocase ? equal_nocase(hay + at, c->pat, c->len) : memcmp(hay + at, c->pat, c->len) == 0) {
                r = (int64_t)at;
                break;
            }
            if (at == last)
                break;
            i = at + 1;
            if (++misses > max_misses) {
                if (nocase) {
                    r = find_nocase_slow(c, hay, i, n);
                } else {
                    const uint8_t *f = memmem(hay + i, n - i, c->pat, c->len);
                    r = f ? (int64_t)(f - hay) : -1;
                }
                break;
            }
        }
    }
    return r >= 0 ? r + (int64_t)start : -1;
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
    content_set_anchor(c);
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
    content_set_anchor(c);
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
