/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/pcre.c: the pcre keyword (see pcre.h). PCRE2 allocations are
 * charged to the detect memory account.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "detect/keywords/pcre.h"

#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "detect/buffer.h"
#include "detect/keyword.h"
#include "lib/alloc.h"

#define PCRE_MATCH_LIMIT 3500        /* Suricata's default match-limit */
#define PCRE_DEPTH_LIMIT 1500        /* and match-limit-recursion */
#define PCRE_MAX_PATTERN 8192

static void *gc_alloc(size_t n, void *d)
{
    (void)d;
    return mem_alloc(detect_mem(), n);
}

static void gc_free(void *p, void *d)
{
    (void)d;
    mem_free(detect_mem(), p);
}

static pcre2_general_context *general(void)
{
    static pcre2_general_context *gc;
    if (!gc)
        gc = pcre2_general_context_create(gc_alloc, gc_free, NULL);
    return gc;
}

struct PcreThread {
    pcre2_match_data *md;
    pcre2_match_context *mc;
    pcre2_jit_stack *js;
};

PcreThread *pcre_thread_new(void)
{
    PcreThread *t = mem_calloc(detect_mem(), 1, sizeof *t);
    if (!t)
        return NULL;
    t->md = pcre2_match_data_create(32, general());
    t->mc = pcre2_match_context_create(general());
    if (!t->md || !t->mc) {
        pcre_thread_free(t);
        return NULL;
    }
    pcre2_set_match_limit(t->mc, PCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(t->mc, PCRE_DEPTH_LIMIT);
    return t;
}

void pcre_thread_free(PcreThread *t)
{
    if (!t)
        return;
    pcre2_match_data_free(t->md);
    pcre2_match_context_free(t->mc);
    mem_free(detect_mem(), t);
}

int pcre_match_at(const PcreCtx *c, PcreThread *t, const uint8_t *buf, uint32_t len, uint32_t start,
                  uint32_t *mstart, uint32_t *mend)
{
    if (start > len)
        return 0;
    static const uint8_t empty[1];
    int rc = pcre2_match((const pcre2_code *)c->re, buf ? buf : empty, len, start, 0, t->md, t->mc);
    if (rc < 0)
        return 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(t->md);
    *mstart = (uint32_t)ov[0];
    *mend = (uint32_t)ov[1];
    return 1;
}

static void pcre_free_ctx(void *p)
{
    PcreCtx *c = p;
    if (!c)
        return;
    pcre2_code_free((pcre2_code *)c->re);
    mem_free(detect_mem(), c);
}

/* HTTP buffer flags and the buffers they select. */
static const struct { char flag; const char *buf; } buf_flags[] = {
    { 'U', "http.uri" }, { 'I', "http.uri.raw" }, { 'P', "http.request_body" },
    { 'Q', "http.response_body" }, { 'H', "http.header" }, { 'D', "http.header.raw" },
    { 'M', "http.method" }, { 'C', "http.cookie" }, { 'S', "http.stat_code" },
    { 'Y', "http.stat_msg" }, { 'V', "http.user_agent" }, { 'W', "http.host" },
    { 'Z', "http.host.raw" },
};

static const DetectKeyword kw_pcre;

static int pcre_setup(DetectParse *pc, const char *arg)
{
    const char *p = arg;
    bool neg = false;
    if (*p == '!') {
        neg = true;
        p++;
    }
    size_t len = strlen(p);
    if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
        p++;
        len -= 2;
    } else if (len == 0 || p[0] != '/') {
        /* Suricata also takes the regex unquoted: pcre:/x/i; */
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected \"/regex/flags\"");
    }
    if (len < 2 || p[0] != '/')
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "regex must start with '/'");
    const char *last = NULL;
    for (size_t i = len; i > 1; i--)
        if (p[i - 1] == '/') {
            last = p + i - 1;
            break;
        }
    if (!last || last == p)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "regex must end with '/flags'");
    const char *flags = last + 1;
    size_t flen = (size_t)(p + len - flags);
    uint32_t opts = 0, kflags = neg ? PC_NEGATED : 0;
    int buf_id = pc->cur_buf;
    const char *buf_name = NULL;
    for (size_t i = 0; i < flen; i++) {
        char f = flags[i];
        switch (f) {
        case 'i': opts |= PCRE2_CASELESS; break;
        case 's': opts |= PCRE2_DOTALL; break;
        case 'm': opts |= PCRE2_MULTILINE; break;
        case 'x': opts |= PCRE2_EXTENDED; break;
        case 'A': opts |= PCRE2_ANCHORED; break;
        case 'E': opts |= PCRE2_DOLLAR_ENDONLY; break;
        case 'G': opts |= PCRE2_UNGREEDY; break;
        case 'R': kflags |= PC_RELATIVE; break;
        case 'O': break;
        case 'B': kflags |= PC_RAWBYTES; break;
        default: {
            bool found = false;
            for (size_t k = 0; k < sizeof buf_flags / sizeof buf_flags[0]; k++)
                if (buf_flags[k].flag == f) {
                    buf_name = buf_flags[k].buf;
                    found = true;
                }
            if (!found)
                return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown pcre flag '%c'", f);
        }
        }
    }
    if (buf_name) {
        buf_id = detect_buffer_register(buf_name, NULL);
        if (buf_id < 0)
            return detect_parse_error(pc, DETECT_ERR_OOM, "buffer table full");
        if (detect_buffer_getter(buf_id) == NULL)
            pc->needs_buf = buf_id;
    }
    size_t rlen = (size_t)(last - (p + 1));
    if (rlen > PCRE_MAX_PATTERN)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "regex too long");
    pcre2_compile_context *cc = pcre2_compile_context_create(general());
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)(p + 1), rlen, opts, &ec, &eo, cc);
    pcre2_compile_context_free(cc);
    if (!re) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(ec, msg, sizeof msg);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "regex does not compile at offset %zu: %s", (size_t)eo,
                                  (const char *)msg);
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* interpreter fallback when JIT is unavailable */
    PcreCtx *c = mem_calloc(detect_mem(), 1, sizeof *c);
    if (!c) {
        pcre2_code_free(re);
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    }
    c->re = re;
    c->flags = kflags;
    int saved = pc->cur_buf;
    pc->cur_buf = buf_id;
    int rc = detect_sm_add_buffer(pc, &kw_pcre, c);
    pc->cur_buf = saved;
    return rc;
}

static const DetectKeyword kw_pcre = {
    .name = "pcre", .id = DETECT_KW_PCRE, .setup = pcre_setup, .free = pcre_free_ctx,
};

void kw_pcre_register(void) { detect_keyword_register(&kw_pcre); }
