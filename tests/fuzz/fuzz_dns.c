/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_dns.c: libFuzzer target for the DNS parser (src/applayer/dns) and
 * its EVE objects (src/output/dns.c): the fuzzer decides the bytes, the
 * transport, the direction and the chunking.
 *
 * Input format:
 *   byte 0      bit 0: TCP framing (else each record is one datagram)
 *   then records of 2 bytes + payload:
 *     b0        bit 0 direction (0 to server), bits 1-5 chunk size - 1
 *               (TCP: the payload is fed in chunks of 1..32 bytes, unconsumed
 *               bytes offered again as the app-layer framework does)
 *     b1        payload length (taken from what follows, clamped)
 *
 * Checked on every input: no crash or sanitizer report; every query buffer
 * and EVE object of every tx can be built (and its bytes are read); tx ids
 * match their position; after dns_state_free the account is back to zero.
 *
 * Built with -fsanitize=fuzzer when meson's `fuzzing` option is on (clang).
 * With -DKASBAH_FUZZ_STANDALONE, main() replays the files named on the
 * command line, or with no arguments runs a fixed-seed random smoke of
 * 3,000 inputs built from DNS fragments.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applayer/dns/dns.h"
#include "lib/alloc.h"
#include "lib/json.h"
#include "output/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint32_t g_sink;

static void touch(const uint8_t *b, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    g_sink ^= h;
}

static void inspect(DnsState *s, JsonBuf *j)
{
    uint64_t n = dns_state_tx_count(s);
    for (uint64_t id = 0; id < n; id++) {
        DnsTx *tx = dns_state_tx(s, id);
        if (tx == NULL)
            continue;
        if (tx->tx_id != id)
            abort();
        const uint8_t *b;
        uint32_t l;
        for (uint32_t i = 0; dns_tx_query(tx, i, &b, &l); i++)
            touch(b, l);
        g_sink ^= (uint32_t)dns_tx_opcode(tx);
        json_reset(j);
        json_object_begin(j);
        eve_dns_alert_object(j, tx);
        json_object_end(j);
        if (json_ok(j) && !json_complete(j))
            abort();
        touch((const uint8_t *)json_data(j), json_len(j));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    MemAccount acct;
    mem_account_init(&acct, "applayer", 0);
    bool tcp = data[0] & 1;
    DnsState *s = dns_state_new(&acct, tcp);
    if (s == NULL)
        abort();
    static uint8_t pend[2][70000];
    size_t np[2] = { 0, 0 };
    size_t off = 1;
    while (off + 2 <= size) {
        unsigned dir = data[off] & 1;
        size_t chunk = ((data[off] >> 1) & 31) + 1;
        size_t len = data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        const uint8_t *p = data + off;
        off += len;
        if (!tcp) {
            uint32_t c, need;
            if (dns_parse(s, dir, p, len, &c, &need) == DNS_PARSE_ERROR)
                abort(); /* no OOM here: the account is unlimited */
            continue;
        }
        for (size_t k = 0; k < len; k += chunk) {
            size_t m = len - k < chunk ? len - k : chunk;
            memcpy(pend[dir] + np[dir], p + k, m);
            np[dir] += m;
            uint32_t c = 0, need = 0;
            DnsParseStatus st = dns_parse(s, dir, pend[dir], np[dir], &c, &need);
            if (st == DNS_PARSE_ERROR)
                abort();
            if (st == DNS_PARSE_OK)
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
    dns_state_free(s);
    if (acct.used != 0)
        abort();
    return 0;
}

#ifdef KASBAH_FUZZ_STANDALONE
/* Pieces of DNS messages for the random smoke (they contain NULs, so the
 * length comes from the literal). */
#define FR(lit) { (const uint8_t *)(lit), sizeof(lit) - 1 }
static const struct { const uint8_t *b; size_t len; } g_frags[] = {
    FR("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"), /* query header */
    FR("\x12\x34\x81\x80\x00\x01\x00\x02\x00\x01\x00\x00"), /* response header */
    FR("\x03www\x07" "example\x03" "com\x00"),
    FR("\x00\x01\x00\x01"), FR("\xc0\x0c"), FR("\xc0\x10"), FR("\xc0\x20"),
    FR("\xc0\x0c\x00\x05\x00\x01"), FR("\x00\x00\x00\x3c\x00\x04\x01\x02\x03\x04"),
    FR("\x00\x00\x00\x3c\x00\x10"), FR("\x00\x06\x00\x01\x00\x00\x0e\x10\x00\x20"),
    FR("\x00\x21\x00\x01"), FR("\x00\x41\x00\x01"),
    FR("\x00\x10\x00\x01\x00\x00\x00\x01\x00\x04\x03" "abc"), FR("\x3f"), FR("\x00\x1e"),
};

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            FILE *f = fopen(argv[i], "rb");
            if (f == NULL) {
                fprintf(stderr, "fuzz_dns: cannot open %s\n", argv[i]);
                return 1;
            }
            static uint8_t buf[1 << 20];
            size_t n = fread(buf, 1, sizeof(buf), f);
            fclose(f);
            LLVMFuzzerTestOneInput(buf, n);
        }
        return 0;
    }
    uint32_t seed = 4242;
    for (int iter = 0; iter < 3000; iter++) {
        uint8_t in[2048];
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        in[n++] = (uint8_t)(seed >> 16);
        while (n + 300 < sizeof(in)) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 24) < 20)
                break;
            /* one record made of several fragments; TCP gets a length prefix */
            size_t hdr = n;
            n += 2;
            size_t start = n;
            if (in[0] & 1)
                n += 2;
            int nf = 1 + (int)((seed >> 8) % 8);
            for (int f = 0; f < nf; f++) {
                seed = seed * 1103515245u + 12345u;
                size_t idx = (seed >> 8) % (sizeof(g_frags) / sizeof(g_frags[0]));
                if (f == 0)
                    idx = (seed >> 9) & 1; /* a record starts with a header */
                size_t fl = g_frags[idx].len;
                memcpy(in + n, g_frags[idx].b, fl);
                n += fl;
                if (((seed >> 20) & 15) == 0 && n > start) /* corrupt a byte */
                    in[n - 1 - ((seed >> 4) % (n - start))] ^= (uint8_t)(seed >> 12);
            }
            size_t body = n - start;
            if (body > 255) {
                n = start + 255;
                body = 255;
            }
            if (in[0] & 1) {
                in[start] = (uint8_t)((body - 2) >> 8);
                in[start + 1] = (uint8_t)(body - 2);
            }
            in[hdr] = (uint8_t)(seed >> 3);
            in[hdr + 1] = (uint8_t)body;
        }
        LLVMFuzzerTestOneInput(in, n);
    }
    printf("fuzz_dns: 3000 inputs, sink %u\n", (unsigned)g_sink);
    return 0;
}
#endif
