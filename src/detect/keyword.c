/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keyword.c: the keyword table (see keyword.h) and the helpers setup
 * functions share. The table is a sorted array searched by binary search;
 * it is filled once by the kw_*_register() functions.
 */
#include "detect/keyword.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/buffer.h"
#include "lib/alloc.h"

#define MAX_KEYWORDS 512

typedef struct KwName {
    const char *name;
    const DetectKeyword *kw;
} KwName;

static KwName table[MAX_KEYWORDS];
static size_t n_table;
static bool sorted;
static bool initialised;

void detect_keyword_register(const DetectKeyword *kw)
{
    const char *names[2] = { kw->name, kw->alias };
    for (int i = 0; i < 2; i++) {
        if (names[i] == NULL || n_table >= MAX_KEYWORDS)
            continue;
        table[n_table].name = names[i];
        table[n_table].kw = kw;
        n_table++;
    }
    sorted = false;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const KwName *)a)->name, ((const KwName *)b)->name);
}

void detect_keywords_init(void)
{
    if (initialised)
        return;
    initialised = true;
    detect_buffers_init();
    kw_meta_register();
    kw_content_register();
    kw_pcre_register();
    kw_isdataat_register();
    kw_byte_register();
    kw_dsize_register();
    kw_flow_register();
    kw_header_register();
    kw_icmp_register();
    kw_flowbits_register();
    kw_flowint_register();
    kw_threshold_register();
    kw_noalert_register();
    kw_decode_event_register();
    kw_app_layer_protocol_register();
    kw_stream_event_register();
    detect_tx_buffers_init(); /* before the sticky keywords name them */
    kw_buffers_register();
    kw_bsize_register();
    kw_transform_register();
    kw_xbits_register();
    kw_stream_size_register();
    kw_tls_version_register();
    kw_dns_opcode_register();
    kw_app_layer_event_register();
    kw_base64_register();
    kw_asn1_register();
    kw_tag_register();
    qsort(table, n_table, sizeof table[0], cmp_name);
    sorted = true;
}

const DetectKeyword *detect_keyword_find(const char *name)
{
    if (!sorted) {
        qsort(table, n_table, sizeof table[0], cmp_name);
        sorted = true;
    }
    KwName key = { name, NULL };
    const KwName *k = bsearch(&key, table, n_table, sizeof table[0], cmp_name);
    return k ? k->kw : NULL;
}

/* Suricata keywords kasbah recognises but cannot run, with the reason. The
 * app-layer ones load once issue 4 registers them as sticky buffers. */
static const char *const unsupported_applayer[] = {
    "app-layer-state",
    "dce_iface", "dce_opnum", "dce_stub_data", "dnp3_data", "dnp3_func", "dnp3_ind",
    "dnp3_obj", "enip_command", "file.data", "file_data", "filemagic", "filemd5", "filename",
    "filesha1", "filesha256", "filesize", "filestore", "fileext", "file.name", "file.magic",
    "ftpbounce", "ftpdata_command", "http_client_body", "http_cookie", "http_header",
    "http_header_names", "http_host", "http_method", "http_raw_header", "http_raw_host",
    "http_raw_uri", "http_request_line", "http_response_line", "http_server_body",
    "http_start", "http_stat_code", "http_stat_msg", "http_uri", "http_user_agent",
    "krb5_cname", "krb5_err_code", "krb5_msg_type", "krb5_sname", "modbus", "sip.method",
    "smb.named_pipe", "smb.share", "snmp.community",
    "ssl_state", "ssl_version", "tls.cert_chain_len",
    "tls.cert_expired", "tls.cert_valid", "tls.fingerprint", "tls.issuerdn", "tls.store",
    "tls.subject", "tls_cert_expired", "tls_cert_issuer", "tls_cert_notafter",
    "tls_cert_notbefore", "tls_cert_serial", "tls_cert_subject", "tls_cert_valid",
    "tls_sni", "ja3_hash", "ja3_string", "ja3s_hash", "ja3s_string",
    "tls_cert_expired", "tls.cert_expired", "ja4.hash",

};

