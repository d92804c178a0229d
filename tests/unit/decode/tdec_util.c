/* SPDX-License-Identifier: GPL-2.0-only */
/* tdec_util.c: fixtures and packet builders for the decode tests (see tdec.h). */
#include "tdec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/events.h"

/* ------------------------------------------------------------ fixtures */


T *t_new_cfg(const DecodeConfig *cfg)
{
    T *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->stats = calloc(1, sizeof *t->stats);
    assert_non_null(t->stats);
    t->cfg = *cfg;
    t->ctx = decode_ctx_new(cfg, t->stats);
    assert_non_null(t->ctx);
    return t;
}

T *t_new(void)
{
    DecodeConfig cfg;
    decode_config_defaults(&cfg);
    return t_new_cfg(&cfg);
}

void t_free(T *t)
{
    decode_ctx_free(t->ctx);
    free(t->stats);
    free(t);
}

uint64_t ctr(const T *t, const char *name)
{
    int id = stats_find(name);
    assert_true(id >= 0);
    return t->stats->v[id];
}

uint64_t ev_ctr(const T *t, const char *ev)
{
    char name[160];
    snprintf(name, sizeof name, "decoder.event.%s", ev);
    return ctr(t, name);
}

bool has_event(const Packet *p, const char *name)
{
    int ev = decode_event_by_name(name);
    assert_true(ev > 0);
    for (int i = 0; i < p->n_events; i++)
        if (p->events[i] == ev)
            return true;
    return false;
}

void pkt_init(Packet *p, int dlt, const uint8_t *buf, uint32_t caplen, uint32_t wirelen)
{
    memset(p, 0, sizeof *p);
    p->data = buf;
    p->caplen = caplen;
    p->wirelen = wirelen;
    p->datalink = dlt;
    p->pcap_cnt = 1;
}

/* Decode buf (caplen = wirelen = len) and return the chain (freed by caller). */
Packet *run(T *t, Packet *p, int dlt, const uint8_t *buf, size_t len)
{
    pkt_init(p, dlt, buf, (uint32_t)len, (uint32_t)len);
    return decode_packet(t->ctx, p);
}

/* ------------------------------------------------------------- builders */

void put16(uint8_t *b, uint16_t v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; }
void put32(uint8_t *b, uint32_t v)
{
    put16(b, (uint16_t)(v >> 16));
    put16(b + 2, (uint16_t)v);
}

uint32_t sum16(const uint8_t *b, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (n & 1)
        s += (uint32_t)b[n - 1] << 8;
    return s;
}

uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

