/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * buffers.c: the rule buffers of an HTTP tx (http.uri ... file.data) and
 * the tx accessors that detection and output use.
 *
 * Where it sits: applayer/http; detect/ maps keywords to HttpBufferId
 * through http_buffer_by_name() and asks http_tx_buffer() per tx.
 *
 * Contents follow Suricata's documentation (rules/http-keywords.rst) and
 * its buffer getters:
 *   http.header       "Name: value\r\n" per header in order, repeated
 *                     names joined with ", ", without Cookie (to server) or
 *                     Set-Cookie (to client); no final empty line
 *   http.header_names "\r\n" then "Name\r\n" per header, then "\r\n"
 *   http.start        start line "\r\n", "Name: value\r\n" per header
 *                     (all of them), then "\r\n" -- only when there was at
 *                     least one header (Suricata's detect-http-start.c)
 *   http.header.raw   the header bytes as received, line ends and the
 *                     final empty line included (trailers appended)
 *   single headers    the value alone, no name, no CRLF
 *   file.data         the response body to the client; to the server the
 *                     request body (Suricata stores a POST/PUT body as a
 *                     file), or for multipart/form-data the content of the
 *                     first file part (http_tx_file_data gives each part)
 * Buffers of a side appear once its headers are complete (start and
 * request/response lines once the line is parsed; bodies once bytes are
 * stored).
 */
#include "applayer/http/http.h"

#include <string.h>
#include <strings.h>

#include "applayer/http/http_int.h"

static const struct {
    const char *name;
    int dir; /* 0 request, 1 response, 2 both */
} g_bufs[HTTP_BUF_COUNT] = {
    [HTTP_BUF_URI] = { "http.uri", 0 },
    [HTTP_BUF_URI_RAW] = { "http.uri.raw", 0 },
    [HTTP_BUF_METHOD] = { "http.method", 0 },
    [HTTP_BUF_PROTOCOL] = { "http.protocol", 2 },
    [HTTP_BUF_REQUEST_LINE] = { "http.request_line", 0 },
    [HTTP_BUF_HEADER] = { "http.header", 2 },
    [HTTP_BUF_HEADER_RAW] = { "http.header.raw", 2 },
    [HTTP_BUF_HEADER_NAMES] = { "http.header_names", 2 },
    [HTTP_BUF_HOST] = { "http.host", 0 },
    [HTTP_BUF_HOST_RAW] = { "http.host.raw", 0 },
    [HTTP_BUF_USER_AGENT] = { "http.user_agent", 0 },
    [HTTP_BUF_COOKIE] = { "http.cookie", 2 },
    [HTTP_BUF_CONTENT_TYPE] = { "http.content_type", 2 },
    [HTTP_BUF_CONTENT_LEN] = { "http.content_len", 2 },
    [HTTP_BUF_ACCEPT] = { "http.accept", 0 },
    [HTTP_BUF_ACCEPT_LANG] = { "http.accept_lang", 0 },
    [HTTP_BUF_ACCEPT_ENC] = { "http.accept_enc", 0 },
    [HTTP_BUF_REFERER] = { "http.referer", 0 },
    [HTTP_BUF_CONNECTION] = { "http.connection", 0 },
    [HTTP_BUF_LOCATION] = { "http.location", 1 },
    [HTTP_BUF_SERVER] = { "http.server", 1 },
    [HTTP_BUF_REQUEST_BODY] = { "http.request_body", 0 },
    [HTTP_BUF_RESPONSE_LINE] = { "http.response_line", 1 },
    [HTTP_BUF_STAT_CODE] = { "http.stat_code", 1 },
    [HTTP_BUF_STAT_MSG] = { "http.stat_msg", 1 },
    [HTTP_BUF_RESPONSE_BODY] = { "http.response_body", 1 },
    [HTTP_BUF_FILE_DATA] = { "file.data", 2 },
    [HTTP_BUF_START] = { "http.start", 2 },
};

/* Suricata's legacy keyword names for the same buffers. */
static const struct {
    const char *name;
    HttpBufferId id;
} g_legacy[] = {
    { "http_uri", HTTP_BUF_URI },
    { "http_raw_uri", HTTP_BUF_URI_RAW },
    { "http_method", HTTP_BUF_METHOD },
    { "http_protocol", HTTP_BUF_PROTOCOL },
    { "http_request_line", HTTP_BUF_REQUEST_LINE },
    { "http_header", HTTP_BUF_HEADER },
    { "http_raw_header", HTTP_BUF_HEADER_RAW },
    { "http_header_names", HTTP_BUF_HEADER_NAMES },
    { "http_host", HTTP_BUF_HOST },
    { "http_raw_host", HTTP_BUF_HOST_RAW },
    { "http_user_agent", HTTP_BUF_USER_AGENT },
    { "http_cookie", HTTP_BUF_COOKIE },
    { "http_content_type", HTTP_BUF_CONTENT_TYPE },
    { "http_content_len", HTTP_BUF_CONTENT_LEN },
    { "http_accept", HTTP_BUF_ACCEPT },
    { "http_accept_lang", HTTP_BUF_ACCEPT_LANG },
    { "http_accept_enc", HTTP_BUF_ACCEPT_ENC },
    { "http_referer", HTTP_BUF_REFERER },
    { "http_connection", HTTP_BUF_CONNECTION },
    { "http_location", HTTP_BUF_LOCATION },
    { "http_server", HTTP_BUF_SERVER },
    { "http_client_body", HTTP_BUF_REQUEST_BODY },
    { "http_response_line", HTTP_BUF_RESPONSE_LINE },
    { "http_stat_code", HTTP_BUF_STAT_CODE },
    { "http_stat_msg", HTTP_BUF_STAT_MSG },
    { "http_server_body", HTTP_BUF_RESPONSE_BODY },
    { "file_data", HTTP_BUF_FILE_DATA },
    { "http_start", HTTP_BUF_START },
};

const char *http_buffer_name(HttpBufferId id)
{
    if ((int)id < 0 || id >= HTTP_BUF_COUNT)
        return NULL;
    return g_bufs[id].name;
}

int http_buffer_by_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < HTTP_BUF_COUNT; i++)
        if (strcmp(g_bufs[i].name, name) == 0)
            return i;
    for (size_t i = 0; i < sizeof(g_legacy) / sizeof(g_legacy[0]); i++)
        if (strcmp(g_legacy[i].name, name) == 0)
            return (int)g_legacy[i].id;
    return -1;
}

