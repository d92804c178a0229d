/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tdec.h: shared fixtures and packet builders of the src/decode unit tests
 * (one program, unit-decode, built from test_decode.c, test_decode_frag.c
 * and tdec_util.c). Builders write into caller buffers and compute
 * checksums with their own code, never the decoder's.
 */
#ifndef KASBAH_TESTS_TDEC_H
#define KASBAH_TESTS_TDEC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/stats.h"
#include "decode/decode.h"
#include "decode/packet.h"

#define SEC 1000000000ll

typedef struct T {
    Stats *stats;
    DecodeCtx *ctx;
    DecodeConfig cfg;
} T;

T *t_new_cfg(const DecodeConfig *cfg);
T *t_new(void);
void t_free(T *t);
/* A counter's value (the counter must exist). */
uint64_t ctr(const T *t, const char *name);
/* "decoder.event.<ev>" */
uint64_t ev_ctr(const T *t, const char *ev);
bool has_event(const Packet *p, const char *name);
void pkt_init(Packet *p, int dlt, const uint8_t *buf, uint32_t caplen, uint32_t wirelen);
/* Decode buf (caplen = wirelen = len); returns the chain (caller frees). */
Packet *run(T *t, Packet *p, int dlt, const uint8_t *buf, size_t len);

void put16(uint8_t *b, uint16_t v);
void put32(uint8_t *b, uint32_t v);
uint32_t sum16(const uint8_t *b, size_t n, uint32_t s);
uint16_t fold(uint32_t s);

extern const uint8_t MAC_A[6], MAC_B[6], IP_A[4], IP_B[4], IP6_A[16], IP6_B[16];
extern const uint8_t TCP_OPTS[36];

size_t eth_hdr(uint8_t *b, uint16_t type);
/* IPv4 header (with options) announcing l4len bytes after it. */
size_t ip4_hdr(uint8_t *b, uint8_t proto, size_t l4len, const uint8_t *opts, size_t optlen,
               uint16_t id, uint16_t fo);
size_t ip6_hdr(uint8_t *b, uint8_t nh, size_t plen);
/* Fill a TCP/UDP/ICMPv6 checksum at l4[csum_at] with the pseudo header of ip. */
void l4_csum(const uint8_t *ip, int ver, uint8_t proto, uint8_t *l4, size_t l4len, size_t csum_at);
size_t tcp_seg(uint8_t *b, const uint8_t *opts, size_t optlen, const char *payload);
size_t udp_dgram(uint8_t *b, uint16_t sp, uint16_t dp, const uint8_t *payload, size_t n);
/* Ethernet / IPv4 / TCP (TCP_OPTS) / "hello world" */
size_t build_eth_ip4_tcp(uint8_t *b);
size_t build_eth_ip4_udp(uint8_t *b, const uint8_t *payload, size_t n);
/* Ethernet + n VLAN tags (tpids[0..n-1]) announcing `inner`. */
size_t vlan_stack(uint8_t *b, const uint16_t *tpids, int n, uint16_t inner);
/* Ethernet / IPv6 / ext headers (first named by nh) / UDP / payload. */
size_t build_ip6_udp(uint8_t *b, uint8_t nh, const uint8_t *ext, size_t extlen,
                     const char *payload);

/* The fragment and tunnel tests (test_decode_frag.c). */
extern const struct CMUnitTest tdec_frag_tests[];
extern const size_t tdec_n_frag_tests;
/* The checksum and agreement-sweep tests (test_decode_sweep.c). */
extern const struct CMUnitTest tdec_sweep_tests[];
extern const size_t tdec_n_sweep_tests;

#endif
