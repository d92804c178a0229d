/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_defrag.c: libFuzzer target for IPv4/IPv6 fragment reassembly
 * (src/decode/defrag.c). The fuzzer chooses the fragments -- datagram,
 * offset, length, MF, order, overlaps, duplicates -- and the harness builds
 * well-formed raw IP packets around them, so every input reaches defrag
 * instead of dying in the IP header checks (fuzz_decode covers those).
 *
 * Input layout:
 *   byte 0      options: bit 0 "consistent" payload (below); bits 1-2 the
 *               defrag memcap (1 KiB, 8 KiB, 64 KiB, 1 MiB); bits 3-4 the
 *               fragment limit (4, 16, 64, 1024); bit 5 time advances
 *   per fragment 6 bytes:
 *     b0        bits 0-1 datagram (key) selector; bit 2 IPv6; bit 3 MF;
 *               bit 4 IPv6: a hop-by-hop header before the fragment header,
 *               IPv4: 4 bytes of options; bits 5-7 the transport protocol
 *               (an index into `protos`)
 *     b1-b2     offset in 8-byte units (13 bits, big-endian)
 *     b3-b4     payload length in bytes (mod 2048, big-endian)
 *     b5        seconds to advance the clock before it (when bit 5 is set)
 *     then, unless the payload is consistent, the payload bytes themselves
 *     (as many as are left when fewer)
 *
 * The oracle: with a consistent payload, the byte at payload offset j of
 * datagram k is always pattern(k, j), whichever fragment carries it, so a
 * reassembled datagram must hold exactly pattern(k, j) at every j whatever
 * the overlap policy. Also checked: after every datagram is expired at the
 * end of the input, the defrag memory account is back to zero (no leak of
 * trackers or fragment copies).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAYLOAD 2048
#define MAX_PKT (40 + 8 + 8 + MAX_PAYLOAD)

static const uint8_t protos[8] = { 17, 6, 1, 58, 47, 4, 41, 253 };
static const uint64_t memcaps[4] = { 1024, 8192, 65536, 1024 * 1024 };
static const uint32_t maxfrags[4] = { 4, 16, 64, 1024 };

static Stats stats;
static DecodeCtx *ctxs[16];

static uint8_t pattern(unsigned key, uint32_t j) { return (uint8_t)(j * 131u + key * 29u + (j >> 8)); }

