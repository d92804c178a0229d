/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * parser.c: the HTTP/1.x state machine over reassembled stream bytes.
 *
 * Where it sits: applayer/http. http_parse() is called per direction with
 * whatever the stream delivers; it walks the bytes with the bounds-checked
 * reader, gathers lines (up to cfg.field_limit bytes each; the rest of an
 * overlong line is dropped), and moves each direction through
 *
 *     IDLE -> HEADERS -> { BODY_CL | CHUNK_LEN <-> CHUNK_DATA -> CHUNK_END
 *                          | TRAILERS | BODY_CLOSE } -> IDLE
 *
 * (plus IGNORE after an HTTP/0.9 request and DEAD after a tunnel, a gap it
 * cannot skip, or OOM). Message syntax: RFC 9112 sections 2-7, with
 * libhtp's leniency (see http.h).
 *
 * Invariants: s->head..s->tail holds live txs in ascending id order;
 * side[d].tx is the tx whose message d is being parsed, or NULL between
 * messages; every byte read from the caller goes through a Reader.
 */
#include "applayer/http/http.h"

#include <stdio.h>
#include <string.h>

#include "applayer/http/http_int.h"
#include "lib/reader.h"

/* ---- counters and events ---- */

static int g_ctr_tx = -1, g_ctr_gap = -1, g_ctr_memcap = -1;
static int g_ctr_ev[HTTP_EV_COUNT];
static bool g_ctr_done;

static const char *const g_event_names[HTTP_EV_COUNT] = {
#define HTTP_EV_NAME(id, name) name,
    HTTP_EVENT_LIST(HTTP_EV_NAME)
#undef HTTP_EV_NAME
};

const char *http_event_name(HttpEvent ev)
{
    if ((int)ev < 0 || ev >= HTTP_EV_COUNT)
        return NULL;
    return g_event_names[ev];
}

int http_event_by_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < HTTP_EV_COUNT; i++)
        if (strcmp(g_event_names[i], name) == 0)
            return i;
    return -1;
}

void http_counters_register(void)
{
    if (g_ctr_done)
        return;
    g_ctr_tx = stats_register("http.tx");
    g_ctr_gap = stats_register("http.gap");
    g_ctr_memcap = stats_register("http.memcap");
    for (int i = 0; i < HTTP_EV_COUNT; i++) {
        char name[128];
        int n = snprintf(name, sizeof(name), "http.event.%s", g_event_names[i]);
        g_ctr_ev[i] = (n > 0 && (size_t)n < sizeof(name)) ? stats_register(name) : -1;
    }
    g_ctr_done = true;
}

static void count(HttpState *s, int id)
{
    if (s->ctx->stats != NULL && g_ctr_done)
        stats_inc(s->ctx->stats, id);
}

void http_tx_event(HttpState *s, HttpTx *tx, HttpEvent ev)
{
    if (tx == NULL || (int)ev < 0 || ev >= HTTP_EV_COUNT)
        return;
    uint64_t bit = (uint64_t)1 << ev;
    if (tx->events & bit)
        return; /* counted once per tx */
    tx->events |= bit;
    if (g_ctr_done)
        count(s, g_ctr_ev[ev]);
}

/* ---- configuration ---- */

void http_config_defaults(HttpConfig *cfg)
{
    cfg->request_body_limit = HTTP_DEFAULT_BODY_LIMIT;
    cfg->response_body_limit = HTTP_DEFAULT_BODY_LIMIT;
    cfg->field_limit = HTTP_DEFAULT_FIELD_LIMIT;
    cfg->headers_limit = HTTP_DEFAULT_HEADERS_LIMIT;
    cfg->header_bytes_limit = HTTP_DEFAULT_HEADER_BYTES;
    cfg->decompress_layer_limit = HTTP_DEFAULT_LAYER_LIMIT;
    cfg->bomb_limit = HTTP_DEFAULT_BOMB_LIMIT;
    cfg->bomb_ratio = HTTP_DEFAULT_BOMB_RATIO;
}

#define HTTP_CONF "app-layer.protocols.http.libhtp.default-config."

static uint32_t clamp32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

void http_config_load(HttpConfig *cfg, const Config *conf)
{
    conf_register_known("app-layer.protocols.http");
    if (conf == NULL)
        return;
    cfg->request_body_limit =
        clamp32(conf_get_size(conf, HTTP_CONF "request-body-limit", cfg->request_body_limit));
    cfg->response_body_limit =
        clamp32(conf_get_size(conf, HTTP_CONF "response-body-limit", cfg->response_body_limit));
    cfg->decompress_layer_limit = clamp32(conf_get_size(
        conf, HTTP_CONF "response-body-decompress-layer-limit", cfg->decompress_layer_limit));
    cfg->bomb_limit = conf_get_size(conf, HTTP_CONF "compression-bomb-limit", cfg->bomb_limit);
    uint32_t fl = clamp32(conf_get_size(conf, HTTP_CONF "field-limit", cfg->field_limit));
    if (fl >= 64)
        cfg->field_limit = fl; /* below that no request line fits */
    cfg->headers_limit = clamp32(conf_get_size(conf, HTTP_CONF "headers-limit", cfg->headers_limit));
    cfg->header_bytes_limit =
        clamp32(conf_get_size(conf, HTTP_CONF "header-bytes-limit", cfg->header_bytes_limit));
}

/* ---- context, state, txs ---- */

HttpCtx *http_ctx_new(const HttpConfig *cfg, MemAccount *acct, Stats *stats)
{
    HttpCtx *c = mem_calloc(acct, 1, sizeof(*c));
    if (c == NULL)
        return NULL;
    if (cfg != NULL)
        c->cfg = *cfg;
    else
        http_config_defaults(&c->cfg);
    if (c->cfg.field_limit < 64)
        c->cfg.field_limit = 64;
    c->acct = acct;
    c->stats = stats;
    return c;
}

void http_ctx_free(HttpCtx *ctx)
{
    if (ctx != NULL)
        mem_free(ctx->acct, ctx);
}