int http_buffer_dir(HttpBufferId id)
{
    if ((int)id < 0 || id >= HTTP_BUF_COUNT)
        return -1;
    return g_bufs[id].dir;
}

/* ---- tx accessors ---- */

uint64_t http_tx_id(const HttpTx *tx) { return tx->id; }

HttpProgress http_tx_progress(const HttpTx *tx, unsigned dir)
{
    return dir < 2 ? tx->msg[dir].progress : HTTP_PROGRESS_NONE;
}

bool http_tx_complete(const HttpTx *tx)
{
    return tx->msg[0].progress == HTTP_PROGRESS_COMPLETE &&
           tx->msg[1].progress == HTTP_PROGRESS_COMPLETE;
}

uint32_t http_tx_flags(const HttpTx *tx) { return tx->flags; }

bool http_tx_has_event(const HttpTx *tx, HttpEvent ev)
{
    if ((int)ev < 0 || ev >= HTTP_EV_COUNT)
        return false;
    return (tx->events >> ev) & 1u;
}

uint64_t http_tx_events(const HttpTx *tx) { return tx->events; }
int http_tx_status(const HttpTx *tx) { return tx->status; }
int http_tx_port(const HttpTx *tx) { return tx->port; }

uint64_t http_tx_body_len(const HttpTx *tx, unsigned dir)
{
    return dir < 2 ? tx->msg[dir].body_wire : 0;
}

uint64_t http_tx_body_decoded_len(const HttpTx *tx, unsigned dir)
{
    return dir < 2 ? tx->msg[dir].body_decoded : 0;
}

bool http_tx_logged(const HttpTx *tx) { return tx->logged; }
void http_tx_set_logged(HttpTx *tx) { tx->logged = true; }

uint32_t http_tx_header_count(const HttpTx *tx, unsigned dir)
{
    return dir < 2 ? tx->msg[dir].n_hdrs : 0;
}

bool http_tx_header_at(const HttpTx *tx, unsigned dir, uint32_t i, const uint8_t **name,
                       uint32_t *name_len, const uint8_t **value, uint32_t *value_len)
{
    if (dir > 1 || i >= tx->msg[dir].n_hdrs)
        return false;
    const HttpMsg *m = &tx->msg[dir];
    const HttpHeader *h = &m->hdrs[i];
    *name = m->store.p + h->name.off;
    *name_len = h->name.len;
    *value = m->store.p + h->value.off;
    *value_len = h->value.len;
    return true;
}

static uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

