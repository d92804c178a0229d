/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * floodgen.c: writes the flood captures of tests/suites/floods (classic pcap,
 * Ethernet, microsecond timestamps).
 *
 * Where: tests/faults; tests/faults/floods.py compiles it with the system C
 * compiler (a test tool, not part of kasbah) and runs it once per flood. It is
 * C rather than Python because the SYN flood is a million packets and the CI
 * budget is minutes. The output depends only on the kind, the count and the
 * seed (xorshift64*), so a failing run is reproduced with the same command.
 *
 * Kinds (every IPv4/TCP/UDP checksum is correct, so kasbah's default
 * validation accepts the packets):
 *   syn    COUNT bare SYNs from random IPv4 sources and ports to 10.0.0.1:80,
 *          50,000 per second of capture time. Every COUNT/10th packet is a SYN
 *          to port 4444 instead (what the marker rule looks for): 10 markers.
 *   frag   COUNT first fragments (MF set, offset 0, 488 bytes) of UDP
 *          datagrams from random sources that never complete, 10,000 per
 *          second. Every COUNT/10th packet is an unfragmented UDP datagram to
 *          port 9998 holding "UDPMARK" instead. Then, 120 s after the flood
 *          (past defrag.timeout), a datagram in two fragments to port 9999
 *          whose reassembled payload holds "FRAGLAST".
 *   tcpseg 4 sessions to 10.0.0.1:8080 (a handshake, then COUNT/4 one-byte
 *          client segments sent last byte first, round robin over the
 *          sessions, so every byte waits for the first one); the flooded
 *          streams spell "SEGMARK" at offset 1000. Then each of them is
 *          reset, and a second later a fifth, ordinary session sends
 *          "hello TCPMARK".
 *   dns    COUNT DNS queries (A, random 16-letter names under example.com)
 *          from random sources and ports to 10.0.0.53:53, 10,000 per second.
 *          Every COUNT/10th asks for evil-marker.example.net: 10 markers.
 *
 * Usage: floodgen KIND COUNT OUT.pcap [SEED]; exit 0, or 1 with a message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define START_S 1700000000u

static uint64_t rng_state;
static FILE *out;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* A random unicast IPv4 source outside 10/8 (the servers live there). */
static uint32_t rand_src(void)
{
    for (;;) {
        uint32_t a = (uint32_t)(rnd() >> 32);
        uint32_t top = a >> 24;
        if (top >= 1 && top < 224 && top != 10)
            return a;
    }
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static void put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* RFC 1071 sum of len bytes added to an initial partial sum. */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (len & 1)
        s += (uint32_t)p[len - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}

static uint32_t pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
    return (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + proto + (uint32_t)len;
}

/* One frame: Ethernet + IPv4 (+ l4 bytes already built in l4[0..l4_len)). */
static void emit(uint64_t t_us, uint32_t src, uint32_t dst, uint8_t proto, uint16_t ipid,
                 uint16_t frag, const uint8_t *l4, size_t l4_len)
{
    uint8_t f[16 + 14 + 20 + 1600];
    size_t flen = 14 + 20 + l4_len;
    uint8_t *e = f + 16;
    memset(e, 0, 14);
    e[5] = 2;
    e[11] = 1;
    e[12] = 0x08;
    uint8_t *ip = e + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint32_t)(20 + l4_len));
    put16(ip + 4, ipid);
    put16(ip + 6, frag);
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, fold(sum16(0, ip, 20)));
    memcpy(ip + 20, l4, l4_len);
    put32le(f, START_S + (uint32_t)(t_us / 1000000));
    put32le(f + 4, (uint32_t)(t_us % 1000000));
    put32le(f + 8, (uint32_t)flen);
    put32le(f + 12, (uint32_t)flen);
    fwrite(f, 1, 16 + flen, out);
}

static void emit_tcp(uint64_t t, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, uint32_t seq,
                     uint32_t ack, uint8_t flags, const uint8_t *data, size_t len, uint16_t ipid)
{
    uint8_t s[20 + 1500];
    memset(s, 0, 20);
    put16(s, sp);
    put16(s + 2, dp);
    put32(s + 4, seq);
    put32(s + 8, ack);
    s[12] = 0x50;
    s[13] = flags;
    put16(s + 14, 65535);
    memcpy(s + 20, data, len);
    put16(s + 16, fold(sum16(pseudo(src, dst, 6, 20 + len), s, 20 + len)));
    emit(t, src, dst, 6, ipid, 0, s, 20 + len);
}

