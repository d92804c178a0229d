/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * applayer.c: the application layer framework (see applayer.h): registry,
 * per-flow AppState, protocol detection from content, and the calls into
 * parsers.
 *
 * Detection, per direction of a flow, until a protocol is known:
 *   - the direction's bytes so far are offered to every registered probe of
 *     the flow's transport, in order http, tls, dns;
 *   - the first "yes" names the protocol for the whole flow (counted
 *     app_layer.flow.<name>); its parser (if any) gets a state and then the
 *     same bytes, so nothing is lost;
 *   - "need more" keeps the bytes unconsumed (the stream offers them again
 *     with what follows) for up to APP_DETECT_MAX_BYTES;
 *   - all "no" (or too many bytes, a gap, or EOF) marks the direction done
 *     without a protocol. Its bytes stay unconsumed while the other
 *     direction may still decide (so a protocol found there still sees
 *     them), up to APP_DETECT_MAX_BYTES;
 *   - both directions done without a protocol: APP_PROTO_FAILED
 *     (app_layer.flow.failed_tcp / failed_udp); bytes are dropped from then on.
 *     A flow that never carried a byte (only gaps, or nothing before EOF)
 *     stays unknown, as in Suricata (no app_proto in EVE).
 * For UDP each datagram is probed on its own; a "no" on one datagram in
 * each direction fails the flow.
 * Once the flow has its protocol, the first bytes of the other direction are
 * probed once more for that direction's own protocol
 * (applayer_flow_proto_dir), which never changes f->app_proto.
 */
#include "applayer/applayer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "applayer/sip/sip.h"
#include "applayer/ssh/ssh.h"
#include "core/log.h"

/* How many bytes of one direction detection may hold before deciding "no":
 * long enough for a slow first TLS record header or a long WebDAV method,
 * short enough that an unknown protocol costs little. */
#define APP_DETECT_MAX_BYTES 4096u

/* ---- names ---- */

static const char *const proto_names[APP_PROTO_MAX] = {
    [APP_PROTO_UNKNOWN] = NULL,
    [APP_PROTO_HTTP] = "http",
    [APP_PROTO_TLS] = "tls",
    [APP_PROTO_DNS] = "dns",
    [APP_PROTO_FAILED] = "failed",
    [APP_PROTO_SSH] = "ssh",
    [APP_PROTO_SIP] = "sip",
};

const char *app_proto_name(unsigned proto)
{
    return proto < APP_PROTO_MAX ? proto_names[proto] : NULL;
}

int app_proto_by_name(const char *name)
{
    if (name == NULL)
        return -1;
    if (strcmp(name, "http1") == 0)
        return APP_PROTO_HTTP;
    for (unsigned i = 1; i < APP_PROTO_MAX; i++)
        if (strcmp(proto_names[i], name) == 0)
            return (int)i;
    return -1;
}

/* ---- the registry ---- */

typedef struct ProtoEntry {
    AppProto proto;
    const char *name;
    uint8_t ipprotos;
    AppProbe (*probe)(const uint8_t *buf, size_t len, const AppProbeInfo *info);
    const AppParserOps *ops;   /* NULL: identification only */
} ProtoEntry;

static ProtoEntry registry[APP_PROTO_MAX];
static unsigned n_registry;
static bool registry_ready;

void applayer_registry_init(void)
{
    if (registry_ready)
        return;
    registry_ready = true;
    registry[n_registry++] = (ProtoEntry){APP_PROTO_HTTP, "http", APP_IPPROTO_TCP, app_probe_http, NULL};
    registry[n_registry++] = (ProtoEntry){APP_PROTO_TLS, "tls", APP_IPPROTO_TCP, app_probe_tls, NULL};
    registry[n_registry++] = (ProtoEntry){APP_PROTO_DNS, "dns", APP_IPPROTO_TCP | APP_IPPROTO_UDP,
                                          app_probe_dns, NULL};
    registry[n_registry++] = (ProtoEntry){APP_PROTO_SSH, "ssh", APP_IPPROTO_TCP, app_probe_ssh, NULL};
    registry[n_registry++] = (ProtoEntry){APP_PROTO_SIP, "sip", APP_IPPROTO_UDP, app_probe_sip, NULL};
    /* these two parsers are part of the framework: nobody else registers them */
    (void)ssh_parser_register();
    (void)sip_parser_register();
    /*
     * Parsers register here as they land, e.g.
     *     http_parser_register();   // applayer/http/
     * each calling applayer_parser_register(&its_ops).
     */
}