bool http_tx_header(const HttpTx *tx, unsigned dir, const char *name, const uint8_t **value,
                    uint32_t *value_len)
{
    if (dir > 1)
        return false;
    size_t nl = strlen(name);
    const HttpMsg *m = &tx->msg[dir];
    for (uint32_t i = 0; i < m->n_hdrs; i++) {
        const HttpHeader *h = &m->hdrs[i];
        if (h->name.len != nl)
            continue;
        const uint8_t *p = m->store.p + h->name.off;
        size_t k = 0;
        while (k < nl && lower(p[k]) == lower((uint8_t)name[k]))
            k++;
        if (k == nl) {
            *value = m->store.p + h->value.off;
            *value_len = h->value.len;
            return true;
        }
    }
    return false;
}

void http_msg_invalidate(HttpMsg *m)
{
    for (int k = 0; k < HTTP_CACHE_N; k++)
        m->cache_ok[k] = false;
}

/* ---- composite buffers ---- */

static bool add(HttpBuf *b, MemAccount *a, const void *p, size_t n)
{
    return http_buf_add(a, b, p, n);
}

static bool build(HttpMsg *m, int kind, unsigned dir, MemAccount *a)
{
    HttpBuf *b = &m->cache[kind];
    b->len = 0;
    const uint8_t *base = m->store.p;
    if (kind == HTTP_CACHE_START) {
        if (!add(b, a, base + m->line.off, m->line.len) || !add(b, a, "\r\n", 2))
            return false;
    } else if (kind == HTTP_CACHE_NAMES) {
        if (!add(b, a, "\r\n", 2))
            return false;
    }
    for (uint32_t i = 0; i < m->n_hdrs; i++) {
        const HttpHeader *h = &m->hdrs[i];
        const uint8_t *n = base + h->name.off;
        if (kind == HTTP_CACHE_NAMES) {
            if (!add(b, a, n, h->name.len) || !add(b, a, "\r\n", 2))
                return false;
            continue;
        }
        if (kind == HTTP_CACHE_HEADER) {
            static const char *const skip[2] = { "cookie", "set-cookie" };
            size_t sl = strlen(skip[dir]);
            if (h->name.len == sl) {
                size_t k = 0;
                while (k < sl && lower(n[k]) == (uint8_t)skip[dir][k])
                    k++;
                if (k == sl)
                    continue;
            }
        }
        if (!add(b, a, n, h->name.len) || !add(b, a, ": ", 2) ||
            !add(b, a, base + h->value.off, h->value.len) || !add(b, a, "\r\n", 2))
            return false;
    }
    if (kind == HTTP_CACHE_NAMES || (kind == HTTP_CACHE_START && m->n_hdrs > 0)) {
        if (!add(b, a, "\r\n", 2))
            return false;
    }
    return true;
}

static bool composite(HttpTx *tx, unsigned dir, int kind, MemAccount *a, const uint8_t **buf,
                      uint32_t *len)
{
    HttpMsg *m = &tx->msg[dir];
    if (m->progress < HTTP_PROGRESS_HEADERS)
        return false;
    if (!m->cache_ok[kind] || m->cache_gen[kind] != m->gen) {
        if (!build(m, kind, dir, a))
            return false;
        m->cache_ok[kind] = true;
        m->cache_gen[kind] = m->gen;
    }
    if (m->cache[kind].len == 0)
        return false;
    *buf = m->cache[kind].p;
    *len = m->cache[kind].len;
    return true;
}

static bool span_out(const HttpMsg *m, HttpSpan sp, const uint8_t **buf, uint32_t *len)
{
    if (!sp.set)
        return false;
    *buf = m->store.p + sp.off;
    *len = sp.len;
    return true;
}

static bool header_value(const HttpTx *tx, unsigned dir, const char *name, const uint8_t **buf,
                         uint32_t *len)
{
    if (tx->msg[dir].progress < HTTP_PROGRESS_HEADERS)
        return false;
    return http_tx_header(tx, dir, name, buf, len);
}

/* ---- multipart/form-data (RFC 7578, framing RFC 2046 section 5.1.1) ----
 *
 *     --boundary CRLF part-headers CRLF CRLF content CRLF --boundary ...
 *     CRLF --boundary-- (epilogue)
 *
 * A part whose Content-Disposition names a filename is a file (Suricata
 * stores exactly those as files; form fields are not). The parts are found
 * in the stored body copy on each call: no allocation, pointers into it. A
 * part cut by the body limit ends where the copy ends. */

