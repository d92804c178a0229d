/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_tls.c: libFuzzer target for the TLS parser (src/applayer/tls: records,
 * handshakes, hellos, X.509, JA3/JA4) and its EVE object (src/output/tls.c):
 * the fuzzer decides the bytes, the direction and the chunking.
 *
 * Input format:
 *   then records of 2 bytes + payload (from byte 0):
 *     b0        bit 0 direction (0 to server), bits 1-5 chunk size - 1
 *               (the payload is fed in chunks of 1..32 bytes; unconsumed
 *               bytes are offered again as the app-layer framework does)
 *     b1        payload length (taken from what follows, clamped)
 *   A payload whose first byte is 0xff is instead parsed as one DER
 *   certificate (the rest of it), to reach x509.c directly.
 *
 * Checked on every input: no crash or sanitizer report; every rule buffer
 * and certificate can be read; the EVE object is complete JSON; after
 * tls_state_free the account is back to zero.
 *
 * Built with -fsanitize=fuzzer when meson's `fuzzing` option is on (clang).
 * With -DKASBAH_FUZZ_STANDALONE, main() replays the files named on the
 * command line, or with no arguments runs a fixed-seed random smoke of
 * 3,000 inputs built from TLS fragments.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applayer/tls/tls.h"
#include "lib/alloc.h"
#include "lib/json.h"
#include "output/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint32_t g_sink;

static void touch(const uint8_t *b, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    g_sink ^= h;
}

static void inspect(TlsState *s, JsonBuf *j)
{
    const uint8_t *b;
    uint32_t l;
    for (int id = 0; id < TLS_BUF_COUNT; id++)
        if (tls_state_buffer(s, (TlsBufferId)id, &b, &l))
            touch(b, l);
    for (uint32_t i = 0; tls_state_cert_der(s, i, &b, &l); i++)
        touch(b, l);
    json_reset(j);
    json_object_begin(j);
    eve_tls_alert_object(j, s);
    json_object_end(j);
    if (json_ok(j) && !json_complete(j))
        abort();
    touch((const uint8_t *)json_data(j), json_len(j));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    MemAccount acct;
    mem_account_init(&acct, "applayer", 0);
    TlsState *s = tls_state_new(&acct);
    if (s == NULL)
        abort();
    static uint8_t pend[2][70000];
    size_t np[2] = { 0, 0 };
    bool dead = false;
    size_t off = 0;
    while (off + 2 <= size) {
        unsigned dir = data[off] & 1;
        size_t chunk = ((data[off] >> 1) & 31) + 1;
        size_t len = data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        const uint8_t *p = data + off;
        off += len;
        if (len > 0 && p[0] == 0xff) {
            TlsCert c;
            memset(&c, 0, sizeof(c));
            if (tls_x509_parse(&acct, p + 1, len - 1, &c) == 0) {
                if (!c.parsed || c.subject == NULL || c.issuer == NULL || c.serial == NULL)
                    abort();
                touch((const uint8_t *)c.subject, strlen(c.subject));
            }
            tls_cert_fini(&acct, &c);
            continue;
        }
        for (size_t k = 0; k < len && !dead; k += chunk) {
            size_t m = len - k < chunk ? len - k : chunk;
            memcpy(pend[dir] + np[dir], p + k, m);
            np[dir] += m;
            uint32_t c = 0, need = 0;
            TlsParseStatus st = tls_parse(s, dir, pend[dir], np[dir], &c, &need);
            if (st == TLS_PARSE_ERROR) {
                dead = true; /* the framework disables the parser */
                break;
            }
            if (st == TLS_PARSE_OK)
                c = (uint32_t)np[dir];
            else if (c > np[dir] || need == 0)
                abort();
            memmove(pend[dir], pend[dir] + c, np[dir] - c);
            np[dir] -= c;
        }
    }
    JsonBuf j;
    json_init(&j, NULL);
    inspect(s, &j);
    json_fini(&j);
    tls_state_free(s);
    if (acct.used != 0)
        abort();
    return 0;
}

#ifdef KASBAH_FUZZ_STANDALONE
#define FR(lit) { (const uint8_t *)(lit), sizeof(lit) - 1 }
static const struct { const uint8_t *b; size_t len; } g_frags[] = {
    FR("\x16\x03\x01\x00\x60"), FR("\x16\x03\x03\x00\x30"), FR("\x14\x03\x03\x00\x01\x01"),
    FR("\x17\x03\x03\x00\x04zzzz"), FR("\x01\x00\x00\x5c\x03\x03"), FR("\x02\x00\x00\x2c\x03\x03"),
    FR("\x0b\x00\x00\x20\x00\x00\x1d\x00\x00\x1a\x30\x18\x30\x16\x02\x01\x01"),
    FR("0123456789abcdef0123456789abcdef"), FR("\x00"), FR("\x00\x04\x13\x01\xc0\x2f\x01\x00"),
    FR("\x00\x20\x00\x00\x00\x0e\x00\x0c\x00\x00\x09localhost"),
    FR("\x00\x10\x00\x05\x00\x03\x02h2"), FR("\x00\x2b\x00\x03\x02\x03\x04"),
    FR("\x00\x2b\x00\x02\x03\x04"), FR("\x00\x0a\x00\x04\x00\x02\x00\x1d"),
    FR("\x00\x0d\x00\x04\x00\x02\x04\x03"), FR("\x0e\x00\x00\x00"),
};

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            FILE *f = fopen(argv[i], "rb");
            if (f == NULL) {
                fprintf(stderr, "fuzz_tls: cannot open %s\n", argv[i]);
                return 1;
            }
            static uint8_t buf[1 << 20];
            size_t n = fread(buf, 1, sizeof(buf), f);
            fclose(f);
            LLVMFuzzerTestOneInput(buf, n);
        }
        return 0;
    }
    uint32_t seed = 777;
    for (int iter = 0; iter < 3000; iter++) {
        uint8_t in[2048];
        size_t n = 0;
        while (n + 300 < sizeof(in)) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 24) < 20)
                break;
            size_t hdr = n;
            n += 2;
            size_t start = n;
            int nf = 1 + (int)((seed >> 8) % 8);
            for (int f = 0; f < nf; f++) {
                seed = seed * 1103515245u + 12345u;
                size_t idx = (seed >> 8) % (sizeof(g_frags) / sizeof(g_frags[0]));
                memcpy(in + n, g_frags[idx].b, g_frags[idx].len);
                n += g_frags[idx].len;
                if (((seed >> 20) & 15) == 0 && n > start)
                    in[n - 1 - ((seed >> 4) % (n - start))] ^= (uint8_t)(seed >> 12);
            }
            size_t body = n - start;
            if (body > 255) {
                n = start + 255;
                body = 255;
            }
            in[hdr] = (uint8_t)(seed >> 3);
            in[hdr + 1] = (uint8_t)body;
        }
        LLVMFuzzerTestOneInput(in, n);
    }
    printf("fuzz_tls: 3000 inputs, sink %u\n", (unsigned)g_sink);
    return 0;
}
#endif
