/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * body.c: HTTP message bodies -- Content-Encoding decoding (gzip, deflate
 * through zlib, RFC 1952 / RFC 1950 / RFC 1951) and the bounded copy kept
 * for inspection (http.request_body, http.response_body, file.data).
 *
 * Where it sits: applayer/http; parser.c hands it de-chunked body bytes.
 *
 * Layers: "Content-Encoding: gzip, deflate" lists codings in the order they
 * were applied, so they are undone last first. At most
 * cfg.decompress_layer_limit layers are decoded (Suricata's
 * response-body-decompress-layer-limit, default 2); the layers beyond pass
 * through encoded. "deflate" is tried as zlib (RFC 1950) first and, when
 * the first bytes are not a zlib header, as raw deflate, as libhtp does.
 *
 * Limits: decoding stops once the body copy is full (nothing more would be
 * inspected) and when a layer's output passes cfg.bomb_limit at more than
 * cfg.bomb_ratio times its input (event compression_bomb): the cost of a
 * body is bounded by its wire size times the ratio. A stream zlib rejects
 * raises gzip_decompression_failed; the bytes from there on are kept as
 * received. zlib's own allocations are not charged to the account (zlib
 * holds at most ~300 KiB per active layer; the decoder lives only while
 * its body is being parsed).
 */
#include "applayer/http/http_int.h"

#include <string.h>

#define OUT_CHUNK 8192

bool http_buf_reserve(MemAccount *a, HttpBuf *b, size_t n)
{
    if (n > UINT32_MAX - b->len)
        return false;
    uint32_t need = b->len + (uint32_t)n;
    if (need > b->cap) {
        uint64_t ncap = b->cap ? (uint64_t)b->cap * 2 : 64;
        while (ncap < need)
            ncap *= 2;
        if (ncap > UINT32_MAX)
            ncap = UINT32_MAX;
        uint8_t *np = mem_realloc(a, b->p, (size_t)ncap);
        if (np == NULL)
            return false;
        b->p = np;
        b->cap = (uint32_t)ncap;
    }
    return true;
}

bool http_buf_add(MemAccount *a, HttpBuf *b, const uint8_t *data, size_t n)
{
    if (n == 0)
        return true;
    if (!http_buf_reserve(a, b, n))
        return false;
    memcpy(b->p + b->len, data, n);
    b->len += (uint32_t)n;
    return true;
}

