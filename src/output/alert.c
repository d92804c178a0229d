/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/alert.c: EVE alert records (see alert.h).
 */
#include "output/alert.h"

#include <ctype.h>
#include <string.h>

#include "applayer/applayer.h"
#include "detect/signature.h"
#include "output/dns.h"
#include "output/http.h"
#include "output/tls.h"

static AlertOutputOptions options = { .app_layer = true };

static bool node_yes(const ConfNode *n, const char *key)
{
    const ConfNode *c = n ? conf_node_child(n, key) : NULL;
    const char *v = c ? conf_node_value(c) : NULL;
    return v && (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"));
}

static bool node_no(const ConfNode *n, const char *key)
{
    const ConfNode *c = n ? conf_node_child(n, key) : NULL;
    const char *v = c ? conf_node_value(c) : NULL;
    return v && (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"));
}

void eve_alert_options_read(const Config *cfg, AlertOutputOptions *o)
{
    memset(o, 0, sizeof *o);
    o->app_layer = true;
    const ConfNode *outs = cfg ? conf_node(cfg, "outputs") : NULL;
    for (const ConfNode *it = outs ? conf_node_first(outs) : NULL; it; it = conf_node_next(it)) {
        const ConfNode *eve = conf_node_child(it, "eve-log");
        const ConfNode *types = eve ? conf_node_child(eve, "types") : NULL;
        for (const ConfNode *t = types ? conf_node_first(types) : NULL; t; t = conf_node_next(t)) {
            const ConfNode *a = conf_node_child(t, "alert");
            if (!a)
                continue;
            o->payload = node_yes(a, "payload");
            o->payload_printable = node_yes(a, "payload-printable");
            o->packet = node_yes(a, "packet");
            /* metadata: no, or metadata: {app-layer: no} */
            const ConfNode *md = conf_node_child(a, "metadata");
            if (node_no(a, "metadata") || (md && node_no(md, "app-layer")))
                o->app_layer = false;
            return;
        }
        if (eve)
            return; /* the first eve-log entry decides */
    }
}

void eve_alert_configure(const AlertOutputOptions *o) { options = *o; }

static void write_payload(JsonBuf *j, const Packet *p)
{
    if (options.payload) {
        json_key(j, "payload");
        json_base64(j, p->payload, p->payload ? p->payload_len : 0);
    }
    if (options.payload_printable) {
        uint32_t n = p->payload ? p->payload_len : 0;
        char *t = mem_alloc(NULL, n + 1u);
        if (t) {
            for (uint32_t i = 0; i < n; i++) {
                uint8_t c = p->payload[i];
                t[i] = (char)((isprint(c) || c == '\n' || c == '\r' || c == '\t') ? c : '.');
            }
            json_kv_strn(j, "payload_printable", t, n);
            mem_free(NULL, t);
        }
    }
    if (options.payload || options.payload_printable)
        json_kv_u64(j, "stream", 0);
    if (options.packet && p->data) {
        json_key(j, "packet");
        json_base64(j, p->data, p->caplen);
        json_kv_object_begin(j, "packet_info");
        json_kv_i64(j, "linktype", p->datalink);
        json_object_end(j);
    }
}

/* metadata: one key per distinct name, values in rule order */
static void write_metadata(JsonBuf *j, const Signature *s)
{
    if (!s || s->n_meta == 0)
        return;
    json_kv_object_begin(j, "metadata");
    for (uint16_t i = 0; i < s->n_meta; i++) {
        bool seen = false;
        for (uint16_t k = 0; k < i; k++)
            if (strcmp(s->meta[k].key, s->meta[i].key) == 0)
                seen = true;
        if (seen)
            continue;
        json_kv_array_begin(j, s->meta[i].key);
        for (uint16_t k = i; k < s->n_meta; k++)
            if (strcmp(s->meta[k].key, s->meta[i].key) == 0)
                json_str(j, s->meta[k].value);
        json_array_end(j);
    }
    json_object_end(j);
}

/* target:src_ip / dest_ip: Suricata's alert.source and alert.target. */
static void write_endpoint(JsonBuf *j, const char *key, const Packet *p, bool src)
{
    char ip[EVE_IP_LEN];
    eve_format_ip(ip, src ? &p->src : &p->dst, p->ip_ver);
    json_kv_object_begin(j, key);
    json_kv_str(j, "ip", ip);
    if (pkt_has(p, PKT_HAS_TCP | PKT_HAS_UDP))
        json_kv_u64(j, "port", src ? p->sp : p->dp);
    json_object_end(j);
}

static void write_source_target(JsonBuf *j, const Packet *p, const Signature *s)
{
    if (!s || s->target == SIG_TARGET_NONE)
        return;
    bool target_is_src = s->target == SIG_TARGET_SRC;
    write_endpoint(j, "source", p, !target_is_src);
    write_endpoint(j, "target", p, target_is_src);
}

static void write_flow(JsonBuf *j, const Packet *p)
{
    const Flow *f = p->flow;
    if (!f)
        return;
    json_kv_str(j, "direction", p->to_server ? "to_server" : "to_client");
    json_kv_object_begin(j, "flow");
    json_kv_u64(j, "pkts_toserver", f->pkts[0]);
    json_kv_u64(j, "pkts_toclient", f->pkts[1]);
    json_kv_u64(j, "bytes_toserver", f->bytes[0]);
    json_kv_u64(j, "bytes_toclient", f->bytes[1]);
    char ts[EVE_TIME_LEN];
    eve_format_time(ts, f->start_ns);
    json_kv_str(j, "start", ts);
    char ip[EVE_IP_LEN];
    eve_format_ip(ip, &f->key.addr[0], f->key.ip_ver);
    json_kv_str(j, "src_ip", ip);
    eve_format_ip(ip, &f->key.addr[1], f->key.ip_ver);
    json_kv_str(j, "dest_ip", ip);
    if (f->key.proto == 6 || f->key.proto == 17 || f->key.proto == 132) {
        json_kv_u64(j, "src_port", f->key.port[0]);
        json_kv_u64(j, "dest_port", f->key.port[1]);
    }
    json_object_end(j);
}

/* The app-layer object of the alert's transaction (Suricata's alert
 * metadata, on by default): "http", "dns" or "tls". */
static void write_tx_object(JsonBuf *j, Flow *f, uint64_t tx_id)
{
    if (f == NULL)
        return;
    void *tx = applayer_tx_get(f, tx_id);
    if (tx == NULL)
        return;
    switch (f->app_proto) {
    case APP_PROTO_HTTP: eve_http_alert_object(j, tx); break;
    case APP_PROTO_DNS: eve_dns_alert_object(j, tx); break;
    case APP_PROTO_TLS: eve_tls_alert_object(j, tx); break;
    default: break;
    }
}

int eve_write_alert(EveWriter *w, JsonBuf *j, const Packet *p, const DetectAlert *a)
{
    if (!eve_type_enabled(w, "alert"))
        return 0;
    json_reset(j);
    eve_header_packet(j, p, "alert", EVE_DIR_PACKET);
    if (a->has_tx)
        json_kv_u64(j, "tx_id", a->tx_id);
    json_kv_object_begin(j, "alert");
    json_kv_str(j, "action", a->blocked ? "blocked" : "allowed");
    json_kv_u64(j, "gid", a->gid);
    json_kv_u64(j, "signature_id", a->sid);
    json_kv_u64(j, "rev", a->rev);
    json_kv_str(j, "signature", a->msg ? a->msg : "");
    if (a->category)
        json_kv_str(j, "category", a->category);
    json_kv_i64(j, "severity", a->severity);
    write_source_target(j, p, a->sig);
    write_metadata(j, a->sig);
    json_object_end(j);
    const char *app = p->flow ? applayer_flow_proto_name(p->flow) : NULL;
    if (app && *app)
        json_kv_str(j, "app_proto", app);
    if (a->has_tx && options.app_layer)
        write_tx_object(j, p->flow, a->tx_id);
    write_flow(j, p);
    write_payload(j, p);
    return eve_commit(w, j);
}

int eve_write_alerts(EveWriter *w, JsonBuf *j, const Packet *p, const DetectAlerts *as)
{
    int rc = 0;
    for (unsigned i = 0; i < as->n; i++)
        if (eve_write_alert(w, j, p, &as->a[i]) != 0)
            rc = -1;
    return rc;
}