HttpState *http_state_new(HttpCtx *ctx)
{
    HttpState *s = mem_calloc(ctx->acct, 1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->ctx = ctx;
    return s;
}

static void msg_free(MemAccount *a, HttpMsg *m)
{
    if (m->dec_active) {
        for (unsigned i = 0; i < m->dec.n_layers; i++)
            if (m->dec.init[i])
                inflateEnd(&m->dec.zs[i]);
        m->dec_active = false;
    }
    http_buf_free(a, &m->store);
    mem_free(a, m->hdrs);
    m->hdrs = NULL;
    m->n_hdrs = m->cap_hdrs = 0;
    http_buf_free(a, &m->raw_hdrs);
    http_buf_free(a, &m->body);
    for (int k = 0; k < HTTP_CACHE_N; k++)
        http_buf_free(a, &m->cache[k]);
}

static void tx_free(HttpState *s, HttpTx *tx)
{
    MemAccount *a = s->ctx->acct;
    msg_free(a, &tx->msg[0]);
    msg_free(a, &tx->msg[1]);
    http_buf_free(a, &tx->uri_norm);
    http_buf_free(a, &tx->host);
    http_buf_free(a, &tx->host_raw_uri);
    mem_free(a, tx);
}

void http_state_free(HttpState *s)
{
    if (s == NULL)
        return;
    MemAccount *a = s->ctx->acct;
    HttpTx *tx = s->head;
    while (tx != NULL) {
        HttpTx *n = tx->next;
        tx_free(s, tx);
        tx = n;
    }
    for (int d = 0; d < 2; d++) {
        http_buf_free(a, &s->side[d].line);
        http_buf_free(a, &s->side[d].pend);
    }
    HttpCtx *own = s->own_ctx ? s->ctx : NULL;
    mem_free(a, s);
    http_ctx_free(own);
}

static void unlink_head(HttpState *s)
{
    HttpTx *tx = s->head;
    s->head = tx->next;
    if (s->head == NULL)
        s->tail = NULL;
    s->n_live--;
    tx_free(s, tx);
}

static bool freeable(const HttpState *s, const HttpTx *tx)
{
    return http_tx_complete(tx) && s->side[0].tx != tx && s->side[1].tx != tx;
}

static HttpTx *tx_new(HttpState *s)
{
    while (s->n_live >= HTTP_MAX_LIVE_TX && s->head != NULL && freeable(s, s->head))
        unlink_head(s);
    HttpTx *tx = mem_calloc(s->ctx->acct, 1, sizeof(*tx));
    if (tx == NULL)
        return NULL;
    tx->id = s->next_id++;
    tx->acct = s->ctx->acct;
    /* no response will be parsed any more: do not wait for one */
    if (s->side[1].ps == HTTP_PS_DEAD)
        tx->msg[1].progress = HTTP_PROGRESS_COMPLETE;
    tx->port = -1;
    tx->req_proto = -1;
    if (s->tail != NULL)
        s->tail->next = tx;
    else
        s->head = tx;
    s->tail = tx;
    s->n_live++;
    count(s, g_ctr_tx);
    return tx;
}

uint64_t http_state_tx_count(const HttpState *s) { return s->next_id; }

HttpTx *http_state_tx(const HttpState *s, uint64_t tx_id)
{
    for (HttpTx *tx = s->head; tx != NULL; tx = tx->next) {
        if (tx->id == tx_id)
            return tx;
        if (tx->id > tx_id)
            break;
    }
    return NULL;
}

size_t http_state_tx_free_upto(HttpState *s, uint64_t upto)
{
    return http_state_tx_release(s, upto, false);
}

size_t http_state_tx_release(HttpState *s, uint64_t upto, bool need_logged)
{
    size_t n = 0;
    while (s->head != NULL && s->head->id < upto && freeable(s, s->head) &&
           (!need_logged || s->head->logged)) {
        unlink_head(s);
        n++;
    }
    return n;
}

bool http_state_dead(const HttpState *s, unsigned dir)
{
    return dir < 2 && (s->side[dir].ps == HTTP_PS_DEAD || s->oom);
}

/* ---- small helpers ---- */

static bool is_lws(uint8_t c) { return c == ' ' || c == '\t'; }

static uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

static bool ieq(const uint8_t *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    if (n != len)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(p[i]) != (uint8_t)lit[i])
            return false;
    return true;
}

static bool is_token(uint8_t c)
{
    if (c < 33 || c > 126)
        return false;
    return strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

static void trim(const uint8_t **p, size_t *len)
{
    while (*len > 0 && is_lws((*p)[0])) {
        (*p)++;
        (*len)--;
    }
    while (*len > 0 && is_lws((*p)[*len - 1]))
        (*len)--;
}

/* Copy bytes into a message store; the span of the copy. */
static bool store_add(HttpState *s, HttpMsg *m, const uint8_t *p, size_t len, HttpSpan *out)
{
    uint32_t off = m->store.len;
    if (!http_buf_add(s->ctx->acct, &m->store, p, len))
        return false;
    out->off = off;
    out->len = (uint32_t)len;
    out->set = true;
    return true;
}

static void oom(HttpState *s)
{
    if (!s->oom)
        count(s, g_ctr_memcap);
    s->oom = true;
    s->side[0].ps = HTTP_PS_DEAD;
    s->side[1].ps = HTTP_PS_DEAD;
}

/* Parse a non-negative decimal with optional surrounding LWS; -1 invalid. */
static int64_t parse_cl(const uint8_t *p, size_t len)
{
    trim(&p, &len);
    if (len == 0)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(p[i] - '0');
        if (v > ((uint64_t)1 << 62))
            return -1;
    }
    return (int64_t)v;
}

/* ---- message completion ---- */

static void msg_complete(HttpState *s, unsigned dir)
{
    HttpSide *sd = &s->side[dir];
    HttpTx *tx = sd->tx;
    if (tx != NULL) {
        http_body_end(s, tx, dir);
        tx->msg[dir].progress = HTTP_PROGRESS_COMPLETE;
    }
    sd->tx = NULL;
    sd->has_pend = false;
    sd->pend.len = 0;
    memset(&sd->fr, 0, sizeof(sd->fr));
    if (sd->ps != HTTP_PS_DEAD && sd->ps != HTTP_PS_IGNORE)
        sd->ps = HTTP_PS_IDLE;
}

