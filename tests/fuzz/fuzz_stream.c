/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_stream.c: libFuzzer target for TCP session tracking and reassembly
 * (src/stream) with the application-layer hand-off (src/applayer): the
 * fuzzer decides the segmentation, the order, the overlaps, the flags and
 * the acknowledgements of one TCP connection.
 *
 * Input format:
 *   byte 0      configuration: bits 0-3 overlap policy (mod 9), bit 4
 *               midstream (no handshake is played), bit 5 inline mode,
 *               bit 6 raw inspection on, bit 7 small depth (300 bytes)
 *   byte 1      consumer: bits 0-1 bytes the consumer leaves unconsumed per
 *               call, bit 2 deliver through the application layer
 *   then records of 6 bytes + payload:
 *     b0        bit 0 direction (0 client), bits 1-3 TCP flags (table below)
 *     b1 b2     sequence number, as a signed 16-bit offset from the
 *               sender's first data byte
 *     b3 b4     acknowledgement number, likewise from the peer's first byte
 *     b5        payload length (taken from what follows, clamped to the input)
 *
 * Checked on every input: no crash or sanitizer report; bytes reach the
 * consumer in order per direction (offsets only grow); raw chunks lie
 * within what was reassembled; after stream_flow_end and applayer_flow_end
 * both memory accounts are back to zero (no leak).
 *
 * Built with -fsanitize=fuzzer when meson's `fuzzing` option is on (clang).
 * Otherwise (-DKASBAH_FUZZ_STANDALONE) main() replays the files named on
 * the command line, or with no arguments runs a fixed-seed random smoke of
 * 3,000 inputs, so the harness runs in ordinary CI too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applayer/applayer.h"
#include "core/stats.h"
#include "flow/flow.h"
#include "stream/stream.h"

#define CHECK(cond)                                                               \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "fuzz_stream: check failed: %s (line %d)\n", #cond,   \
                    __LINE__);                                                    \
            abort();                                                              \
        }                                                                         \
    } while (0)

static const uint8_t flag_table[8] = {
    TCP_ACK, TCP_ACK | TCP_PSH, TCP_FIN | TCP_ACK, TCP_RST | TCP_ACK,
    TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_RST,
};

typedef struct Harness {
    uint32_t keep;             /* bytes left unconsumed per call */
    bool via_app;
    AppLayerCtx *app;
    uint64_t seen[2];          /* bytes consumed + gap bytes, per direction */
    bool eof[2];
} Harness;

static uint32_t consume(Flow *f, unsigned dir, const uint8_t *data, uint32_t len, unsigned flags,
                        void *user)
{
    Harness *h = user;
    CHECK(dir < 2);
    CHECK(!h->eof[dir]);
    if (flags & STREAM_DATA_EOF)
        h->eof[dir] = true;
    if (flags & STREAM_DATA_GAP) {
        CHECK(data == NULL);
        h->seen[dir] += len;
        if (h->via_app)
            (void)applayer_stream_deliver(f, dir, data, len, flags, h->app);
        return len;
    }
    CHECK(len == 0 || data != NULL);
    volatile uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + data[i]); /* every byte offered must be readable */
    (void)sum;
    uint32_t take = len;
    if (h->via_app)
        take = applayer_stream_deliver(f, dir, data, len, flags, h->app);
    else if (!(flags & STREAM_DATA_EOF) && h->keep > 0)
        take = len > h->keep ? len - h->keep : 0;
    CHECK(take <= len);
    h->seen[dir] += take;
    CHECK(h->seen[dir] <= stream_reassembled(f, dir));
    return take;
}

