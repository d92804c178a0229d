/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * decode_int.h: what the decoders inside src/decode/ share and nobody
 * outside should use: the DecodeCtx layout, counter indexes, and one entry
 * point per protocol file.
 *
 * Conventions of the per-protocol entry points:
 *   - `r` is a Reader over exactly the bytes this layer may use (already
 *     clamped by the layer below, e.g. to the IP total length), positioned
 *     at 0 (callers pass rd_sub() of what is left), and `off` is where r's
 *     first byte sits in p->data (for l3_off / l4_off / payload).
 *   - They return 0 when the layer decoded (even with informational events),
 *     -1 when it was invalid and decoding stopped (the caller counts
 *     decoder.invalid once per wire packet).
 *   - They never allocate, except decode_defrag_add and the tunnel helper
 *     decode_tunnel_inner, which charge their accounts.
 */
#ifndef KASBAH_DECODE_DECODE_INT_H
#define KASBAH_DECODE_DECODE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/stats.h"
#include "decode/decode.h"
#include "decode/events.h"
#include "decode/packet.h"
#include "lib/alloc.h"
#include "lib/reader.h"

/* Counter names (Suricata's where the concept exists). */
#define DEC_CTR_LIST(X) \
    X(PKTS, "decoder.pkts") \
    X(BYTES, "decoder.bytes") \
    X(INVALID, "decoder.invalid") \
    X(MAX_PKT_SIZE, "decoder.max_pkt_size") \
    X(TRUNCATED, "decoder.truncated_capture") \
    X(UNKNOWN_DATALINK, "decoder.unknown_datalink") \
    X(UNKNOWN_ETHERTYPE, "decoder.unknown_ethertype") \
    X(ETHERNET, "decoder.ethernet") \
    X(VLAN, "decoder.vlan") \
    X(VLAN_QINQ, "decoder.vlan_qinq") \
    X(VLAN_QINQINQ, "decoder.vlan_qinqinq") \
    X(ARP, "decoder.arp") \
    X(RAW, "decoder.raw") \
    X(NULL_, "decoder.null") \
    X(SLL, "decoder.sll") \
    X(SLL2, "decoder.sll2") \
    X(CHDLC, "decoder.chdlc") \
    X(IEEE80211, "decoder.ieee80211") \
    X(PPP, "decoder.ppp") \
    X(PPPOE, "decoder.pppoe") \
    X(MPLS, "decoder.mpls") \
    X(IEEE8021AH, "decoder.ieee8021ah") \
    X(NSH, "decoder.nsh") \
    X(IPV4, "decoder.ipv4") \
    X(IPV6, "decoder.ipv6") \
    X(TCP, "decoder.tcp") \
    X(UDP, "decoder.udp") \
    X(ICMPV4, "decoder.icmpv4") \
    X(ICMPV6, "decoder.icmpv6") \
    X(GRE, "decoder.gre") \
    X(ERSPAN, "decoder.erspan") \
    X(VXLAN, "decoder.vxlan") \
    X(GTP, "decoder.gtp") \
    X(GENEVE, "decoder.geneve") \
    X(TEREDO, "decoder.teredo") \
    X(IPV4_IN_IPV4, "decoder.ipv4_in_ipv4") \
    X(IPV6_IN_IPV4, "decoder.ipv6_in_ipv4") \
    X(IPV4_IN_IPV6, "decoder.ipv4_in_ipv6") \
    X(IPV6_IN_IPV6, "decoder.ipv6_in_ipv6") \
    X(CSUM_BAD_IPV4, "decoder.csum_bad.ipv4") \
    X(CSUM_BAD_TCP, "decoder.csum_bad.tcp") \
    X(CSUM_BAD_UDP, "decoder.csum_bad.udp") \
    X(CSUM_BAD_ICMPV4, "decoder.csum_bad.icmpv4") \
    X(CSUM_BAD_ICMPV6, "decoder.csum_bad.icmpv6") \
    X(TUNNEL_ALLOC_FAIL, "decoder.tunnel_alloc_failed") \
    X(FRAG4, "defrag.ipv4.fragments") \
    X(REASM4, "defrag.ipv4.reassembled") \
    X(TIMEOUT4, "defrag.ipv4.timeouts") \
    X(FRAG6, "defrag.ipv6.fragments") \
    X(REASM6, "defrag.ipv6.reassembled") \
    X(TIMEOUT6, "defrag.ipv6.timeouts") \
    X(MAX_TRACKERS, "defrag.max_trackers_reached") \
    X(MAX_FRAGS, "defrag.max_frags_reached") \
    X(DEFRAG_MEMCAP, "defrag.memcap_refused")

#define DEC_CTR_ENUM_ITEM(id, name) DEC_CTR_##id,
enum { DEC_CTR_LIST(DEC_CTR_ENUM_ITEM) DEC_CTR_MAX };
#undef DEC_CTR_ENUM_ITEM

/* Nesting limit for tunnels (Suricata's decoder.max-layers is 16; inner
 * packets are real allocations here, so we stop earlier). */
#define DECODE_MAX_TUNNEL_DEPTH 4
/* Encapsulation layers (VLAN, MPLS, PPPoE, tunnels) per wire packet,
 * inner packets included; bounds the decoders' recursion. */
