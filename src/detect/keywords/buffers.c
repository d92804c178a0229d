/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/buffers.c: sticky-buffer keywords (`tcp.hdr; content:...`),
 * pkt_data, and the legacy content modifiers (`content:"x"; http_uri;`)
 * that move the previous content to a buffer.
 *
 * The packet-layer buffers (tcp.hdr, udp.hdr, ipv4.hdr, ipv6.hdr,
 * icmpv4.hdr) work now. The app-layer buffers are registered by name
 * without a getter: rules using them parse fully and are then rejected
 * with "needs app-layer: buffer <name>" (rules/parse.c), until the
 * app-layer provides getters (detect_buffer_set_getter).
 */
#include <string.h>

#include "detect/buffer.h"
#include "detect/keyword.h"
#include "lib/alloc.h"

static int sticky_setup(DetectParse *pc, const char *arg);

static const char *const packet_buffers[] = { "tcp.hdr", "udp.hdr", "ipv4.hdr", "ipv6.hdr", "icmpv4.hdr" };

/* Sticky buffers of the app-layer issue (and common others ET Open uses). */
static const char *const app_buffers[] = {
    "http.uri", "http.uri.raw", "http.method", "http.protocol", "http.request_line",
    "http.header", "http.header.raw", "http.header_names", "http.host", "http.host.raw",
    "http.user_agent", "http.cookie", "http.content_type", "http.content_len", "http.accept",
    "http.accept_lang", "http.accept_enc", "http.referer", "http.connection", "http.location",
    "http.server", "http.request_body", "http.response_line", "http.stat_code", "http.stat_msg",
    "http.response_body", "file.data", "http.start", "http.request_header",
    "http.response_header", "dns.query", "dns.answer.name", "dns.queries.rrname", "tls.sni",
    "tls.subject", "tls.issuerdn", "tls.cert_subject", "tls.cert_issuer", "tls.cert_serial",
    "tls.cert_fingerprint", "tls.certs", "tls.random", "ja3.hash", "ja3.string", "ja3s.hash",
    "ja3s.string", "ja4.hash", "ssh.software", "ssh.proto", "ssh.hassh", "ssh.hassh.string",
    "ssh.hassh.server", "ssh.hassh.server.string", "smb.named_pipe", "smb.share", "krb5.cname",
    "krb5.sname", "sip.method", "sip.uri", "snmp.community", "quic.sni", "quic.ua",
    "quic.version", "http2.header", "http2.header_name", "file.name", "file.magic",
};

/* Legacy modifiers: name -> buffer. */
static const struct { const char *kw; const char *buf; } legacy[] = {
    { "http_uri", "http.uri" }, { "http_raw_uri", "http.uri.raw" }, { "http_method", "http.method" },
    { "http_header", "http.header" }, { "http_raw_header", "http.header.raw" },
    { "http_cookie", "http.cookie" }, { "http_user_agent", "http.user_agent" },
    { "http_host", "http.host" }, { "http_raw_host", "http.host.raw" },
    { "http_client_body", "http.request_body" }, { "http_server_body", "http.response_body" },
    { "http_stat_code", "http.stat_code" }, { "http_stat_msg", "http.stat_msg" },
    { "http_header_names", "http.header_names" }, { "http_start", "http.start" },
    { "http_request_line", "http.request_line" }, { "http_response_line", "http.response_line" },
    { "http_content_type", "http.content_type" }, { "http_content_len", "http.content_len" },
    { "http_accept", "http.accept" }, { "http_accept_lang", "http.accept_lang" },
    { "http_accept_enc", "http.accept_enc" }, { "http_referer", "http.referer" },
    { "http_connection", "http.connection" }, { "http_location", "http.location" },
    { "http_server", "http.server" }, { "http_protocol", "http.protocol" },
    
    
    
    
};

/* Sticky-buffer aliases Suricata accepts. */
static const struct { const char *kw; const char *buf; } sticky_alias[] = {
    { "file_data", "file.data" }, { "http_request_body", "http.request_body" },
    { "tls.cert_chain", "tls.certs" }, { "dns_query", "dns.query" }, { "tls_sni", "tls.sni" },
    { "tls_cert_subject", "tls.cert_subject" }, { "tls_cert_issuer", "tls.cert_issuer" },
    { "tls_cert_serial", "tls.cert_serial" }, { "tls_cert_fingerprint", "tls.cert_fingerprint" },
    { "ja3_hash", "ja3.hash" }, { "ja3_string", "ja3.string" }, { "ja3s_hash", "ja3s.hash" },
    { "ja3s_string", "ja3s.string" }, { "ssh_proto", "ssh.proto" }, { "ssh_software", "ssh.software" },
};