/* Direction dir will parse nothing more: every tx waiting on it is done. */
static void side_finish(HttpState *s, unsigned dir)
{
    if (s->side[dir].tx != NULL)
        msg_complete(s, dir);
    for (HttpTx *tx = s->head; tx != NULL; tx = tx->next) {
        if (tx->msg[dir].progress != HTTP_PROGRESS_COMPLETE) {
            http_body_end(s, tx, dir);
            tx->msg[dir].progress = HTTP_PROGRESS_COMPLETE;
        }
    }
}

static void go_dead(HttpState *s, unsigned dir)
{
    side_finish(s, dir);
    s->side[dir].ps = HTTP_PS_DEAD;
}

/* ---- headers ---- */

static HttpEvent ev_dir(unsigned dir, HttpEvent req, HttpEvent res) { return dir == 0 ? req : res; }

static void frame_header(HttpState *s, HttpTx *tx, unsigned dir, const uint8_t *name,
                         size_t nlen, const uint8_t *val, size_t vlen)
{
    HttpFrame *fr = &s->side[dir].fr;
    if (ieq(name, nlen, "content-length")) {
        int64_t cl = parse_cl(val, vlen);
        if (fr->has_cl || fr->cl_invalid) {
            http_tx_event(s, tx, ev_dir(dir, HTTP_EV_DUPLICATE_CL_IN_REQUEST,
                                        HTTP_EV_DUPLICATE_CL_IN_RESPONSE));
            return; /* the first one frames the body */
        }
        if (cl < 0) {
            fr->cl_invalid = true;
            http_tx_event(s, tx, ev_dir(dir, HTTP_EV_INVALID_CL_IN_REQUEST,
                                        HTTP_EV_INVALID_CL_IN_RESPONSE));
        } else {
            fr->has_cl = true;
            fr->cl = (uint64_t)cl;
        }
    } else if (ieq(name, nlen, "transfer-encoding")) {
        fr->te_present = true;
        bool chunked = false;
        for (size_t i = 0; i + 7 <= vlen; i++)
            if (ieq(val + i, 7, "chunked"))
                chunked = true;
        if (chunked)
            fr->chunked = true;
        if (dir == 0 && !ieq(val, vlen, "chunked"))
            http_tx_event(s, tx, HTTP_EV_INVALID_TE_IN_REQUEST);
        if (dir == 1 && !chunked)
            http_tx_event(s, tx, HTTP_EV_RESPONSE_ABNORMAL_TE);
    } else if (ieq(name, nlen, "content-encoding")) {
        size_t i = 0;
        while (i < vlen) {
            while (i < vlen && (is_lws(val[i]) || val[i] == ','))
                i++;
            size_t st = i;
            while (i < vlen && !is_lws(val[i]) && val[i] != ',')
                i++;
            if (i == st)
                break;
            const uint8_t *t = val + st;
            size_t tl = i - st;
            uint8_t kind;
            if (ieq(t, tl, "gzip") || ieq(t, tl, "x-gzip"))
                kind = HTTP_CE_GZIP;
            else if (ieq(t, tl, "deflate") || ieq(t, tl, "x-deflate"))
                kind = HTTP_CE_DEFLATE;
            else if (ieq(t, tl, "identity") || ieq(t, tl, "none"))
                continue;
            else {
                fr->ce_unknown = true;
                continue;
            }
            if (fr->n_ce < HTTP_MAX_LAYERS)
                fr->ce[fr->n_ce++] = kind;
            else
                fr->ce_too_many = true;
        }
    }
}

/* Commit one complete (unfolded) header line to the message. */
static bool header_commit(HttpState *s, unsigned dir, const uint8_t *line, size_t len)
{
    HttpTx *tx = s->side[dir].tx;
    HttpMsg *m = &tx->msg[dir];
    const HttpConfig *cfg = &s->ctx->cfg;
    const uint8_t *name = line, *val;
    size_t nlen, vlen;
    const uint8_t *colon = len ? memchr(line, ':', len) : NULL;
    if (colon == NULL) {
        http_tx_event(s, tx, ev_dir(dir, HTTP_EV_REQUEST_FIELD_MISSING_COLON,
                                    HTTP_EV_RESPONSE_FIELD_MISSING_COLON));
        nlen = 0;
        val = line;
        vlen = len;
    } else {
        nlen = (size_t)(colon - line);
        val = colon + 1;
        vlen = len - nlen - 1;
        bool bad = nlen == 0;
        while (nlen > 0 && is_lws(name[nlen - 1])) {
            nlen--;
            bad = true;
        }
        for (size_t i = 0; i < nlen; i++)
            if (!is_token(name[i]))
                bad = true;
        if (bad)
            http_tx_event(s, tx, ev_dir(dir, HTTP_EV_REQUEST_HEADER_INVALID,
                                        HTTP_EV_RESPONSE_HEADER_INVALID));
    }
    trim(&val, &vlen);
    frame_header(s, tx, dir, name, nlen, val, vlen);

    /* repeated name: join (Content-Length: keep the first) */
    for (uint32_t i = 0; i < m->n_hdrs; i++) {
        HttpHeader *h = &m->hdrs[i];
        if (h->name.len != nlen)
            continue;
        bool same = true;
        for (size_t k = 0; k < nlen && same; k++)
            same = lower(m->store.p[h->name.off + k]) == lower(name[k]);
        if (!same)
            continue;
        h->reps++;
        if (h->reps == 64)
            http_tx_event(s, tx, ev_dir(dir, HTTP_EV_REQUEST_HEADER_REPETITION,
                                        HTTP_EV_RESPONSE_HEADER_REPETITION));
        if (ieq(name, nlen, "content-length"))
            return true;
        if ((uint64_t)m->store.len + h->value.len + 2 + vlen > cfg->header_bytes_limit) {
            http_tx_event(s, tx, ev_dir(dir, HTTP_EV_REQUEST_TOO_MANY_HEADERS,
                                        HTTP_EV_RESPONSE_TOO_MANY_HEADERS));
            return true;
        }
        HttpSpan old = h->value;
        size_t total = (size_t)old.len + 2 + vlen;
        if (!http_buf_reserve(s->ctx->acct, &m->store, total))
            return false;
        /* no reallocation from here on: the old value can be copied */
        uint32_t off = m->store.len;
        memmove(m->store.p + off, m->store.p + old.off, old.len);
        m->store.len += old.len;
        if (!http_buf_add(s->ctx->acct, &m->store, (const uint8_t *)", ", 2) ||
            !http_buf_add(s->ctx->acct, &m->store, val, vlen))
            return false;
        h = &m->hdrs[i];
        h->value.off = off;
        h->value.len = (uint32_t)total;
        m->gen++;
        return true;
    }
    if (m->n_hdrs >= cfg->headers_limit ||
        (uint64_t)m->store.len + nlen + vlen > cfg->header_bytes_limit) {
        http_tx_event(s, tx, ev_dir(dir, HTTP_EV_REQUEST_TOO_MANY_HEADERS,
                                    HTTP_EV_RESPONSE_TOO_MANY_HEADERS));
        return true;
    }
    if (m->n_hdrs == m->cap_hdrs) {
        uint32_t ncap = m->cap_hdrs ? m->cap_hdrs * 2 : 16;
        HttpHeader *nh = mem_realloc(s->ctx->acct, m->hdrs, (size_t)ncap * sizeof(*nh));
        if (nh == NULL)
            return false;
        m->hdrs = nh;
        m->cap_hdrs = ncap;
    }
    HttpHeader h;
    memset(&h, 0, sizeof(h));
    if (!store_add(s, m, name, nlen, &h.name) || !store_add(s, m, val, vlen, &h.value))
        return false;
    m->hdrs[m->n_hdrs++] = h;
    m->gen++;
    return true;
}

