/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * inspect.c: the content inspection engine (see inspect.h).
 *
 * inspect_from(idx, cur) evaluates list[idx..] with the cursor at cur (the
 * end of the previous match). A content or pcre that matched but whose
 * followers failed is retried at its next occurrence when a later keyword
 * is relative to it, which is how Suricata finds `content:"a";
 * content:"b"; within:5;` in "a....a.b".
 */
#include "detect/inspect.h"

#include "detect/keyword.h"
#include "detect/keywords/asn1.h"
#include "detect/keywords/base64.h"
#include "detect/keywords/byte.h"
#include "detect/keywords/content.h"
#include "detect/keywords/uint.h"

static bool sm_is_relative(const SigMatch *sm)
{
    switch (sm->kw->id) {
    case DETECT_KW_CONTENT: return content_is_relative(sm->ctx);
    case DETECT_KW_PCRE: return (((const PcreCtx *)sm->ctx)->flags & PC_RELATIVE) != 0;
    case DETECT_KW_ISDATAAT: return (((const IsdataatCtx *)sm->ctx)->flags & BY_RELATIVE) != 0;
    case DETECT_KW_BYTE_TEST:
    case DETECT_KW_BYTE_JUMP:
    case DETECT_KW_BYTE_EXTRACT:
    case DETECT_KW_BYTE_MATH: return (((const ByteCtx *)sm->ctx)->flags & BY_RELATIVE) != 0;
    case DETECT_KW_BASE64_DECODE: return ((const Base64Ctx *)sm->ctx)->relative;
    case DETECT_KW_ASN1: return (((const Asn1Ctx *)sm->ctx)->flags & ASN1_RELATIVE) != 0;
    default: return false;
    }
}

/* Is a keyword after idx relative to the content/pcre at idx? */
static bool next_relative(const SigMatchList *l, uint16_t idx)
{
    for (uint16_t j = (uint16_t)(idx + 1); j < l->n; j++) {
        const SigMatch *sm = &l->sm[j];
        if (sm_is_relative(sm))
            return true;
        if (sm->kw->id == DETECT_KW_CONTENT || sm->kw->id == DETECT_KW_PCRE)
            return false;
    }
    return false;
}

static int inspect_from(InspectCtx *ic, const SigMatchList *l, uint16_t idx, uint32_t cur);

static int64_t val_of(const InspectCtx *ic, int32_t v, bool is_var)
{
    return is_var ? (int64_t)ic->vars[v] : (int64_t)v;
}

static int do_content(InspectCtx *ic, const SigMatchList *l, uint16_t idx, uint32_t cur)
{
    const ContentCtx *c = l->sm[idx].ctx;
    int64_t len = ic->len;
    int64_t start, end;
    if (content_is_relative(c)) {
        int64_t dist = (c->flags & CT_DISTANCE) ? val_of(ic, c->distance, c->flags & CT_DISTANCE_VAR) : 0;
        start = (int64_t)cur + dist;
        if (start < 0)
            start = 0;
        end = len;
        if (c->flags & CT_WITHIN) {
            int64_t w = val_of(ic, c->within, c->flags & CT_WITHIN_VAR);
            int64_t e = (int64_t)cur + dist + w;
            if (e < end)
                end = e;
        }
        if (c->flags & CT_DEPTH) {
            int64_t e = (int64_t)cur + val_of(ic, c->depth, c->flags & CT_DEPTH_VAR);
            if (e < end)
                end = e;
        }
        if (c->flags & CT_OFFSET) {
            int64_t o = (int64_t)cur + val_of(ic, c->offset, c->flags & CT_OFFSET_VAR);
            if (o > start)
                start = o;
        }
    } else {
        start = (c->flags & CT_OFFSET) ? val_of(ic, c->offset, c->flags & CT_OFFSET_VAR) : 0;
        end = (c->flags & CT_DEPTH) ? start + val_of(ic, c->depth, c->flags & CT_DEPTH_VAR) : len;
        if (start < 0)
            start = 0;
    }
    if (end > len)
        end = len;
    bool endswith = (c->flags & CT_ENDSWITH) != 0;
    if (c->flags & CT_NEGATED) {
        bool found;
        if (endswith) {
            /* negated endswith: the window must not end with the pattern */
            int64_t at = len - c->len;
            found = end == len && at >= start && content_find(c, ic->buf, (uint32_t)at, (uint32_t)len) >= 0;
        } else {
            found = start <= end && content_find(c, ic->buf, (uint32_t)start, (uint32_t)end) >= 0;
        }
        return found ? 0 : inspect_from(ic, l, (uint16_t)(idx + 1), cur);
    }
    if (start > end)
        return 0;
    if (endswith) {
        /* only an occurrence ending at the buffer end counts */
        if (end != len || len - start < c->len)
            return 0;
        start = len - c->len;
    }
    bool retry = next_relative(l, idx);
    for (;;) {
        int64_t f = content_find(c, ic->buf, (uint32_t)start, (uint32_t)end);
        if (f < 0)
            return 0;
        int r = inspect_from(ic, l, (uint16_t)(idx + 1), (uint32_t)(f + c->len));
        if (r != 0)
            return r;
        if (!retry || endswith)
            return 0;
        start = f + 1;
    }
}