static ProtoEntry *entry_of(AppProto proto)
{
    for (unsigned i = 0; i < n_registry; i++)
        if (registry[i].proto == proto)
            return &registry[i];
    return NULL;
}

int applayer_parser_register(const AppParserOps *ops)
{
    applayer_registry_init();
    if (ops == NULL || ops->name == NULL || ops->parse == NULL || ops->state_new == NULL ||
        ops->state_free == NULL || ops->proto <= APP_PROTO_UNKNOWN || ops->proto == APP_PROTO_FAILED ||
        ops->proto >= APP_PROTO_MAX)
        return -EINVAL;
    ProtoEntry *e = entry_of(ops->proto);
    if (e == NULL)
        return -EINVAL;
    if (e->ops != NULL)
        return -EEXIST;
    e->ops = ops;
    if (ops->probe != NULL)
        e->probe = ops->probe;
    if (ops->ipprotos != 0)
        e->ipprotos = ops->ipprotos;
    return 0;
}

const AppParserOps *applayer_parser_get(AppProto proto)
{
    ProtoEntry *e = entry_of(proto);
    return e != NULL ? e->ops : NULL;
}

/* ---- per-flow state ---- */

enum {
    APPF_DONE0 = 1u << 0,        /* direction 0 finished detection without a protocol */
    APPF_DONE1 = 1u << 1,
    APPF_PARSER_OFF = 1u << 2,   /* parser disabled (error, gap, OOM, config) */
    APPF_UPDATED0 = 1u << 3,     /* data reached the parser during this packet */
    APPF_UPDATED1 = 1u << 4,
    APPF_ERR_PKT = 1u << 5,      /* the error policy takes this packet out of inspection */
    APPF_ERR_FLOW = 1u << 6,     /* ... and every later packet of the flow */
};

/* app-layer.error-policy (Suricata's exception policy names). */
typedef enum ErrPolicy {
    ERRPOL_IGNORE = 0,
    ERRPOL_PACKET,     /* drop-packet, pass-packet, reject */
    ERRPOL_FLOW,       /* drop-flow, pass-flow, bypass */
} ErrPolicy;

struct AppState {
    uint8_t ipproto;
    uint8_t flags;
    bool had_data;               /* some direction offered bytes to detection */
    uint8_t dir_proto[2];        /* AppProto of each direction's own first bytes */
    uint8_t dir_probed;          /* bit d: direction d's first bytes were probed */
    uint8_t dir_found;           /* bit d: dir_proto[d] recognised, not yet shown to a packet of direction d */
    uint8_t dir_found_shown;     /* bits of dir_found shown to the current packet */
    const ProtoEntry *entry;     /* the detected protocol's entry */
    void *pstate;                /* parser state */
    uint32_t need[2];            /* bytes the parser wants before it is called again */
};
typedef struct AppState AppState;

/* Direction dir's own first bytes were recognised as proto on this packet. */
static void dir_proto_found(AppState *st, unsigned dir, AppProto proto)
{
    st->dir_proto[dir] = (uint8_t)proto;
    st->dir_found |= (uint8_t)(1u << dir);
}

/* Counter ids per protocol. */
typedef struct ProtoCounters {
    int flow, flow_udp, tx, tx_udp, err_parser, err_gap, err_alloc;
} ProtoCounters;

struct AppLayerCtx {
    MemAccount acct;
    Stats *stats;
    ProtoCounters pc[APP_PROTO_MAX];
    int failed_tcp, failed_udp;
    bool detect_only[APP_PROTO_MAX];  /* identify, do not parse */
    bool disabled[APP_PROTO_MAX];     /* neither */
    ErrPolicy err_policy;
};

static void count(AppLayerCtx *ctx, int id, uint64_t n)
{
    if (ctx->stats != NULL)
        stats_add(ctx->stats, id, n);
}

static int reg(const char *a, const char *b, const char *c)
{
    char name[128];
    int n = snprintf(name, sizeof name, "%s%s%s", a, b, c);
    if (n < 0 || (size_t)n >= sizeof name)
        return -1;
    return stats_register(name);
}

