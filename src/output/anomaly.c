/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/anomaly.c: the EVE anomaly record (shape in output/anomaly.h),
 * built from output/eve.h's formatting helpers and lib/json.
 */
#include "output/anomaly.h"

#include <stdio.h>

static bool has_ports(uint8_t proto) { return proto == 6 || proto == 17 || proto == 132; }

static void kv_ip(JsonBuf *j, const char *key, const IpAddr *a, uint8_t ver)
{
    char s[EVE_IP_LEN];
    size_t n = eve_format_ip(s, a, ver);
    json_kv_strn(j, key, s, n);
}

void eve_anomaly_build(JsonBuf *j, const AnomalyEvent *ev)
{
    char ts[EVE_TIME_LEN];
    json_reset(j);
    json_object_begin(j);
    size_t n = eve_format_time(ts, ev->ts_ns);
    json_kv_strn(j, "timestamp", ts, n);
    if (ev->flow_id != 0)
        json_kv_u64(j, "flow_id", ev->flow_id);
    if (ev->pcap_cnt > 0)
        json_kv_u64(j, "pcap_cnt", ev->pcap_cnt);
    json_kv_str(j, "event_type", "anomaly");
    if (ev->ip_ver == 4 || ev->ip_ver == 6) {
        bool ports = has_ports(ev->proto);
        kv_ip(j, "src_ip", &ev->src, ev->ip_ver);
        if (ports)
            json_kv_u64(j, "src_port", ev->sp);
        kv_ip(j, "dest_ip", &ev->dst, ev->ip_ver);
        if (ports)
            json_kv_u64(j, "dest_port", ev->dp);
        const char *name = eve_proto_name(ev->proto);
        if (name != NULL) {
            json_kv_str(j, "proto", name);
        } else {
            char num[8];
            int k = snprintf(num, sizeof(num), "%u", (unsigned)ev->proto);
            json_kv_strn(j, "proto", num, (size_t)k);
        }
        if (ev->proto == 1 || ev->proto == 58) {
            json_kv_u64(j, "icmp_type", ev->icmp_type);
            json_kv_u64(j, "icmp_code", ev->icmp_code);
        }
    }
    json_kv_object_begin(j, "anomaly");
    json_kv_str(j, "type", "ml");
    json_kv_str(j, "model", ev->model != NULL ? ev->model : "default");
    json_kv_double(j, "score", ev->score);
    json_kv_double(j, "threshold", ev->threshold);
    json_kv_u64(j, "pkts_above", ev->pkts_above);
    json_kv_array_begin(j, "explanation");
    for (unsigned i = 0; i < ev->n_explain && i < ANOMALY_EXPLAIN_MAX; i++) {
        json_object_begin(j);
        json_kv_str(j, "what", ev->explain[i].what);
        json_kv_double(j, "share", ev->explain[i].share);
        json_object_end(j);
    }
    json_array_end(j);
    json_object_end(j);
}

int eve_write_anomaly(EveWriter *w, JsonBuf *j, const AnomalyEvent *ev)
{
    if (!eve_type_enabled(w, "anomaly"))
        return 0;
    if (j != NULL) {
        eve_anomaly_build(j, ev);
        return eve_commit(w, j);
    }
    JsonBuf own;
    json_init(&own, NULL);
    eve_anomaly_build(&own, ev);
    int rc = eve_commit(w, &own);
    json_fini(&own);
    return rc;
}
