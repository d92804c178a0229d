/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_http.c: unit tests for applayer/http (parser, URI normalisation,
 * body decoding, rule buffers) and output/http (the EVE http object).
 *
 * Every test feeds bytes the way the stream engine does -- per direction,
 * in chunks -- and checks buffers and events exactly. Chunking is varied
 * (whole, 1 byte, 7 bytes) where the result must not depend on it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <unistd.h>
#include <zlib.h>

#include "applayer/applayer.h"
#include "applayer/http/http.h"
#include "core/config.h"
#include "core/stats.h"
#include "lib/alloc.h"
#include "lib/json.h"
#include "output/http.h"

/* ---- helpers ---- */

static MemAccount g_acct;
static Stats g_stats;

typedef struct T {
    HttpCtx *ctx;
    HttpState *s;
} T;

static void t_open_cfg(T *t, const HttpConfig *cfg)
{
    mem_account_init(&g_acct, "applayer", 0);
    http_counters_register();
    memset(&g_stats, 0, sizeof(g_stats));
    t->ctx = http_ctx_new(cfg, &g_acct, &g_stats);
    assert_non_null(t->ctx);
    t->s = http_state_new(t->ctx);
    assert_non_null(t->s);
}

static void t_open(T *t) { t_open_cfg(t, NULL); }

static void t_close(T *t)
{
    http_state_free(t->s);
    http_ctx_free(t->ctx);
    /* everything charged was given back */
    assert_int_equal(atomic_load(&g_acct.used), 0);
}

/* Feed len bytes of dir in chunks of `chunk` bytes (0 = all at once). */
static void feed(T *t, unsigned dir, const void *data, size_t len, size_t chunk)
{
    const uint8_t *p = data;
    if (chunk == 0)
        chunk = len ? len : 1;
    size_t off = 0;
    do {
        size_t n = len - off < chunk ? len - off : chunk;
        assert_int_equal(http_parse(t->s, dir, p + off, n, 0), HTTP_PARSE_OK);
        off += n;
    } while (off < len);
}

static void feeds(T *t, unsigned dir, const char *text, size_t chunk)
{
    feed(t, dir, text, strlen(text), chunk);
}

static void eof(T *t, unsigned dir)
{
    assert_int_equal(http_parse(t->s, dir, NULL, 0, HTTP_DATA_EOF), HTTP_PARSE_OK);
}

/* Assert buffer id of tx (dir) equals the given bytes. */
static void buf_eq(HttpTx *tx, HttpBufferId id, unsigned dir, const void *want, size_t want_len)
{
    const uint8_t *b = NULL;
    uint32_t n = 0;
    bool ok = http_tx_buffer(tx, id, dir, &b, &n);
    if (!ok)
        fail_msg("buffer %s missing", http_buffer_name(id));
    if (n != want_len || memcmp(b, want, n) != 0)
        fail_msg("buffer %s: got [%.*s] (%u), want [%.*s] (%zu)", http_buffer_name(id), (int)n,
                 (const char *)b, n, (int)want_len, (const char *)want, want_len);
}

static void bufs(HttpTx *tx, HttpBufferId id, unsigned dir, const char *want)
{
    buf_eq(tx, id, dir, want, strlen(want));
}

static void no_buf(HttpTx *tx, HttpBufferId id, unsigned dir)
{
    const uint8_t *b;
    uint32_t n;
    if (http_tx_buffer(tx, id, dir, &b, &n))
        fail_msg("buffer %s present: [%.*s]", http_buffer_name(id), (int)n, (const char *)b);
}

static HttpTx *tx_at(T *t, uint64_t id)
{
    HttpTx *tx = http_state_tx(t->s, id);
    assert_non_null(tx);
    assert_int_equal(http_tx_id(tx), id);
    return tx;
}

/* gzip (wbits 31), zlib (15) or raw deflate (-15) of data. */
static size_t zip(int wbits, const void *in, size_t n, uint8_t *out, size_t cap)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t len = cap - zs.avail_out;
    deflateEnd(&zs);
    return len;
}

static const char REQ1[] = "GET /index.html?q=%41+b HTTP/1.1\r\n"
                           "Host: Www.Example.COM:8080\r\n"
                           "User-Agent: Mozilla/5.0 \t\r\n"
                           "Accept: */*\r\n"
                           "Accept-Language: en-us\r\n"
                           "Accept-Encoding: gzip\r\n"
                           "Cookie: a=b\r\n"
                           "Referer: http://ref/\r\n"
                           "Connection: keep-alive\r\n"
                           "\r\n";

static const char RES1[] = "HTTP/1.1 200 OK\r\n"
                           "Server: nginx/1.0\r\n"
                           "Content-Type: text/html; charset=utf-8\r\n"
                           "Set-Cookie: s=1\r\n"
                           "Content-Length: 5\r\n"
                           "\r\n"
                           "hello";

