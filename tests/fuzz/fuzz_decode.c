/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_decode.c: libFuzzer target for src/decode (every decoder, defrag and
 * the tunnels).
 *
 * Input layout:
 *   byte 0      link type: an index into `dlts` below (mod its size)
 *   byte 1      bit 0: validate checksums; bit 1: pretend each packet was
 *               cut by snaplen (wirelen = caplen + 100); bits 2-7: seconds
 *               between packets (so defrag timeouts fire)
 *   then        records of len(2, big-endian) + bytes; a short last
 *               record takes what is left
 * All records go through one DecodeCtx (one per checksum setting, made
 * once) with a small defrag memcap, so fragments of one input reassemble
 * and hit the cap; every pending datagram is expired at the end of each
 * input, so inputs do not influence each other.
 * Each packet is copied to an exact-size heap buffer so that ASan sees any
 * read past caplen. Pseudo packets' payload is read end to end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {
    DECODE_DLT_EN10MB, DECODE_DLT_RAW, DECODE_DLT_IPV4, DECODE_DLT_IPV6,
    DECODE_DLT_LINUX_SLL, DECODE_DLT_LINUX_SLL2, DECODE_DLT_NULL, DECODE_DLT_LOOP,
    DECODE_DLT_PPP, DECODE_DLT_C_HDLC, DECODE_DLT_IEEE802_11, DECODE_DLT_IEEE802_11_RADIO,
    147 /* unsupported */,
};

static Stats stats;
static DecodeCtx *ctxs[2];

static unsigned touch(const Packet *p)
{
    unsigned s = 0;
    for (uint32_t i = 0; i < p->payload_len; i++)
        s += p->payload[i];
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int v = data[1] & 1;
    if (ctxs[v] == NULL) {
        DecodeConfig cfg;
        decode_config_defaults(&cfg);
        cfg.checksum_validate = v != 0;
        cfg.defrag_memcap = 4096;
        cfg.defrag_max_frags = 16;
        ctxs[v] = decode_ctx_new(&cfg, &stats);
        if (ctxs[v] == NULL)
            return 0;
    }
    DecodeCtx *ctx = ctxs[v];
    int dlt = dlts[data[0] % (sizeof dlts / sizeof dlts[0])];
    bool cut = (data[1] & 2) != 0;
    int64_t step = (int64_t)(data[1] >> 2) * 1000000000;
    size_t pos = 2;
    int64_t now = 0;
    volatile unsigned sink = 0;
    while (pos < size) {
        size_t len = size - pos;
        if (len >= 2) {
            size_t want = (size_t)data[pos] << 8 | data[pos + 1];
            pos += 2;
            len = size - pos;
            if (want < len)
                len = want;
        } else {
            pos = size;
            break;
        }
        uint8_t *buf = malloc(len ? len : 1);
        if (buf == NULL)
            break;
        if (len)
            memcpy(buf, data + pos, len);
        pos += len;
        Packet p;
        memset(&p, 0, sizeof p);
        p.data = buf;
        p.caplen = (uint32_t)len;
        p.wirelen = (uint32_t)len + (cut ? 100 : 0);
        p.datalink = dlt;
        p.ts_ns = now;
        p.pcap_cnt = 1;
        Packet *chain = decode_packet(ctx, &p);
        sink += touch(&p);
        for (Packet *q = chain; q != NULL; q = q->next)
            sink += touch(q);
        decode_packet_free(ctx, chain);
        free(buf);
        now += step;
        decode_defrag_timeout(ctx, now);
    }
    decode_defrag_timeout(ctx, INT64_MAX); /* forget this input's datagrams */
    (void)sink;
    return 0;
}
