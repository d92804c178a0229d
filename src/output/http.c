/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/http.c: the EVE http record and alert object (shape in
 * output/http.h), from the tx accessors of applayer/http/http.h.
 */
#include "output/http.h"

#include <string.h>

static void kv_header(JsonBuf *j, const char *key, const HttpTx *tx, unsigned dir,
                      const char *name)
{
    const uint8_t *v;
    uint32_t n;
    if (http_tx_header(tx, dir, name, &v, &n))
        json_kv_bytes(j, key, v, n);
}

/* Digits at v[*i]; -1 when none. */
static int64_t number(const uint8_t *v, uint32_t n, uint32_t *i)
{
    uint64_t x = 0;
    uint32_t d = 0;
    while (*i < n && v[*i] >= '0' && v[*i] <= '9' && d < 18) {
        x = x * 10 + (uint64_t)(v[*i] - '0');
        (*i)++;
        d++;
    }
    return d ? (int64_t)x : -1;
}

/* "bytes START-END/SIZE" or "bytes * /SIZE" or "bytes START-END/ *"
 * (RFC 9110 14.4); unknown parts are left out, as Suricata does. */
static void content_range(JsonBuf *j, const uint8_t *v, uint32_t n)
{
    json_kv_object_begin(j, "content_range");
    json_kv_bytes(j, "raw", v, n);
    uint32_t i = 0;
    int64_t start = -1, end = -1, size = -1;
    bool ok = n >= 6 && memcmp(v, "bytes ", 6) == 0;
    i = 6;
    if (ok && i < n && v[i] == '*') {
        i++;
    } else if (ok) {
        start = number(v, n, &i);
        ok = start >= 0 && i < n && v[i] == '-';
        i++;
        if (ok) {
            end = number(v, n, &i);
            ok = end >= 0;
        }
    }
    ok = ok && i < n && v[i] == '/';
    i++;
    if (ok && i < n && v[i] != '*')
        size = number(v, n, &i);
    if (ok) {
        if (start >= 0)
            json_kv_u64(j, "start", (uint64_t)start);
        if (end >= 0)
            json_kv_u64(j, "end", (uint64_t)end);
        if (size >= 0)
            json_kv_u64(j, "size", (uint64_t)size);
    }
    json_object_end(j);
}

void eve_http_fields(JsonBuf *j, const HttpTx *tx)
{
    /* the buffer getters want a mutable tx only for composite caches;
     * the ones used here are plain spans */
    HttpTx *t = (HttpTx *)(uintptr_t)tx;
    const uint8_t *v;
    uint32_t n;
    if (http_tx_buffer(t, HTTP_BUF_HOST, 0, &v, &n))
        json_kv_bytes(j, "hostname", v, n);
    if (http_tx_port(tx) >= 0)
        json_kv_u64(j, "http_port", (uint64_t)http_tx_port(tx));
    if (http_tx_buffer(t, HTTP_BUF_URI_RAW, 0, &v, &n))
        json_kv_bytes(j, "url", v, n);
    kv_header(j, "http_user_agent", tx, 0, "user-agent");
    kv_header(j, "xff", tx, 0, "x-forwarded-for");
    if (http_tx_header(tx, 1, "content-type", &v, &n)) {
        const uint8_t *semi = n ? memchr(v, ';', n) : NULL;
        json_kv_bytes(j, "http_content_type", v, semi ? (uint32_t)(semi - v) : n);
    }
    if (http_tx_header(tx, 1, "content-range", &v, &n))
        content_range(j, v, n);
    /* extended */
    kv_header(j, "http_refer", tx, 0, "referer");
    if (http_tx_buffer(t, HTTP_BUF_METHOD, 0, &v, &n))
        json_kv_bytes(j, "http_method", v, n);
    if (http_tx_buffer(t, HTTP_BUF_PROTOCOL, 0, &v, &n))
        json_kv_bytes(j, "protocol", v, n);
    if (http_tx_buffer(t, HTTP_BUF_STAT_CODE, 1, &v, &n)) {
        /* strtoul semantics: leading digits, 0 when none */
        uint64_t code = 0;
        for (uint32_t i = 0; i < n && i < 9 && v[i] >= '0' && v[i] <= '9'; i++)
            code = code * 10 + (uint64_t)(v[i] - '0');
        json_kv_u64(j, "status", code);
        kv_header(j, "redirect", tx, 1, "location");
    }
    json_kv_u64(j, "length", http_tx_body_len(tx, 1));
}

void eve_http_alert_object(JsonBuf *j, const HttpTx *tx)
{
    json_kv_object_begin(j, "http");
    eve_http_fields(j, tx);
    json_object_end(j);
}

static int finish(EveWriter *w, JsonBuf *j, HttpTx *tx)
{
    json_kv_u64(j, "tx_id", http_tx_id(tx));
    eve_http_alert_object(j, tx);
    http_tx_set_logged(tx);
    return eve_commit(w, j);
}

int eve_write_http(EveWriter *w, JsonBuf *j, const Packet *p, HttpTx *tx)
{
    if (!eve_type_enabled(w, "http"))
        return 0;
    json_reset(j);
    eve_header_packet(j, p, "http", EVE_DIR_FLOW);
    return finish(w, j, tx);
}

int eve_write_http_flow(EveWriter *w, JsonBuf *j, const Flow *f, int64_t ts_ns, HttpTx *tx)
{
    if (!eve_type_enabled(w, "http"))
        return 0;
    json_reset(j);
    eve_header_flow(j, f, ts_ns, "http");
    return finish(w, j, tx);
}
