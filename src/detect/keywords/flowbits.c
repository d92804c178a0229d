/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/flowbits.c: `flowbits:<cmd>[,<names>]`.
 *
 * isset / isnotset are tests (Signature.match); set / unset / toggle are
 * actions run after the rule matched (Signature.post); noalert marks the
 * rule as not alerting. Names may be joined: `a|b` (any of, for isset /
 * isnotset) and `a&b` (all of; for the actions, each of). Names are mapped
 * to ids in the engine's flowbit table at load time; the bits live in the
 * flow's DetectFlowState. A packet without a flow matches no test and runs
 * no action (as in Suricata).
 */
#include <ctype.h>
#include <string.h>

#include "detect/detect_int.h"
#include "detect/keyword.h"
#include "lib/alloc.h"

#define FB_MAX_NAMES 8

typedef enum FbCmd { FB_ISSET, FB_ISNOTSET, FB_SET, FB_UNSET, FB_TOGGLE } FbCmd;

typedef struct FlowbitsCtx {
    FbCmd cmd;
    bool any;                 /* '|' form: any of the names */
    uint8_t n;
    uint32_t ids[FB_MAX_NAMES];
} FlowbitsCtx;

static bool bit_get(const DetectFlowState *st, uint32_t id)
{
    return id / 64 < st->n_words && (st->bits[id / 64] >> (id % 64)) & 1u;
}

static bool fb_match(DetectMatchCtx *mc, const void *ctx)
{
    const FlowbitsCtx *c = ctx;
    if (!mc->f)
        return false;
    DetectFlowState *st = mc->f->detect;
    for (uint8_t i = 0; i < c->n; i++) {
        bool set = st && bit_get(st, c->ids[i]);
        bool ok = c->cmd == FB_ISSET ? set : !set;
        if (c->any && ok)
            return true;
        if (!c->any && !ok)
            return false;
    }
    return !c->any;
}

static void fb_post(DetectMatchCtx *mc, const void *ctx)
{
    const FlowbitsCtx *c = ctx;
    if (!mc->f)
        return;
    DetectFlowState *st = detect_flow_state(mc->dt, mc->f);
    if (!st)
        return;
    for (uint8_t i = 0; i < c->n; i++) {
        uint32_t id = c->ids[i];
        if (id / 64 >= st->n_words)
            continue;
        uint64_t m = (uint64_t)1 << (id % 64);
        switch (c->cmd) {
        case FB_SET: st->bits[id / 64] |= m; break;
        case FB_UNSET: st->bits[id / 64] &= ~m; break;
        case FB_TOGGLE: st->bits[id / 64] ^= m; break;
        default: break;
        }
    }
}

static const DetectKeyword kw_flowbits;

static int fb_setup(DetectParse *pc, const char *arg)
{
    char buf[512];
    size_t len = strlen(arg);
    if (len >= sizeof buf)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "argument too long");
    memcpy(buf, arg, len + 1);
    char *comma = strchr(buf, ',');
    char *names = NULL;
    if (comma) {
        *comma = '\0';
        names = comma + 1;
    }
    char *cmd = buf;
    while (isspace((unsigned char)*cmd))
        cmd++;
    char *e = cmd + strlen(cmd);
    while (e > cmd && isspace((unsigned char)e[-1]))
        *--e = '\0';
    if (strcmp(cmd, "noalert") == 0) {
        if (names)
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "noalert takes no name");
        pc->s->flags |= SIG_F_NOALERT;
        return 0;
    }
    static const struct { const char *n; FbCmd c; } cmds[] = {
        { "isset", FB_ISSET }, { "isnotset", FB_ISNOTSET }, { "set", FB_SET },
        { "unset", FB_UNSET }, { "toggle", FB_TOGGLE },
    };
    FlowbitsCtx c;
    memset(&c, 0, sizeof c);
    bool found = false;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(cmd, cmds[i].n) == 0) {
            c.cmd = cmds[i].c;
            found = true;
        }
    if (!found)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown flowbits command '%.20s'", cmd);
    if (!names)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "'%s' needs a flowbit name", cmd);
    bool has_or = strchr(names, '|') != NULL, has_and = strchr(names, '&') != NULL;
    if (has_or && has_and)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "'|' and '&' cannot be mixed");
    if (has_or && c.cmd != FB_ISSET && c.cmd != FB_ISNOTSET)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "'|' is only valid with isset/isnotset");
    c.any = has_or;
    char *p = names;
    for (;;) {
        char *sep = p + strcspn(p, "|&");
        char saved = *sep;
        *sep = '\0';
        char *n = p;
        while (isspace((unsigned char)*n))
            n++;
        char *ne = n + strlen(n);
        while (ne > n && isspace((unsigned char)ne[-1]))
            *--ne = '\0';
        if (*n == '\0' || strpbrk(n, " \t,"))
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad flowbit name '%.40s'", n);
        if (c.n >= FB_MAX_NAMES)
            return detect_parse_error(pc, DETECT_ERR_UNSUPPORTED, "more than %d flowbit names", FB_MAX_NAMES);
        int id = detect_name_id(&pc->de->flowbits, n);
        if (id < 0)
            return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
        c.ids[c.n++] = (uint32_t)id;
        if (!saved)
            break;
        p = sep + 1;
    }
    FlowbitsCtx *h = mem_alloc(detect_mem(), sizeof *h);
    if (!h)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *h = c;
    pc->s->flags |= SIG_F_NEED_FLOW;
    if (c.cmd == FB_ISSET || c.cmd == FB_ISNOTSET)
        return detect_sm_add_match(pc, &kw_flowbits, h);
    return detect_sm_add_post(pc, &kw_flowbits, h);
}

static const DetectKeyword kw_flowbits = {
    .name = "flowbits", .id = DETECT_KW_FLOWBITS, .setup = fb_setup, .match = fb_match, .post = fb_post,
};

int flowbits_sig_role(const Signature *s)
{
    bool set = false, read = false;
    for (uint16_t i = 0; i < s->match.n; i++)
        if (s->match.sm[i].kw == &kw_flowbits)
            read = true;
    for (uint16_t i = 0; i < s->post.n; i++)
        if (s->post.sm[i].kw == &kw_flowbits)
            set = true;
    return set && !read ? 3 : set ? 2 : read ? 1 : 0;
}

void kw_flowbits_register(void) { detect_keyword_register(&kw_flowbits); }

bool flowbits_post_only_sets(const Signature *s)
{
    for (uint16_t i = 0; i < s->post.n; i++) {
        if (s->post.sm[i].kw != &kw_flowbits)
            return false;
        if (((const FlowbitsCtx *)s->post.sm[i].ctx)->cmd != FB_SET)
            return false;
    }
    return true;
}