#define N_PACKET (sizeof packet_buffers / sizeof packet_buffers[0])
#define N_APP (sizeof app_buffers / sizeof app_buffers[0])
#define N_LEGACY (sizeof legacy / sizeof legacy[0])
#define N_ALIAS (sizeof sticky_alias / sizeof sticky_alias[0])

static DetectKeyword sticky_kws[N_PACKET + N_APP + N_ALIAS];
static DetectKeyword legacy_kws[N_LEGACY];

static int sticky_setup(DetectParse *pc, const char *arg)
{
    (void)arg;
    int id = pc->kw->buffer_id;
    pc->cur_buf = id;
    if (detect_buffer_getter(id) == NULL && pc->needs_buf < 0)
        pc->needs_buf = id;
    return 0;
}

/* content:"x"; http_uri;  -> move that content to the named buffer. */
static int legacy_setup(DetectParse *pc, const char *arg)
{
    (void)arg;
    int id = pc->kw->buffer_id;
    SigMatch *last = detect_parse_last_pm(pc);
    if (!last || last->kw->id != DETECT_KW_CONTENT)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "needs a preceding content");
    SigMatch moved = *last;
    SigMatchList *from = sig_buffer_list(pc->s, pc->last_pm_buf);
    if (!from)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    memmove(&from->sm[pc->last_pm_idx], &from->sm[pc->last_pm_idx + 1],
            (size_t)(from->n - pc->last_pm_idx - 1) * sizeof from->sm[0]);
    from->n--;
    SigMatchList *to = sig_buffer_list(pc->s, id);
    if (!to || sig_list_append(to, moved) != 0) {
        if (!to && moved.kw->free)
            moved.kw->free(moved.ctx);
        pc->last_pm_buf = -1;
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    }
    pc->last_pm_buf = id;
    pc->last_pm_idx = (uint16_t)(to->n - 1);
    if (detect_buffer_getter(id) == NULL && pc->needs_buf < 0)
        pc->needs_buf = id;
    return 0;
}

static int pkt_data_setup(DetectParse *pc, const char *arg)
{
    (void)arg;
    pc->cur_buf = DETECT_BUF_PAYLOAD;
    return 0;
}

static const DetectKeyword kw_pkt_data = { .name = "pkt_data", .flags = KW_F_NOOPT, .setup = pkt_data_setup };

void kw_buffers_register(void)
{
    size_t k = 0;
    for (size_t i = 0; i < N_PACKET; i++, k++) {
        sticky_kws[k].name = packet_buffers[i];
        sticky_kws[k].buffer_id = detect_buffer_find(packet_buffers[i]);
    }
    for (size_t i = 0; i < N_APP; i++, k++) {
        sticky_kws[k].name = app_buffers[i];
        sticky_kws[k].buffer_id = detect_buffer_register(app_buffers[i], NULL);
    }
    for (size_t i = 0; i < N_ALIAS; i++, k++) {
        sticky_kws[k].name = sticky_alias[i].kw;
        sticky_kws[k].buffer_id = detect_buffer_register(sticky_alias[i].buf, NULL);
    }
    for (size_t i = 0; i < k; i++) {
        sticky_kws[i].flags = KW_F_NOOPT | KW_F_STICKY;
        sticky_kws[i].setup = sticky_setup;
        if (sticky_kws[i].buffer_id >= 0 && detect_keyword_find(sticky_kws[i].name) == NULL)
            detect_keyword_register(&sticky_kws[i]);
    }
    for (size_t i = 0; i < N_LEGACY; i++) {
        legacy_kws[i].name = legacy[i].kw;
        legacy_kws[i].flags = KW_F_NOOPT;
        legacy_kws[i].buffer_id = detect_buffer_register(legacy[i].buf, NULL);
        legacy_kws[i].setup = legacy_setup;
        if (legacy_kws[i].buffer_id >= 0)
            detect_keyword_register(&legacy_kws[i]);
    }
    detect_keyword_register(&kw_pkt_data);
}
