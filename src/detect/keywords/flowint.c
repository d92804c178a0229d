/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/flowint.c: `flowint:<name>,<op>[,<value>]` integer variables
 * kept per flow. Actions (Signature.post): `=` set, `+` add, `-` subtract.
 * Tests (Signature.match): `==` `!=` `<` `<=` `>` `>=` against a number or
 * another flowint, `isset`, `notset` / `isnotset`. A comparison with an
 * unset variable is false, as in Suricata.
 */
#include <ctype.h>
#include <string.h>

#include "detect/detect_int.h"
#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

typedef enum FiOp { FI_SET, FI_ADD, FI_SUB, FI_EQ, FI_NE, FI_LT, FI_LE, FI_GT, FI_GE, FI_ISSET, FI_NOTSET } FiOp;

typedef struct FlowintCtx {
    FiOp op;
    uint32_t id;
    bool value_is_var;
    uint32_t var_id;
    int64_t value;
} FlowintCtx;

static bool get_int(const DetectFlowState *st, uint32_t id, int64_t *v)
{
    if (!st || id >= st->n_ints || !st->int_set[id])
        return false;
    *v = st->ints[id];
    return true;
}

static bool value_of(const FlowintCtx *c, const DetectFlowState *st, int64_t *v)
{
    if (c->value_is_var)
        return get_int(st, c->var_id, v);
    *v = c->value;
    return true;
}

static bool fi_match(DetectMatchCtx *mc, const void *ctx)
{
    const FlowintCtx *c = ctx;
    if (!mc->f)
        return false;
    const DetectFlowState *st = mc->f->detect;
    int64_t cur, ref;
    bool have = get_int(st, c->id, &cur);
    if (c->op == FI_ISSET)
        return have;
    if (c->op == FI_NOTSET)
        return !have;
    if (!have || !value_of(c, st, &ref))
        return false;
    switch (c->op) {
    case FI_EQ: return cur == ref;
    case FI_NE: return cur != ref;
    case FI_LT: return cur < ref;
    case FI_LE: return cur <= ref;
    case FI_GT: return cur > ref;
    case FI_GE: return cur >= ref;
    default: return false;
    }
}

static void fi_post(DetectMatchCtx *mc, const void *ctx)
{
    const FlowintCtx *c = ctx;
    if (!mc->f)
        return;
    DetectFlowState *st = detect_flow_state(mc->dt, mc->f);
    if (!st || c->id >= st->n_ints)
        return;
    int64_t ref;
    if (!value_of(c, st, &ref))
        return;
    int64_t cur = st->int_set[c->id] ? st->ints[c->id] : 0;
    switch (c->op) {
    case FI_SET: cur = ref; break;
    case FI_ADD: cur = (int64_t)((uint64_t)cur + (uint64_t)ref); break;
    case FI_SUB: cur = (int64_t)((uint64_t)cur - (uint64_t)ref); break;
    default: return;
    }
    st->ints[c->id] = cur;
    st->int_set[c->id] = 1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static const DetectKeyword kw_flowint;

static int fi_setup(DetectParse *pc, const char *arg)
{
    char buf[256];
    size_t len = strlen(arg);
    if (len >= sizeof buf)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "argument too long");
    memcpy(buf, arg, len + 1);
    char *parts[3] = { NULL, NULL, NULL };
    int n = 0;
    char *p = buf;
    while (n < 3) {
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        parts[n++] = trim(p);
        if (!c)
            break;
        p = c + 1;
    }
    if (n < 2 || !*parts[0])
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected 'name, op[, value]'");
    static const struct { const char *s; FiOp op; bool needs_value; } ops[] = {
        { "=", FI_SET, true }, { "+", FI_ADD, true }, { "-", FI_SUB, true }, { "==", FI_EQ, true },
        { "!=", FI_NE, true }, { "<", FI_LT, true }, { "<=", FI_LE, true }, { ">", FI_GT, true },
        { ">=", FI_GE, true }, { "isset", FI_ISSET, false }, { "notset", FI_NOTSET, false },
        { "isnotset", FI_NOTSET, false },
    };
    FlowintCtx c;
    memset(&c, 0, sizeof c);
    int found = -1;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(parts[1], ops[i].s) == 0)
            found = (int)i;
    if (found < 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown flowint operator '%.10s'", parts[1]);
    c.op = ops[found].op;
    if (ops[found].needs_value != (n == 3))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "operator '%s' %s a value", parts[1],
                                  ops[found].needs_value ? "needs" : "takes no");
    int id = detect_name_id(&pc->de->flowints, parts[0]);
    if (id < 0)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    c.id = (uint32_t)id;
    if (n == 3) {
        if (detect_parse_i64(parts[2], INT64_MIN, INT64_MAX, &c.value) != 0) {
            if (!isalpha((unsigned char)parts[2][0]) && parts[2][0] != '_')
                return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad value '%.40s'", parts[2]);
            int vid = detect_name_id(&pc->de->flowints, parts[2]);
            if (vid < 0)
                return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
            c.value_is_var = true;
            c.var_id = (uint32_t)vid;
        }
    }
    FlowintCtx *h = mem_alloc(detect_mem(), sizeof *h);
    if (!h)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *h = c;
    pc->s->flags |= SIG_F_NEED_FLOW;
    if (c.op == FI_SET || c.op == FI_ADD || c.op == FI_SUB)
        return detect_sm_add_post(pc, &kw_flowint, h);
    return detect_sm_add_match(pc, &kw_flowint, h);
}

static const DetectKeyword kw_flowint = {
    .name = "flowint", .id = DETECT_KW_FLOWINT, .setup = fi_setup, .match = fi_match, .post = fi_post,
};

void kw_flowint_register(void) { detect_keyword_register(&kw_flowint); }