/* The boundary parameter of a multipart/form-data Content-Type. */
static bool mp_boundary(const HttpTx *tx, const uint8_t **b, size_t *blen)
{
    const uint8_t *ct;
    uint32_t n;
    if (!header_value(tx, 0, "content-type", &ct, &n))
        return false;
    static const char mt[] = "multipart/form-data";
    if (n < sizeof mt - 1 || strncasecmp((const char *)ct, mt, sizeof mt - 1) != 0)
        return false;
    const uint8_t *end = ct + n;
    for (const uint8_t *q = ct + sizeof mt - 1; q + 9 <= end; q++) {
        if (strncasecmp((const char *)q, "boundary=", 9) != 0)
            continue;
        const uint8_t *v = q + 9, *e = v;
        if (v < end && *v == '"') {
            v++;
            e = v;
            while (e < end && *e != '"')
                e++;
        } else {
            while (e < end && *e != ';' && *e != ' ' && *e != '\t')
                e++;
        }
        /* RFC 2046: 1 to 70 characters */
        if (e == v || e - v > 70)
            return false;
        *b = v;
        *blen = (size_t)(e - v);
        return true;
    }
    return false;
}

/* Does the header block [h, h + n) carry a Content-Disposition filename? */
static bool mp_is_file(const uint8_t *h, size_t n)
{
    static const char cd[] = "content-disposition:";
    for (size_t i = 0; i + sizeof cd - 1 <= n; i++) {
        if ((i == 0 || h[i - 1] == '\n') && strncasecmp((const char *)h + i, cd, sizeof cd - 1) == 0) {
            const uint8_t *eol = memchr(h + i, '\n', n - i);
            size_t ln = eol != NULL ? (size_t)(eol - (h + i)) : n - i;
            for (size_t k = 0; k + 9 <= ln; k++)
                if (strncasecmp((const char *)h + i + k, "filename=", 9) == 0 ||
                    strncasecmp((const char *)h + i + k, "filename*", 9) == 0)
                    return true;
        }
    }
    return false;
}

bool http_tx_file_data(HttpTx *tx, unsigned dir, uint32_t idx, const uint8_t **buf, uint32_t *len)
{
    if (tx == NULL || dir > 1)
        return false;
    const HttpMsg *m = &tx->msg[dir];
    const uint8_t *bnd;
    size_t blen;
    if (dir == 1 || !mp_boundary(tx, &bnd, &blen)) {
        /* a whole body is one file */
        if (idx != 0 || m->body.len == 0)
            return false;
        *buf = m->body.p;
        *len = m->body.len;
        return true;
    }
    /* delimiter: CRLF "--" boundary (RFC 2046 5.1.1); the first may open
     * the body without the CRLF */
    uint8_t crdelim[4 + 70];
    memcpy(crdelim, "\r\n--", 4);
    memcpy(crdelim + 4, bnd, blen);
    const uint8_t *delim = crdelim + 2;
    size_t dl = blen + 2;
    const uint8_t *p = m->body.p, *end = m->body.p + m->body.len;
    if (p == NULL)
        return false;
    uint32_t nfile = 0;
    const uint8_t *d = NULL;
    if ((size_t)(end - p) >= dl && memcmp(p, delim, dl) == 0) {
        d = p;
    } else {
        d = memmem(p, (size_t)(end - p), crdelim, dl + 2);
        if (d != NULL)
            d += 2;
    }
    while (d != NULL) {
        const uint8_t *after = d + dl;
        if (end - after >= 2 && after[0] == '-' && after[1] == '-')
            return false; /* the close delimiter: no more parts */
        const uint8_t *hs = memchr(after, '\n', (size_t)(end - after));
        if (hs == NULL)
            return false;
        hs++;
        const uint8_t *cs;
        if (end - hs >= 2 && hs[0] == '\r' && hs[1] == '\n') {
            cs = hs + 2; /* no part headers: the blank line follows at once */
        } else {
            const uint8_t *he = memmem(hs, (size_t)(end - hs), "\r\n\r\n", 4);
            if (he == NULL)
                return false; /* headers not complete (yet) */
            cs = he + 4;
        }
        /* the CRLF before the next delimiter belongs to it */
        const uint8_t *next = memmem(cs, (size_t)(end - cs), crdelim, dl + 2);
        const uint8_t *ce = next != NULL ? next : end;
        if (next != NULL)
            next += 2;
        if (mp_is_file(hs, (size_t)(cs - hs))) {
            if (nfile == idx) {
                if (ce <= cs)
                    return false;
                *buf = cs;
                *len = (uint32_t)(ce - cs);
                return true;
            }
            nfile++;
        }
        d = next;
    }
    return false;
}

