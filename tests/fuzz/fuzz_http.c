/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_http.c: libFuzzer target for the HTTP/1.x parser (src/applayer/http)
 * and the EVE http object (src/output/http.c): the fuzzer decides the bytes,
 * their direction, the chunking, gaps and ends of stream.
 *
 * Input format:
 *   byte 0      configuration: bit 0 small limits (body 64, field 80,
 *               8 headers, 512 header bytes), bit 1 no decompression,
 *               bit 2 release complete txs as we go
 *   then records of 2 bytes + payload:
 *     b0        bit 0 direction (0 to server), bit 1 gap (the payload
 *               length is the gap size, no bytes taken), bit 2 end of
 *               stream after this record, bits 3-7 chunk size - 1 (the
 *               payload is fed in chunks of 1..32 bytes)
 *     b1        payload length (taken from what follows, clamped)
 *
 * Checked on every input: no crash or sanitizer report; every rule buffer
 * of every tx can be read (and lies in readable memory: it is hashed);
 * tx ids are dense and increasing; a tx whose both sides are complete stays
 * complete; after http_state_free the memory account is back to zero.
 *
 * Built with -fsanitize=fuzzer when meson's `fuzzing` option is on (clang).
 * Otherwise (-DKASBAH_FUZZ_STANDALONE) main() replays the files named on the
 * command line, or with no arguments runs a fixed-seed random smoke of
 * 3,000 inputs built from HTTP fragments, so the harness runs in ordinary CI.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applayer/http/http.h"
#include "lib/alloc.h"
#include "lib/json.h"
#include "output/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint32_t g_sink;

static void touch(const uint8_t *b, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    g_sink ^= h;
}

static void inspect(HttpState *s, JsonBuf *j)
{
    uint64_t n = http_state_tx_count(s);
    for (uint64_t id = 0; id < n; id++) {
        HttpTx *tx = http_state_tx(s, id);
        if (tx == NULL)
            continue;
        if (http_tx_id(tx) != id)
            abort();
        for (int b = 0; b < HTTP_BUF_COUNT; b++) {
            for (unsigned dir = 0; dir < 2; dir++) {
                const uint8_t *p;
                uint32_t len;
                if (http_tx_buffer(tx, (HttpBufferId)b, dir, &p, &len))
                    touch(p, len);
            }
        }
        json_reset(j);
        json_object_begin(j);
        eve_http_alert_object(j, tx);
        json_object_end(j);
        if (!json_complete(j) && json_ok(j))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    MemAccount acct;
    mem_account_init(&acct, "applayer", 0);
    HttpConfig cfg;
    http_config_defaults(&cfg);
    uint8_t conf = data[0];
    if (conf & 1) {
        cfg.request_body_limit = cfg.response_body_limit = 64;
        cfg.field_limit = 80;
        cfg.headers_limit = 8;
        cfg.header_bytes_limit = 512;
    }
    if (conf & 2)
        cfg.decompress_layer_limit = 0;
    HttpCtx *ctx = http_ctx_new(&cfg, &acct, NULL);
    if (ctx == NULL)
        return 0;
    HttpState *s = http_state_new(ctx);
    if (s == NULL) {
        http_ctx_free(ctx);
        return 0;
    }
    JsonBuf j;
    json_init(&j, NULL);
    size_t off = 1;
    while (off + 2 <= size) {
        uint8_t b0 = data[off], len = data[off + 1];
        off += 2;
        unsigned dir = b0 & 1;
        size_t chunk = (size_t)(b0 >> 3) + 1;
        if (b0 & 2) {
            http_parse(s, dir, NULL, len, HTTP_DATA_GAP);
        } else {
            size_t n = len;
            if (n > size - off)
                n = size - off;
            for (size_t k = 0; k < n; k += chunk) {
                size_t c = n - k < chunk ? n - k : chunk;
                http_parse(s, dir, data + off + k, c, 0);
            }
            off += n;
        }
        if (b0 & 4)
            http_parse(s, dir, NULL, 0, HTTP_DATA_EOF);
        inspect(s, &j);
        if (conf & 4)
            http_state_tx_free_upto(s, http_state_tx_count(s));
    }
    http_parse(s, 0, NULL, 0, HTTP_DATA_EOF);
    http_parse(s, 1, NULL, 0, HTTP_DATA_EOF);
    inspect(s, &j);
    for (uint64_t id = 0; id < http_state_tx_count(s); id++) {
        HttpTx *tx = http_state_tx(s, id);
        if (tx != NULL && !http_tx_complete(tx))
            abort(); /* both directions ended: every tx is complete */
    }
    json_fini(&j);
    http_state_free(s);
    http_ctx_free(ctx);
    if (atomic_load(&acct.used) != 0)
        abort();
    return 0;
}

#ifdef KASBAH_FUZZ_STANDALONE
static const char *const g_frags[] = {
    "GET / HTTP/1.1\r\n", "POST /a?b=%41 HTTP/1.0\r\n", "Host: x\r\n", "Content-Length: 5\r\n",
    "Transfer-Encoding: chunked\r\n", "Content-Encoding: gzip\r\n", "\r\n", "5\r\nhello\r\n",
    "0\r\n\r\n", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 100 Continue\r\n\r\n", " folded\r\n",
    "X: y\r\n", "\x1f\x8b\x08\x00", "HEAD /h HTTP/1.1\r\n", "CONNECT a:1 HTTP/1.1\r\n",
    "zz\r\n", "\n", "GET /0.9\r\n", "Cookie: c=1\r\n",
};

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            FILE *f = fopen(argv[i], "rb");
            if (f == NULL) {
                fprintf(stderr, "fuzz_http: cannot open %s\n", argv[i]);
                return 1;
            }
            static uint8_t buf[1 << 20];
            size_t n = fread(buf, 1, sizeof(buf), f);
            fclose(f);
            LLVMFuzzerTestOneInput(buf, n);
        }
        return 0;
    }
    uint32_t seed = 12345;
    for (int iter = 0; iter < 3000; iter++) {
        uint8_t in[2048];
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        in[n++] = (uint8_t)(seed >> 16);
        while (n + 40 < sizeof(in)) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 24) < 12)
                break;
            const char *fr = g_frags[(seed >> 8) % (sizeof(g_frags) / sizeof(g_frags[0]))];
            size_t fl = strlen(fr);
            uint8_t b0 = (uint8_t)((seed >> 4) & 0xf9); /* rarely a gap */
            if (((seed >> 12) & 31) == 0)
                b0 |= 2;
            in[n++] = b0;
            in[n++] = (uint8_t)fl;
            memcpy(in + n, fr, fl);
            n += fl;
        }
        LLVMFuzzerTestOneInput(in, n);
    }
    printf("fuzz_http: smoke ok\n");
    return 0;
}
#endif