void http_buf_free(MemAccount *a, HttpBuf *b)
{
    mem_free(a, b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static uint32_t body_limit(const HttpState *s, unsigned dir)
{
    return dir == 0 ? s->ctx->cfg.request_body_limit : s->ctx->cfg.response_body_limit;
}

static bool body_full(const HttpState *s, const HttpMsg *m, unsigned dir)
{
    uint32_t lim = body_limit(s, dir);
    return lim != 0 && m->body.len >= lim;
}

/* Keep decoded bytes up to the limit; count them all. */
static bool store(HttpState *s, HttpTx *tx, unsigned dir, const uint8_t *d, size_t n)
{
    HttpMsg *m = &tx->msg[dir];
    m->body_decoded += n;
    uint32_t lim = body_limit(s, dir);
    size_t keep = n;
    if (lim != 0) {
        size_t room = m->body.len < lim ? lim - m->body.len : 0;
        if (keep > room) {
            keep = room;
            tx->flags |= dir == 0 ? HTTP_TX_REQ_BODY_TRUNC : HTTP_TX_RES_BODY_TRUNC;
        }
    }
    return http_buf_add(s->ctx->acct, &m->body, d, keep);
}

static void layers_end(HttpDecoder *d)
{
    for (unsigned i = 0; i < d->n_layers; i++) {
        if (d->init[i])
            inflateEnd(&d->zs[i]);
        d->init[i] = false;
    }
    d->n_layers = 0;
}

static bool layer_init(HttpDecoder *d, unsigned i, bool raw)
{
    memset(&d->zs[i], 0, sizeof(d->zs[i]));
    int wbits = d->kind[i] == HTTP_CE_GZIP ? 15 + 16 : (raw ? -15 : 15);
    if (inflateInit2(&d->zs[i], wbits) != Z_OK)
        return false;
    d->init[i] = true;
    d->first[i] = true;
    return true;
}

void http_body_begin(HttpState *s, HttpTx *tx, unsigned dir, const HttpFrame *fr)
{
    HttpMsg *m = &tx->msg[dir];
    HttpDecoder *d = &m->dec;
    memset(d, 0, sizeof(*d));
    m->dec_active = false;
    if (fr->ce_unknown)
        http_tx_event(s, tx, HTTP_EV_ABNORMAL_CE_HEADER);
    unsigned n = fr->n_ce;
    unsigned limit = s->ctx->cfg.decompress_layer_limit;
    if (limit > HTTP_MAX_LAYERS)
        limit = HTTP_MAX_LAYERS;
    if (n > limit || fr->ce_too_many) {
        http_tx_event(s, tx, HTTP_EV_TOO_MANY_ENCODING_LAYERS);
        /* the outer `limit` layers are the last ones listed */
        if (n > limit)
            n = limit;
    }
    if (n == 0)
        return;
    /* decode order: last listed first */
    for (unsigned i = 0; i < n; i++)
        d->kind[i] = fr->ce[fr->n_ce - 1 - i];
    d->n_layers = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        if (!layer_init(d, i, false)) {
            layers_end(d);
            d->failed = true;
            http_tx_event(s, tx, HTTP_EV_GZIP_DECOMPRESSION_FAILED);
            return;
        }
    }
    m->dec_active = true;
}

/* Run bytes through layer i and on; the last layer stores. */
static bool run_layer(HttpState *s, HttpTx *tx, unsigned dir, unsigned i, const uint8_t *in,
                      size_t n)
{
    HttpMsg *m = &tx->msg[dir];
    HttpDecoder *d = &m->dec;
    if (i == d->n_layers)
        return store(s, tx, dir, in, n);
    if (d->failed || d->stopped)
        return true;
    uint8_t out[OUT_CHUNK];
    z_stream *zs = &d->zs[i];
    zs->next_in = (Bytef *)(uintptr_t)in;
    zs->avail_in = (uInt)n;
    while (zs->avail_in > 0) {
        if (body_full(s, m, dir))
            return true;
        zs->next_out = out;
        zs->avail_out = sizeof(out);
        uInt before_in = zs->avail_in;
        int rc = inflate(zs, Z_NO_FLUSH);
        size_t produced = sizeof(out) - zs->avail_out;
        if (rc == Z_DATA_ERROR && d->first[i] && d->kind[i] == HTTP_CE_DEFLATE) {
            /* not a zlib header (it is 2 bytes, maybe fed in earlier
             * calls): start over as raw deflate from the first byte */
            inflateEnd(zs);
            d->init[i] = false;
            if (!layer_init(d, i, true)) {
                d->failed = true;
                http_tx_event(s, tx, HTTP_EV_GZIP_DECOMPRESSION_FAILED);
                return true;
            }
            d->first[i] = false;
            if (d->n_head[i] > 0) {
                uint8_t tmp[2];
                memcpy(tmp, d->head[i], d->n_head[i]);
                uint8_t nh = d->n_head[i];
                d->n_head[i] = 0;
                if (!run_layer(s, tx, dir, i, tmp, nh))
                    return false;
                if (d->failed || d->stopped)
                    return true;
            }
            zs->next_in = (Bytef *)(uintptr_t)in;
            zs->avail_in = (uInt)n;
            continue;
        }
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            d->failed = true;
            http_tx_event(s, tx, HTTP_EV_GZIP_DECOMPRESSION_FAILED);
            /* keep the bytes as received from there on (as libhtp passes
             * data through); an error in the first bytes keeps them all */
            if (d->first[i]) {
                if (!store(s, tx, dir, d->head[i], d->n_head[i]))
                    return false;
                return store(s, tx, dir, in + (n - before_in), before_in);
            }
            return store(s, tx, dir, zs->next_in, zs->avail_in);
        }
        if (d->first[i]) {
            /* remember the first two bytes in case they must be replayed */
            size_t used = before_in - zs->avail_in;
            for (size_t k = 0; k < used && d->n_head[i] < 2; k++)
                d->head[i][d->n_head[i]++] = in[(size_t)(n - before_in) + k];
            if (d->n_head[i] >= 2 || produced > 0)
                d->first[i] = false;
        }
        /* the ratio compares wire bytes with what the last layer yields */
        if (i == 0)
            d->in_total += before_in - zs->avail_in;
        if (i + 1u == d->n_layers)
            d->out_total += produced;
        if (produced > 0 && !run_layer(s, tx, dir, i + 1, out, produced))
            return false;
        if (d->out_total > s->ctx->cfg.bomb_limit &&
            d->out_total > (uint64_t)s->ctx->cfg.bomb_ratio * (d->in_total ? d->in_total : 1)) {
            d->stopped = true;
            http_tx_event(s, tx, HTTP_EV_COMPRESSION_BOMB);
            return true;
        }
        if (rc == Z_STREAM_END) {
            /* trailing bytes after the stream end are ignored */
            return true;
        }
        if (produced == 0 && before_in == zs->avail_in)
            break; /* no progress */
    }
    return true;
}

bool http_body_data(HttpState *s, HttpTx *tx, unsigned dir, const uint8_t *data, size_t len)
{
    HttpMsg *m = &tx->msg[dir];
    m->body_wire += len;
    if (!m->dec_active)
        return store(s, tx, dir, data, len);
    if (body_full(s, m, dir)) {
        /* nothing more will be kept: count only */
        tx->flags |= dir == 0 ? HTTP_TX_REQ_BODY_TRUNC : HTTP_TX_RES_BODY_TRUNC;
        return true;
    }
    if (m->dec.failed)
        return store(s, tx, dir, data, len);
    return run_layer(s, tx, dir, 0, data, len);
}

void http_body_end(HttpState *s, HttpTx *tx, unsigned dir)
{
    (void)s;
    HttpMsg *m = &tx->msg[dir];
    if (m->dec_active)
        layers_end(&m->dec);
    m->dec_active = false;
}