/* A UDP datagram (header + data) with its checksum into u; returns its length. */
static size_t build_udp(uint8_t *u, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
                        const uint8_t *data, size_t len)
{
    put16(u, sp);
    put16(u + 2, dp);
    put16(u + 4, (uint32_t)(8 + len));
    put16(u + 6, 0);
    memcpy(u + 8, data, len);
    uint16_t c = fold(sum16(pseudo(src, dst, 17, 8 + len), u, 8 + len));
    put16(u + 6, c == 0 ? 0xFFFF : c);
    return 8 + len;
}

static uint32_t addr(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

static void gen_syn(uint64_t n)
{
    uint32_t dst = addr(10, 0, 0, 1);
    uint64_t step = n >= 10 ? n / 10 : 1;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t src = rand_src();
        uint16_t port = i % step == step / 2 ? 4444 : 80;
        uint16_t sport = (uint16_t)(1024 + rnd() % 64512);
        emit_tcp(i * 20, src, dst, sport, port, (uint32_t)rnd(), 0, 0x02, NULL, 0, (uint16_t)i);
    }
}

static void gen_frag(uint64_t n)
{
    uint32_t dst = addr(10, 0, 0, 2);
    uint64_t step = n >= 10 ? n / 10 : 1;
    uint8_t body[480], u[1600];
    memset(body, 0, sizeof body);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t src = rand_src();
        if (i % step == step / 2) {
            uint8_t mark[56];
            for (size_t k = 0; k < sizeof mark; k += 7)
                memcpy(mark + k, "UDPMARK", 7);
            size_t len = build_udp(u, src, dst, 5000, 9998, mark, sizeof mark);
            emit(i * 100, src, dst, 17, (uint16_t)i, 0, u, len);
            continue;
        }
        /* a first fragment (offset 0, MF) of a 1000-byte datagram */
        build_udp(u, src, dst, 5000, 7000, body, sizeof body);
        put16(u + 4, 1000);
        emit(i * 100, src, dst, 17, (uint16_t)rnd(), 0x2000, u, 488);
    }
    /* past the timeout: a complete two-fragment datagram must reassemble */
    uint64_t t = n * 100 + 120ull * 1000000;
    uint32_t src = addr(192, 0, 2, 77);
    uint8_t data[88];
    memset(data, 'x', sizeof data);
    memcpy(data + 40, "FRAGLAST", 8);
    size_t len = build_udp(u, src, dst, 5001, 9999, data, sizeof data);
    emit(t, src, dst, 17, 4242, 0x2000, u, 48);
    emit(t + 10, src, dst, 17, 4242, 48 / 8, u + 48, len - 48);
}

static void gen_tcpseg(uint64_t n)
{
    uint32_t dst = addr(10, 0, 0, 1);
    uint64_t per = n / 4 > 2000 ? n / 4 : 2000;
    uint64_t t = 0;
    uint32_t src[5], seq[5], ack[5];
    uint16_t sp[5];
    for (unsigned s = 0; s < 5; s++) {
        src[s] = addr(192, 0, 2, (uint8_t)(10 + s));
        sp[s] = (uint16_t)(40000 + s);
        uint32_t isn = 1000 + s * 7919, sisn = 500000 + s * 104729;
        emit_tcp(t, src[s], dst, sp[s], 8080, isn, 0, 0x02, NULL, 0, 1);
        emit_tcp(t + 1, dst, src[s], 8080, sp[s], sisn, isn + 1, 0x12, NULL, 0, 1);
        emit_tcp(t + 2, src[s], dst, sp[s], 8080, isn + 1, sisn + 1, 0x10, NULL, 0, 2);
        t += 10;
        seq[s] = isn + 1;
        ack[s] = sisn + 1;
    }
    static const char mark[] = "SEGMARK";
    for (uint64_t k = per; k-- > 0;) {
        uint8_t byte = k >= 1000 && k < 1007 ? (uint8_t)mark[k - 1000] : (uint8_t)'q';
        for (unsigned s = 0; s < 4; s++) {
            emit_tcp(t, src[s], dst, sp[s], 8080, seq[s] + (uint32_t)k, ack[s], 0x18, &byte, 1,
                     (uint16_t)k);
            t += 5;
        }
    }
    /* the flooded sessions end (their memory is released); a second later
     * the fifth session speaks */
    for (unsigned s = 0; s < 4; s++)
        emit_tcp(t + s, src[s], dst, sp[s], 8080, seq[s] + (uint32_t)per, ack[s], 0x14, NULL, 0, 9);
    t += 1000000;
    static const char hello[] = "hello TCPMARK\r\n";
    emit_tcp(t, src[4], dst, sp[4], 8080, seq[4], ack[4], 0x18, (const uint8_t *)hello,
             sizeof hello - 1, 3);
    emit_tcp(t + 1, dst, src[4], 8080, sp[4], ack[4], seq[4] + (uint32_t)(sizeof hello - 1), 0x10,
             NULL, 0, 2);
}

