/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flow.h: bidirectional flows and the flow table.
 *
 * A flow is keyed by (IP version, protocol, the two addresses and ports, the
 * VLAN ids); both directions map to one flow. The endpoint that sent the
 * first packet seen is the client ("to server" direction), as in Suricata.
 * ICMP errors belong to the flow of the datagram they quote (Suricata does
 * the same); other ICMP uses (type, code / id) in place of ports.
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
    uint16_t port[2];
    uint16_t vlan_id[PKT_MAX_VLAN];
    uint8_t n_vlan;
    uint8_t ip_ver;
    uint8_t proto;
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

    /* per-stage state, owned by the stage that set it */
    struct TcpSession *tcp;
    struct AppState *app;
    struct DetectFlowState *detect;
    struct AnomalyFlowState *anomaly;

    /* table bookkeeping (flow_int.h) */
    struct Flow *hnext;        /* hash chain */
    struct Flow *lprev, *lnext;/* LRU list, most recent at the tail */
    uint32_t hash;
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

/* Called with each flow just before the table frees it. */
typedef void (*FlowEndFn)(Flow *f, FlowEndReason reason, void *user);

typedef struct FlowTable FlowTable;

/* Create a table. The account caps flow memory; stats counters are
 * registered at creation and counted in *stats (caller-owned). NULL on OOM. */
FlowTable *flow_table_new(const FlowConfig *cfg, MemAccount *acct, Stats *stats,
                          FlowEndFn on_end, void *user);

/* Free the table without calling on_end (flush first for records). */
void flow_table_free(FlowTable *t);

/*
 * Find or create the flow of decoded packet p, update its counters, flags
 * and TCP state, and set p->flow and p->to_server. Packets without IP, and
 * IP fragments that were not reassembled, get no flow (returns NULL). When
 * the memcap is reached, the least recently used flows are evicted
 * (reason FORCED, counted) to make room; if none can be, NULL (counted).
 */
Flow *flow_table_handle(FlowTable *t, Packet *p);

/* End every flow idle past its timeout at capture time now_ns. */
void flow_table_timeout(FlowTable *t, int64_t now_ns);

/* End every flow (end of input or shutdown). */
void flow_table_flush(FlowTable *t, FlowEndReason reason);

/* Flows currently held. */
uint64_t flow_table_count(const FlowTable *t);

/* Names as EVE writes them. */
const char *flow_tcp_state_name(FlowTcpState s);   /* "established", "closed", ... */
const char *flow_state_name(FlowState s);           /* "new", "established", "closed" */
const char *flow_end_reason_name(FlowEndReason r);  /* "timeout", "forced", "shutdown" */

#endif
