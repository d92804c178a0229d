/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flow.h: bidirectional flows and the flow table.
 *
 * A flow is keyed by (IP version, protocol, the two addresses and ports, the
 * VLAN ids); both directions map to one flow. The endpoint that sent the
 * first packet seen is the client ("to server" direction), as in Suricata.
 * ICMP errors belong to the flow of the datagram they quote (Suricata does
 * the same) and never create one; other ICMP uses (class, id) in place of
 * ports, where the class is the request type of a request/reply pair (a
 * ping and its reply meet) and the id that of echo-like messages.
 * flow_key.c tells the details; table.c the timeouts and memcap policy.
 *
 * Each flow owns opaque per-stage state pointers that later stages fill;
 * the table calls the owner's FlowEndFn before freeing a flow, so those
 * stages can log and release their state. The table is single-threaded:
 * one table per worker.
 */
#ifndef KASBAH_FLOW_FLOW_H
#define KASBAH_FLOW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/stats.h"
#include "decode/packet.h"
#include "lib/alloc.h"

struct TcpSession;
struct AppState;
struct DetectFlowState;
struct AnomalyFlowState;

/* The TCP state as Suricata names it in EVE (`tcp.state`). */
typedef enum FlowTcpState {
    FLOW_TCP_NONE = 0,
    FLOW_TCP_SYN_SENT,
    FLOW_TCP_SYN_RECV,
    FLOW_TCP_ESTABLISHED,
    FLOW_TCP_FIN_WAIT1,
    FLOW_TCP_FIN_WAIT2,
    FLOW_TCP_TIME_WAIT,
    FLOW_TCP_LAST_ACK,
    FLOW_TCP_CLOSE_WAIT,
    FLOW_TCP_CLOSING,
    FLOW_TCP_CLOSED,
} FlowTcpState;

/* The generic state, for timeouts and EVE `flow.state`: new, established, closed. */
typedef enum FlowState { FLOW_STATE_NEW = 0, FLOW_STATE_ESTABLISHED, FLOW_STATE_CLOSED } FlowState;

/* Why a flow ended (EVE `flow.reason`). */
typedef enum FlowEndReason {
    FLOW_END_TIMEOUT = 0,   /* "timeout" */
    FLOW_END_FORCED,        /* "forced": evicted under memory pressure */
    FLOW_END_SHUTDOWN,      /* "shutdown": end of input */
} FlowEndReason;

typedef struct FlowKey {
    IpAddr addr[2];        /* addr[0] is the client (first packet's source) */
    uint16_t port[2];      /* TCP/UDP ports; ICMP: {class, id}; else 0 */
    uint16_t vlan_id[PKT_MAX_VLAN];
    uint8_t n_vlan;
    uint8_t ip_ver;
    uint8_t proto;
    uint8_t tunnel;        /* 1 for the layers inside a tunnel (keeps them apart) */
} FlowKey;

typedef struct Flow {
    FlowKey key;
    uint64_t flow_id;          /* 64-bit id, stable for the input (deterministic) */
    int64_t start_ns, last_ns; /* first and last packet time */
    uint64_t pkts[2];          /* [0] to server, [1] to client */
    uint64_t bytes[2];         /* wire bytes, per direction */
    uint8_t tcp_flags[2];      /* flags seen per direction */
    FlowTcpState tcp_state;
    FlowState state;
    bool alerted;              /* an alert fired on this flow */
    bool has_icmp_flow;        /* ICMP flow keyed by type/id */
    uint16_t app_proto;        /* set by applayer (0 = unknown) */
    uint8_t icmp_type[2];      /* ICMP flows: first type/code seen per direction */
    uint8_t icmp_code[2];      /* (valid when pkts[d] > 0) */

    /* per-stage state, owned by the stage that set it */
    struct TcpSession *tcp;
    struct AppState *app;
    struct DetectFlowState *detect;
    struct AnomalyFlowState *anomaly;

    /* table bookkeeping (flow_int.h) */
    struct Flow *hnext;        /* hash chain */
    struct Flow *lprev, *lnext;/* LRU list, most recent at the tail */
    uint32_t hash;
    /* added for engine threads (in what was padding, so a Flow keeps its
     * size): the low 32 bits of the engine's number of the message that
     * created the flow, so that flows of several workers can be put in one
     * creation order (compared as serial numbers); 0 until the engine sets it */
    uint32_t engine_seq;
    struct Flow *cprev, *cnext;/* creation order (flush order), oldest at the head */
    int64_t touch_ns;          /* table clock at the last packet (LRU order) */
    uint64_t seq;              /* creation number within the table */
    uint8_t tclass;            /* timeout class = LRU list the flow is on */
    bool tcp_syn_seen;         /* the client's opening SYN was seen ... */
    uint32_t tcp_syn_seq;      /* ... with this sequence number (port reuse) */

} Flow;

typedef struct FlowConfig {
    uint64_t memcap;           /* flow.memcap, default 128 MiB */
    uint32_t hash_size;        /* flow.hash-size, default 65536 buckets */
    /* flow-timeouts.<proto>.{new,established,closed,emergency-*} in seconds */
    uint32_t timeout_new[4], timeout_est[4], timeout_closed[4];
    uint32_t emerg_new[4], emerg_est[4], emerg_closed[4];
} FlowConfig;