bool http_tx_buffer(HttpTx *tx, HttpBufferId id, unsigned dir, const uint8_t **buf,
                    uint32_t *len)
{
    if (tx == NULL || (int)id < 0 || id >= HTTP_BUF_COUNT)
        return false;
    int bd = g_bufs[id].dir;
    unsigned d = bd == 2 ? (dir ? 1u : 0u) : (unsigned)bd;
    const HttpMsg *m = &tx->msg[d];
    bool req_line = tx->msg[0].progress >= HTTP_PROGRESS_LINE && tx->msg[0].line.set;
    switch (id) {
    case HTTP_BUF_URI:
        if (!req_line || !m->part[1].set)
            return false;
        *buf = tx->uri_norm.p ? tx->uri_norm.p : m->store.p + m->part[1].off;
        *len = tx->uri_norm.len;
        return true;
    case HTTP_BUF_URI_RAW:
        return req_line && span_out(m, m->part[1], buf, len);
    case HTTP_BUF_METHOD:
        return req_line && span_out(m, m->part[0], buf, len);
    case HTTP_BUF_PROTOCOL:
        return m->progress >= HTTP_PROGRESS_LINE && m->line.set && span_out(m, m->part[d == 0 ? 2 : 0], buf, len);
    case HTTP_BUF_REQUEST_LINE:
        return req_line && span_out(m, m->line, buf, len);
    case HTTP_BUF_RESPONSE_LINE:
        return m->progress >= HTTP_PROGRESS_LINE && span_out(m, m->line, buf, len);
    case HTTP_BUF_STAT_CODE:
        return m->progress >= HTTP_PROGRESS_LINE && m->line.set && span_out(m, m->part[1], buf, len);
    case HTTP_BUF_STAT_MSG:
        return m->progress >= HTTP_PROGRESS_LINE && m->line.set && span_out(m, m->part[2], buf, len);
    case HTTP_BUF_HEADER:
        return composite(tx, d, HTTP_CACHE_HEADER, tx->acct, buf, len);
    case HTTP_BUF_HEADER_NAMES:
        return composite(tx, d, HTTP_CACHE_NAMES, tx->acct, buf, len);
    case HTTP_BUF_START:
        return m->line.set && composite(tx, d, HTTP_CACHE_START, tx->acct, buf, len);
    case HTTP_BUF_HEADER_RAW:
        if (m->progress < HTTP_PROGRESS_HEADERS || m->raw_hdrs.len == 0)
            return false;
        *buf = m->raw_hdrs.p;
        *len = m->raw_hdrs.len;
        return true;
    case HTTP_BUF_HOST:
        if (tx->msg[0].progress < HTTP_PROGRESS_HEADERS || !tx->has_host)
            return false;
        *buf = tx->host.p ? tx->host.p : (const uint8_t *)"";
        *len = tx->host.len;
        return true;
    case HTTP_BUF_HOST_RAW:
        if (tx->has_uri_host) {
            *buf = tx->host_raw_uri.p ? tx->host_raw_uri.p : (const uint8_t *)"";
            *len = tx->host_raw_uri.len;
            return true;
        }
        return header_value(tx, 0, "host", buf, len);
    case HTTP_BUF_USER_AGENT:
        return header_value(tx, 0, "user-agent", buf, len);
    case HTTP_BUF_COOKIE:
        return header_value(tx, d, d == 0 ? "cookie" : "set-cookie", buf, len);
    case HTTP_BUF_CONTENT_TYPE:
        return header_value(tx, d, "content-type", buf, len);
    case HTTP_BUF_CONTENT_LEN:
        return header_value(tx, d, "content-length", buf, len);
    case HTTP_BUF_ACCEPT:
        return header_value(tx, 0, "accept", buf, len);
    case HTTP_BUF_ACCEPT_LANG:
        return header_value(tx, 0, "accept-language", buf, len);
    case HTTP_BUF_ACCEPT_ENC:
        return header_value(tx, 0, "accept-encoding", buf, len);
    case HTTP_BUF_REFERER:
        return header_value(tx, 0, "referer", buf, len);
    case HTTP_BUF_CONNECTION:
        return header_value(tx, 0, "connection", buf, len);
    case HTTP_BUF_LOCATION:
        return header_value(tx, 1, "location", buf, len);
    case HTTP_BUF_SERVER:
        return header_value(tx, 1, "server", buf, len);
    case HTTP_BUF_FILE_DATA:
        return http_tx_file_data(tx, d, 0, buf, len);
    case HTTP_BUF_REQUEST_BODY:
    case HTTP_BUF_RESPONSE_BODY:
        if (m->body.len == 0)
            return false;
        *buf = m->body.p;
        *len = m->body.len;
        return true;
    case HTTP_BUF_COUNT:
        break;
    }
    return false;
}