static bool pend_flush(HttpState *s, unsigned dir)
{
    HttpSide *sd = &s->side[dir];
    if (!sd->has_pend)
        return true;
    sd->has_pend = false;
    bool ok = header_commit(s, dir, sd->pend.p, sd->pend.len);
    sd->pend.len = 0;
    return ok;
}

/* ---- host and URI of a request ---- */

static bool set_buf(HttpState *s, HttpBuf *b, const uint8_t *p, size_t len, bool lowercase)
{
    b->len = 0;
    if (!http_buf_add(s->ctx->acct, b, p, len))
        return false;
    if (lowercase)
        for (uint32_t i = 0; i < b->len; i++)
            b->p[i] = lower(b->p[i]);
    return true;
}

static bool request_uri(HttpState *s, HttpTx *tx)
{
    HttpMsg *m = &tx->msg[0];
    HttpSpan u = m->part[1];
    if (!u.set)
        return true;
    const uint8_t *raw = m->store.p + u.off;
    tx->uri_norm.len = 0;
    if (u.len > 0) {
        /* the result is never longer than the input */
        if (!http_buf_add(s->ctx->acct, &tx->uri_norm, raw, u.len))
            return false;
        raw = m->store.p + u.off;
        tx->uri_norm.len = (uint32_t)http_uri_normalize(raw, u.len, tx->uri_norm.p, u.len);
    }
    HttpUriParts p;
    http_uri_split(raw, u.len, &p);
    if (p.host.set) {
        if (!set_buf(s, &tx->host_raw_uri, raw + p.host.off, p.host.len, false))
            return false;
        tx->has_uri_host = true;
        HttpBuf *h = &tx->host;
        if (!set_buf(s, h, raw + p.host.off, p.host.len, true))
            return false;
        h->len = (uint32_t)http_urldecode(h->p, h->len, true);
        for (uint32_t i = 0; i < h->len; i++)
            h->p[i] = lower(h->p[i]);
        while (h->len > 0 && h->p[h->len - 1] == '.')
            h->len--;
        tx->has_host = true;
        if (p.port.set) {
            tx->port = http_parse_port(raw + p.port.off, p.port.len);
            if (tx->port < 0)
                http_tx_event(s, tx, HTTP_EV_INVALID_AUTHORITY_PORT);
        }
        if (h->len == 0)
            http_tx_event(s, tx, HTTP_EV_REQUEST_URI_HOST_INVALID);
    }
    return true;
}

/* After the request headers: the Host header against the URI authority. */
static bool request_host(HttpState *s, HttpTx *tx)
{
    const uint8_t *v;
    uint32_t vlen;
    if (!http_tx_header(tx, 0, "host", &v, &vlen)) {
        if (!tx->has_uri_host && tx->req_proto >= 11)
            http_tx_event(s, tx, HTTP_EV_MISSING_HOST_HEADER);
        return true;
    }
    const uint8_t *p = v;
    size_t len = vlen;
    trim(&p, &len);
    const uint8_t *host = p;
    size_t hlen = len;
    int port = -1;
    bool invalid = len == 0;
    if (len > 0 && p[0] == '[') {
        const uint8_t *rb = memchr(p, ']', len);
        if (rb == NULL) {
            invalid = true;
        } else {
            hlen = (size_t)(rb - p) + 1;
            if (hlen < len) {
                if (p[hlen] == ':') {
                    port = http_parse_port(p + hlen + 1, len - hlen - 1);
                    invalid |= port < 0;
                } else {
                    invalid = true;
                }
            }
        }
    } else if (len > 0) {
        const uint8_t *c = memchr(p, ':', len);
        if (c != NULL) {
            hlen = (size_t)(c - p);
            while (hlen > 0 && is_lws(p[hlen - 1]))
                hlen--;
            port = http_parse_port(c + 1, len - (size_t)(c - p) - 1);
            invalid |= port < 0;
        }
    }
    if (invalid)
        http_tx_event(s, tx, HTTP_EV_REQUEST_HEADER_HOST_INVALID);
    if (tx->has_uri_host) {
        bool same = hlen == tx->host.len;
        for (size_t i = 0; same && i < hlen; i++)
            same = lower(host[i]) == tx->host.p[i];
        if (!same)
            http_tx_event(s, tx, HTTP_EV_HOST_HEADER_AMBIGUOUS);
        return true;
    }
    if (!set_buf(s, &tx->host, host, hlen, true))
        return false;
    tx->has_host = true;
    tx->port = port;
    return true;
}

/* ---- start lines ---- */

static int proto_num(const uint8_t *p, size_t len)
{
    if (ieq(p, len, "http/1.1"))
        return 11;
    if (ieq(p, len, "http/1.0"))
        return 10;
    if (ieq(p, len, "http/0.9"))
        return 9;
    return -1;
}