static int do_pcre(InspectCtx *ic, const SigMatchList *l, uint16_t idx, uint32_t cur)
{
    const PcreCtx *c = l->sm[idx].ctx;
    uint32_t base = (c->flags & PC_RELATIVE) ? cur : 0;
    if (base > ic->len)
        return 0;
    const uint8_t *sub = ic->buf ? ic->buf + base : ic->buf;
    uint32_t sub_len = ic->len - base;
    uint32_t ms, me;
    if (c->flags & PC_NEGATED) {
        if (pcre_match_at(c, ic->pt, sub, sub_len, 0, &ms, &me))
            return 0;
        return inspect_from(ic, l, (uint16_t)(idx + 1), cur);
    }
    bool retry = next_relative(l, idx);
    uint32_t from = 0;
    for (;;) {
        if (!pcre_match_at(c, ic->pt, sub, sub_len, from, &ms, &me))
            return 0;
        int r = inspect_from(ic, l, (uint16_t)(idx + 1), base + me);
        if (r != 0)
            return r;
        if (!retry || ms + 1 > sub_len)
            return 0;
        from = ms + 1;
        if (ic->budget == 0)
            return -1;
        ic->budget--;
    }
}

/* base64_decode, then (when the rule has one) the base64_data list over
 * the decoded bytes, which decides the match: a terminal list, as in
 * Suricata (keywords/base64.h). */
static int do_base64(InspectCtx *ic, const SigMatchList *l, uint16_t idx, uint32_t cur)
{
    const Base64Ctx *c = l->sm[idx].ctx;
    uint32_t n = 0;
    if (ic->b64_out == NULL || !base64_decode_eval(c, ic->buf, ic->len, cur, ic->b64_out, ic->b64_cap, &n))
        return 0;
    if (ic->b64_list == NULL || ic->b64_list->n == 0)
        return inspect_from(ic, l, (uint16_t)(idx + 1), cur); /* no base64_data: go on */
    InspectCtx sub = { ic->b64_out, n, ic->vars, ic->pt, ic->budget, NULL, NULL, 0 };
    int r = inspect_from(&sub, ic->b64_list, 0, 0);
    ic->budget = sub.budget;
    return r;
}

static int inspect_from(InspectCtx *ic, const SigMatchList *l, uint16_t idx, uint32_t cur)
{
    if (idx >= l->n)
        return 1;
    if (ic->budget == 0)
        return -1;
    ic->budget--;
    const SigMatch *sm = &l->sm[idx];
    uint32_t nc = cur;
    switch (sm->kw->id) {
    case DETECT_KW_CONTENT:
        return do_content(ic, l, idx, cur);
    case DETECT_KW_PCRE:
        return do_pcre(ic, l, idx, cur);
    case DETECT_KW_ISDATAAT:
        if (!isdataat_eval(sm->ctx, ic->len, cur, ic->vars))
            return 0;
        break;
    case DETECT_KW_BYTE_TEST:
        if (!byte_test_eval(sm->ctx, ic->buf, ic->len, cur, ic->vars))
            return 0;
        break;
    case DETECT_KW_BYTE_JUMP:
        if (!byte_jump_eval(sm->ctx, ic->buf, ic->len, &nc, ic->vars))
            return 0;
        break;
    case DETECT_KW_BYTE_EXTRACT:
        if (!byte_extract_eval(sm->ctx, ic->buf, ic->len, &nc, ic->vars))
            return 0;
        break;
    case DETECT_KW_BYTE_MATH:
        if (!byte_math_eval(sm->ctx, ic->buf, ic->len, cur, ic->vars))
            return 0;
        break;
    case DETECT_KW_BSIZE:
        if (!detect_uint_match(sm->ctx, ic->len))
            return 0;
        break;
    case DETECT_KW_ASN1:
        if (!asn1_eval(sm->ctx, ic->buf, ic->len, cur))
            return 0;
        break;
    case DETECT_KW_BASE64_DECODE:
        return do_base64(ic, l, idx, cur);
    default:
        return 0;
    }
    return inspect_from(ic, l, (uint16_t)(idx + 1), nc);
}

bool detect_inspect_list(InspectCtx *ic, const SigMatchList *l)
{
    return inspect_from(ic, l, 0, 0) == 1;
}
