/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * txbuf.c: the app-layer buffers rules inspect per transaction -- every
 * HTTP buffer of applayer/http (http.uri ... file.data), dns.query, and the
 * TLS buffers (tls.sni, certificate fields, ja3/ja3s/ja4, tls.certs).
 *
 * Where it sits: detect/ reads applayer/ (never the reverse). The registry
 * (buffer.h) maps each name to a getter over one transaction; detect.c
 * walks the flow's transactions (applayer_tx_count / applayer_tx_get) and
 * calls these getters with the transaction in hand, so a rule alerts once
 * per transaction, as Suricata's transaction-aware inspection does.
 *
 * Invariants: the getters only read the transaction (HTTP builds composite
 * buffers on first use and caches them in the tx); a buffer not yet seen
 * is "absent" (false), never an empty match.
 */
#include "detect/buffer.h"

#include <string.h>

#include "applayer/applayer.h"
#include "applayer/dns/dns.h"
#include "applayer/http/http.h"
#include "applayer/ssh/ssh.h"
#include "applayer/tls/tls.h"

/* ------------------------------------------------------------------ */
/* Getters                                                            */
/* ------------------------------------------------------------------ */

static bool get_http(void *tx, int sub, unsigned dir, uint32_t idx, const uint8_t **buf,
                     uint32_t *len)
{
    if (idx != 0)
        return false;
    int side = http_buffer_dir((HttpBufferId)sub);
    /* one-sided buffers ignore the packet's direction */
    unsigned d = side == 0 ? 0u : side == 1 ? 1u : dir;
    return http_tx_buffer(tx, (HttpBufferId)sub, d, buf, len);
}

static bool get_dns_query(void *tx, int sub, unsigned dir, uint32_t idx, const uint8_t **buf,
                          uint32_t *len)
{
    (void)sub;
    (void)dir;
    return dns_tx_query(tx, idx, buf, len);
}

static bool get_tls(void *tx, int sub, unsigned dir, uint32_t idx, const uint8_t **buf,
                    uint32_t *len)
{
    (void)dir;
    if (idx != 0)
        return false;
    return tls_state_buffer(tx, (TlsBufferId)sub, buf, len);
}

static bool get_tls_certs(void *tx, int sub, unsigned dir, uint32_t idx, const uint8_t **buf,
                          uint32_t *len)
{
    (void)sub;
    (void)dir;
    return tls_state_cert_der(tx, idx, buf, len);
}

/* ssh.proto / ssh.software: the identification of the packet's own side
 * (applayer/ssh keeps the banners in the flow state, no transactions), so
 * these are packet buffers over the flow. */
static bool get_ssh(const Packet *p, bool software, const uint8_t **buf, uint32_t *len)
{
    const Flow *f = p->flow;
    if (f == NULL || f->app_proto != APP_PROTO_SSH)
        return false;
    const SshState *st = applayer_flow_state(f);
    if (st == NULL)
        return false;
    const SshBanner *b = ssh_banner(st, p->to_server ? 0u : 1u);
    if (b == NULL || !b->done)
        return false;
    const char *v = software ? b->software : b->proto;
    *buf = (const uint8_t *)v;
    *len = (uint32_t)strlen(v);
    return true;
}

static bool get_ssh_proto(const Packet *p, const uint8_t **buf, uint32_t *len)
{
    return get_ssh(p, false, buf, len);
}

static bool get_ssh_software(const Packet *p, const uint8_t **buf, uint32_t *len)
{
    return get_ssh(p, true, buf, len);
}

/* ------------------------------------------------------------------ */
/* Registration                                                       */
/* ------------------------------------------------------------------ */

/* Names rules use for TLS buffers besides tls_buffer_name()'s. */
static const struct { const char *name; TlsBufferId id; } tls_extra[] = {
    { "tls.cert_subject", TLS_BUF_SUBJECT },
    { "tls.cert_issuer", TLS_BUF_ISSUER },
    { "tls.subject", TLS_BUF_SUBJECT },
    { "tls.issuerdn", TLS_BUF_ISSUER },
};

void detect_tx_buffers_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    for (int id = 0; id < HTTP_BUF_COUNT; id++) {
        const char *name = http_buffer_name((HttpBufferId)id);
        if (name != NULL)
            detect_buffer_register_tx(name, get_http, id, APP_PROTO_HTTP);
    }
    detect_buffer_register_tx("dns.query", get_dns_query, 0, APP_PROTO_DNS);
    for (int id = 0; id < TLS_BUF_COUNT; id++) {
        const char *name = tls_buffer_name((TlsBufferId)id);
        if (name != NULL)
            detect_buffer_register_tx(name, get_tls, id, APP_PROTO_TLS);
    }
    for (size_t i = 0; i < sizeof tls_extra / sizeof tls_extra[0]; i++)
        detect_buffer_register_tx(tls_extra[i].name, get_tls, (int)tls_extra[i].id,
                                  APP_PROTO_TLS);
    detect_buffer_register_tx("tls.certs", get_tls_certs, 0, APP_PROTO_TLS);
    detect_buffer_register("ssh.proto", get_ssh_proto);
    detect_buffer_register("ssh.software", get_ssh_software);
}
