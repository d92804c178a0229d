/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/dns.c: EVE dns records (version 2) and the alert dns object.
 * Format: see output/dns.h (Suricata 7 rust/src/dns/log.rs).
 */
#include "output/dns.h"

#include <string.h>

static void kv_name(JsonBuf *j, const char *key, const char *s, size_t n)
{
    json_kv_bytes(j, key, (const uint8_t *)(s != NULL ? s : ""), s != NULL ? n : 0);
}

void eve_dns_query_fields(JsonBuf *j, const DnsTx *tx, uint32_t idx)
{
    const DnsMessage *m = tx->request;
    if (m == NULL || idx >= m->n_queries)
        return;
    const DnsRecord *q = &m->queries[idx];
    char tmp[8];
    json_kv_str(j, "type", "query");
    json_kv_u64(j, "id", m->id);
    kv_name(j, "rrname", q->name, q->name_len);
    json_kv_str(j, "rrtype", dns_rrtype_name(q->type, tmp));
    json_kv_u64(j, "tx_id", tx->tx_id);
    json_kv_u64(j, "opcode", (m->flags >> 11) & 0xf);
    if (m->flags & 0x0040)
        json_kv_bool(j, "z", true);
}

static void rdata_value(JsonBuf *j, const DnsRecord *r, bool with_key)
{
    switch (r->type) {
    case DNS_TYPE_SOA:
        if (with_key)
            json_key(j, "soa");
        json_object_begin(j);
        kv_name(j, "mname", r->data, r->data_len);
        kv_name(j, "rname", r->data2, r->data2_len);
        json_kv_u64(j, "serial", r->num[0]);
        json_kv_u64(j, "refresh", r->num[1]);
        json_kv_u64(j, "retry", r->num[2]);
        json_kv_u64(j, "expire", r->num[3]);
        json_kv_u64(j, "minimum", r->num[4]);
        json_object_end(j);
        return;
    case DNS_TYPE_SRV:
        if (with_key)
            json_key(j, "srv");
        json_object_begin(j);
        json_kv_u64(j, "priority", r->num[0]);
        json_kv_u64(j, "weight", r->num[1]);
        json_kv_u64(j, "port", r->num[2]);
        kv_name(j, "name", r->data, r->data_len);
        json_object_end(j);
        return;
    default:
        if (with_key)
            json_key(j, "rdata");
        json_bytes(j, (const uint8_t *)r->data, r->data_len);
        return;
    }
}

static void records_array(JsonBuf *j, const char *key, const DnsRecord *recs, uint16_t n)
{
    char tmp[8];
    json_kv_array_begin(j, key);
    for (uint16_t i = 0; i < n; i++) {
        const DnsRecord *r = &recs[i];
        json_object_begin(j);
        kv_name(j, "rrname", r->name, r->name_len);
        json_kv_str(j, "rrtype", dns_rrtype_name(r->type, tmp));
        json_kv_u64(j, "ttl", r->ttl);
        if (r->data != NULL) /* SOA and SRV always carry a name when parsed */
            rdata_value(j, r, true);
        json_object_end(j);
    }
    json_array_end(j);
}

static void grouped(JsonBuf *j, const DnsRecord *recs, uint16_t n)
{
    json_kv_object_begin(j, "grouped");
    for (uint16_t i = 0; i < n; i++) {
        bool first = true;
        for (uint16_t k = 0; k < i; k++)
            if (recs[k].type == recs[i].type && recs[k].data != NULL)
                first = false;
        if (!first || recs[i].data == NULL)
            continue;
        char tmp[8];
        json_kv_array_begin(j, dns_rrtype_name(recs[i].type, tmp));
        for (uint16_t k = i; k < n; k++)
            if (recs[k].type == recs[i].type && recs[k].data != NULL)
                rdata_value(j, &recs[k], false);
        json_array_end(j);
    }
    json_object_end(j);
}

void eve_dns_answer_fields(JsonBuf *j, const DnsTx *tx)
{
    const DnsMessage *m = tx->response;
    if (m == NULL)
        return;
    char tmp[8];
    char flags[8];
    static const char hx[] = "0123456789abcdef";
    size_t fl = 0;
    bool lead = true;
    for (int s = 12; s >= 0; s -= 4) {
        unsigned d = (m->flags >> s) & 15;
        if (d == 0 && lead && s > 0)
            continue;
        lead = false;
        flags[fl++] = hx[d];
    }
    flags[fl] = '\0';
    json_kv_u64(j, "version", 2);
    json_kv_str(j, "type", "answer");
    json_kv_u64(j, "id", m->id);
    json_kv_str(j, "flags", flags);
    static const struct { uint16_t bit; const char *name; } bits[] = {
        {0x8000, "qr"}, {0x0400, "aa"}, {0x0200, "tc"}, {0x0100, "rd"}, {0x0080, "ra"}, {0x0040, "z"},
    };
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
        if (m->flags & bits[i].bit)
            json_kv_bool(j, bits[i].name, true);
    if (m->n_queries > 0) {
        kv_name(j, "rrname", m->queries[0].name, m->queries[0].name_len);
        json_kv_str(j, "rrtype", dns_rrtype_name(m->queries[0].type, tmp));
    }
    json_kv_str(j, "rcode", dns_rcode_name(m->flags & 0xf, tmp));
    if (m->n_answers > 0) {
        records_array(j, "answers", m->answers, m->n_answers);
        grouped(j, m->answers, m->n_answers);
    }
    if (m->n_authorities > 0)
        records_array(j, "authorities", m->authorities, m->n_authorities);
}

/* Suricata logs an answer only when the response repeats a question. */
static bool answer_loggable(const DnsTx *tx)
{
    return tx->response != NULL && tx->response->n_queries > 0;
}

void eve_dns_alert_object(JsonBuf *j, const DnsTx *tx)
{
    json_kv_object_begin(j, "dns");
    if (tx->request != NULL && tx->request->n_queries > 0) {
        json_kv_array_begin(j, "query");
        for (uint32_t i = 0; i < tx->request->n_queries; i++) {
            json_object_begin(j);
            eve_dns_query_fields(j, tx, i);
            json_object_end(j);
        }
        json_array_end(j);
    }
    if (answer_loggable(tx)) {
        json_kv_object_begin(j, "answer");
        eve_dns_answer_fields(j, tx);
        json_object_end(j);
    }
    json_object_end(j);
}

int eve_write_dns(EveWriter *w, JsonBuf *j, const Packet *p, DnsTx *tx)
{
    if (!eve_type_enabled(w, "dns"))
        return 0;
    int rc = 0;
    /* What the transaction holds decides, not the packet's direction: a flow
     * whose first packet was a response (the query was not captured) has its
     * responses going "to server", and Suricata still logs them as answers. */
    if (!(tx->logged & 1) && tx->request != NULL) {
        tx->logged |= 1;
        for (uint32_t i = 0; i < tx->request->n_queries; i++) {
            json_reset(j);
            eve_header_packet(j, p, "dns", EVE_DIR_PACKET);
            json_kv_object_begin(j, "dns");
            eve_dns_query_fields(j, tx, i);
            json_object_end(j);
            if (eve_commit(w, j) != 0)
                rc = -1;
        }
    }
    if ((tx->logged & 2) || !answer_loggable(tx))
        return rc;
    tx->logged |= 2;
    json_reset(j);
    eve_header_packet(j, p, "dns", EVE_DIR_PACKET);
    json_kv_object_begin(j, "dns");
    eve_dns_answer_fields(j, tx);
    json_object_end(j);
    return eve_commit(w, j) != 0 ? -1 : rc;
}
