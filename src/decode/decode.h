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

/* Is this DLT_* link type one we decode? Others are counted by the caller. */
bool decode_datalink_supported(int datalink);

/*
 * Decode p (capture fields set, everything else zeroed). Counts decoder.pkts,
 * decoder.bytes (wire length) and per-protocol counters.
 *
 * When p is the fragment that completes an IP datagram, the return value is
 * a new pseudo packet (PKT_IS_REASSEMBLED | PKT_IS_PSEUDO, pcap_cnt and time
 * of the completing fragment) holding the whole datagram, already decoded;
 * the caller processes it after p and releases it with decode_packet_free().
 * Otherwise NULL.
 */
Packet *decode_packet(DecodeCtx *ctx, Packet *p);

/* Free a packet returned by decode_packet (and its owned buffer). NULL ok. */
void decode_packet_free(DecodeCtx *ctx, Packet *p);

/* Expire incomplete datagrams older than the timeout at capture time now_ns. */
void decode_defrag_timeout(DecodeCtx *ctx, int64_t now_ns);

#endif