static const char *const unsupported_other[] = {
    "replace", "iprep", "lua", "luajit", "datarep",
    "dataset", "pktvar", "flowvar", "l3_proto", "icmpv6.hdr", "icmpv6.mtu",
    "to_md5", "to_sha1", "to_sha256", "pcrexform", "xor", "header_lowercase",
    "strip_pseudo_headers", "from_base64", "rpc", "geoip", "engine-event", "requires", "config", "prefilter",
};

/* Keywords whose protocol has no parser in kasbah: the reason names it. */
static const struct { const char *kw, *why; } needs_parser[] = {
    { "ftpbounce", "needs app-layer: no FTP parser" },
    { "ftpdata_command", "needs app-layer: no FTP parser" },
};

const char *detect_keyword_known_unsupported(const char *name)
{
    for (size_t i = 0; i < sizeof needs_parser / sizeof needs_parser[0]; i++)
        if (strcmp(name, needs_parser[i].kw) == 0)
            return needs_parser[i].why;
    for (size_t i = 0; i < sizeof unsupported_applayer / sizeof unsupported_applayer[0]; i++)
        if (strcmp(name, unsupported_applayer[i]) == 0)
            return "needs app-layer";
    for (size_t i = 0; i < sizeof unsupported_other / sizeof unsupported_other[0]; i++)
        if (strcmp(name, unsupported_other[i]) == 0)
            return "unsupported";
    return NULL;
}

int detect_parse_error(DetectParse *pc, DetectErrKind kind, const char *fmt, ...)
{
    pc->err_kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pc->err, sizeof pc->err, fmt, ap);
    va_end(ap);
    return -1;
}

int detect_sm_add_match(DetectParse *pc, const DetectKeyword *kw, void *ctx)
{
    SigMatch sm = { kw, ctx };
    if (sig_list_append(&pc->s->match, sm) != 0)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    return 0;
}

int detect_sm_add_post(DetectParse *pc, const DetectKeyword *kw, void *ctx)
{
    SigMatch sm = { kw, ctx };
    if (sig_list_append(&pc->s->post, sm) != 0)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    return 0;
}

int detect_sm_add_buffer(DetectParse *pc, const DetectKeyword *kw, void *ctx)
{
    SigMatchList *l = sig_buffer_list(pc->s, pc->cur_buf);
    SigMatch sm = { kw, ctx };
    if (!l || sig_list_append(l, sm) != 0) {
        if (!l && kw->free)
            kw->free(ctx);
        else if (!l)
            mem_free(detect_mem(), ctx);
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    }
    if (kw->id == DETECT_KW_CONTENT || kw->id == DETECT_KW_PCRE) {
        pc->last_pm_idx = (uint16_t)(l->n - 1);
        pc->last_pm_buf = pc->cur_buf;
    }
    return 0;
}

SigMatch *detect_parse_last_pm(DetectParse *pc)
{
    if (pc->last_pm_buf < 0)
        return NULL;
    for (uint16_t i = 0; i < pc->s->n_bufs; i++) {
        SigBufferList *b = &pc->s->bufs[i];
        if (b->buffer_id == pc->last_pm_buf && pc->last_pm_idx < b->list.n)
            return &b->list.sm[pc->last_pm_idx];
    }
    return NULL;
}

SigMatch *detect_parse_prev_sm(DetectParse *pc)
{
    for (uint16_t i = 0; i < pc->s->n_bufs; i++) {
        SigBufferList *b = &pc->s->bufs[i];
        if (b->buffer_id == pc->cur_buf && b->list.n > 0)
            return &b->list.sm[b->list.n - 1];
    }
    return NULL;
}

int detect_arg_unquote(const char *arg, char *out, size_t cap)
{
    size_t len = strlen(arg);
    const char *p = arg;
    if (len >= 2 && arg[0] == '"' && arg[len - 1] == '"') {
        p = arg + 1;
        len -= 2;
    } else if (len >= 1 && (arg[0] == '"' || arg[len - 1] == '"')) {
        return -1;
    }
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < len && (p[i + 1] == '"' || p[i + 1] == ';' || p[i + 1] == '\\')) {
            c = p[++i];
        }
        if (w + 1 >= cap)
            return -1;
        out[w++] = c;
    }
    out[w] = '\0';
    return 0;
}