static void check_simple(T *t)
{
    assert_int_equal(http_state_tx_count(t->s), 1);
    HttpTx *tx = tx_at(t, 0);
    assert_true(http_tx_complete(tx));
    bufs(tx, HTTP_BUF_METHOD, 0, "GET");
    bufs(tx, HTTP_BUF_URI_RAW, 0, "/index.html?q=%41+b");
    bufs(tx, HTTP_BUF_URI, 0, "/index.html?q=A+b");
    bufs(tx, HTTP_BUF_PROTOCOL, 0, "HTTP/1.1");
    bufs(tx, HTTP_BUF_PROTOCOL, 1, "HTTP/1.1");
    bufs(tx, HTTP_BUF_REQUEST_LINE, 0, "GET /index.html?q=%41+b HTTP/1.1");
    bufs(tx, HTTP_BUF_HOST, 0, "www.example.com");
    bufs(tx, HTTP_BUF_HOST_RAW, 0, "Www.Example.COM:8080");
    assert_int_equal(http_tx_port(tx), 8080);
    bufs(tx, HTTP_BUF_USER_AGENT, 0, "Mozilla/5.0");
    bufs(tx, HTTP_BUF_ACCEPT, 0, "*/*");
    bufs(tx, HTTP_BUF_ACCEPT_LANG, 0, "en-us");
    bufs(tx, HTTP_BUF_ACCEPT_ENC, 0, "gzip");
    bufs(tx, HTTP_BUF_COOKIE, 0, "a=b");
    bufs(tx, HTTP_BUF_COOKIE, 1, "s=1");
    bufs(tx, HTTP_BUF_REFERER, 0, "http://ref/");
    bufs(tx, HTTP_BUF_CONNECTION, 0, "keep-alive");
    bufs(tx, HTTP_BUF_HEADER, 0,
         "Host: Www.Example.COM:8080\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n"
         "Accept-Language: en-us\r\nAccept-Encoding: gzip\r\nReferer: http://ref/\r\n"
         "Connection: keep-alive\r\n");
    bufs(tx, HTTP_BUF_HEADER_NAMES, 0,
         "\r\nHost\r\nUser-Agent\r\nAccept\r\nAccept-Language\r\nAccept-Encoding\r\nCookie\r\n"
         "Referer\r\nConnection\r\n\r\n");
    const char *raw_start = strstr(REQ1, "\r\n") + 2;
    bufs(tx, HTTP_BUF_HEADER_RAW, 0, raw_start);
    bufs(tx, HTTP_BUF_START, 0,
         "GET /index.html?q=%41+b HTTP/1.1\r\nHost: Www.Example.COM:8080\r\n"
         "User-Agent: Mozilla/5.0\r\nAccept: */*\r\nAccept-Language: en-us\r\n"
         "Accept-Encoding: gzip\r\nCookie: a=b\r\nReferer: http://ref/\r\n"
         "Connection: keep-alive\r\n\r\n");
    bufs(tx, HTTP_BUF_RESPONSE_LINE, 1, "HTTP/1.1 200 OK");
    bufs(tx, HTTP_BUF_STAT_CODE, 1, "200");
    bufs(tx, HTTP_BUF_STAT_MSG, 1, "OK");
    bufs(tx, HTTP_BUF_SERVER, 1, "nginx/1.0");
    bufs(tx, HTTP_BUF_CONTENT_TYPE, 1, "text/html; charset=utf-8");
    bufs(tx, HTTP_BUF_CONTENT_LEN, 1, "5");
    bufs(tx, HTTP_BUF_HEADER, 1,
         "Server: nginx/1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\n");
    bufs(tx, HTTP_BUF_RESPONSE_BODY, 1, "hello");
    bufs(tx, HTTP_BUF_FILE_DATA, 1, "hello");
    no_buf(tx, HTTP_BUF_REQUEST_BODY, 0);
    no_buf(tx, HTTP_BUF_LOCATION, 1);
    assert_int_equal(http_tx_status(tx), 200);
    assert_int_equal(http_tx_body_len(tx, 1), 5);
    assert_int_equal(http_tx_events(tx), 0);
}

/* ---- parser ---- */

static void test_simple_whole(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0, REQ1, 0);
    HttpTx *tx = tx_at(&t, 0);
    assert_int_equal(http_tx_progress(tx, 0), HTTP_PROGRESS_COMPLETE);
    assert_int_equal(http_tx_progress(tx, 1), HTTP_PROGRESS_NONE);
    no_buf(tx, HTTP_BUF_RESPONSE_LINE, 1);
    feeds(&t, 1, RES1, 0);
    check_simple(&t);
    t_close(&t);
}

static void test_simple_one_byte_chunks(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0, REQ1, 1);
    feeds(&t, 1, RES1, 1);
    check_simple(&t);
    t_close(&t);
}

static void test_simple_odd_chunks(void **st)
{
    (void)st;
    for (size_t chunk = 2; chunk < 20; chunk += 3) {
        T t;
        t_open(&t);
        feeds(&t, 0, REQ1, chunk);
        feeds(&t, 1, RES1, chunk + 1);
        check_simple(&t);
        t_close(&t);
    }
}

static void test_pipelining(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0,
          "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
          "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
          "HEAD /c HTTP/1.1\r\nHost: h\r\n\r\n",
          0);
    assert_int_equal(http_state_tx_count(t.s), 3);
    feeds(&t, 1,
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
          "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
          "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", /* HEAD: no body */
          5);
    HttpTx *a = tx_at(&t, 0), *b = tx_at(&t, 1), *c = tx_at(&t, 2);
    bufs(a, HTTP_BUF_URI, 0, "/a");
    bufs(b, HTTP_BUF_URI, 0, "/b");
    bufs(c, HTTP_BUF_URI, 0, "/c");
    bufs(b, HTTP_BUF_REQUEST_BODY, 0, "xyz");
    assert_int_equal(http_tx_status(a), 200);
    assert_int_equal(http_tx_status(b), 404);
    assert_int_equal(http_tx_status(c), 200);
    bufs(a, HTTP_BUF_RESPONSE_BODY, 1, "ok");
    assert_true(http_tx_complete(a) && http_tx_complete(b) && http_tx_complete(c));
    /* the next response starts a new tx only when there is a request */
    feeds(&t, 0, "GET /d HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    feeds(&t, 1, "HTTP/1.1 301 Moved\r\nLocation: /e\r\nContent-Length: 0\r\n\r\n", 0);
    HttpTx *d = tx_at(&t, 3);
    bufs(d, HTTP_BUF_LOCATION, 1, "/e");
    assert_true(http_tx_complete(d));
    /* release: the first three go, the state keeps working */
    assert_int_equal(http_state_tx_free_upto(t.s, 3), 3);
    assert_null(http_state_tx(t.s, 0));
    assert_non_null(http_state_tx(t.s, 3));
    t_close(&t);
}

/* The framework's release: only logged txs go when logging is wanted, the
 * oldest first, and never one still being parsed. */
