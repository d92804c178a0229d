/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/stream_size.c: `stream_size:<server|client|both|either>,<op>,<n>`
 * with op one of < > = != <= >=.
 *
 * Compares a TCP session's progress in sequence space -- next expected
 * sequence number minus the initial one, so the SYN (and a FIN) count one
 * byte, as in Suricata's detect-stream_size.c -- for the client's direction
 * (bytes to the server), the server's, both (each must satisfy the test)
 * or either (one of them). Packets without a tracked TCP session never
 * match. The numbers come from stream/ (stream_seq_progress) after it saw
 * the packet being inspected.
 */
#include <ctype.h>
#include <string.h>

#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"
#include "stream/stream.h"

typedef enum SsSide { SS_SERVER, SS_CLIENT, SS_BOTH, SS_EITHER } SsSide;

typedef struct StreamSizeCtx {
    SsSide side;
    DetectUint cmp;
} StreamSizeCtx;

static bool ss_match(DetectMatchCtx *mc, const void *ctx)
{
    const StreamSizeCtx *c = ctx;
    const Flow *f = mc->f;
    if (!pkt_has(mc->p, PKT_HAS_TCP) || f == NULL || !stream_has_session(f))
        return false;
    bool cl = detect_uint_match(&c->cmp, stream_seq_progress(f, 0));
    bool sv = detect_uint_match(&c->cmp, stream_seq_progress(f, 1));
    switch (c->side) {
    case SS_SERVER: return sv;
    case SS_CLIENT: return cl;
    case SS_BOTH: return cl && sv;
    case SS_EITHER: return cl || sv;
    }
    return false;
}

static const DetectKeyword kw_stream_size;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int ss_setup(DetectParse *pc, const char *arg)
{
    char buf[128];
    if (arg == NULL || strlen(arg) >= sizeof buf)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected '<server|client|both|either>,<op>,<n>'");
    memcpy(buf, arg, strlen(arg) + 1);
    char *c1 = strchr(buf, ',');
    char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    if (c2 == NULL || strchr(c2 + 1, ',') != NULL)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected '<server|client|both|either>,<op>,<n>'");
    *c1 = *c2 = '\0';
    const char *side = trim(buf), *op = trim(c1 + 1), *num = trim(c2 + 1);
    StreamSizeCtx c;
    memset(&c, 0, sizeof c);
    static const struct { const char *n; SsSide s; } sides[] = {
        { "server", SS_SERVER }, { "client", SS_CLIENT }, { "both", SS_BOTH }, { "either", SS_EITHER },
    };
    bool found = false;
    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++)
        if (strcmp(side, sides[i].n) == 0) {
            c.side = sides[i].s;
            found = true;
        }
    if (!found)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown side '%.20s'", side);
    static const struct { const char *n; DetectUintMode m; } ops[] = {
        { "<", DETECT_UINT_LT }, { ">", DETECT_UINT_GT }, { "=", DETECT_UINT_EQ },
        { "!=", DETECT_UINT_NE }, { "<=", DETECT_UINT_LTE }, { ">=", DETECT_UINT_GTE },
    };
    found = false;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i].n) == 0) {
            c.cmp.mode = ops[i].m;
            found = true;
        }
    if (!found)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown operator '%.10s'", op);
    if (detect_parse_u64(num, UINT32_MAX, &c.cmp.a) != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad size '%.20s'", num);
    StreamSizeCtx *h = mem_alloc(detect_mem(), sizeof *h);
    if (h == NULL)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *h = c;
    pc->s->flags |= SIG_F_NEED_FLOW;
    return detect_sm_add_match(pc, &kw_stream_size, h);
}

static const DetectKeyword kw_stream_size = { .name = "stream_size", .setup = ss_setup, .match = ss_match };

void kw_stream_size_register(void) { detect_keyword_register(&kw_stream_size); }