const uint8_t MAC_A[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
const uint8_t MAC_B[6] = { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };
const uint8_t IP_A[4] = { 10, 0, 0, 1 };
const uint8_t IP_B[4] = { 192, 168, 1, 2 };
const uint8_t IP6_A[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
const uint8_t IP6_B[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, [15] = 2 };

size_t eth_hdr(uint8_t *b, uint16_t type)
{
    memcpy(b, MAC_B, 6);
    memcpy(b + 6, MAC_A, 6);
    put16(b + 12, type);
    return 14;
}

/* IPv4 header with options; l4len bytes are expected to follow. */
size_t ip4_hdr(uint8_t *b, uint8_t proto, size_t l4len, const uint8_t *opts, size_t optlen,
                      uint16_t id, uint16_t fo)
{
    size_t hlen = 20 + optlen;
    memset(b, 0, hlen);
    b[0] = (uint8_t)(0x40 | (hlen / 4));
    put16(b + 2, (uint16_t)(hlen + l4len));
    put16(b + 4, id);
    put16(b + 6, fo);
    b[8] = 64;
    b[9] = proto;
    memcpy(b + 12, IP_A, 4);
    memcpy(b + 16, IP_B, 4);
    if (optlen)
        memcpy(b + 20, opts, optlen);
    put16(b + 10, fold(sum16(b, hlen, 0)));
    return hlen;
}

size_t ip6_hdr(uint8_t *b, uint8_t nh, size_t plen)
{
    memset(b, 0, 40);
    b[0] = 0x60;
    put16(b + 4, (uint16_t)plen);
    b[6] = nh;
    b[7] = 64;
    memcpy(b + 8, IP6_A, 16);
    memcpy(b + 24, IP6_B, 16);
    return 40;
}

/* Fill in a TCP/UDP/ICMPv6 checksum at l4[csum_at] using the pseudo header. */
void l4_csum(const uint8_t *ip, int ver, uint8_t proto, uint8_t *l4, size_t l4len,
                    size_t csum_at)
{
    l4[csum_at] = l4[csum_at + 1] = 0;
    uint32_t s = 0;
    if (ver == 4)
        s = sum16(ip + 12, 8, 0);
    else
        s = sum16(ip + 8, 32, 0);
    s += proto;
    s += (uint32_t)l4len;
    s = sum16(l4, l4len, s);
    uint16_t c = fold(s);
    if (proto == 17 && c == 0)
        c = 0xffff;
    put16(l4 + csum_at, c);
}

/* TCP header (with options) + payload. */
size_t tcp_seg(uint8_t *b, const uint8_t *opts, size_t optlen, const char *payload)
{
    size_t hlen = 20 + optlen;
    memset(b, 0, hlen);
    put16(b, 40000);
    put16(b + 2, 80);
    put32(b + 4, 1000);
    put32(b + 8, 2000);
    b[12] = (uint8_t)((hlen / 4) << 4);
    b[13] = 0x18; /* PSH ACK */
    put16(b + 14, 65535);
    if (optlen)
        memcpy(b + 20, opts, optlen);
    size_t n = strlen(payload);
    memcpy(b + hlen, payload, n);
    return hlen + n;
}

size_t udp_dgram(uint8_t *b, uint16_t sp, uint16_t dp, const uint8_t *payload, size_t n)
{
    put16(b, sp);
    put16(b + 2, dp);
    put16(b + 4, (uint16_t)(8 + n));
    put16(b + 6, 0);
    if (n > 0)
        memcpy(b + 8, payload, n);
    return 8 + n;
}

const uint8_t TCP_OPTS[] = {
    2, 4, 0x05, 0xb4,             /* MSS 1460 */
    1, 3, 3, 7,                   /* NOP, WS 7 */
    4, 2,                         /* SACK permitted */
    8, 10, 0, 0, 0, 1, 0, 0, 0, 2, /* TS 1 2 */
    1, 1,                         /* NOP NOP */
    5, 10, 0, 0, 0, 10, 0, 0, 0, 20, /* SACK 10-20 */
    0, 0, 0, 0,                   /* EOL + pad to a multiple of 4 */
};

/* Ethernet / IPv4 / TCP (options) / "hello world". Returns the length. */
size_t build_eth_ip4_tcp(uint8_t *b)
{
    size_t o = eth_hdr(b, 0x0800);
    uint8_t seg[256];
    size_t sl = tcp_seg(seg, TCP_OPTS, sizeof TCP_OPTS, "hello world");
    size_t h = ip4_hdr(b + o, 6, sl, NULL, 0, 0x1234, 0x4000);
    memcpy(b + o + h, seg, sl);
    l4_csum(b + o, 4, 6, b + o + h, sl, 16);
    return o + h + sl;
}

size_t build_eth_ip4_udp(uint8_t *b, const uint8_t *payload, size_t n)
{
    size_t o = eth_hdr(b, 0x0800);
    size_t h = ip4_hdr(b + o, 17, 8 + n, NULL, 0, 7, 0);
    size_t ul = udp_dgram(b + o + h, 5353, 53, payload, n);
    l4_csum(b + o, 4, 17, b + o + h, ul, 6);
    return o + h + ul;
}

size_t vlan_stack(uint8_t *b, const uint16_t *tpids, int n, uint16_t inner)
{
    size_t o = eth_hdr(b, tpids[0]);
    for (int i = 0; i < n; i++) {
        put16(b + o, (uint16_t)(0x2000 | (100 + i))); /* PCP 1, VID 100+i */
        put16(b + o + 2, i + 1 < n ? tpids[i + 1] : inner);
        o += 4;
    }
    return o;
}

size_t build_ip6_udp(uint8_t *b, uint8_t nh, const uint8_t *ext, size_t extlen,
                            const char *payload)
{
    size_t o = eth_hdr(b, 0x86dd);
    size_t pl = strlen(payload);
    ip6_hdr(b + o, nh, extlen + 8 + pl);
    if (extlen > 0)
        memcpy(b + o + 40, ext, extlen);
    size_t ul = udp_dgram(b + o + 40 + extlen, 1000, 2000, (const uint8_t *)payload, pl);
    l4_csum(b + o, 6, 17, b + o + 40 + extlen, ul, 6);
    return o + 40 + extlen + ul;
}