static void test_tx_release_logged(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    feeds(&t, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                 "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
    feeds(&t, 0, "GET /c HTTP/1.1\r\nHost: h\r\n\r\n", 0); /* no response yet */
    HttpTx *a = tx_at(&t, 0), *b = tx_at(&t, 1);
    assert_true(http_tx_complete(a) && http_tx_complete(b));
    assert_int_equal(http_state_tx_release(t.s, 3, true), 0); /* none logged */
    http_tx_set_logged(b);
    assert_int_equal(http_state_tx_release(t.s, 3, true), 0); /* a blocks b */
    http_tx_set_logged(a);
    assert_int_equal(http_state_tx_release(t.s, 1, true), 1); /* below 1 only */
    assert_null(http_state_tx(t.s, 0));
    assert_int_equal(http_state_tx_release(t.s, 3, true), 1); /* c is open */
    assert_null(http_state_tx(t.s, 1));
    assert_non_null(http_state_tx(t.s, 2));
    assert_int_equal(http_state_tx_release(t.s, 3, false), 0);
    t_close(&t);
}

static void test_keepalive_interleaved(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    for (int i = 0; i < 5; i++) {
        char req[64];
        snprintf(req, sizeof(req), "GET /%d HTTP/1.1\r\nHost: h\r\n\r\n", i);
        feeds(&t, 0, req, 3);
        feeds(&t, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 4);
        HttpTx *tx = tx_at(&t, (uint64_t)i);
        assert_true(http_tx_complete(tx));
        bufs(tx, HTTP_BUF_RESPONSE_BODY, 1, "abc");
        char u[8];
        snprintf(u, sizeof(u), "/%d", i);
        bufs(tx, HTTP_BUF_URI, 0, u);
    }
    assert_int_equal(http_state_tx_count(t.s), 5);
    t_close(&t);
}

static void test_chunked_gzip(void **st)
{
    (void)st;
    char plain[3000];
    for (size_t i = 0; i < sizeof(plain); i++)
        plain[i] = (char)('a' + (i * 7) % 26);
    uint8_t gz[4096];
    size_t gl = zip(31, plain, sizeof(plain), gz, sizeof(gz));
    /* build a chunked body: chunks of 100 with an extension on the first */
    uint8_t msg[8192];
    size_t n = 0;
    const char *hdr = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n";
    memcpy(msg, hdr, strlen(hdr));
    n += strlen(hdr);
    for (size_t off = 0; off < gl; off += 100) {
        size_t cl = gl - off < 100 ? gl - off : 100;
        n += (size_t)snprintf((char *)msg + n, sizeof(msg) - n, off == 0 ? "%zx;ext=1\r\n" : "%zX\r\n", cl);
        memcpy(msg + n, gz + off, cl);
        n += cl;
        memcpy(msg + n, "\r\n", 2);
        n += 2;
    }
    const char *end = "0\r\nX-Trailer: yes\r\n\r\n";
    memcpy(msg + n, end, strlen(end));
    n += strlen(end);
    size_t chunks[] = { 0, 1, 13 };
    for (size_t k = 0; k < 3; k++) {
        T t;
        t_open(&t);
        feeds(&t, 0, "GET /z HTTP/1.1\r\nHost: h\r\n\r\n", 0);
        feed(&t, 1, msg, n, chunks[k]);
        HttpTx *tx = tx_at(&t, 0);
        assert_true(http_tx_complete(tx));
        buf_eq(tx, HTTP_BUF_RESPONSE_BODY, 1, plain, sizeof(plain));
        /* chunk framing counts in the message length, as libhtp's */
        size_t framing = 0;
        for (size_t off = 0; off < gl; off += 100) {
            char tmp[32];
            size_t cl = gl - off < 100 ? gl - off : 100;
            framing += (size_t)snprintf(tmp, sizeof(tmp), off == 0 ? "%zx;ext=1\r\n" : "%zX\r\n", cl) + 2;
        }
        framing += 3; /* "0\r\n" */
        assert_int_equal(http_tx_body_len(tx, 1), gl + framing);
        assert_int_equal(http_tx_body_decoded_len(tx, 1), sizeof(plain));
        /* the trailer is a header of the response */
        bufs(tx, HTTP_BUF_HEADER_NAMES, 1, "\r\nContent-Encoding\r\nTransfer-Encoding\r\nX-Trailer\r\n\r\n");
        assert_int_equal(http_tx_events(tx), 0);
        t_close(&t);
    }
}

static void test_deflate_variants_and_layers(void **st)
{
    (void)st;
    const char *plain = "the quick brown fox jumps over the lazy dog, again and again and again";
    size_t pl = strlen(plain);
    int wbits[2] = { 15, -15 }; /* zlib, then raw deflate (libhtp retries) */
    for (int k = 0; k < 2; k++) {
        uint8_t z[512];
        size_t zl = zip(wbits[k], plain, pl, z, sizeof(z));
        char hdr[128];
        int hn = snprintf(hdr, sizeof(hdr),
                          "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: %zu\r\n\r\n", zl);
        T t;
        t_open(&t);
        feeds(&t, 0, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0);
        feed(&t, 1, hdr, (size_t)hn, 0);
        feed(&t, 1, z, zl, 1);
        HttpTx *tx = tx_at(&t, 0);
        buf_eq(tx, HTTP_BUF_RESPONSE_BODY, 1, plain, pl);
        assert_true(http_tx_complete(tx));
        t_close(&t);
    }
    /* two layers: gzip applied first, then deflate */
    uint8_t g1[512], g2[512];
    size_t l1 = zip(31, plain, pl, g1, sizeof(g1));
    size_t l2 = zip(15, g1, l1, g2, sizeof(g2));
    char hdr[160];
    int hn = snprintf(hdr, sizeof(hdr),
                      "POST /up HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip, deflate\r\n"
                      "Content-Length: %zu\r\n\r\n", l2);
    T t;
    t_open(&t);
    feed(&t, 0, hdr, (size_t)hn, 0);
    feed(&t, 0, g2, l2, 3);
    HttpTx *tx = tx_at(&t, 0);
    buf_eq(tx, HTTP_BUF_REQUEST_BODY, 0, plain, pl);
    t_close(&t);
    /* three layers with the default limit of 2: event, body not plain */
    t_open(&t);
    feeds(&t, 0, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    hn = snprintf(hdr, sizeof(hdr),
                  "HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip, deflate\r\nContent-Length: %zu\r\n\r\n", l2);
    feed(&t, 1, hdr, (size_t)hn, 0);
    feed(&t, 1, g2, l2, 0);
    tx = tx_at(&t, 0);
    assert_true(http_tx_has_event(tx, HTTP_EV_TOO_MANY_ENCODING_LAYERS));
    assert_true(http_tx_complete(tx));
    t_close(&t);
}

static void test_bad_gzip(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    feeds(&t, 1, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\nnot gzip!!", 0);
    HttpTx *tx = tx_at(&t, 0);
    assert_true(http_tx_has_event(tx, HTTP_EV_GZIP_DECOMPRESSION_FAILED));
    assert_true(http_tx_complete(tx));
    /* not gzip from the first byte: kept as received (Suricata's
     * http-encoding-gzip-uncompressed case) */
    bufs(tx, HTTP_BUF_RESPONSE_BODY, 1, "not gzip!!");
    t_close(&t);
    /* the same one byte at a time, on a request */
    t_open(&t);
    feeds(&t, 0, "POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: 17\r\n\r\n"
                 "{\"sdk_version\":1}", 1);
    tx = tx_at(&t, 0);
    assert_true(http_tx_has_event(tx, HTTP_EV_GZIP_DECOMPRESSION_FAILED));
    bufs(tx, HTTP_BUF_REQUEST_BODY, 0, "{\"sdk_version\":1}");
    t_close(&t);
}

static void test_compression_bomb(void **st)
{
    (void)st;
    size_t big = 8u << 20; /* 8 MiB of zeros */
    uint8_t *zeros = calloc(1, big);
    uint8_t *gz = malloc(64 * 1024);
    assert_non_null(zeros);
    assert_non_null(gz);
    uint8_t *gz1 = malloc(64 * 1024);
    assert_non_null(gz1);
    size_t gl1 = zip(31, zeros, big, gz1, 64 * 1024);
    /* one deflate layer cannot pass a ratio of ~1032: nest two */
    size_t gl = zip(31, gz1, gl1, gz, 64 * 1024);
    free(gz1);
    HttpConfig cfg;
    http_config_defaults(&cfg);
    cfg.response_body_limit = 0; /* keep everything: only the bomb check stops it */
    T t;
    t_open_cfg(&t, &cfg);
    feeds(&t, 0, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    char hdr[128];
    int hn = snprintf(hdr, sizeof(hdr),
                      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip\r\nContent-Length: %zu\r\n\r\n", gl);
    feed(&t, 1, hdr, (size_t)hn, 0);
    feed(&t, 1, gz, gl, 0);
    HttpTx *tx = tx_at(&t, 0);
    assert_true(http_tx_has_event(tx, HTTP_EV_COMPRESSION_BOMB));
    assert_true(http_tx_body_decoded_len(tx, 1) < big);
    assert_true(http_tx_body_decoded_len(tx, 1) >= cfg.bomb_limit);
    assert_true(http_tx_complete(tx));
    t_close(&t);
    free(zeros);
    free(gz);
}

static void test_body_limits(void **st)
{
    (void)st;
    HttpConfig cfg;
    http_config_defaults(&cfg);
    cfg.request_body_limit = 4;
    cfg.response_body_limit = 6;
    T t;
    t_open_cfg(&t, &cfg);
    feeds(&t, 0, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", 1);
    feeds(&t, 1, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nabcdefghijkl", 5);
    HttpTx *tx = tx_at(&t, 0);
    bufs(tx, HTTP_BUF_REQUEST_BODY, 0, "0123");
    bufs(tx, HTTP_BUF_RESPONSE_BODY, 1, "abcdef");
    assert_int_equal(http_tx_body_len(tx, 0), 10);
    assert_int_equal(http_tx_body_len(tx, 1), 12);
    assert_true(http_tx_flags(tx) & HTTP_TX_REQ_BODY_TRUNC);
    assert_true(http_tx_flags(tx) & HTTP_TX_RES_BODY_TRUNC);
    assert_true(http_tx_complete(tx));
    /* the default limit is Suricata's 100 KiB */
    HttpConfig d;
    http_config_defaults(&d);
    assert_int_equal(d.request_body_limit, 100 * 1024);
    assert_int_equal(d.response_body_limit, 100 * 1024);
    t_close(&t);
}

static void test_header_limits(void **st)
{
    (void)st;
    HttpConfig cfg;
    http_config_defaults(&cfg);
    cfg.field_limit = 100;
    cfg.headers_limit = 3;
    T t;
    t_open_cfg(&t, &cfg);
    char req[1024];
    char longv[400];
    memset(longv, 'v', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = 0;
    snprintf(req, sizeof(req),
             "GET / HTTP/1.1\r\nHost: h\r\nX-Long: %s\r\nA: 1\r\nB: 2\r\nC: 3\r\n"
             "Content-Length: 2\r\n\r\nokGET /next HTTP/1.1\r\nHost: h\r\n\r\n", longv);
    feeds(&t, 0, req, 7);
    HttpTx *tx = tx_at(&t, 0);
    assert_true(http_tx_has_event(tx, HTTP_EV_REQUEST_FIELD_TOO_LONG));
    assert_true(http_tx_has_event(tx, HTTP_EV_REQUEST_TOO_MANY_HEADERS));
    assert_int_equal(http_tx_header_count(tx, 0), 3);
    const uint8_t *v;
    uint32_t vl;
    assert_true(http_tx_header(tx, 0, "x-long", &v, &vl));
    assert_int_equal(vl, 100 - strlen("X-Long: "));
    /* Content-Length was not stored but still framed the body */
    bufs(tx, HTTP_BUF_REQUEST_BODY, 0, "ok");
    bufs(tx_at(&t, 1), HTTP_BUF_URI, 0, "/next");
    t_close(&t);
}

static void test_duplicates_and_folding(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0,
          "GET / HTTP/1.1\r\nHost: ABC.com\r\nAccept: */*\r\nHost: efg.net\r\n"
          "User-Agent: SuriTester/0.8\r\nUser-Agent: GGGG\r\n"
          "X-Fold: first\r\n  second\r\n\tthird\r\n"
          "Content-Length: 1\r\nContent-Length: 5\r\n\r\nx",
          1);
    HttpTx *tx = tx_at(&t, 0);
    bufs(tx, HTTP_BUF_USER_AGENT, 0, "SuriTester/0.8, GGGG");
    bufs(tx, HTTP_BUF_HOST, 0, "abc.com, efg.net");
    bufs(tx, HTTP_BUF_HOST_RAW, 0, "ABC.com, efg.net");
    const uint8_t *v;
    uint32_t vl;
    assert_true(http_tx_header(tx, 0, "x-fold", &v, &vl));
    assert_int_equal(vl, strlen("first  second\tthird"));
    assert_memory_equal(v, "first  second\tthird", vl);
    bufs(tx, HTTP_BUF_CONTENT_LEN, 0, "1");
    assert_true(http_tx_has_event(tx, HTTP_EV_DUPLICATE_CL_IN_REQUEST));
    bufs(tx, HTTP_BUF_REQUEST_BODY, 0, "x");
    assert_int_equal(http_tx_progress(tx, 0), HTTP_PROGRESS_COMPLETE);
    bufs(tx, HTTP_BUF_HEADER, 0,
         "Host: ABC.com, efg.net\r\nAccept: */*\r\nUser-Agent: SuriTester/0.8, GGGG\r\n"
         "X-Fold: first  second\tthird\r\nContent-Length: 1\r\n");
    t_close(&t);
}

static void test_broken_requests(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    /* missing colon, header name with space, folding without a header */
    feeds(&t, 0, "GET /x HTTP/1.1\r\n folded\r\nHost: h\r\nNoColonHere\r\nBad Name : v\r\n\r\n", 2);
    HttpTx *tx = tx_at(&t, 0);
    assert_true(http_tx_has_event(tx, HTTP_EV_INVALID_REQUEST_FIELD_FOLDING));
    assert_true(http_tx_has_event(tx, HTTP_EV_REQUEST_FIELD_MISSING_COLON));
    assert_true(http_tx_has_event(tx, HTTP_EV_REQUEST_HEADER_INVALID));
    assert_int_equal(http_tx_progress(tx, 0), HTTP_PROGRESS_COMPLETE);
    /* leading whitespace and an invalid protocol */
    feeds(&t, 0, "  GET /y FTP/1.0\r\nHost: h\r\n\r\n", 0);
    tx = tx_at(&t, 1);
    assert_true(http_tx_has_event(tx, HTTP_EV_REQUEST_LINE_LEADING_WHITESPACE));
    assert_true(http_tx_has_event(tx, HTTP_EV_REQUEST_LINE_INVALID));
    bufs(tx, HTTP_BUF_METHOD, 0, "GET");
    bufs(tx, HTTP_BUF_URI, 0, "/y");
    bufs(tx, HTTP_BUF_PROTOCOL, 0, "FTP/1.0");
    /* missing Host on 1.1 */
    feeds(&t, 0, "GET /z HTTP/1.1\r\n\r\n", 0);
    assert_true(http_tx_has_event(tx_at(&t, 2), HTTP_EV_MISSING_HOST_HEADER));
    /* an invalid chunk length ends request parsing for the flow */
    feeds(&t, 0, "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET / HTTP/1.1\r\n\r\n", 0);
    tx = tx_at(&t, 3);
    assert_true(http_tx_has_event(tx, HTTP_EV_INVALID_REQUEST_CHUNK_LEN));
    assert_true(http_state_dead(t.s, 0));
    assert_int_equal(http_state_tx_count(t.s), 4);
    /* random binary does not crash and creates a tx with an invalid line */
    t_close(&t);

    t_open(&t);
    uint8_t junk[300];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    feed(&t, 0, junk, sizeof(junk), 1);
    feed(&t, 1, junk, sizeof(junk), 3);
    eof(&t, 0);
    eof(&t, 1);
    assert_true(http_state_tx_count(t.s) >= 1);
    t_close(&t);
}

static void test_http09_and_odd_responses(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0, "GET /old\r\n", 0);
    HttpTx *tx = tx_at(&t, 0);
    assert_true(http_tx_flags(tx) & HTTP_TX_HTTP09);
    assert_true(http_tx_has_event(tx, HTTP_EV_REQUEST_LINE_MISSING_PROTOCOL));
    no_buf(tx, HTTP_BUF_PROTOCOL, 0);
    bufs(tx, HTTP_BUF_URI, 0, "/old");
    /* undecided until something follows; a response settles it */
    assert_int_equal(http_tx_progress(tx, 0), HTTP_PROGRESS_LINE);
    /* the response has no status line: body until close */
    feeds(&t, 1, "<html>hi</html>\n", 4);
    assert_int_equal(http_tx_progress(tx, 0), HTTP_PROGRESS_COMPLETE);
    /* data after an HTTP/0.9 request is ignored */
    feeds(&t, 0, "GET /more HTTP/1.1\r\n\r\n", 0);
    assert_int_equal(http_state_tx_count(t.s), 1);
    assert_int_equal(http_tx_progress(tx, 1), HTTP_PROGRESS_BODY);
    eof(&t, 1);
    assert_true(http_tx_complete(tx));
    bufs(tx, HTTP_BUF_RESPONSE_BODY, 1, "<html>hi</html>\n");
    assert_true(http_tx_has_event(tx, HTTP_EV_RESPONSE_INVALID_PROTOCOL));
    t_close(&t);

    /* response without request; invalid status; 100 continue; 204 */
    t_open(&t);
    feeds(&t, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
    tx = tx_at(&t, 0);
    assert_true(http_tx_has_event(tx, HTTP_EV_UNABLE_TO_MATCH_RESPONSE));
    assert_true(http_tx_flags(tx) & HTTP_TX_NO_REQUEST);
    feeds(&t, 0, "POST /p HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n", 0);
    feeds(&t, 1, "HTTP/1.1 100 Continue\r\n\r\n", 0);
    feeds(&t, 0, "hi", 0);
    feeds(&t, 1, "HTTP/1.1 2x0 Weird\r\nContent-Length: 0\r\n\r\n", 0);
    tx = tx_at(&t, 1);
    assert_true(http_tx_has_event(tx, HTTP_EV_RESPONSE_INVALID_STATUS));
    assert_int_equal(http_tx_status(tx), 0);
    bufs(tx, HTTP_BUF_STAT_CODE, 1, "2x0");
    bufs(tx, HTTP_BUF_REQUEST_BODY, 0, "hi");
    assert_true(http_tx_complete(tx));
    feeds(&t, 0, "DELETE /d HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    feeds(&t, 1, "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", 0);
    assert_true(http_tx_complete(tx_at(&t, 2)));
    t_close(&t);

    /* body until close, then EOF; a CONNECT tunnel stops parsing */
    t_open(&t);
    feeds(&t, 0, "GET / HTTP/1.0\r\n\r\n", 0);
    feeds(&t, 1, "HTTP/1.0 200 OK\r\n\r\nstream of bytes", 3);
    tx = tx_at(&t, 0);
    assert_false(http_tx_complete(tx));
    eof(&t, 1);
    assert_true(http_tx_complete(tx));
    bufs(tx, HTTP_BUF_RESPONSE_BODY, 1, "stream of bytes");
    feeds(&t, 0, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 0);
    assert_int_equal(http_state_tx_count(t.s), 2);
    t_close(&t);
}

static void test_missing_protocol_with_headers(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    /* as libhtp: header lines after a protocol-less line are headers */
    feeds(&t, 0, "GET /HTTP/1.1\r\nHost: www.google.com\r\n\r\n", 1);
    HttpTx *tx = tx_at(&t, 0);
    assert_false(http_tx_flags(tx) & HTTP_TX_HTTP09);
    assert_true(http_tx_has_event(tx, HTTP_EV_REQUEST_LINE_MISSING_PROTOCOL));
    bufs(tx, HTTP_BUF_URI, 0, "/HTTP/1.1");
    bufs(tx, HTTP_BUF_HOST, 0, "www.google.com");
    assert_int_equal(http_tx_progress(tx, 0), HTTP_PROGRESS_COMPLETE);
    feeds(&t, 1, "HTTP/1.0 403 Forbidden\r\nContent-Length: 0\r\n\r\n", 0);
    assert_int_equal(http_tx_status(tx), 403);
    assert_true(http_tx_complete(tx));
    t_close(&t);
    /* a true HTTP/0.9 request settled by the end of the stream */
    t_open(&t);
    feeds(&t, 0, "GET /\r\n", 0);
    eof(&t, 0);
    tx = tx_at(&t, 0);
    assert_true(http_tx_flags(tx) & HTTP_TX_HTTP09);
    assert_int_equal(http_tx_progress(tx, 0), HTTP_PROGRESS_COMPLETE);
    t_close(&t);
}

static void test_connect_tunnel(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 0);
    feeds(&t, 1, "HTTP/1.1 200 Connection established\r\n\r\n", 0);
    HttpTx *tx = tx_at(&t, 0);
    assert_true(http_tx_flags(tx) & HTTP_TX_TUNNEL);
    assert_true(http_tx_complete(tx));
    assert_true(http_state_dead(t.s, 0) && http_state_dead(t.s, 1));
    feeds(&t, 0, "\x16\x03\x01\x00\x05hello", 0);
    assert_int_equal(http_state_tx_count(t.s), 1);
    t_close(&t);
}

static void test_gaps(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    /* a gap inside a body of known length is skipped */
    feeds(&t, 0, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    feeds(&t, 1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab", 0);
    assert_int_equal(http_parse(t.s, 1, NULL, 5, HTTP_DATA_GAP), HTTP_PARSE_OK);
    feeds(&t, 1, "xyz", 0);
    HttpTx *tx = tx_at(&t, 0);
    assert_true(http_tx_complete(tx));
    assert_true(http_tx_flags(tx) & HTTP_TX_GAP);
    bufs(tx, HTTP_BUF_RESPONSE_BODY, 1, "abxyz");
    assert_int_equal(http_tx_body_len(tx, 1), 10);
    /* parsing continues after it */
    feeds(&t, 0, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    feeds(&t, 1, "HTTP/1.1 404 NF\r\nContent-Length: 0\r\n\r\n", 0);
    assert_int_equal(http_tx_status(tx_at(&t, 1)), 404);
    /* a gap in the headers stops the direction, txs are closed */
    feeds(&t, 0, "GET /3 HTTP/1.1\r\nHo", 0);
    assert_int_equal(http_parse(t.s, 0, NULL, 100, HTTP_DATA_GAP), HTTP_PARSE_OK);
    assert_true(http_state_dead(t.s, 0));
    tx = tx_at(&t, 2);
    assert_true(http_tx_flags(tx) & HTTP_TX_GAP);
    assert_int_equal(http_tx_progress(tx, 0), HTTP_PROGRESS_COMPLETE);
    feeds(&t, 0, "GET /4 HTTP/1.1\r\n\r\n", 0);
    assert_int_equal(http_state_tx_count(t.s), 3);
    /* its response still pairs */
    feeds(&t, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
    assert_true(http_tx_complete(tx));
    t_close(&t);
}

static void test_eof_partial(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0, "GET /cut HTTP/1.1", 0);
    assert_int_equal(http_state_tx_count(t.s), 0);
    eof(&t, 0);
    assert_int_equal(http_state_tx_count(t.s), 1);
    HttpTx *tx = tx_at(&t, 0);
    assert_true(http_tx_has_event(tx, HTTP_EV_REQUEST_LINE_INCOMPLETE));
    bufs(tx, HTTP_BUF_URI, 0, "/cut");
    eof(&t, 1);
    assert_true(http_tx_complete(tx));
    t_close(&t);
}

static void test_uri_spaces_and_file_data(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0, "POST /uri afterspace HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody", 1);
    HttpTx *tx = tx_at(&t, 0);
    bufs(tx, HTTP_BUF_URI, 0, "/uri afterspace");
    bufs(tx, HTTP_BUF_URI_RAW, 0, "/uri afterspace");
    bufs(tx, HTTP_BUF_PROTOCOL, 0, "HTTP/1.1");
    assert_true(http_tx_has_event(tx, HTTP_EV_URI_DELIM_NON_COMPLIANT));
    bufs(tx, HTTP_BUF_FILE_DATA, 0, "body");
    no_buf(tx, HTTP_BUF_FILE_DATA, 1);
    t_close(&t);
}

static void test_multipart_files(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    static const char body[] =
        "preamble\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nnot a file\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"f1\"; filename=\"a.txt\"\r\n"
        "Content-Type: text/plain\r\n\r\nFIRST\r\nFILE\r\n"
        "--XyZ\r\ncontent-disposition: form-data; name=\"f2\"; FILENAME=\"b.bin\"\r\n\r\n"
        "SECOND--XyZnot-a-delimiter\r\n"
        "--XyZ--\r\nepilogue";
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "POST /up HTTP/1.1\r\nHost: h\r\n"
                     "Content-Type: multipart/form-data; boundary=\"XyZ\"\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     sizeof body - 1, body);
    assert_true(n > 0 && (size_t)n < sizeof req);
    feeds(&t, 0, req, 7);
    HttpTx *tx = tx_at(&t, 0);
    const uint8_t *b;
    uint32_t len;
    /* file.data is the first file's content, not the form field nor the framing */
    bufs(tx, HTTP_BUF_FILE_DATA, 0, "FIRST\r\nFILE");
    assert_true(http_tx_file_data(tx, 0, 0, &b, &len));
    assert_int_equal(len, 11);
    assert_memory_equal(b, "FIRST\r\nFILE", 11);
    assert_true(http_tx_file_data(tx, 0, 1, &b, &len));
    assert_int_equal(len, 26); /* "--XyZ" not after CRLF is content */
    assert_memory_equal(b, "SECOND--XyZnot-a-delimiter", 26);
    assert_false(http_tx_file_data(tx, 0, 2, &b, &len));
    /* the whole body stays in http.request_body */
    bufs(tx, HTTP_BUF_REQUEST_BODY, 0, body);
    t_close(&t);

    /* not multipart: the body is one file */
    t_open(&t);
    feeds(&t, 0, "POST /x HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc", 0);
    tx = tx_at(&t, 0);
    assert_true(http_tx_file_data(tx, 0, 0, &b, &len));
    assert_int_equal(len, 3);
    assert_false(http_tx_file_data(tx, 0, 1, &b, &len));
    t_close(&t);
}

static void test_absolute_uri_host(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0, "GET http://User:Pw@WWW.Example.org.:81/a/../b?x=%2f#frag HTTP/1.1\r\nHost: other\r\n\r\n", 0);
    HttpTx *tx = tx_at(&t, 0);
    bufs(tx, HTTP_BUF_HOST, 0, "www.example.org");
    bufs(tx, HTTP_BUF_HOST_RAW, 0, "WWW.Example.org.");
    bufs(tx, HTTP_BUF_URI, 0, "/b?x=/#frag");
    assert_int_equal(http_tx_port(tx), 81);
    assert_true(http_tx_has_event(tx, HTTP_EV_HOST_HEADER_AMBIGUOUS));
    t_close(&t);
}

/* ---- URI normalisation ---- */

static void test_uri_normalize_table(void **st)
{
    (void)st;
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "/", "/" },
        { "/index.html", "/index.html" },
        { "/a/./b", "/a/b" },
        { "/a/../b", "/b" },
        { "/a/b/../../c", "/c" },
        { "/../../etc/passwd", "/etc/passwd" },
        { "/a//b///c", "/a/b/c" },
        { "/a\\b\\..\\c", "/a/c" },
        { "/%41%42%43", "/ABC" },
        { "/%2e%2e/x", "/x" },
        { "/a%2fb", "/a/b" },
        { "/%u0041%U0042", "/AB" },
        { "/%uFF21", "/A" },         /* full-width A */
        { "/%zz%4", "/%zz%4" },      /* invalid escapes kept */
        { "/%c3%a9t%c3%a9", "/\xe9t\xe9" }, /* UTF-8 to Latin-1 */
        { "/%e9", "/?" },            /* not UTF-8: best-fit replacement */
        { "/a/.", "/a" },
        { "/a/..", "" },
        { "/x?a=%41+b&c=%2f", "/x?a=A+b&c=/" },
        { "/x?%u0041", "/x?%u0041" }, /* %u is not decoded in the query */
        { "/x#%41", "/x#A" },
        { "http://h:80/p/./q?z", "/p/q?z" },
        { "*", "*" },
        { "/A/B", "/A/B" },          /* case is kept */
        { "", "" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t out[256];
        size_t in_len = strlen(cases[i].in);
        size_t n = http_uri_normalize((const uint8_t *)cases[i].in, in_len, out, sizeof(out));
        if (n != strlen(cases[i].out) || memcmp(out, cases[i].out, n) != 0)
            fail_msg("normalize(%s) = [%.*s], want [%s]", cases[i].in, (int)n, out, cases[i].out);
        assert_true(n <= in_len);
    }
}

/* ---- names, probe ---- */

static void test_names_and_probe(void **st)
{
    (void)st;
    for (int i = 0; i < HTTP_BUF_COUNT; i++) {
        const char *n = http_buffer_name((HttpBufferId)i);
        assert_non_null(n);
        assert_int_equal(http_buffer_by_name(n), i);
    }
    assert_int_equal(http_buffer_by_name("http_client_body"), HTTP_BUF_REQUEST_BODY);
    assert_int_equal(http_buffer_by_name("file_data"), HTTP_BUF_FILE_DATA);
    assert_int_equal(http_buffer_by_name("http_raw_uri"), HTTP_BUF_URI_RAW);
    assert_int_equal(http_buffer_by_name("nope"), -1);
    assert_int_equal(http_buffer_dir(HTTP_BUF_STAT_CODE), 1);
    assert_int_equal(http_buffer_dir(HTTP_BUF_HEADER), 2);
    for (int i = 0; i < HTTP_EV_COUNT; i++)
        assert_int_equal(http_event_by_name(http_event_name((HttpEvent)i)), i);
    assert_string_equal(http_event_name(HTTP_EV_CONTINUE_ALREADY_SEEN), "100_continue_already_seen");

    assert_int_equal(http_probe((const uint8_t *)"GET / HTTP/1.1", 14, 0), 1);
    assert_int_equal(http_probe((const uint8_t *)"GE", 2, 0), -1);
    assert_int_equal(http_probe((const uint8_t *)"POS", 3, 0), -1);
    assert_int_equal(http_probe((const uint8_t *)"\x16\x03\x01", 3, 0), 0);
    assert_int_equal(http_probe((const uint8_t *)"GETX /", 6, 0), 0);
    assert_int_equal(http_probe((const uint8_t *)"HTTP/1.0 200", 12, 1), 1);
    assert_int_equal(http_probe((const uint8_t *)"HTT", 3, 1), -1);
    assert_int_equal(http_probe((const uint8_t *)"SSH-2.0", 7, 1), 0);
}

static void test_event_counters(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0, "GET / HTTP/1.1\r\nNoColon\r\n\r\n", 0);
    int id = stats_find("http.event.request_field_missing_colon");
    assert_true(id >= 0);
    assert_int_equal(g_stats.v[id], 1);
    assert_int_equal(g_stats.v[stats_find("http.tx")], 1);
    t_close(&t);
}

static void test_oom(void **st)
{
    (void)st;
    /* fail each allocation in turn: parsing reports an error, never crashes */
    for (uint64_t k = 1; k < 40; k++) {
        T t;
        t_open(&t);
        uint64_t before = mem_fail_count();
        mem_fail_after(k);
        HttpParseStatus r1 = http_parse(t.s, 0, (const uint8_t *)REQ1, strlen(REQ1), 0);
        HttpParseStatus r2 = http_parse(t.s, 1, (const uint8_t *)RES1, strlen(RES1), 0);
        bool failed = mem_fail_count() > before;
        mem_fail_after(0);
        if (failed)
            assert_true(r1 == HTTP_PARSE_ERROR || r2 == HTTP_PARSE_ERROR);
        else
            assert_true(r1 == HTTP_PARSE_OK && r2 == HTTP_PARSE_OK);
        t_close(&t);
    }
    /* a capped account refuses and the state stops */
    T t;
    t_open(&t);
    g_acct.cap = atomic_load(&g_acct.used) + 200;
    HttpParseStatus r = http_parse(t.s, 0, (const uint8_t *)REQ1, strlen(REQ1), 0);
    assert_int_equal(r, HTTP_PARSE_ERROR);
    assert_true(http_state_dead(t.s, 0));
    assert_int_equal(http_parse(t.s, 0, (const uint8_t *)"x", 1, 0), HTTP_PARSE_ERROR);
    g_acct.cap = 0;
    t_close(&t);
}

/* ---- EVE ---- */

static void test_eve_object(void **st)
{
    (void)st;
    T t;
    t_open(&t);
    feeds(&t, 0, REQ1, 0);
    feeds(&t, 1,
          "HTTP/1.1 206 Partial\r\nContent-Type: text/html; charset=utf-8\r\n"
          "Content-Range: bytes 0-4/20\r\nLocation: /next\r\nTransfer-Encoding: chunked\r\n\r\n"
          "5\r\nhello\r\n0\r\n\r\n",
          0);
    HttpTx *tx = tx_at(&t, 0);
    JsonBuf j;
    json_init(&j, NULL);
    json_object_begin(&j);
    eve_http_alert_object(&j, tx);
    json_object_end(&j);
    assert_true(json_complete(&j));
    assert_string_equal(json_cstr(&j),
                        "{\"http\":{\"hostname\":\"www.example.com\",\"http_port\":8080,"
                        "\"url\":\"/index.html?q=%41+b\",\"http_user_agent\":\"Mozilla/5.0\","
                        "\"http_content_type\":\"text/html\","
                        "\"content_range\":{\"raw\":\"bytes 0-4/20\",\"start\":0,\"end\":4,\"size\":20},"
                        "\"http_refer\":\"http://ref/\",\"http_method\":\"GET\","
                        "\"protocol\":\"HTTP/1.1\",\"status\":206,\"redirect\":\"/next\",\"length\":13}}");
    /* a request alone: no status, length 0 */
    feeds(&t, 0, "POST /u HTTP/1.0\r\n\r\n", 0);
    json_reset(&j);
    json_object_begin(&j);
    eve_http_fields(&j, tx_at(&t, 1));
    json_object_end(&j);
    assert_string_equal(json_cstr(&j),
                        "{\"url\":\"/u\",\"http_method\":\"POST\",\"protocol\":\"HTTP/1.0\",\"length\":0}");
    json_fini(&j);
    t_close(&t);
}

static void test_config_load(void **st)
{
    (void)st;
    Config *c = conf_new();
    assert_non_null(c);
    assert_int_equal(conf_set(c, "app-layer.protocols.http.libhtp.default-config.request-body-limit=1kb"), 0);
    assert_int_equal(conf_set(c, "app-layer.protocols.http.libhtp.default-config."
                                 "response-body-decompress-layer-limit=3"), 0);
    HttpConfig cfg;
    http_config_defaults(&cfg);
    http_config_load(&cfg, c);
    assert_int_equal(cfg.request_body_limit, 1024);
    assert_int_equal(cfg.response_body_limit, 100 * 1024);
    assert_int_equal(cfg.decompress_layer_limit, 3);
    conf_free(c);
}

/* The parser as the app-layer framework drives it. */
static void test_framework_ops(void **st)
{
    (void)st;
    assert_int_equal(http_parser_register(NULL), 0);
    const AppParserOps *ops = applayer_parser_get(APP_PROTO_HTTP);
    assert_non_null(ops);
    assert_true(ops->accepts_gaps);
    MemAccount a;
    mem_account_init(&a, "applayer", 0);
    void *st8 = ops->state_new(&a, NULL, 6);
    assert_non_null(st8);
    AppParseResult r = ops->parse(st8, NULL, 0, (const uint8_t *)REQ1, strlen(REQ1), 0);
    assert_int_equal(r.status, APP_PARSE_OK);
    assert_int_equal(r.consumed, strlen(REQ1));
    r = ops->parse(st8, NULL, 1, (const uint8_t *)RES1, 10, 0);
    assert_int_equal(r.status, APP_PARSE_OK);
    r = ops->parse(st8, NULL, 1, NULL, 3, APP_FLAG_GAP);
    assert_int_equal(r.status, APP_PARSE_OK);
    r = ops->parse(st8, NULL, 1, NULL, 0, APP_FLAG_EOF);
    assert_int_equal(ops->tx_count(st8), 1);
    void *tx = ops->tx_get(st8, 0);
    assert_non_null(tx);
    assert_null(ops->tx_get(st8, 1));
    assert_true(ops->tx_progress(tx, 0) >= ops->tx_complete[0]);
    assert_true(ops->tx_progress(tx, 1) >= ops->tx_complete[1]);
    assert_true(http_tx_flags(tx) & HTTP_TX_GAP);
    ops->state_free(st8);
    assert_int_equal(atomic_load(&a.used), 0);
    /* a second registration is refused */
    assert_int_equal(http_parser_register(NULL), -EEXIST);
}

static void test_eve_record(void **st)
{
    (void)st;
    char dir[] = "/tmp/kasbah-http-XXXXXX";
    assert_non_null(mkdtemp(dir));
    EveWriter *w = eve_open(NULL, dir);
    assert_non_null(w);
    T t;
    t_open(&t);
    feeds(&t, 0, "GET /x HTTP/1.1\r\nHost: a.b\r\n\r\n", 0);
    feeds(&t, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.ip_ver = 4;
    f.key.proto = 6;
    f.key.port[0] = 40000;
    f.key.port[1] = 80;
    f.flow_id = 77;
    JsonBuf j;
    json_init(&j, NULL);
    HttpTx *tx = tx_at(&t, 0);
    assert_false(http_tx_logged(tx));
    assert_int_equal(eve_write_http_flow(w, &j, &f, 1491603877251547000LL, tx), 0);
    assert_true(http_tx_logged(tx));
    assert_int_equal(eve_close(w), 0);
    char path[128];
    snprintf(path, sizeof(path), "%s/eve.json", dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[2048];
    assert_non_null(fgets(line, sizeof(line), fp));
    fclose(fp);
    remove(path);
    rmdir(dir);
    assert_non_null(strstr(line, "\"event_type\":\"http\""));
    assert_non_null(strstr(line, "\"flow_id\":77"));
    assert_non_null(strstr(line, "\"tx_id\":0,\"http\":{\"hostname\":\"a.b\",\"url\":\"/x\","
                                 "\"http_method\":\"GET\",\"protocol\":\"HTTP/1.1\",\"status\":200,"
                                 "\"length\":0}}"));
    json_fini(&j);
    t_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_whole),
        cmocka_unit_test(test_simple_one_byte_chunks),
        cmocka_unit_test(test_simple_odd_chunks),
        cmocka_unit_test(test_pipelining),
        cmocka_unit_test(test_tx_release_logged),
        cmocka_unit_test(test_keepalive_interleaved),
        cmocka_unit_test(test_chunked_gzip),
        cmocka_unit_test(test_deflate_variants_and_layers),
        cmocka_unit_test(test_bad_gzip),
        cmocka_unit_test(test_compression_bomb),
        cmocka_unit_test(test_body_limits),
        cmocka_unit_test(test_header_limits),
        cmocka_unit_test(test_duplicates_and_folding),
        cmocka_unit_test(test_broken_requests),
        cmocka_unit_test(test_http09_and_odd_responses),
        cmocka_unit_test(test_missing_protocol_with_headers),
        cmocka_unit_test(test_connect_tunnel),
        cmocka_unit_test(test_gaps),
        cmocka_unit_test(test_eof_partial),
        cmocka_unit_test(test_uri_spaces_and_file_data),
        cmocka_unit_test(test_multipart_files),
        cmocka_unit_test(test_absolute_uri_host),
        cmocka_unit_test(test_uri_normalize_table),
        cmocka_unit_test(test_names_and_probe),
        cmocka_unit_test(test_event_counters),
        cmocka_unit_test(test_oom),
        cmocka_unit_test(test_eve_object),
        cmocka_unit_test(test_config_load),
        cmocka_unit_test(test_framework_ops),
        cmocka_unit_test(test_eve_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