AppLayerCtx *applayer_ctx_new(const Config *conf, Stats *stats)
{
    applayer_registry_init();
    AppLayerCtx *ctx = mem_calloc(NULL, 1, sizeof *ctx);
    if (ctx == NULL)
        return NULL;
    uint64_t cap = 256ull * 1024 * 1024;
    if (conf != NULL) {
        conf_register_known("app-layer");
        cap = conf_get_size(conf, "app-layer.memcap", cap);
        const char *ep = conf_get_str(conf, "app-layer.error-policy", NULL);
        bool ips = conf_get_bool(conf, "engine.simulate-ips", false);
        if (ep == NULL || strcmp(ep, "ignore") == 0 || strcmp(ep, "auto") == 0)
            ctx->err_policy = ERRPOL_IGNORE;
        else if (strcmp(ep, "pass-packet") == 0 ||
                 (ips && (strcmp(ep, "drop-packet") == 0 || strcmp(ep, "reject") == 0)))
            ctx->err_policy = ERRPOL_PACKET;
        else if (strcmp(ep, "pass-flow") == 0 || strcmp(ep, "bypass") == 0 ||
                 (ips && strcmp(ep, "drop-flow") == 0))
            ctx->err_policy = ERRPOL_FLOW;
        else if (strcmp(ep, "drop-packet") != 0 && strcmp(ep, "drop-flow") != 0 &&
                 strcmp(ep, "reject") != 0)
            log_warn("config: app-layer.error-policy: unknown policy '%s' (expected ignore, "
                     "drop-packet, pass-packet, drop-flow, pass-flow, bypass or reject); "
                     "using ignore", ep);
        /* drop-* and reject outside IPS mode: ignore, as Suricata in IDS mode */
    }
    mem_account_init(&ctx->acct, "applayer", cap);
    ctx->stats = stats;
    for (unsigned i = 0; i < APP_PROTO_MAX; i++) {
        ProtoCounters *pc = &ctx->pc[i];
        pc->flow = pc->flow_udp = pc->tx = pc->tx_udp = -1;
        pc->err_parser = pc->err_gap = pc->err_alloc = -1;
    }
    for (unsigned i = 0; i < n_registry; i++) {
        const ProtoEntry *e = &registry[i];
        ProtoCounters *pc = &ctx->pc[e->proto];
        if (e->proto == APP_PROTO_DNS) {
            pc->flow = reg("app_layer.flow.", e->name, "_tcp");
            pc->flow_udp = reg("app_layer.flow.", e->name, "_udp");
            pc->tx = reg("app_layer.tx.", e->name, "_tcp");
            pc->tx_udp = reg("app_layer.tx.", e->name, "_udp");
        } else {
            pc->flow = pc->flow_udp = reg("app_layer.flow.", e->name, "");
            pc->tx = pc->tx_udp = reg("app_layer.tx.", e->name, "");
        }
        pc->err_parser = reg("app_layer.error.", e->name, ".parser");
        pc->err_gap = reg("app_layer.error.", e->name, ".gap");
        pc->err_alloc = reg("app_layer.error.", e->name, ".alloc");
        if (conf != NULL) {
            char path[96];
            int n = snprintf(path, sizeof path, "app-layer.protocols.%s.enabled", e->name);
            const char *v = n > 0 && (size_t)n < sizeof path ? conf_get_str(conf, path, NULL) : NULL;
            if (v != NULL && strcmp(v, "detection-only") == 0)
                ctx->detect_only[e->proto] = true;
            else if (v != NULL && !conf_get_bool(conf, path, true))
                ctx->disabled[e->proto] = true;
        }
    }
    ctx->failed_tcp = stats_register("app_layer.flow.failed_tcp");
    ctx->failed_udp = stats_register("app_layer.flow.failed_udp");
    return ctx;
}

void applayer_ctx_free(AppLayerCtx *ctx)
{
    mem_free(NULL, ctx);
}

const MemAccount *applayer_ctx_account(const AppLayerCtx *ctx) { return &ctx->acct; }

static AppState *state_get(AppLayerCtx *ctx, Flow *f, uint8_t ipproto)
{
    if (f->app != NULL)
        return f->app;
    AppState *st = mem_calloc(&ctx->acct, 1, sizeof *st);
    if (st == NULL)
        return NULL;
    st->ipproto = ipproto;
    f->app = st;
    return st;
}