static void segment(StreamCtx *sc, Flow *f, Harness *h, unsigned dir, uint8_t flags, uint32_t seq,
                 uint32_t ack, const uint8_t *data, uint32_t len)
{
    Packet p;
    memset(&p, 0, sizeof p);
    p.flags = PKT_HAS_IPV4 | PKT_HAS_TCP;
    p.ip_ver = 4;
    p.ip_proto = 6;
    p.tcp_flags = flags;
    p.tcp_seq = seq;
    p.tcp_ack = ack;
    p.tcp_win = 8192;
    p.tcp_wscale = 0xff;
    p.payload = data;
    p.payload_len = len;
    p.flow = f;
    p.to_server = dir == 0;
    f->pkts[dir]++;
    applayer_packet_begin(f);
    stream_packet(sc, f, &p, consume, h);
    CHECK(p.n_stream_events <= PKT_MAX_EVENTS);
    for (unsigned d = 0; d < 2; d++) {
        StreamRawChunk ch;
        if (stream_raw_chunk(f, d, 16, (len & 1) != 0, &ch)) {
            CHECK(ch.len > 0 && ch.data != NULL);
            CHECK(ch.offset + ch.len <= stream_reassembled(f, d));
            volatile uint8_t sum = 0;
            for (uint32_t i = 0; i < ch.len; i++)
                sum = (uint8_t)(sum + ch.data[i]);
            (void)sum;
            stream_raw_consume(f, d, ch.offset + ch.len);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static Stats stats;
    static bool registered;
    if (!registered) {
        applayer_registry_init();
        registered = true;
    }
    StreamConfig cfg;
    stream_config_defaults(&cfg);
    cfg.policy = (StreamPolicy)((data[0] & 0x0f) % 9);
    cfg.midstream = data[0] & 0x10;
    cfg.inline_mode = data[0] & 0x20;
    if (data[0] & 0x80)
        cfg.depth = 300;
    cfg.chunk_size[0] = cfg.chunk_size[1] = 64;
    StreamCtx *sc = stream_ctx_new(&cfg, &stats);
    AppLayerCtx *ac = applayer_ctx_new(NULL, &stats);
    if (sc == NULL || ac == NULL) {
        stream_ctx_free(sc);
        applayer_ctx_free(ac);
        return 0;
    }
    if (data[0] & 0x40)
        stream_ctx_set_raw(sc, true, 16);

    Harness h;
    memset(&h, 0, sizeof h);
    h.keep = data[1] & 3;
    h.via_app = data[1] & 4;
    h.app = ac;

    Flow f;
    memset(&f, 0, sizeof f);
    f.key.proto = 6;
    f.key.ip_ver = 4;
    f.key.port[0] = 40000;
    f.key.port[1] = 80;

    const uint32_t isn[2] = {0x10000000u, 0xfffffff0u}; /* the server's wraps */
    if (!cfg.midstream) {
        segment(sc, &f, &h, 0, TCP_SYN, isn[0], 0, NULL, 0);
        segment(sc, &f, &h, 1, TCP_SYN | TCP_ACK, isn[1], isn[0] + 1, NULL, 0);
        segment(sc, &f, &h, 0, TCP_ACK, isn[0] + 1, isn[1] + 1, NULL, 0);
    }
    size_t i = 2;
    while (i + 6 <= size) {
        unsigned dir = data[i] & 1;
        uint8_t flags = flag_table[(data[i] >> 1) & 7];
        int16_t so = (int16_t)(uint16_t)((data[i + 1] << 8) | data[i + 2]);
        int16_t ao = (int16_t)(uint16_t)((data[i + 3] << 8) | data[i + 4]);
        uint32_t len = data[i + 5];
        i += 6;
        if (len > size - i)
            len = (uint32_t)(size - i);
        uint32_t seq = isn[dir] + 1 + (uint32_t)(int32_t)so;
        uint32_t ack = isn[dir ^ 1] + 1 + (uint32_t)(int32_t)ao;
        segment(sc, &f, &h, dir, flags, seq, ack, data + i, len);
        i += len;
    }
    stream_flow_end(sc, &f, consume, &h);
    CHECK(f.tcp == NULL);
    applayer_flow_end(ac, &f);
    CHECK(stream_ctx_session_account(sc)->used == 0);
    CHECK(stream_ctx_reassembly_account(sc)->used == 0);
    CHECK(applayer_ctx_account(ac)->used == 0);
    stream_ctx_free(sc);
    applayer_ctx_free(ac);
    return 0;
}

#ifdef KASBAH_FUZZ_STANDALONE
static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "fuzz_stream: %s: cannot open\n", path);
        return 1;
    }
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        int rc = 0;
        for (int k = 1; k < argc; k++)
            rc |= run_file(argv[k]);
        return rc;
    }
    /* fixed-seed smoke: xorshift, so every run is the same */
    uint64_t x = 0x9e3779b97f4a7c15ull;
    static uint8_t buf[4096];
    for (unsigned run = 0; run < 3000; run++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t n = 2 + (size_t)(x % 2000);
        for (size_t k = 0; k < n; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[k] = (uint8_t)x;
        }
        /* keep records plausible: small offsets most of the time */
        for (size_t k = 2; k + 6 <= n; k += 6 + buf[k + 5] % 40) {
            buf[k + 1] = (uint8_t)(buf[k + 1] % 3 == 0 ? 0xff : 0);
            buf[k + 2] = (uint8_t)(buf[k + 2] % 200);
            buf[k + 3] = 0;
            buf[k + 4] = (uint8_t)(buf[k + 4] % 250);
            buf[k + 5] = (uint8_t)(buf[k + 5] % 40);
        }
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf("fuzz_stream: 3000 inputs ok\n");
    return 0;
}
#endif