/* Index into the timeout arrays. */
enum { FLOW_PROTO_DEFAULT = 0, FLOW_PROTO_TCP = 1, FLOW_PROTO_UDP = 2, FLOW_PROTO_ICMP = 3 };

/* Suricata's stock values. */
void flow_config_defaults(FlowConfig *cfg);

/* Fill cfg from the configuration tree: `flow.memcap`, `flow.hash-size`,
 * `flow-timeouts.<default|tcp|udp|icmp>.<new|established|closed|
 * emergency-new|emergency-established|emergency-closed>`. Keys that are
 * missing keep the value already in cfg (call flow_config_defaults first);
 * each protocol section stands alone, as in Suricata. Values that do not
 * parse are warned about by the getters; out-of-range ones here; both are
 * ignored. Not thread-safe (configuration time only). */
void flow_config_load(FlowConfig *cfg, const Config *conf);

/* A symmetric hash of the packet's flow key: both directions of a flow give
 * the same value, and an ICMP error gives the value of the flow it quotes.
 * Used to pick the worker that owns the flow. 0 for packets that get no
 * flow. Pure and thread-safe. */
uint32_t flow_hash_packet(const Packet *p);

/* Called with each flow just before the table frees it (ends it). The flow
 * is still complete; the callee releases its per-stage state and must not
 * call back into the table. */
typedef void (*FlowEndFn)(Flow *f, FlowEndReason reason, void *user);

typedef struct FlowTable FlowTable;

/* Create a table of cfg->hash_size buckets (0: 65536); the bucket array
 * doubles while the live flows outnumber it and the memcap has room (up to
 * 2^24 buckets), so lookups stay one chain step long. Everything the table
 * allocates is charged to acct; cfg->memcap (0 = none) and acct's own cap
 * both limit it. Counters (flow.total, flow.tcp, flow.udp, flow.icmpv4,
 * flow.icmpv6, flow.memcap, flow.emerg_mode_entered, flow.emerg_mode_over,
 * flow.end.{timeout,forced,shutdown}, flow.tcp_reuse, and the gauges
 * flow.active and flow.memuse, kept current) are registered here, so create
 * tables before packets flow, and counted in *stats (caller-owned, may be
 * NULL). NULL on OOM or when the memcap cannot even hold the buckets
 * (logged). */
FlowTable *flow_table_new(const FlowConfig *cfg, MemAccount *acct, Stats *stats,
                          FlowEndFn on_end, void *user);

/* Free the table without calling on_end (flush first for records). */
void flow_table_free(FlowTable *t);

/*
 * Find or create the flow of decoded packet p, update its counters, flags
 * and TCP state, and set p->flow and p->to_server. Packets without IP, IP
 * fragments that were not reassembled, and packets whose TCP/UDP/ICMP
 * header did not decode get no flow (returns NULL, p->flow NULL).
 * An ICMP error quoting a datagram is attached to that datagram's flow if
 * it exists, without being counted in it (to_server is true when the
 * quoted datagram came from the server: the error travels back to it);
 * otherwise it gets no flow. A bare SYN on a closed TCP
 * flow that is not a retransmission of its first SYN ends it and starts a
 * new one (port reuse). When the memcap is reached the table enters
 * emergency mode, ends flows idle past their emergency timeout, then evicts
 * least recently used flows (reason FORCED, counted) to make room; if
 * nothing is left, NULL (flow.memcap counted). Never allocates for a
 * packet of an existing flow.
 */
Flow *flow_table_handle(FlowTable *t, Packet *p);

/* stream/ changed f->tcp_state (f belongs to t): raise f's generic state to
 * what the TCP state implies and move f to the timeout list of its new
 * class. The engine calls it from stream/'s state hook. */
void flow_table_tcp_state_changed(FlowTable *t, Flow *f);

/* End (reason TIMEOUT) every flow whose last packet is more than its
 * protocol/state timeout before capture time now_ns, earliest deadline
 * first (ties: oldest flow first). Costs O(1) when nothing is due. */
void flow_table_timeout(FlowTable *t, int64_t now_ns);

/* The capture time after which f times out at the table's current timeouts
 * (its last-packet clock plus the timeout of its class; the emergency ones
 * in emergency mode): flow_table_timeout ends flows in the order of this
 * value, then creation. For the engine, to merge the timeout order of
 * several tables. Thread-safe as the table itself (owner only). */
int64_t flow_table_deadline(const FlowTable *t, const Flow *f);

/* Move the table clock (the last-packet time given to flows) forward to
 * ns, as if a packet of another table had been seen; never backwards. For
 * the engine's workers, whose tables each see part of the input. */
void flow_table_clock_raise(FlowTable *t, int64_t ns);

/* End every flow with `reason`, oldest created first (deterministic). */
void flow_table_flush(FlowTable *t, FlowEndReason reason);

/* Flows currently held. */
uint64_t flow_table_count(const FlowTable *t);

/* Bytes the table holds under its memcap (buckets, flows, spare flows). */
uint64_t flow_table_memuse(const FlowTable *t);

/* Is the table in emergency mode (emergency timeouts in force)? */
bool flow_table_emergency(const FlowTable *t);

/* Names as EVE writes them. */
const char *flow_tcp_state_name(FlowTcpState s);   /* "established", "closed", ... */
const char *flow_state_name(FlowState s);           /* "new", "established", "closed" */
const char *flow_end_reason_name(FlowEndReason r);  /* "timeout", "forced", "shutdown" */

#endif