static void put16(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static uint16_t ip_csum(const uint8_t *b, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)b[i] << 8 | b[i + 1];
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Build one fragment of datagram `key` into pkt; returns its length. */
static size_t build(uint8_t *pkt, unsigned key, bool v6, bool mf, bool ext, uint8_t proto,
                    uint32_t off8, const uint8_t *payload, uint32_t plen)
{
    size_t h;
    if (!v6) {
        h = ext ? 24 : 20;
        memset(pkt, 0, h);
        pkt[0] = (uint8_t)(0x40 | (h / 4));
        put16(pkt + 2, (uint32_t)(h + plen));
        put16(pkt + 4, 0x1000 + key);
        put16(pkt + 6, (mf ? 0x2000u : 0) | (off8 & 0x1fff));
        pkt[8] = 64;
        pkt[9] = proto;
        pkt[12] = 10, pkt[15] = (uint8_t)(1 + (key & 1));
        pkt[16] = 10, pkt[19] = (uint8_t)(100 + (key >> 1));
        if (ext)
            memset(pkt + 20, 1, 4); /* NOPs */
        put16(pkt + 10, ip_csum(pkt, h));
    } else {
        h = 40 + (ext ? 8 : 0) + 8;
        memset(pkt, 0, h);
        pkt[0] = 0x60;
        put16(pkt + 4, (uint32_t)(h - 40 + plen));
        pkt[6] = ext ? 0 : 44;
        pkt[7] = 64;
        pkt[8] = 0xfd, pkt[23] = (uint8_t)(1 + (key & 1));
        pkt[24] = 0xfd, pkt[39] = (uint8_t)(100 + (key >> 1));
        uint8_t *f = pkt + 40;
        if (ext) {
            f[0] = 44; /* hop-by-hop: next header, length 0, PadN of 4 */
            f[2] = 1;
            f[3] = 4;
            f += 8;
        }
        f[0] = proto;
        put16(f + 2, (off8 & 0x1fff) << 3 | (mf ? 1u : 0));
        f[4] = 0xab, f[7] = (uint8_t)key;
    }
    memcpy(pkt + h, payload, plen);
    return h + plen;
}

/* The oracle on a reassembled datagram of a consistent input. */
static void check(const Packet *q)
{
    if (!pkt_has(q, PKT_IS_REASSEMBLED) || q->tunnel_depth != 0 || q->caplen < 20)
        return;
    const uint8_t *b = q->data;
    unsigned key;
    size_t start;
    if ((b[0] >> 4) == 4) {
        key = (unsigned)(((uint32_t)b[4] << 8 | b[5]) - 0x1000);
        start = (size_t)(b[0] & 15) * 4;
        uint32_t tot = (uint32_t)b[2] << 8 | b[3];
        if (tot != q->caplen) {
            fprintf(stderr, "fuzz_defrag: IPv4 total length %u, datagram %u bytes\n", tot, q->caplen);
            abort();
        }
    } else {
        if (q->caplen < 40)
            return;
        key = (unsigned)(b[8 + 15] - 1) | (unsigned)(b[24 + 15] - 100) << 1;
        if (key > 3)
            return;
        start = b[6] == 0 ? 48 : 40; /* the hop-by-hop header kept from the offset-0 fragment */
        uint32_t plen = (uint32_t)b[4] << 8 | b[5];
        if (plen + 40 != q->caplen) {
            fprintf(stderr, "fuzz_defrag: IPv6 payload length %u, datagram %u bytes\n", plen, q->caplen);
            abort();
        }
    }
    if (key > 3)
        return;
    for (size_t i = start; i < q->caplen; i++) {
        if (b[i] != pattern(key, (uint32_t)(i - start))) {
            fprintf(stderr, "fuzz_defrag: datagram %u byte %zu is %02x, every fragment said %02x\n", key,
                    i - start, b[i], pattern(key, (uint32_t)(i - start)));
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool consistent = data[0] & 1;
    unsigned ci = (data[0] >> 1) & 15;
    if (ctxs[ci] == NULL) {
        DecodeConfig cfg;
        decode_config_defaults(&cfg);
        cfg.checksum_validate = false;
        cfg.defrag_memcap = memcaps[ci & 3];
        cfg.defrag_max_frags = maxfrags[ci >> 2];
        cfg.defrag_timeout_s = 30;
        ctxs[ci] = decode_ctx_new(&cfg, &stats);
        if (ctxs[ci] == NULL)
            return 0;
    }
    DecodeCtx *ctx = ctxs[ci];
    bool clock = (data[0] & 32) != 0;
    static uint8_t pkt[MAX_PKT];
    static uint8_t payload[MAX_PAYLOAD];
    size_t pos = 1;
    int64_t now = 1000000000;
    while (pos + 6 <= size) {
        const uint8_t *f = data + pos;
        pos += 6;
        unsigned key = f[0] & 3;
        bool v6 = (f[0] & 4) != 0;
        bool mf = (f[0] & 8) != 0;
        bool ext = (f[0] & 16) != 0;
        uint8_t proto = protos[f[0] >> 5];
        uint32_t off8 = ((uint32_t)f[1] << 8 | f[2]) & 0x1fff;
        uint32_t plen = ((uint32_t)f[3] << 8 | f[4]) % MAX_PAYLOAD;
        if (clock)
            now += (int64_t)f[5] * 1000000000;
        if (consistent) {
            for (uint32_t j = 0; j < plen; j++)
                payload[j] = pattern(key, off8 * 8 + j);
        } else {
            if (plen > size - pos)
                plen = (uint32_t)(size - pos);
            memcpy(payload, data + pos, plen);
            pos += plen;
        }
        size_t n = build(pkt, key, v6, mf, ext, proto, off8, payload, plen);
        /* an exact-size copy, so that ASan sees any read past the end */
        uint8_t *buf = malloc(n);
        if (buf == NULL)
            break;
        memcpy(buf, pkt, n);
        Packet p;
        memset(&p, 0, sizeof p);
        p.data = buf;
        p.caplen = p.wirelen = (uint32_t)n;
        p.datalink = DECODE_DLT_RAW;
        p.ts_ns = now;
        p.pcap_cnt = 1;
        Packet *chain = decode_packet(ctx, &p);
        for (Packet *q = chain; q != NULL; q = q->next)
            if (consistent)
                check(q);
        decode_packet_free(ctx, chain);
        free(buf);
    }
    decode_defrag_timeout(ctx, INT64_MAX);
    const MemAccount *acct = decode_ctx_defrag_account(ctx);
    if (atomic_load(&acct->used) != 0) {
        fprintf(stderr, "fuzz_defrag: %llu bytes of defrag memory left after every datagram expired\n",
                (unsigned long long)atomic_load(&acct->used));
        abort();
    }
    return 0;
}