void applayer_flow_end(AppLayerCtx *ctx, Flow *f)
{
    if (f == NULL || f->app == NULL)
        return;
    AppState *st = f->app;
    if (st->pstate != NULL && st->entry != NULL && st->entry->ops != NULL)
        st->entry->ops->state_free(st->pstate);
    mem_free(&ctx->acct, st);
    f->app = NULL;
}

/* ---- detection ---- */

static void set_proto(AppLayerCtx *ctx, Flow *f, AppState *st, const ProtoEntry *e)
{
    st->entry = e;
    f->app_proto = (uint16_t)e->proto;
    const ProtoCounters *pc = &ctx->pc[e->proto];
    count(ctx, st->ipproto == 17 ? pc->flow_udp : pc->flow, 1);
    if (e->ops == NULL || ctx->detect_only[e->proto]) {
        st->flags |= APPF_PARSER_OFF;
        return;
    }
    st->pstate = e->ops->state_new(&ctx->acct, f, st->ipproto);
    if (st->pstate == NULL) {
        st->flags |= APPF_PARSER_OFF;
        count(ctx, pc->err_alloc, 1);
    }
}

static void set_failed(AppLayerCtx *ctx, Flow *f, AppState *st)
{
    f->app_proto = APP_PROTO_FAILED;
    st->flags |= APPF_PARSER_OFF;
    count(ctx, st->ipproto == 17 ? ctx->failed_udp : ctx->failed_tcp, 1);
}

/* Run the probes over buf. Returns the matching entry, or NULL with *more
 * saying whether some probe wants more bytes. */
static const ProtoEntry *probe_all(AppLayerCtx *ctx, const Flow *f, uint8_t ipproto, unsigned dir,
                                   const uint8_t *buf, size_t len, bool *more)
{
    AppProbeInfo info = {ipproto, dir, f->key.port[0], f->key.port[1]};
    uint8_t mask = ipproto == 17 ? APP_IPPROTO_UDP : APP_IPPROTO_TCP;
    *more = false;
    for (unsigned i = 0; i < n_registry; i++) {
        const ProtoEntry *e = &registry[i];
        if (!(e->ipprotos & mask) || ctx->disabled[e->proto] || e->probe == NULL)
            continue;
        AppProbe r = e->probe(buf, len, &info);
        if (r == APP_PROBE_YES)
            return e;
        if (r == APP_PROBE_NEED_MORE)
            *more = true;
    }
    return NULL;
}

/* ---- parsing ---- */

static void parser_off(AppLayerCtx *ctx, AppState *st, int counter)
{
    st->flags |= APPF_PARSER_OFF;
    count(ctx, counter, 1);
}

/* Give bytes to the parser; returns how many it consumed. */
static uint32_t parse(AppLayerCtx *ctx, Flow *f, AppState *st, unsigned dir, const uint8_t *data,
                      uint32_t len, unsigned flags)
{
    const ProtoEntry *e = st->entry;
    const AppParserOps *ops = e->ops;
    const ProtoCounters *pc = &ctx->pc[e->proto];
    if (st->flags & APPF_PARSER_OFF)
        return len;
    if (flags & APP_FLAG_GAP) {
        if (!ops->accepts_gaps) {
            parser_off(ctx, st, pc->err_gap);
            return len;
        }
    } else if (len < st->need[dir] && !(flags & APP_FLAG_EOF)) {
        return 0;
    }
    uint64_t before = ops->tx_count != NULL ? ops->tx_count(st->pstate) : 0;
    AppParseResult r = ops->parse(st->pstate, f, dir, data, len, flags);
    if (ops->tx_count != NULL) {
        uint64_t after = ops->tx_count(st->pstate);
        if (after > before)
            count(ctx, st->ipproto == 17 ? pc->tx_udp : pc->tx, after - before);
    }
    st->flags |= dir == 0 ? APPF_UPDATED0 : APPF_UPDATED1;
    st->need[dir] = 0;
    switch (r.status) {
    case APP_PARSE_OK:
        return len;
    case APP_PARSE_INCOMPLETE: {
        uint32_t c = r.consumed > len ? len : r.consumed;
        uint64_t need = (uint64_t)(len - c) + r.needed;
        st->need[dir] = need > UINT32_MAX ? UINT32_MAX : (uint32_t)need;
        if (flags & APP_FLAG_GAP)
            return len;
        return c;
    }
    case APP_PARSE_ERROR:
        if (ctx->err_policy == ERRPOL_PACKET)
            st->flags |= APPF_ERR_PKT;
        else if (ctx->err_policy == ERRPOL_FLOW)
            st->flags |= APPF_ERR_PKT | APPF_ERR_FLOW;
        if (st->ipproto == 17) {
            /* a datagram is whole: the next one starts afresh (Suricata) */
            count(ctx, pc->err_parser, 1);
            return len;
        }
        parser_off(ctx, st, pc->err_parser);
        return len;
    }
    return len;
}