/* A DNS query for name (dotted, no trailing dot) into m; returns its length. */
static size_t dns_query(uint8_t *m, uint16_t id, const char *name)
{
    memset(m, 0, 12);
    put16(m, id);
    put16(m + 2, 0x0100);
    put16(m + 4, 1);
    size_t o = 12;
    const char *p = name;
    while (*p != '\0') {
        const char *dot = strchr(p, '.');
        size_t l = dot != NULL ? (size_t)(dot - p) : strlen(p);
        m[o++] = (uint8_t)l;
        memcpy(m + o, p, l);
        o += l;
        p += l;
        if (*p == '.')
            p++;
    }
    m[o++] = 0;
    put16(m + o, 1);
    put16(m + o + 2, 1);
    return o + 4;
}

static void gen_dns(uint64_t n)
{
    uint32_t dst = addr(10, 0, 0, 53);
    uint64_t step = n >= 10 ? n / 10 : 1;
    char name[64];
    uint8_t m[256], u[300];
    for (uint64_t i = 0; i < n; i++) {
        uint32_t src = rand_src();
        if (i % step == step / 2) {
            snprintf(name, sizeof name, "evil-marker.example.net");
        } else {
            for (int k = 0; k < 16; k++)
                name[k] = (char)('a' + rnd() % 26);
            memcpy(name + 16, ".example.com", 13);
        }
        size_t ml = dns_query(m, (uint16_t)rnd(), name);
        size_t ul = build_udp(u, src, dst, (uint16_t)(1024 + rnd() % 64512), 53, m, ml);
        emit(i * 100, src, dst, 17, (uint16_t)i, 0, u, ul);
    }
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: floodgen syn|frag|tcpseg|dns COUNT OUT.pcap [SEED]\n");
        return 1;
    }
    char *end;
    uint64_t n = strtoull(argv[2], &end, 10);
    if (*end != '\0' || n == 0) {
        fprintf(stderr, "floodgen: bad COUNT %s\n", argv[2]);
        return 1;
    }
    rng_state = argc == 5 ? strtoull(argv[4], NULL, 10) : 7;
    if (rng_state == 0)
        rng_state = 7;
    out = fopen(argv[3], "wb");
    if (out == NULL) {
        fprintf(stderr, "floodgen: %s: %s\n", argv[3], strerror(errno));
        return 1;
    }
    uint8_t h[24];
    put32le(h, 0xA1B2C3D4);
    h[4] = 2, h[5] = 0, h[6] = 4, h[7] = 0;
    put32le(h + 8, 0);
    put32le(h + 12, 0);
    put32le(h + 16, 65535);
    put32le(h + 20, 1);
    fwrite(h, 1, sizeof h, out);
    if (strcmp(argv[1], "syn") == 0)
        gen_syn(n);
    else if (strcmp(argv[1], "frag") == 0)
        gen_frag(n);
    else if (strcmp(argv[1], "tcpseg") == 0)
        gen_tcpseg(n);
    else if (strcmp(argv[1], "dns") == 0)
        gen_dns(n);
    else {
        fprintf(stderr, "floodgen: unknown kind %s\n", argv[1]);
        fclose(out);
        return 1;
    }
    if (fclose(out) != 0) {
        fprintf(stderr, "floodgen: %s: write failed\n", argv[3]);
        return 1;
    }
    return 0;
}