static bool request_line(HttpState *s, const uint8_t *line, size_t len)
{
    HttpSide *sd = &s->side[0];
    HttpTx *tx = tx_new(s);
    if (tx == NULL)
        return false;
    sd->tx = tx;
    HttpMsg *m = &tx->msg[0];
    if (!store_add(s, m, line, len, &m->line))
        return false;
    const uint8_t *p = m->store.p + m->line.off;
    size_t i = 0;
    if (len > 0 && is_lws(p[0])) {
        http_tx_event(s, tx, HTTP_EV_REQUEST_LINE_LEADING_WHITESPACE);
        while (i < len && is_lws(p[i]))
            i++;
    }
    size_t ms = i;
    while (i < len && !is_lws(p[i]))
        i++;
    m->part[0] = (HttpSpan){ m->line.off + (uint32_t)ms, (uint32_t)(i - ms), true };
    size_t ds = i;
    while (i < len && is_lws(p[i]))
        i++;
    if (i - ds > 1 || (i > ds && p[ds] != ' '))
        http_tx_event(s, tx, HTTP_EV_METHOD_DELIM_NON_COMPLIANT);
    /* the protocol is the last word when it starts with "HTTP/" */
    size_t end = len;
    while (end > i && is_lws(p[end - 1]))
        end--;
    size_t ls = end;
    while (ls > i && !is_lws(p[ls - 1]))
        ls--;
    bool has_proto = false;
    size_t us = i, ue = end;
    if (ls > i && end - ls >= 5 && ieq(p + ls, 5, "http/")) {
        has_proto = true;
        ue = ls;
        while (ue > us && is_lws(p[ue - 1]))
            ue--;
        for (size_t k = us; k < ue; k++)
            if (is_lws(p[k])) {
                http_tx_event(s, tx, HTTP_EV_URI_DELIM_NON_COMPLIANT);
                break;
            }
    } else {
        /* no HTTP/ word: the URI is the second word; anything after it
         * is an invalid protocol */
        size_t k = us;
        while (k < end && !is_lws(p[k]))
            k++;
        ue = k;
        while (k < end && is_lws(p[k]))
            k++;
        if (k < end) {
            has_proto = true;
            ls = k;
        }
    }
    if (ue > us || us < len)
        m->part[1] = (HttpSpan){ m->line.off + (uint32_t)us, (uint32_t)(ue - us), true };
    if (has_proto) {
        m->part[2] = (HttpSpan){ m->line.off + (uint32_t)ls, (uint32_t)(end - ls), true };
        tx->req_proto = proto_num(p + ls, end - ls);
        if (tx->req_proto < 0)
            http_tx_event(s, tx, HTTP_EV_REQUEST_LINE_INVALID);
    } else {
        tx->req_proto = 9;
        tx->flags |= HTTP_TX_HTTP09;
        http_tx_event(s, tx, HTTP_EV_REQUEST_LINE_MISSING_PROTOCOL);
    }
    if (m->part[0].len == 0 || ue == us)
        http_tx_event(s, tx, HTTP_EV_REQUEST_LINE_INVALID);
    const uint8_t *meth = m->store.p + m->part[0].off;
    tx->head = m->part[0].len == 4 && memcmp(meth, "HEAD", 4) == 0;
    tx->connect = m->part[0].len == 7 && memcmp(meth, "CONNECT", 7) == 0;
    if (!request_uri(s, tx))
        return false;
    m->progress = HTTP_PROGRESS_LINE;
    if (tx->flags & HTTP_TX_HTTP09) {
        /* as libhtp: HTTP/0.9 only if nothing but whitespace follows;
         * decided by the next byte, a response, or the end of stream */
        sd->ps = HTTP_PS_PROTO_CHECK;
        return true;
    }
    sd->ps = HTTP_PS_HEADERS;
    return true;
}

/* The tx a response belongs to: the oldest without one. */
static HttpTx *response_tx(HttpState *s)
{
    for (HttpTx *tx = s->head; tx != NULL; tx = tx->next)
        if (tx->msg[1].progress == HTTP_PROGRESS_NONE && !(tx->flags & HTTP_TX_NO_REQUEST))
            return tx;
    HttpTx *tx = tx_new(s);
    if (tx == NULL)
        return NULL;
    tx->flags |= HTTP_TX_NO_REQUEST;
    tx->msg[0].progress = HTTP_PROGRESS_COMPLETE;
    http_tx_event(s, tx, HTTP_EV_UNABLE_TO_MATCH_RESPONSE);
    return tx;
}

/* A request without protocol that nothing followed is HTTP/0.9. */
static void http09_settle(HttpState *s)
{
    if (s->side[0].ps != HTTP_PS_PROTO_CHECK)
        return;
    msg_complete(s, 0);
    s->side[0].ps = HTTP_PS_IGNORE;
}

static bool response_line(HttpState *s, const uint8_t *line, size_t len, const uint8_t *raw,
                          size_t raw_len)
{
    HttpSide *sd = &s->side[1];
    http09_settle(s);
    HttpTx *tx = response_tx(s);
    if (tx == NULL)
        return false;
    sd->tx = tx;
    HttpMsg *m = &tx->msg[1];
    size_t i = 0;
    while (i < len && is_lws(line[i]))
        i++;
    if (len - i < 4 || !ieq(line + i, 4, "http")) {
        /* not a status line: HTTP/0.9-style response, all body */
        http_tx_event(s, tx, HTTP_EV_RESPONSE_INVALID_PROTOCOL);
        m->progress = HTTP_PROGRESS_BODY;
        HttpFrame none;
        memset(&none, 0, sizeof(none));
        http_body_begin(s, tx, 1, &none);
        sd->ps = HTTP_PS_BODY_CLOSE;
        return http_body_data(s, tx, 1, raw, raw_len);
    }
    if (!store_add(s, m, line, len, &m->line))
        return false;
    const uint8_t *p = m->store.p + m->line.off;
    size_t ps = i;
    while (i < len && !is_lws(p[i]))
        i++;
    m->part[0] = (HttpSpan){ m->line.off + (uint32_t)ps, (uint32_t)(i - ps), true };
    while (i < len && is_lws(p[i]))
        i++;
    size_t cs = i;
    while (i < len && !is_lws(p[i]))
        i++;
    m->part[1] = (HttpSpan){ m->line.off + (uint32_t)cs, (uint32_t)(i - cs), true };
    while (i < len && is_lws(p[i]))
        i++;
    m->part[2] = (HttpSpan){ m->line.off + (uint32_t)i, (uint32_t)(len - i), true };
    int code = 0;
    if (i - cs >= 3 && cs + 3 <= len) {
        size_t cl = m->part[1].len;
        bool digits = cl == 3;
        for (size_t k = 0; k < cl && digits; k++)
            digits = p[cs + k] >= '0' && p[cs + k] <= '9';
        if (digits)
            code = (p[cs] - '0') * 100 + (p[cs + 1] - '0') * 10 + (p[cs + 2] - '0');
    }
    if (code < 100) {
        code = 0;
        http_tx_event(s, tx, HTTP_EV_RESPONSE_INVALID_STATUS);
    }
    tx->status = code;
    if (proto_num(p + ps, m->part[0].len) < 0)
        http_tx_event(s, tx, HTTP_EV_RESPONSE_INVALID_PROTOCOL);
    m->progress = HTTP_PROGRESS_LINE;
    sd->ps = HTTP_PS_HEADERS;
    return true;
}

