/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/app_layer_protocol.c: `app-layer-protocol:[!]<name>[,<mode>]`
 * matches packets of flows whose application protocol (Flow.app_proto, set
 * by applayer/) is <name> ("http", "http1", "tls", "dns", "failed"), or, with
 * '!', is known and is another one. While the protocol is still unknown
 * neither form matches (Suricata waits for detection too). The optional
 * mode follows Suricata 7: "to_server" / "to_client" compare the protocol
 * recognised in that direction's own first bytes (applayer_flow_proto_dir:
 * an HTTP client talking to an SSH server is http to server, ssh to
 * client); "either" matches when either direction has it; "final",
 * "original" and "direction", like no mode at all, compare the flow's
 * protocol (kasbah does not change a flow's protocol after detection, so
 * final and original are the same). An unknown mode fails the rule.
 * A rule whose only options besides the flow keyword are app-layer-protocol
 * (Suricata's "protocol detection only" rule type) matches only on the
 * packet that completes a direction's protocol detection (or the next
 * packet of that direction: applayer_flow_proto_found_now), so it alerts
 * once per flow and direction instead of on every later packet.
 */
#include <string.h>

#include "applayer/applayer.h"
#include "detect/keyword.h"
#include "lib/alloc.h"

typedef enum AlpMode {
    ALP_MODE_FLOW,
    ALP_MODE_TO_SERVER,
    ALP_MODE_TO_CLIENT,
    ALP_MODE_EITHER,
} AlpMode;

typedef struct AlpCtx {
    uint16_t proto;
    bool negated;
    AlpMode mode;
} AlpCtx;

/* One protocol compared under the rule's negation: unknown never matches. */
static bool alp_compare(AppProto have, const AlpCtx *c)
{
    if (have == APP_PROTO_UNKNOWN)
        return false;
    return (have == c->proto) != c->negated;
}

static const DetectKeyword kw_alp;

/* Only app-layer-protocol (and flow) options: no buffer, no other packet keyword. */
static bool alp_pd_only(const Signature *s)
{
    if (s->n_bufs != 0)
        return false;
    for (uint16_t i = 0; i < s->match.n; i++) {
        const DetectKeyword *kw = s->match.sm[i].kw;
        if (kw != &kw_alp && strcmp(kw->name, "flow") != 0)
            return false;
    }
    return true;
}

static bool alp_match(DetectMatchCtx *mc, const void *ctx)
{
    const AlpCtx *c = ctx;
    Flow *f = mc->f;
    if (f == NULL)
        return false;
    if (alp_pd_only(mc->s) && !applayer_flow_proto_found_now(f, mc->p->to_server ? 0 : 1))
        return false;
    switch (c->mode) {
    case ALP_MODE_TO_SERVER:
        return alp_compare(applayer_flow_proto_dir(f, 0), c);
    case ALP_MODE_TO_CLIENT:
        return alp_compare(applayer_flow_proto_dir(f, 1), c);
    case ALP_MODE_EITHER:
        return alp_compare(applayer_flow_proto_dir(f, 0), c) || alp_compare(applayer_flow_proto_dir(f, 1), c);
    case ALP_MODE_FLOW:
        break;
    }
    return alp_compare(f->app_proto, c);
}

/* The mode after the comma (spaces trimmed); -1 when it is not one of Suricata's. */
static int alp_mode_parse(char *m)
{
    while (*m == ' ')
        m++;
    size_t n = strlen(m);
    while (n > 0 && m[n - 1] == ' ')
        m[--n] = '\0';
    if (strcmp(m, "to_server") == 0)
        return ALP_MODE_TO_SERVER;
    if (strcmp(m, "to_client") == 0)
        return ALP_MODE_TO_CLIENT;
    if (strcmp(m, "either") == 0)
        return ALP_MODE_EITHER;
    if (strcmp(m, "final") == 0 || strcmp(m, "original") == 0 || strcmp(m, "direction") == 0)
        return ALP_MODE_FLOW;
    return -1;
}

static int alp_setup(DetectParse *pc, const char *arg)
{
    char v[64];
    if (arg == NULL || detect_arg_unquote(arg, v, sizeof v) != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "app-layer-protocol needs a protocol name");
    int mode = ALP_MODE_FLOW;
    char *comma = strchr(v, ',');
    if (comma != NULL) {
        *comma = '\0';
        mode = alp_mode_parse(comma + 1);
        if (mode < 0)
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "app-layer-protocol: unknown mode '%.40s'", comma + 1);
    }
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
    c->mode = (AlpMode)mode;
    pc->s->flags |= SIG_F_NEED_FLOW;
    return detect_sm_add_match(pc, &kw_alp, c);
}

static const DetectKeyword kw_alp = { .name = "app-layer-protocol", .setup = alp_setup, .match = alp_match };

void kw_app_layer_protocol_register(void) { detect_keyword_register(&kw_alp); }