/* ---- TCP ---- */

uint32_t applayer_stream_deliver(Flow *f, unsigned dir, const uint8_t *data, uint32_t len,
                                 unsigned flags, void *user)
{
    AppLayerCtx *ctx = user;
    if (f == NULL || ctx == NULL || dir > 1)
        return len;
    AppState *st = state_get(ctx, f, 6);
    if (st == NULL)
        return len; /* no memory: the bytes are dropped, the flow goes on */
    if (f->app_proto == APP_PROTO_FAILED)
        return len;

    if (st->entry == NULL) {
        uint8_t done = dir == 0 ? APPF_DONE0 : APPF_DONE1;
        uint8_t other = dir == 0 ? APPF_DONE1 : APPF_DONE0;
        bool decided = false;
        if (!(st->flags & done) && !(flags & APP_FLAG_GAP) && len > 0) {
            st->had_data = true;
            bool more = false;
            const ProtoEntry *e = probe_all(ctx, f, 6, dir, data, len, &more);
            if (e != NULL) {
                dir_proto_found(st, dir, e->proto);
                st->dir_probed |= (uint8_t)(1u << dir);
                set_proto(ctx, f, st, e);
                decided = true;
            } else if (!more || len >= APP_DETECT_MAX_BYTES || (flags & APP_FLAG_EOF)) {
                st->flags |= done;
            }
        } else if (flags & (APP_FLAG_GAP | APP_FLAG_EOF)) {
            st->flags |= done;
        }
        if (!decided) {
            /* a flow that never carried a byte is not "failed", just unknown */
            if ((st->flags & done) && st->had_data &&
                ((st->flags & other) || len >= APP_DETECT_MAX_BYTES ||
                 (flags & (APP_FLAG_GAP | APP_FLAG_EOF)))) {
                set_failed(ctx, f, st);
                return len;
            }
            return (st->flags & done) && (st->flags & other) ? len : 0; /* keep for later */
        }
    } else if (!(st->dir_probed & (1u << dir)) && !(flags & APP_FLAG_GAP) && len > 0) {
        /* the other direction decided: probe this one's first bytes once,
         * without holding them (a probe that wants more gets what is here) */
        bool more = false;
        const ProtoEntry *e = probe_all(ctx, f, 6, dir, data, len, &more);
        if (e != NULL || !more || len >= APP_DETECT_MAX_BYTES || (flags & APP_FLAG_EOF)) {
            st->dir_probed |= (uint8_t)(1u << dir);
            if (e != NULL)
                dir_proto_found(st, dir, e->proto);
        }
    }
    return parse(ctx, f, st, dir, data, len, flags);
}

/* ---- UDP ---- */

void applayer_udp_packet(AppLayerCtx *ctx, Flow *f, const Packet *p)
{
    if (ctx == NULL || f == NULL || p->flow != f || !pkt_has(p, PKT_HAS_UDP))
        return;
    AppState *st = state_get(ctx, f, 17);
    if (st == NULL || f->app_proto == APP_PROTO_FAILED)
        return;
    unsigned dir = p->to_server ? 0 : 1;
    if (p->payload_len == 0)
        return;
    if (st->entry == NULL) {
        bool more = false;
        const ProtoEntry *e = probe_all(ctx, f, 17, dir, p->payload, p->payload_len, &more);
        if (e == NULL) {
            st->flags |= dir == 0 ? APPF_DONE0 : APPF_DONE1;
            if ((st->flags & (APPF_DONE0 | APPF_DONE1)) == (APPF_DONE0 | APPF_DONE1))
                set_failed(ctx, f, st);
            return;
        }
        dir_proto_found(st, dir, e->proto);
        st->dir_probed |= (uint8_t)(1u << dir);
        set_proto(ctx, f, st, e);
    } else if (!(st->dir_probed & (1u << dir))) {
        bool more = false;
        const ProtoEntry *e = probe_all(ctx, f, 17, dir, p->payload, p->payload_len, &more);
        st->dir_probed |= (uint8_t)(1u << dir);
        if (e != NULL)
            dir_proto_found(st, dir, e->proto);
    }
    st->need[dir] = 0; /* a datagram is whole: no carry-over */
    (void)parse(ctx, f, st, dir, p->payload, p->payload_len, 0);
    st->need[dir] = 0;
}

