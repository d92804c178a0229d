/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * decode.h: from link-layer bytes to a decoded Packet.
 *
 * One DecodeCtx per worker: it holds the configuration (checksum checks,
 * defrag limits), the fragment reassembly state and the counter ids. The
 * packet path takes no locks.
 *
 * Bad traffic is data: a malformed or truncated layer records a named event
 * on the packet (decode/events.h), counts it, and decoding stops at that
 * layer. decode_packet never fails and never reads outside p->data[0..caplen).
 */
#ifndef KASBAH_DECODE_DECODE_H
#define KASBAH_DECODE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/stats.h"
#include "decode/packet.h"
#include "lib/alloc.h"

typedef struct DecodeConfig {
    bool checksum_validate;       /* -k all (true) / -k none (false) */
    uint64_t defrag_memcap;       /* bytes held by incomplete datagrams (defrag.memcap) */
    uint32_t defrag_timeout_s;    /* seconds an incomplete datagram is kept (defrag.timeout) */
    uint32_t defrag_max_frags;    /* fragments per datagram before it is dropped */
} DecodeConfig;

/* Suricata's defaults: checksums validated, 32 MiB, 60 s, 1024. */
void decode_config_defaults(DecodeConfig *cfg);

typedef struct DecodeCtx DecodeCtx;

/* Create a decoder context. Counters are registered in the stats registry at
 * creation (so call before packets flow) and incremented in *stats, which
 * the caller owns and which must outlive the context. Returns NULL on OOM. */
DecodeCtx *decode_ctx_new(const DecodeConfig *cfg, Stats *stats);
void decode_ctx_free(DecodeCtx *ctx);

/* Account for the defrag memory (for memcap stats). */
const MemAccount *decode_ctx_defrag_account(const DecodeCtx *ctx);

/* The link types we decode (values of libpcap's DLT_* / LINKTYPE_*). */
enum {
    DECODE_DLT_NULL = 0,          /* BSD loopback: 4-byte AF in the writer's byte order */
    DECODE_DLT_EN10MB = 1,        /* Ethernet */
    DECODE_DLT_PPP = 9,           /* PPP (address/control optional) */
    DECODE_DLT_RAW = 12,          /* raw IPv4/IPv6 (DLT_RAW on most systems) */
    DECODE_DLT_RAW_OPENBSD = 14,  /* DLT_RAW on OpenBSD */
    DECODE_DLT_PPP_SERIAL = 50,   /* PPP in HDLC-like framing */
    DECODE_DLT_LINKTYPE_RAW = 101,/* LINKTYPE_RAW as stored in files */
    DECODE_DLT_C_HDLC = 104,      /* Cisco HDLC */
    DECODE_DLT_IEEE802_11 = 105,  /* 802.11 MAC frames */
    DECODE_DLT_LOOP = 108,        /* OpenBSD loopback: AF in network order */
    DECODE_DLT_LINUX_SLL = 113,   /* Linux cooked v1 */
    DECODE_DLT_IEEE802_11_RADIO = 127, /* radiotap + 802.11 */
    DECODE_DLT_IPV4 = 228,        /* LINKTYPE_IPV4 */
    DECODE_DLT_IPV6 = 229,        /* LINKTYPE_IPV6 */
    DECODE_DLT_LINUX_SLL2 = 276,  /* Linux cooked v2 */
};

/* Is this DLT_* link type one we decode? decode_packet still accepts the
 * others: it counts decoder.pkts and decoder.unknown_datalink and decodes
 * nothing, so callers may pass every packet through it. */
bool decode_datalink_supported(int datalink);

/*
 * Decode p (capture fields set, everything else zeroed). Counts decoder.pkts,
 * decoder.bytes (wire length) and per-protocol counters.
 *
 * The return value is a chain (linked by Packet.next) of pseudo packets that
 * decoding p produced, already decoded, or NULL when there are none:
 *   - a reassembled datagram (PKT_IS_REASSEMBLED | PKT_IS_PSEUDO), when p is
 *     the fragment that completes one;
 *   - the packet inside a tunnel (PKT_IS_TUNNEL_INNER | PKT_IS_PSEUDO,
 *     tunnel_depth >= 1) for GRE, IP-in-IP, VXLAN and GTP-U; its `data`
 *     points into p's bytes (or into an earlier pseudo packet's buffer);
 *   - and, recursively, what those produced (an inner packet comes before
 *     the datagram its fragments complete).
 * Pseudo packets carry the pcap_cnt and time of p. The caller's contract:
 *
 *     Packet *chain = decode_packet(ctx, p);
 *     process(p);
 *     for (Packet *q = chain; q != NULL; q = q->next)
 *         process(q);
 *     decode_packet_free(ctx, chain);   // frees the whole chain
 *
 * p's bytes must stay valid until the chain is freed. The chain must be
 * freed before the next decode_packet call on the same ctx is processed
 * further (it may be kept until then). decode_packet itself allocates only
 * for pseudo packets (reused from a small free list) and fragment state.
 */
Packet *decode_packet(DecodeCtx *ctx, Packet *p);

/* Free p and every packet after it on p->next (the chain decode_packet
 * returned, with their owned buffers). NULL is a no-op. Never pass a wire
 * packet (one the caller owns). */
void decode_packet_free(DecodeCtx *ctx, Packet *p);

/* Memory account of pseudo packets and reassembled buffers. */
const MemAccount *decode_ctx_pseudo_account(const DecodeCtx *ctx);

/* Expire incomplete datagrams older than the timeout at capture time now_ns. */
void decode_defrag_timeout(DecodeCtx *ctx, int64_t now_ns);

#endif
