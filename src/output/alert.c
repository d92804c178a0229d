/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/alert.c: EVE alert records (see alert.h).
 */
#include "output/alert.h"

#include <string.h>

#include "applayer/applayer.h"
#include "detect/signature.h"

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
    write_metadata(j, a->sig);
    json_object_end(j);
    const char *app = p->flow ? applayer_flow_proto_name(p->flow) : NULL;
    if (app && *app)
        json_kv_str(j, "app_proto", app);
    write_flow(j, p);
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