/* ---- queries ---- */

AppProto applayer_flow_proto_dir(const Flow *f, unsigned dir)
{
    if (f == NULL || f->app == NULL || dir > 1)
        return APP_PROTO_UNKNOWN;
    const AppState *st = f->app;
    return (AppProto)st->dir_proto[dir];
}

const char *applayer_flow_proto_name(const Flow *f)
{
    return f != NULL ? app_proto_name(f->app_proto) : NULL;
}

void *applayer_flow_state(const Flow *f)
{
    if (f == NULL || f->app == NULL)
        return NULL;
    const AppState *st = f->app;
    return (st->flags & APPF_PARSER_OFF) ? NULL : st->pstate;
}

bool applayer_flow_parser_failed(const Flow *f)
{
    if (f == NULL || f->app == NULL)
        return false;
    const AppState *st = f->app;
    return st->entry != NULL && st->entry->ops != NULL && (st->flags & APPF_PARSER_OFF);
}

/* The parser ops and state, when both are usable for reading txs. Reading
 * transactions stays possible after the parser was disabled: what it
 * produced before the error is still logged. */
static const AppParserOps *tx_ops(const Flow *f, void **state)
{
    if (f == NULL || f->app == NULL)
        return NULL;
    const AppState *st = f->app;
    if (st->entry == NULL || st->entry->ops == NULL || st->pstate == NULL)
        return NULL;
    *state = st->pstate;
    return st->entry->ops;
}

uint64_t applayer_tx_count(const Flow *f)
{
    void *s = NULL;
    const AppParserOps *ops = tx_ops(f, &s);
    return ops != NULL && ops->tx_count != NULL ? ops->tx_count(s) : 0;
}

void *applayer_tx_get(const Flow *f, uint64_t tx_id)
{
    void *s = NULL;
    const AppParserOps *ops = tx_ops(f, &s);
    return ops != NULL && ops->tx_get != NULL ? ops->tx_get(s, tx_id) : NULL;
}

bool applayer_tx_complete(const Flow *f, const void *tx, unsigned dir)
{
    void *s = NULL;
    const AppParserOps *ops = tx_ops(f, &s);
    if (ops == NULL || ops->tx_progress == NULL || tx == NULL || dir > 1)
        return false;
    return ops->tx_progress(tx, dir) >= ops->tx_complete[dir];
}

void applayer_flow_tx_release(Flow *f, uint64_t inspected, bool need_logged)
{
    void *s = NULL;
    const AppParserOps *ops = tx_ops(f, &s);
    if (ops != NULL && ops->tx_release != NULL && inspected > 0)
        ops->tx_release(s, inspected, need_logged);
}

bool applayer_flow_updated(const Flow *f, unsigned dir)
{
    if (f == NULL || f->app == NULL || dir > 1)
        return false;
    const AppState *st = f->app;
    return st->flags & (dir == 0 ? APPF_UPDATED0 : APPF_UPDATED1);
}

bool applayer_packet_dropped(const Flow *f)
{
    if (f == NULL || f->app == NULL)
        return false;
    const AppState *st = f->app;
    return st->flags & (APPF_ERR_PKT | APPF_ERR_FLOW);
}

void applayer_packet_begin(Flow *f)
{
    if (f == NULL || f->app == NULL)
        return;
    AppState *st = f->app;
    st->flags &= (uint8_t)~(APPF_UPDATED0 | APPF_UPDATED1 | APPF_ERR_PKT);
    st->dir_found &= (uint8_t)~st->dir_found_shown;
    st->dir_found_shown = 0;
}

bool applayer_flow_proto_found_now(Flow *f, unsigned pkt_dir)
{
    if (f == NULL || f->app == NULL || pkt_dir > 1)
        return false;
    AppState *st = f->app;
    uint8_t bit = (uint8_t)(1u << pkt_dir);
    if (!(st->dir_found & bit))
        return false;
    st->dir_found_shown |= bit; /* consumed when the next packet begins */
    return true;
}