#define DECODE_MAX_LAYERS 32

struct DefragTable;

struct DecodeCtx {
    DecodeConfig cfg;
    Stats *stats;
    int ctr[DEC_CTR_MAX];
    int ev_ctr[PKT_EV_MAX];
    MemAccount defrag_acct;    /* fragment trackers and their bytes */
    MemAccount pseudo_acct;    /* pseudo packets and reassembled buffers */
    struct DefragTable *defrag;
    /* the chain decode_packet is building */
    Packet *chain_head, *chain_tail;
    /* a few freed pseudo packets kept for reuse (no malloc per tunnel packet) */
    Packet *free_list;
    uint32_t n_free;
    bool invalid;              /* the current wire packet had an invalid layer */
    uint32_t n_layers;         /* encapsulations seen for the current wire packet */
};

static inline void dec_count(DecodeCtx *ctx, int c) { stats_inc(ctx->stats, ctx->ctr[c]); }

/* Record event ev on p (once per packet; the list keeps the first
 * PKT_MAX_EVENTS) and count it. */
void decode_event_set(DecodeCtx *ctx, Packet *p, DecodeEvent ev);

/* As decode_event_set, and mark the wire packet invalid; returns -1 so a
 * decoder can `return decode_invalid(ctx, p, EV);`. */
int decode_invalid(DecodeCtx *ctx, Packet *p, DecodeEvent ev);

/* Bytes of this layer that existed on the wire: r's length, plus what the
 * capture's snaplen cut off when r reaches the end of the captured bytes. */
uint32_t decode_wire_left(const Packet *p, const Reader *r, uint32_t off);

/* Ones' complement sum helpers (RFC 1071). The reader is consumed. */
uint64_t decode_csum_add(uint64_t sum, Reader *r);
uint16_t decode_csum_fold(uint64_t sum);
/* Pseudo-header sum for p's addresses (IPv4 or IPv6 by p->ip_ver). */
uint64_t decode_csum_pseudo(const Packet *p, uint8_t proto, uint32_t l4_len);

/* ---- per-protocol entry points (one file each) ---- */
int decode_ethernet(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
/* Dispatch on an ethertype (after Ethernet, VLAN, SLL, GRE, PPPoE). */
int decode_ethertype(DecodeCtx *ctx, Packet *p, uint16_t type, Reader r, uint32_t off);
int decode_arp(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
/* 802.11 (wifi.c): a bare MAC frame, or one behind a radiotap header. */
int decode_wifi(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
int decode_radiotap(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
int decode_ipv4(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
int decode_ipv6(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
/* Transport dispatch from IPv4/IPv6/reassembly; r spans the L4 bytes. */
int decode_l4(DecodeCtx *ctx, Packet *p, uint8_t proto, Reader r, uint32_t off);
int decode_tcp(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
int decode_udp(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
int decode_icmpv4(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
int decode_icmpv6(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
/* PPP protocol field onwards (DLT_PPP after address/control, PPPoE, GRE v1). */
int decode_ppp(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);

/* ---- tunnels (tunnel.c) ---- */
enum {
    TUNNEL_INNER_ETH, TUNNEL_INNER_IPV4, TUNNEL_INNER_IPV6, TUNNEL_INNER_IP,
    TUNNEL_INNER_PPP, TUNNEL_INNER_MPLS,
};
int decode_gre(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
int decode_vxlan(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
int decode_gtp(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
int decode_geneve(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
/* Teredo is recognised by shape, not just the port: true when it was. */
bool decode_teredo(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
int decode_mpls(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
int decode_nsh(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
int decode_pppoe_session(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);
/* Build a pseudo packet over the bytes of r (inside p's data) and decode it
 * as `kind`; it joins the chain before anything decoding it produces. */
int decode_tunnel_inner(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off, int kind);

/* ---- pseudo packets (decode.c) ---- */
/* A zeroed packet from the free list or the pseudo account; NULL on refusal. */
Packet *decode_pseudo_new(DecodeCtx *ctx);
/* Append q to the chain being built. */
void decode_chain_add(DecodeCtx *ctx, Packet *q);
/* Decode a pseudo packet starting at the given link kind (TUNNEL_INNER_*). */
int decode_inner_run(DecodeCtx *ctx, Packet *q, int kind);

/* ---- defrag (defrag.c) ---- */
struct DefragTable *decode_defrag_new(DecodeCtx *ctx);
void decode_defrag_free(DecodeCtx *ctx, struct DefragTable *t);
/*
 * Fragment p (IPv4 or IPv6, l3 fields filled). `frag` spans the fragment's
 * data (after the IPv4 header / the IPv6 fragment header). For IPv6,
 * unfrag_len is the length of the IPv6 header plus the extension headers
 * before the fragment header, nh_pos the offset (from l3) of the Next Header
 * byte that names the fragment header, and next_hdr the protocol after it.
 * id is the IPv4 identification or the IPv6 32-bit fragment id.
 * When p completes a datagram, the reassembled pseudo packet is decoded and
 * appended to the chain.
 */
void decode_defrag_add(DecodeCtx *ctx, Packet *p, Reader frag, uint32_t id,
                       uint32_t unfrag_len, uint32_t nh_pos, uint8_t next_hdr);

#endif
