/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/app_layer_protocol.c: `app-layer-protocol:[!]<name>[,<mode>]`
 * matches packets of flows whose application protocol (Flow.app_proto, set
 * by applayer/) is <name> ("http", "http1", "tls", "dns", "failed"), or, with
 * '!', is known and is another one. While the protocol is still unknown
 * neither form matches (Suricata waits for detection too). The optional
 * mode (Suricata's "either", "to_server", ...) is accepted; kasbah keeps one
 * protocol per flow, so it changes nothing.
 */
#include <string.h>

#include "applayer/applayer.h"
#include "detect/keyword.h"
#include "lib/alloc.h"

typedef struct AlpCtx {
    uint16_t proto;
    bool negated;
} AlpCtx;

static bool alp_match(DetectMatchCtx *mc, const void *ctx)
{
    const AlpCtx *c = ctx;
    const Flow *f = mc->f;
    if (f == NULL || f->app_proto == APP_PROTO_UNKNOWN)
        return false;
    return (f->app_proto == c->proto) != c->negated;
}

static const DetectKeyword kw_alp;

static int alp_setup(DetectParse *pc, const char *arg)
{
    char v[64];
    if (arg == NULL || detect_arg_unquote(arg, v, sizeof v) != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "app-layer-protocol needs a protocol name");
    char *comma = strchr(v, ',');
    if (comma != NULL)
        *comma = '\0'; /* the mode: see the file comment */
    char *name = v;
    bool neg = false;
    while (*name == ' ')
        name++;
    if (*name == '!') {
        neg = true;
        name++;
    }
    size_t n = strlen(name);
    while (n > 0 && name[n - 1] == ' ')
        name[--n] = '\0';
    int proto = app_proto_by_name(name);
    if (proto <= 0)
        return detect_parse_error(pc, DETECT_ERR_UNSUPPORTED,
                                  "app-layer-protocol: protocol '%.40s' is not detected by kasbah", name);
    AlpCtx *c = mem_alloc(detect_mem(), sizeof *c);
    if (c == NULL)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    c->proto = (uint16_t)proto;
    c->negated = neg;
    pc->s->flags |= SIG_F_NEED_FLOW;
    return detect_sm_add_match(pc, &kw_alp, c);
}

static const DetectKeyword kw_alp = { .name = "app-layer-protocol", .setup = alp_setup, .match = alp_match };

void kw_app_layer_protocol_register(void) { detect_keyword_register(&kw_alp); }