/* Forget an interim (1xx) response so that the final one takes its place. */
static void response_reset(HttpState *s, HttpTx *tx)
{
    MemAccount *a = s->ctx->acct;
    HttpMsg *m = &tx->msg[1];
    msg_free(a, m);
    memset(m, 0, sizeof(*m));
    tx->status = 0;
}

/* ---- end of headers: choose the body ---- */

static void enter_body(HttpState *s, unsigned dir, HttpPState ps, uint64_t remaining)
{
    HttpSide *sd = &s->side[dir];
    http_body_begin(s, sd->tx, dir, &sd->fr);
    sd->tx->msg[dir].progress = HTTP_PROGRESS_BODY;
    sd->ps = ps;
    sd->remaining = remaining;
}

static bool headers_done(HttpState *s, unsigned dir)
{
    HttpSide *sd = &s->side[dir];
    HttpTx *tx = sd->tx;
    HttpFrame *fr = &sd->fr;
    tx->msg[dir].progress = HTTP_PROGRESS_HEADERS;
    if (dir == 0) {
        if (!request_host(s, tx))
            return false;
        if (fr->chunked)
            enter_body(s, 0, HTTP_PS_CHUNK_LEN, 0);
        else if (fr->has_cl && fr->cl > 0)
            enter_body(s, 0, HTTP_PS_BODY_CL, fr->cl);
        else
            msg_complete(s, 0);
        return true;
    }
    int st = tx->status;
    if (st >= 100 && st < 200 && st != 101) {
        if (tx->continue_seen)
            http_tx_event(s, tx, HTTP_EV_CONTINUE_ALREADY_SEEN);
        tx->continue_seen = true;
        response_reset(s, tx);
        sd->tx = NULL;
        memset(fr, 0, sizeof(*fr));
        sd->ps = HTTP_PS_IDLE;
        return true;
    }
    if (st == 101 || (tx->connect && st >= 200 && st < 300)) {
        tx->flags |= HTTP_TX_TUNNEL;
        msg_complete(s, 1);
        go_dead(s, 1);
        go_dead(s, 0);
        return true;
    }
    if (tx->head || st == 204 || st == 304) {
        msg_complete(s, 1);
        return true;
    }
    if (fr->chunked) {
        const HttpMsg *m = &tx->msg[1];
        if (proto_num(m->store.p + m->part[0].off, m->part[0].len) == 10)
            http_tx_event(s, tx, HTTP_EV_RESPONSE_CHUNKED_OLD_PROTO);
        enter_body(s, 1, HTTP_PS_CHUNK_LEN, 0);
    } else if (fr->has_cl) {
        if (fr->cl == 0)
            msg_complete(s, 1);
        else
            enter_body(s, 1, HTTP_PS_BODY_CL, fr->cl);
    } else {
        enter_body(s, 1, HTTP_PS_BODY_CLOSE, 0);
    }
    return true;
}

/* ---- lines ---- */

static bool header_line(HttpState *s, unsigned dir, const uint8_t *line, size_t len)
{
    HttpSide *sd = &s->side[dir];
    if (len == 0) {
        if (!pend_flush(s, dir))
            return false;
        if (sd->ps == HTTP_PS_TRAILERS) {
            msg_complete(s, dir);
            return true;
        }
        return headers_done(s, dir);
    }
    if (is_lws(line[0])) {
        if (sd->has_pend) {
            size_t room = s->ctx->cfg.field_limit > sd->pend.len
                              ? s->ctx->cfg.field_limit - sd->pend.len : 0;
            return http_buf_add(s->ctx->acct, &sd->pend, line, len < room ? len : room);
        }
        http_tx_event(s, sd->tx, ev_dir(dir, HTTP_EV_INVALID_REQUEST_FIELD_FOLDING,
                                        HTTP_EV_INVALID_RESPONSE_FIELD_FOLDING));
    }
    if (!pend_flush(s, dir))
        return false;
    sd->pend.len = 0;
    sd->has_pend = true;
    return http_buf_add(s->ctx->acct, &sd->pend, line, len);
}

