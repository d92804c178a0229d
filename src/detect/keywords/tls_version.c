/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/tls_version.c: `tls.version:<1.0|1.1|1.2|1.3|0xNNNN>`.
 *
 * Suricata's detect-tls-version.c: on a packet to the client the server's
 * version is compared (ServerHello, with its supported_versions extension
 * for TLS 1.3), on a packet to the server the client's (ClientHello legacy
 * version). `1.3` also matches the TLS 1.3 drafts (0x7fNN). A flow the
 * app-layer did not identify as TLS, or before the hello of that side was
 * parsed, does not match. A packet keyword over the flow's TLS state (the
 * state is TLS's only transaction), so it combines with payload content
 * the way ET's JARM rules use it.
 */
#include <string.h>

#include "applayer/applayer.h"
#include "applayer/tls/tls.h"
#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

typedef struct TlsVersionCtx {
    uint16_t ver;
} TlsVersionCtx;

static bool tv_match(DetectMatchCtx *mc, const void *ctx)
{
    const TlsVersionCtx *c = ctx;
    const Flow *f = mc->f;
    if (f == NULL || f->app_proto != APP_PROTO_TLS)
        return false;
    const TlsState *st = applayer_flow_state(f);
    if (st == NULL)
        return false;
    uint16_t v = 0;
    if (mc->p->to_server) {
        const TlsHello *h = tls_client_hello(st);
        v = h != NULL ? h->version : 0;
    } else {
        v = tls_state_version(st);
    }
    if (v == 0)
        return false;
    if (c->ver == 0x0304 && (v & 0xff00) == 0x7f00)
        return true;
    return v == c->ver;
}

static const DetectKeyword kw_tls_version;

static int tv_setup(DetectParse *pc, const char *arg)
{
    char val[32];
    if (arg == NULL || detect_arg_unquote(arg, val, sizeof val) != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "tls.version needs a version");
    static const struct { const char *n; uint16_t v; } names[] = {
        { "1.0", 0x0301 }, { "1.1", 0x0302 }, { "1.2", 0x0303 }, { "1.3", 0x0304 },
    };
    TlsVersionCtx c = { 0 };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(val, names[i].n) == 0)
            c.ver = names[i].v;
    uint64_t raw;
    if (c.ver == 0 && strncmp(val, "0x", 2) == 0 && detect_parse_u64(val, 0xffff, &raw) == 0 && raw != 0)
        c.ver = (uint16_t)raw;
    if (c.ver == 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown version '%.20s'", val);
    TlsVersionCtx *h = mem_alloc(detect_mem(), sizeof *h);
    if (h == NULL)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *h = c;
    pc->s->flags |= SIG_F_NEED_FLOW;
    return detect_sm_add_match(pc, &kw_tls_version, h);
}

static const DetectKeyword kw_tls_version = { .name = "tls.version", .setup = tv_setup, .match = tv_match };

void kw_tls_version_register(void) { detect_keyword_register(&kw_tls_version); }
