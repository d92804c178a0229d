/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * features.h: the 100 Kitsune features of a decoded packet
 * (../shared/KITSUNE.md sections 1 and 3).
 *
 * Four AfterImage tables, each updated for the five decay factors:
 *   0-14   source MAC+IP, 1D on size                 (w, mean, var)
 *   15-49  host pair, 1D+2D on size                  (w, mean, var, radius, magnitude, cov, pcc)
 *   50-64  host-pair jitter, 1D on inter-arrival     (w, mean, var)
 *   65-99  socket pair, 1D+2D on size                (as host pair)
 * Packet fields follow the reference's tshark export: IPv4 else IPv6
 * addresses; TCP/UDP ports (an ICMP error's quoted ports, a tunnel's inner
 * ports, a completed datagram's ports: see FeatLayers); ARP uses its
 * sender/target protocol addresses and proto "arp"; ICMP without ports
 * "icmp"; a packet with no IP uses its MACs in place of IPs.
 *
 * Keys: FEAT_KEYS_TEXT spells every ID as tshark prints it and concatenates
 * without separators, so the reference's collisions happen here too
 * (kitsune mode); FEAT_KEYS_BINARY uses typed binary keys that cannot
 * collide (default mode). Not thread-safe: one context per worker.
 */
#ifndef KASBAH_ANOMALY_FEATURES_H
#define KASBAH_ANOMALY_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly/afterimage.h"
#include "decode/packet.h"
#include "lib/alloc.h"

#define FEAT_N 100

typedef enum FeatKeys { FEAT_KEYS_TEXT = 0, FEAT_KEYS_BINARY = 1 } FeatKeys;

typedef struct FeatConfig {
    FeatKeys keys;
    bool exact;            /* reference arithmetic: pow() decays, time parsed from decimal text */
    uint32_t max_links;    /* per stream, 0 = unbounded */
    double evict_weight;   /* idle eviction threshold, <= 0 = never */
    bool pair_links;       /* links updated by their own pair's packets only (AiConfig) */
} FeatConfig;

typedef struct FeatCtx FeatCtx;

/* New context with four empty tables charged to acct. NULL on OOM. */
FeatCtx *feat_ctx_new(const FeatConfig *cfg, MemAccount *acct);
void feat_ctx_free(FeatCtx *fc);

/*
 * What tshark's first-occurrence fields see in one frame: the first TCP
 * ports, the first UDP ports, whether an ICMPv4 header occurs, and the first
 * IPv4 and IPv6 address pairs, in dissection order: the frame's own layers
 * (its transport, then the header an ICMP error quotes), then those of the
 * pseudo packets decoding it produced (tunnel inners; the datagram a
 * fragment completes, whose transport tshark shows on that fragment).
 */
typedef struct FeatLayers {
    bool tcp, udp, icmp4, ip4, ip6;
    uint16_t tcp_sp, tcp_dp, udp_sp, udp_dp;
    IpAddr ip4_src, ip4_dst, ip6_src, ip6_dst;
} FeatLayers;

/* Start from a wire frame; then add each pseudo packet of its chain in order. */
void feat_layers_init(FeatLayers *l, const Packet *frame);
void feat_layers_add(FeatLayers *l, const Packet *inner);

/* Compute the 100 features of frame p, its layers as collected in l, into out
 * (zeros where a table had no memory). Returns 0, or -ENOMEM when some table
 * refused (counted). */
int feat_extract_layers(FeatCtx *fc, const Packet *p, const FeatLayers *l, double *out);

/* feat_extract_layers with the frame's own layers only. */
int feat_extract(FeatCtx *fc, const Packet *p, double *out);

/* The packet time in seconds as the reference reads it: exact parses
 * "sec.nanoseconds" like Python's float() (correctly rounded). */
double feat_packet_time(const Packet *p, bool exact);

/* Evict idle streams: look at up to max_checks per table. */
void feat_ctx_sweep(FeatCtx *fc, double now, unsigned max_checks);

/* Sum of the four tables' counters. */
void feat_ctx_counters(const FeatCtx *fc, AiCounters *sum);

/* Feature i described in words, e.g. "socket pair: size covariance, 0.1 s
 * window". Empty string for i >= FEAT_N. */
void feat_describe(unsigned i, char *buf, size_t len);

/* The reference's column name, e.g. "HpHp_0.1_covariance_0_1". */
void feat_column_name(unsigned i, char *buf, size_t len);

#endif