static bool chunk_len_line(HttpState *s, unsigned dir, const uint8_t *line, size_t len)
{
    HttpSide *sd = &s->side[dir];
    HttpTx *tx = sd->tx;
    size_t i = 0;
    while (i < len && is_lws(line[i]))
        i++;
    if (i == len)
        return true; /* tolerate empty lines before a chunk size */
    uint64_t v = 0;
    size_t digits = 0;
    bool bad = false;
    while (i < len && !is_lws(line[i]) && line[i] != ';') {
        int h = -1;
        uint8_t c = line[i];
        if (c >= '0' && c <= '9')
            h = c - '0';
        else if (c >= 'a' && c <= 'f')
            h = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            h = c - 'A' + 10;
        if (h < 0 || v > (uint64_t)INT32_MAX) {
            bad = true;
            break;
        }
        v = v * 16 + (uint64_t)h;
        digits++;
        i++;
    }
    while (!bad && i < len && is_lws(line[i]))
        i++;
    if (!bad && i < len) {
        if (line[i] == ';') {
            if (dir == 0)
                http_tx_event(s, tx, HTTP_EV_REQUEST_CHUNK_EXTENSION);
        } else {
            bad = true;
        }
    }
    if (bad || digits == 0 || v > (uint64_t)INT32_MAX) {
        http_tx_event(s, tx, ev_dir(dir, HTTP_EV_INVALID_REQUEST_CHUNK_LEN,
                                    HTTP_EV_INVALID_RESPONSE_CHUNK_LEN));
        if (dir == 1) {
            /* as libhtp: the rest of the connection is body */
            sd->ps = HTTP_PS_BODY_CLOSE;
            return http_body_data(s, tx, 1, line, len);
        }
        msg_complete(s, 0);
        go_dead(s, 0);
        return true;
    }
    if (v == 0) {
        sd->ps = HTTP_PS_TRAILERS;
        return true;
    }
    sd->ps = HTTP_PS_CHUNK_DATA;
    sd->remaining = v;
    return true;
}

/* A complete line (end of line stripped in line/len; raw has it). */
static bool on_line(HttpState *s, unsigned dir, const uint8_t *line, size_t len,
                    const uint8_t *raw, size_t raw_len)
{
    HttpSide *sd = &s->side[dir];
    switch (sd->ps) {
    case HTTP_PS_IDLE:
        if (len == 0)
            return true; /* empty lines between messages */
        return dir == 0 ? request_line(s, line, len) : response_line(s, line, len, raw, raw_len);
    case HTTP_PS_HEADERS:
    case HTTP_PS_TRAILERS:
        return header_line(s, dir, line, len);
    case HTTP_PS_CHUNK_LEN:
        /* libhtp counts chunk framing in the message length */
        sd->tx->msg[dir].body_wire += raw_len;
        return chunk_len_line(s, dir, line, len);
    case HTTP_PS_CHUNK_END:
        sd->tx->msg[dir].body_wire += raw_len;
        sd->ps = HTTP_PS_CHUNK_LEN;
        return true;
    default:
        return true;
    }
}

static bool line_state(HttpPState ps)
{
    return ps == HTTP_PS_IDLE || ps == HTTP_PS_HEADERS || ps == HTTP_PS_TRAILERS ||
           ps == HTTP_PS_CHUNK_LEN || ps == HTTP_PS_CHUNK_END;
}

/* Append raw header bytes (http.header.raw) within the limit. */
static bool raw_header(HttpState *s, unsigned dir, const uint8_t *p, size_t n)
{
    HttpSide *sd = &s->side[dir];
    if (sd->tx == NULL || (sd->ps != HTTP_PS_HEADERS && sd->ps != HTTP_PS_TRAILERS))
        return true;
    HttpMsg *m = &sd->tx->msg[dir];
    uint32_t lim = s->ctx->cfg.header_bytes_limit;
    size_t room = m->raw_hdrs.len < lim ? lim - m->raw_hdrs.len : 0;
    if (n > room)
        n = room;
    return http_buf_add(s->ctx->acct, &m->raw_hdrs, p, n);
}

/* Process the line gathered in sd->line. */
static bool finish_line(HttpState *s, unsigned dir)
{
    HttpSide *sd = &s->side[dir];
    const uint8_t *p = sd->line.p;
    size_t len = sd->line.len;
    size_t raw_len = len;
    if (len > 0 && p[len - 1] == '\n') {
        len--;
        if (len > 0 && p[len - 1] == '\r')
            len--;
    }
    if (sd->line_too_long) {
        HttpEvent ev = ev_dir(dir, HTTP_EV_REQUEST_FIELD_TOO_LONG, HTTP_EV_RESPONSE_FIELD_TOO_LONG);
        if (sd->tx != NULL)
            http_tx_event(s, sd->tx, ev);
        else
            sd->fr.stored_limit_hit = true; /* raised once the tx exists */
    }
    HttpPState before = sd->ps;
    bool ok = on_line(s, dir, p, len, p, raw_len);
    if (ok && before == HTTP_PS_IDLE && sd->fr.stored_limit_hit && sd->tx != NULL) {
        http_tx_event(s, sd->tx,
                      ev_dir(dir, HTTP_EV_REQUEST_FIELD_TOO_LONG, HTTP_EV_RESPONSE_FIELD_TOO_LONG));
        sd->fr.stored_limit_hit = false;
    }
    sd->line.len = 0;
    sd->line_too_long = false;
    return ok;
}

/* Take bytes up to and including the next LF into sd->line. true when a
 * whole line is ready; advances r. */
static bool take_line(HttpState *s, unsigned dir, Reader *r, bool *ok)
{
    HttpSide *sd = &s->side[dir];
    const uint8_t *cur = rd_cur(r);
    size_t left = rd_left(r);
    const uint8_t *lf = memchr(cur, '\n', left);
    size_t n = lf ? (size_t)(lf - cur) + 1 : left;
    uint32_t lim = s->ctx->cfg.field_limit;
    size_t room = sd->line.len < lim ? lim - sd->line.len : 0;
    size_t keep = n;
    if (keep > room) {
        keep = room;
        sd->line_too_long = true;
    }
    *ok = raw_header(s, dir, cur, n) && http_buf_add(s->ctx->acct, &sd->line, cur, keep);
    /* an overlong line still needs its LF for the end-of-line logic */
    if (*ok && lf != NULL && keep < n)
        *ok = http_buf_add(s->ctx->acct, &sd->line, (const uint8_t *)"\n", 1);
    rd_skip(r, n);
    return lf != NULL;
}

/* ---- gaps and the end of a direction ---- */

