/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/app_layer_event.c: `app-layer-event:<proto>.<event>`.
 *
 * Matches when the application layer recorded that event: for http on the
 * transaction being inspected (transaction rules) or, for a packet rule, on
 * any of the flow's last APPEV_SCAN transactions; for dns on the
 * transaction or the flow's state; for tls on the flow's state (its only
 * transaction). Event names are Suricata's (rules/http-events.rules,
 * dns-events.rules, tls-events.rules) as the parsers in applayer/ define them.
 *
 * A rule naming an event kasbah does not produce -- an unknown name, a
 * protocol without a parser (smtp, ssh, ...), Suricata's generic
 * `applayer_*` events -- still loads, with a warning naming the rule, and
 * never matches: the rest of the rule set keeps its meaning.
 */
#include <stdio.h>
#include <string.h>

#include "applayer/applayer.h"
#include "applayer/dns/dns.h"
#include "applayer/http/http.h"
#include "applayer/tls/tls.h"
#include "core/log.h"
#include "detect/keyword.h"
#include "lib/alloc.h"

/* Transactions of a flow a packet rule looks at (the newest ones): keeps a
 * long keep-alive flow's per-packet cost bounded. */
#define APPEV_SCAN 64

typedef struct AppEventCtx {
    uint16_t proto;           /* AppProto; 0 = an event kasbah never raises */
    int ev;
} AppEventCtx;

static bool http_any(const Flow *f, int ev)
{
    uint64_t n = applayer_tx_count(f);
    for (uint64_t i = n > APPEV_SCAN ? n - APPEV_SCAN : 0; i < n; i++) {
        const HttpTx *tx = applayer_tx_get(f, i);
        if (tx != NULL && http_tx_has_event(tx, (HttpEvent)ev))
            return true;
    }
    return false;
}

static bool dns_any(const Flow *f, int ev)
{
    uint64_t n = applayer_tx_count(f);
    for (uint64_t i = n > APPEV_SCAN ? n - APPEV_SCAN : 0; i < n; i++) {
        const DnsTx *tx = applayer_tx_get(f, i);
        if (tx != NULL && (tx->events >> ev) & 1u)
            return true;
    }
    return false;
}

static bool ae_match(DetectMatchCtx *mc, const void *ctx)
{
    const AppEventCtx *c = ctx;
    const Flow *f = mc->f;
    if (c->proto == 0 || f == NULL || f->app_proto != c->proto)
        return false;
    const void *st = applayer_flow_state(f);
    if (st == NULL)
        return false;
    switch (c->proto) {
    case APP_PROTO_HTTP:
        return mc->tx != NULL ? http_tx_has_event(mc->tx, (HttpEvent)c->ev) : http_any(f, c->ev);
    case APP_PROTO_DNS:
        if ((dns_state_events(st) >> c->ev) & 1u)
            return true;
        return mc->tx != NULL ? ((((const DnsTx *)mc->tx)->events >> c->ev) & 1u) != 0 : dns_any(f, c->ev);
    case APP_PROTO_TLS:
        return ((tls_state_events(st) >> c->ev) & 1u) != 0;
    default:
        return false;
    }
}

static const DetectKeyword kw_app_layer_event;

static int ae_setup(DetectParse *pc, const char *arg)
{
    char name[128];
    if (arg == NULL || detect_arg_unquote(arg, name, sizeof name) != 0 || name[0] == '\0')
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "app-layer-event needs <proto>.<event>");
    AppEventCtx c = { 0, -1 };
    const char *dot = strchr(name, '.');
    if (dot != NULL) {
        const char *ev = dot + 1;
        size_t plen = (size_t)(dot - name);
        if (plen == 4 && strncmp(name, "http", 4) == 0) {
            c.ev = http_event_by_name(ev);
            c.proto = APP_PROTO_HTTP;
        } else if (plen == 3 && strncmp(name, "dns", 3) == 0) {
            c.ev = dns_event_by_name(ev);
            c.proto = APP_PROTO_DNS;
        } else if (plen == 3 && strncmp(name, "tls", 3) == 0) {
            c.ev = tls_event_by_name(ev);
            c.proto = APP_PROTO_TLS;
        }
        if (c.ev < 0 || (c.proto != APP_PROTO_HTTP && c.ev >= 32))
            c.proto = 0; /* dns/tls events are bits of a uint32_t */
    }
    if (c.proto == 0)
        log_warn("%s:%u: app-layer-event '%s' is not an event kasbah raises: the rule loads and never matches",
                 pc->s->file ? pc->s->file : "-", pc->s->line, name);
    AppEventCtx *h = mem_alloc(detect_mem(), sizeof *h);
    if (h == NULL)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *h = c;
    pc->s->flags |= SIG_F_NEED_FLOW;
    return detect_sm_add_match(pc, &kw_app_layer_event, h);
}

static const DetectKeyword kw_app_layer_event = {
    .name = "app-layer-event", .setup = ae_setup, .match = ae_match,
};

void kw_app_layer_event_register(void) { detect_keyword_register(&kw_app_layer_event); }
