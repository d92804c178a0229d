/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flow_int.h: details shared inside src/flow/ only (the table layout, key
 * building, the TCP state machine). Nothing outside src/flow/ includes it.
 *
 * Invariants of a FlowTable:
 *  - every live flow is on exactly one hash chain (buckets[bucket(hash)]),
 *    exactly one timeout-class list (lru[tclass]) and the creation list;
 *  - a timeout-class list is ordered by touch_ns, oldest at the head: a flow
 *    moves to the tail of its (possibly new) class list on every packet, and
 *    touch_ns is the table clock, which never goes backwards;
 *  - the creation list is ordered by seq, oldest at the head;
 *  - memuse counts every byte this table charged to the account (table,
 *    buckets, live and spare flows).
 */
#ifndef KASBAH_FLOW_FLOW_INT_H
#define KASBAH_FLOW_FLOW_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/flow.h"

/* Timeout classes: one LRU list per (protocol class, generic state). */
#define FLOW_N_PROTO 4
#define FLOW_N_STATE 3
#define FLOW_N_CLASS (FLOW_N_PROTO * FLOW_N_STATE)

/* Emergency mode ends when the memory held by live flows falls to this share
 * of the memcap (Suricata's `flow.emergency-recovery: 30`: 30% free again). */
#define FLOW_EMERG_RECOVERY_PCT 70u

/* Spare flows kept for reuse instead of going back to malloc. A bound keeps a
 * burst of short flows from pinning memory that other tables could use. */
#define FLOW_SPARE_MAX 4096u

/* The bucket array grows (table.c) up to 2^24 buckets, 128 MiB of chain
 * heads: past that, millions of live flows are a memcap question. */
#define FLOW_BUCKETS_MAX (1u << 24)

/* IP protocol numbers used here. */
enum { FLOW_IPPROTO_ICMP = 1, FLOW_IPPROTO_TCP = 6, FLOW_IPPROTO_UDP = 17,
       FLOW_IPPROTO_ESP = 50, FLOW_IPPROTO_ICMPV6 = 58, FLOW_IPPROTO_SCTP = 132 };

/* Counter ids (stats.h); -1 when registration failed. */
typedef struct FlowCounters {
    int total, tcp, udp, icmpv4, icmpv6;
    int memcap, emerg_entered, emerg_over;
    int end_timeout, end_forced, end_shutdown;
    int active, memuse;
    int tcp_reuse;
} FlowCounters;

struct FlowTable {
    FlowConfig cfg;
    MemAccount *acct;
    Stats *stats;
    FlowEndFn on_end;
    void *user;

    Flow **buckets;
    uint32_t n_buckets;

    Flow *lru_head[FLOW_N_CLASS], *lru_tail[FLOW_N_CLASS];
    Flow *c_head, *c_tail;       /* creation order */
    Flow *spare;                 /* free flows, linked through hnext */
    uint32_t n_spare;

    uint64_t n_flows;
    uint64_t memuse;
    uint64_t next_seq;
    int64_t clock_ns;            /* highest packet time seen */
    bool clock_set;
    bool emergency;
    FlowCounters c;
};

/* What a packet means to the table. */
typedef enum FlowPktKind {
    FLOW_PKT_NONE = 0,    /* no flow: not IP, unreassembled fragment, broken L4 */
    FLOW_PKT_NORMAL,      /* key built from the packet itself */
    FLOW_PKT_ICMP_ERROR,  /* ICMP error: key built from the quoted datagram */
} FlowPktKind;

/* Build the key of packet p with the packet's source as the client
 * (addr[0]/port[0]); for ICMP errors, the quoted datagram's source. Returns
 * the kind; *k is valid unless FLOW_PKT_NONE. */
FlowPktKind flow_key_from_packet(const Packet *p, FlowKey *k);

/* Symmetric 32-bit hash of a key (both orientations give the same value). */
uint32_t flow_key_hash(const FlowKey *k);

/* Does flow key fk match key k in either orientation? *client_to_server is
 * set when k's addr[0]/port[0] side is fk's client. */
bool flow_key_match(const FlowKey *fk, const FlowKey *k, bool *client_to_server);

/* The flow_id: deterministic, 1 .. 2^51-1. */
uint64_t flow_id_make(const FlowKey *k, int64_t start_ns, uint64_t pcap_cnt);

/* Is this ICMP (v4 or v6, by proto) type an error message? */
bool flow_icmp_is_error(uint8_t proto, uint8_t type);

/* Protocol class index (FLOW_PROTO_*) of an IP protocol. */
static inline unsigned flow_proto_class(uint8_t proto)
{
    switch (proto) {
    case FLOW_IPPROTO_TCP: return FLOW_PROTO_TCP;
    case FLOW_IPPROTO_UDP: return FLOW_PROTO_UDP;
    case FLOW_IPPROTO_ICMP:
    case FLOW_IPPROTO_ICMPV6: return FLOW_PROTO_ICMP;
    default: return FLOW_PROTO_DEFAULT;
    }
}

/* Apply one packet's TCP flags (direction d: 0 to server) to the TCP and
 * generic state. Called after tcp_flags[d] and pkts[d] were updated. */
void flow_tcp_update(Flow *f, unsigned d, uint8_t flags);

/* Generic state for non-TCP flows after a packet in direction d. */
void flow_generic_update(Flow *f);

/* Raise the generic state to what f->tcp_state implies (never lowers it). */
void flow_tcp_generic_derive(Flow *f);

#endif