static void on_gap(HttpState *s, unsigned dir, size_t len)
{
    HttpSide *sd = &s->side[dir];
    count(s, g_ctr_gap);
    HttpTx *tx = sd->tx;
    if (tx != NULL)
        tx->flags |= HTTP_TX_GAP;
    switch (sd->ps) {
    case HTTP_PS_IGNORE:
    case HTTP_PS_DEAD:
        return;
    case HTTP_PS_BODY_CLOSE:
        tx->msg[dir].body_wire += len;
        if (tx->msg[dir].dec_active)
            tx->msg[dir].dec.stopped = true; /* cannot decode across the hole */
        return;
    case HTTP_PS_BODY_CL:
    case HTTP_PS_CHUNK_DATA:
        if (len <= sd->remaining) {
            sd->remaining -= len;
            tx->msg[dir].body_wire += len;
            /* a decoder cannot continue across missing bytes */
            if (tx->msg[dir].dec_active)
                tx->msg[dir].dec.stopped = true;
            if (sd->remaining == 0) {
                if (sd->ps == HTTP_PS_BODY_CL)
                    msg_complete(s, dir);
                else
                    sd->ps = HTTP_PS_CHUNK_END;
            }
            return;
        }
        break;
    default:
        break;
    }
    /* lost response bytes belong to the oldest request still waiting */
    if (tx == NULL && dir == 1) {
        for (HttpTx *t = s->head; t != NULL; t = t->next)
            if (t->msg[1].progress == HTTP_PROGRESS_NONE) {
                t->flags |= HTTP_TX_GAP;
                break;
            }
    }
    sd->line.len = 0;
    go_dead(s, dir);
}

static bool on_eof(HttpState *s, unsigned dir)
{
    HttpSide *sd = &s->side[dir];
    if (dir == 0)
        http09_settle(s);
    if (line_state(sd->ps) && sd->line.len > 0) {
        if (sd->ps == HTTP_PS_IDLE && dir == 0) {
            uint64_t before = s->next_id;
            if (!finish_line(s, dir))
                return false;
            if (s->next_id != before && s->tail != NULL)
                http_tx_event(s, s->tail, HTTP_EV_REQUEST_LINE_INCOMPLETE);
        } else if (!finish_line(s, dir)) {
            return false;
        }
    }
    if ((sd->ps == HTTP_PS_HEADERS || sd->ps == HTTP_PS_TRAILERS) && !pend_flush(s, dir))
        return false;
    side_finish(s, dir);
    if (sd->ps != HTTP_PS_DEAD && sd->ps != HTTP_PS_IGNORE)
        sd->ps = HTTP_PS_IDLE;
    return true;
}

/* ---- the entry point ---- */

HttpParseStatus http_parse(HttpState *s, unsigned dir, const uint8_t *buf, size_t len,
                           unsigned flags)
{
    if (s == NULL || dir > 1)
        return HTTP_PARSE_ERROR;
    if (s->oom)
        return HTTP_PARSE_ERROR;
    HttpSide *sd = &s->side[dir];
    if (flags & HTTP_DATA_GAP) {
        on_gap(s, dir, len);
        if ((flags & HTTP_DATA_EOF) && !on_eof(s, dir)) {
            oom(s);
            return HTTP_PARSE_ERROR;
        }
        return HTTP_PARSE_OK;
    }
    Reader r = rd_init(buf, buf ? len : 0);
    bool ok = true;
    while (ok && rd_left(&r) > 0) {
        switch (sd->ps) {
        case HTTP_PS_DEAD:
        case HTTP_PS_IGNORE:
            rd_skip(&r, rd_left(&r));
            break;
        case HTTP_PS_PROTO_CHECK: {
            uint8_t c = rd_peek_u8(&r, rd_pos(&r));
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                rd_skip(&r, 1);
                break;
            }
            /* more follows: a request whose protocol is missing, with headers */
            sd->tx->flags &= ~(uint32_t)HTTP_TX_HTTP09;
            sd->tx->req_proto = -1;
            sd->ps = HTTP_PS_HEADERS;
            break;
        }
        case HTTP_PS_BODY_CL:
        case HTTP_PS_CHUNK_DATA: {
            size_t n = rd_left(&r);
            if (n > sd->remaining)
                n = (size_t)sd->remaining;
            const uint8_t *p = rd_span(&r, n);
            ok = p != NULL && http_body_data(s, sd->tx, dir, p, n);
            sd->remaining -= n;
            if (ok && sd->remaining == 0) {
                if (sd->ps == HTTP_PS_BODY_CL)
                    msg_complete(s, dir);
                else
                    sd->ps = HTTP_PS_CHUNK_END;
            }
            break;
        }
        case HTTP_PS_BODY_CLOSE: {
            size_t n = rd_left(&r);
            const uint8_t *p = rd_span(&r, n);
            ok = p != NULL && http_body_data(s, sd->tx, dir, p, n);
            break;
        }
        default:
            if (take_line(s, dir, &r, &ok) && ok)
                ok = finish_line(s, dir);
            break;
        }
    }
    if (ok && (flags & HTTP_DATA_EOF)) {
        ok = on_eof(s, dir);
        /* nothing more arrives in this direction: its line buffers go now,
         * not when the flow times out */
        if (ok && sd->line.len == 0 && !sd->has_pend) {
            http_buf_free(s->ctx->acct, &sd->line);
            http_buf_free(s->ctx->acct, &sd->pend);
        }
    }
    if (!ok) {
        oom(s);
        return HTTP_PARSE_ERROR;
    }
    return HTTP_PARSE_OK;
}

/* ---- probing ---- */

static const char *const g_methods[] = {
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH",
    "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
    "REPORT", "CHECKOUT", "MERGE", "SUBSCRIBE", "NOTIFY", "M-SEARCH",
};

int http_probe(const uint8_t *buf, size_t len, unsigned dir)
{
    Reader r = rd_init(buf, buf ? len : 0);
    const uint8_t *p = rd_cur(&r);
    size_t n = rd_left(&r);
    if (dir == HTTP_DIR_TOCLIENT) {
        const char *h = "HTTP/";
        for (size_t i = 0; i < 5; i++) {
            if (i >= n)
                return -1;
            if (p[i] != (uint8_t)h[i])
                return 0;
        }
        return 1;
    }
    bool maybe = false;
    for (size_t m = 0; m < sizeof(g_methods) / sizeof(g_methods[0]); m++) {
        size_t ml = strlen(g_methods[m]);
        size_t k = 0;
        while (k < ml && k < n && p[k] == (uint8_t)g_methods[m][k])
            k++;
        if (k == ml) {
            if (n == ml)
                maybe = true;
            else if (p[ml] == ' ' || p[ml] == '\t')
                return 1;
        } else if (k == n) {
            maybe = true;
        }
    }
    return maybe ? -1 : 0;
}
