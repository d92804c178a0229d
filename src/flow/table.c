/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * table.c: the flow table: lookup and creation, per-direction accounting,
 * timeouts, the memcap with its emergency policy, and the end-of-input flush.
 *
 * Where it sits: the engine hands every decoded Packet to flow_table_handle()
 * (one table per worker, no locks), calls flow_table_timeout() as capture
 * time advances and flow_table_flush() at the end of input. Ended flows go to
 * the owner's FlowEndFn (EVE `flow` records, per-stage clean-up) and then
 * back to a spare list or to the allocator.
 *
 * Layout (flow_int.h): a bucket array of singly linked chains (bucket count
 * = flow.hash-size at first) addressed by the symmetric key hash; the array
 * doubles whenever the live flows outnumber its buckets (up to
 * FLOW_BUCKETS_MAX, while the memcap has room for it, never in emergency
 * mode), because a lookup that walks a chain takes a cache miss per flow
 * passed: with Suricata's fixed 65,536 buckets and 280,000 live flows that
 * walk was two thirds of the table's time; twelve LRU lists,
 * one per timeout class (protocol x generic state), so that the timeout scan
 * only ever looks at the oldest flow of each list; a creation-order list for
 * a deterministic flush. A lookup of an existing flow allocates nothing.
 *
 * Timeouts follow Suricata's flow-timeouts semantics: a flow ends when the
 * capture time passes its last packet time by more than the timeout of its
 * protocol and state (strictly greater, so a timeout of 0 ends a closed flow
 * at the next tick). The "last packet time" used is the table clock at that
 * packet (the highest capture time seen so far), which never goes backwards
 * even when a capture's timestamps do; that keeps every list sorted.
 *
 * Memcap policy (FlowConfig.memcap and the account's cap, whichever refuses):
 * when a new flow does not fit, the table enters emergency mode (counted
 * flow.emerg_mode_entered; the emergency-* timeouts apply), ends the flows
 * that are idle past their emergency timeout (reason timeout), then evicts
 * the least recently used flows (reason forced) until the new one fits. When
 * nothing is left to evict it refuses (flow.memcap) and the packet gets no
 * flow. Emergency mode ends (flow.emerg_mode_over) when the live flows use
 * at most FLOW_EMERG_RECOVERY_PCT percent of the memcap. In emergency mode
 * ended flows go back to the allocator instead of the spare list.
 *
 * TCP port reuse: a bare SYN on the tuple of a closed TCP flow (RST, or FIN
 * both ways) that does not repeat the flow's opening SYN ends the old flow
 * (reason timeout, counted flow.tcp_reuse) and starts a new one, as
 * Suricata and Wireshark split such conversations.
 *
 * Determinism: every order here depends only on packet contents and times:
 * timeout ends are ordered by deadline, then creation; the flush by creation.
 */
#include "flow/flow_int.h"

#include <string.h>

#include "core/log.h"

#define NS_PER_SEC 1000000000ll

/* ---- configuration defaults (suricata.yaml as shipped) ---- */

void flow_config_defaults(FlowConfig *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->memcap = 128ull * 1024 * 1024;
    cfg->hash_size = 65536;

    static const uint32_t new_[4] = {30, 60, 30, 30};
    static const uint32_t est[4] = {300, 600, 300, 300};
    static const uint32_t closed[4] = {0, 60, 0, 0};
    static const uint32_t e_new[4] = {10, 5, 10, 10};
    static const uint32_t e_est[4] = {100, 100, 100, 100};
    static const uint32_t e_closed[4] = {0, 10, 0, 0};
    for (unsigned i = 0; i < FLOW_N_PROTO; i++) {
        cfg->timeout_new[i] = new_[i];
        cfg->timeout_est[i] = est[i];
        cfg->timeout_closed[i] = closed[i];
        cfg->emerg_new[i] = e_new[i];
        cfg->emerg_est[i] = e_est[i];
        cfg->emerg_closed[i] = e_closed[i];
    }
}

/* ---- counters ---- */

static void count(FlowTable *t, int id)
{
    if (t->stats != NULL)
        stats_inc(t->stats, id);
}

static void gauges(FlowTable *t)
{
    if (t->stats == NULL)
        return;
    stats_set(t->stats, t->c.active, t->n_flows);
    stats_set(t->stats, t->c.memuse, t->memuse);
}

static void counters_register(FlowCounters *c)
{
    c->total = stats_register("flow.total");
    c->tcp = stats_register("flow.tcp");
    c->udp = stats_register("flow.udp");
    c->icmpv4 = stats_register("flow.icmpv4");
    c->icmpv6 = stats_register("flow.icmpv6");
    c->memcap = stats_register("flow.memcap");
    c->emerg_entered = stats_register("flow.emerg_mode_entered");
    c->emerg_over = stats_register("flow.emerg_mode_over");
    c->end_timeout = stats_register("flow.end.timeout");
    c->end_forced = stats_register("flow.end.forced");
    c->end_shutdown = stats_register("flow.end.shutdown");
    c->active = stats_register("flow.active");
    c->memuse = stats_register("flow.memuse");
    c->tcp_reuse = stats_register("flow.tcp_reuse");
}

/* ---- lists ---- */

static unsigned class_of(const Flow *f)
{
    return flow_proto_class(f->key.proto) * FLOW_N_STATE + (unsigned)f->state;
}

static void lru_unlink(FlowTable *t, Flow *f)
{
    unsigned c = f->tclass;
    if (f->lprev != NULL)
        f->lprev->lnext = f->lnext;
    else
        t->lru_head[c] = f->lnext;
    if (f->lnext != NULL)
        f->lnext->lprev = f->lprev;
    else
        t->lru_tail[c] = f->lprev;
    f->lprev = f->lnext = NULL;
}

static void lru_append(FlowTable *t, Flow *f, unsigned c)
{
    f->tclass = (uint8_t)c;
    f->lnext = NULL;
    f->lprev = t->lru_tail[c];
    if (t->lru_tail[c] != NULL)
        t->lru_tail[c]->lnext = f;
    else
        t->lru_head[c] = f;
    t->lru_tail[c] = f;
}

static void creation_append(FlowTable *t, Flow *f)
{
    f->cnext = NULL;
    f->cprev = t->c_tail;
    if (t->c_tail != NULL)
        t->c_tail->cnext = f;
    else
        t->c_head = f;
    t->c_tail = f;
}

static void creation_unlink(FlowTable *t, Flow *f)
{
    if (f->cprev != NULL)
        f->cprev->cnext = f->cnext;
    else
        t->c_head = f->cnext;
    if (f->cnext != NULL)
        f->cnext->cprev = f->cprev;
    else
        t->c_tail = f->cprev;
    f->cprev = f->cnext = NULL;
}

static uint32_t bucket_of(const FlowTable *t, uint32_t hash)
{
    /* multiply-shift range reduction: no division, any bucket count */
    return (uint32_t)(((uint64_t)hash * t->n_buckets) >> 32);
}

static void bucket_unlink(FlowTable *t, Flow *f)
{
    Flow **pp = &t->buckets[bucket_of(t, f->hash)];
    while (*pp != NULL && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp == f)
        *pp = f->hnext;
    f->hnext = NULL;
}

/* ---- memory ---- */

static uint64_t mem_limit(const FlowTable *t)
{
    if (t->cfg.memcap != 0)
        return t->cfg.memcap;
    return t->acct != NULL ? t->acct->cap : 0;
}

/* A flow from the spare list or the allocator, within the memcap; NULL when
 * it does not fit. Not zeroed. */
static Flow *flow_get(FlowTable *t)
{
    if (t->spare != NULL) {
        Flow *f = t->spare;
        t->spare = f->hnext;
        t->n_spare--;
        return f;
    }
    if (t->cfg.memcap != 0 && t->memuse + sizeof(Flow) > t->cfg.memcap)
        return NULL;
    Flow *f = mem_alloc(t->acct, sizeof(Flow));
    if (f != NULL) {
        t->memuse += sizeof(Flow);
        gauges(t);
    }
    return f;
}

static void flow_release(FlowTable *t, Flow *f)
{
    if (!t->emergency && t->n_spare < FLOW_SPARE_MAX) {
        f->hnext = t->spare;
        t->spare = f;
        t->n_spare++;
        return;
    }
    mem_free(t->acct, f);
    t->memuse -= sizeof(Flow);
}

static void emergency_check(FlowTable *t)
{
    if (!t->emergency)
        return;
    uint64_t limit = mem_limit(t);
    uint64_t live = t->memuse - (uint64_t)t->n_spare * sizeof(Flow);
    if (limit == 0 || live <= limit / 100u * FLOW_EMERG_RECOVERY_PCT) {
        t->emergency = false;
        count(t, t->c.emerg_over);
    }
}

/* ---- ending flows ---- */

static void flow_end(FlowTable *t, Flow *f, FlowEndReason reason)
{
    if (t->on_end != NULL)
        t->on_end(f, reason, t->user);
    switch (reason) {
    case FLOW_END_TIMEOUT: count(t, t->c.end_timeout); break;
    case FLOW_END_FORCED: count(t, t->c.end_forced); break;
    case FLOW_END_SHUTDOWN: count(t, t->c.end_shutdown); break;
    }
    bucket_unlink(t, f);
    lru_unlink(t, f);
    creation_unlink(t, f);
    t->n_flows--;
    flow_release(t, f);
    gauges(t);
}

static int64_t class_timeout_ns(const FlowTable *t, unsigned c)
{
    unsigned proto = c / FLOW_N_STATE, st = c % FLOW_N_STATE;
    const FlowConfig *g = &t->cfg;
    uint32_t s;
    if (t->emergency)
        s = st == FLOW_STATE_NEW ? g->emerg_new[proto]
            : st == FLOW_STATE_ESTABLISHED ? g->emerg_est[proto] : g->emerg_closed[proto];
    else
        s = st == FLOW_STATE_NEW ? g->timeout_new[proto]
            : st == FLOW_STATE_ESTABLISHED ? g->timeout_est[proto] : g->timeout_closed[proto];
    return (int64_t)s * NS_PER_SEC;
}

/* Does a come before b in end order (deadline, then creation)? */
static bool end_before(int64_t da, const Flow *a, int64_t db, const Flow *b)
{
    return da < db || (da == db && a->seq < b->seq);
}

/* End, oldest deadline first, every flow idle past its timeout at now_ns.
 * Each list is sorted, so only list heads are ever examined. */
static void timeout_pass(FlowTable *t, int64_t now_ns)
{
    int64_t to[FLOW_N_CLASS];
    for (unsigned c = 0; c < FLOW_N_CLASS; c++)
        to[c] = class_timeout_ns(t, c);
    for (;;) {
        Flow *best = NULL;
        int64_t best_dl = 0;
        for (unsigned c = 0; c < FLOW_N_CLASS; c++) {
            Flow *f = t->lru_head[c];
            if (f == NULL)
                continue;
            int64_t dl = f->touch_ns + to[c];
            if (now_ns > dl && (best == NULL || end_before(dl, f, best_dl, best))) {
                best = f;
                best_dl = dl;
            }
        }
        if (best == NULL)
            return;
        flow_end(t, best, FLOW_END_TIMEOUT);
    }
}

/* The least recently used flow of the whole table (ties: oldest creation). */
static Flow *lru_oldest(const FlowTable *t)
{
    Flow *best = NULL;
    for (unsigned c = 0; c < FLOW_N_CLASS; c++) {
        Flow *f = t->lru_head[c];
        if (f != NULL && (best == NULL || end_before(f->touch_ns, f, best->touch_ns, best)))
            best = f;
    }
    return best;
}

/* A flow for a new key, applying the memcap policy (file comment). */
static Flow *flow_alloc(FlowTable *t)
{
    Flow *f = flow_get(t);
    if (f != NULL)
        return f;
    /* flow_get() takes spares first, so none are left here */
    if (!t->emergency) {
        t->emergency = true;
        count(t, t->c.emerg_entered);
    }
    if (t->clock_set)
        timeout_pass(t, t->clock_ns);
    f = flow_get(t);
    while (f == NULL) {
        Flow *victim = lru_oldest(t);
        if (victim == NULL)
            break;
        flow_end(t, victim, FLOW_END_FORCED);
        f = flow_get(t);
    }
    if (f == NULL)
        count(t, t->c.memcap);
    emergency_check(t);
    gauges(t);
    return f;
}

/* ---- the table ---- */

FlowTable *flow_table_new(const FlowConfig *cfg, MemAccount *acct, Stats *stats,
                          FlowEndFn on_end, void *user)
{
    uint32_t n = cfg->hash_size != 0 ? cfg->hash_size : 65536u;
    uint64_t need = sizeof(FlowTable) + (uint64_t)n * sizeof(Flow *);
    if (cfg->memcap != 0 && need > cfg->memcap) {
        log_error("flow: flow.memcap %llu is too small for flow.hash-size %u (needs %llu bytes)",
                  (unsigned long long)cfg->memcap, n, (unsigned long long)need);
        return NULL;
    }
    FlowTable *t = mem_calloc(acct, 1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->buckets = mem_calloc(acct, n, sizeof(Flow *));
    if (t->buckets == NULL) {
        mem_free(acct, t);
        return NULL;
    }
    t->cfg = *cfg;
    t->cfg.hash_size = n;
    t->n_buckets = n;
    t->acct = acct;
    t->stats = stats;
    t->on_end = on_end;
    t->user = user;
    t->memuse = need;
    counters_register(&t->c);
    gauges(t);
    return t;
}

void flow_table_free(FlowTable *t)
{
    if (t == NULL)
        return;
    Flow *f = t->c_head;
    while (f != NULL) {
        Flow *next = f->cnext;
        mem_free(t->acct, f);
        f = next;
    }
    f = t->spare;
    while (f != NULL) {
        Flow *next = f->hnext;
        mem_free(t->acct, f);
        f = next;
    }
    MemAccount *acct = t->acct;
    mem_free(acct, t->buckets);
    mem_free(acct, t);
}

/* Double the bucket array and rehash every live flow (file comment). Growing
 * is an optimisation: when it does not fit or the allocation fails the table
 * carries on with the chains it has. */
static void buckets_grow(FlowTable *t)
{
    if (t->n_buckets >= FLOW_BUCKETS_MAX || t->emergency)
        return;
    uint32_t n = t->n_buckets * 2u;
    uint64_t add = (uint64_t)(n - t->n_buckets) * sizeof(Flow *);
    uint64_t limit = mem_limit(t);
    if (limit != 0 && t->memuse + add > limit)
        return;
    Flow **nb = mem_calloc(t->acct, n, sizeof *nb);
    if (nb == NULL)
        return;
    for (Flow *f = t->c_head; f != NULL; f = f->cnext) {
        Flow **b = &nb[(uint32_t)(((uint64_t)f->hash * n) >> 32)];
        f->hnext = *b;
        *b = f;
    }
    mem_free(t->acct, t->buckets);
    t->buckets = nb;
    t->n_buckets = n;
    t->memuse += add;
}

static void flow_init(FlowTable *t, Flow *f, const FlowKey *k, uint32_t hash, const Packet *p)
{
    memset(f, 0, sizeof *f);
    f->key = *k;
    f->hash = hash;
    f->seq = t->next_seq++;
    f->start_ns = f->last_ns = p->ts_ns;
    f->flow_id = flow_id_make(k, p->ts_ns, p->pcap_cnt);
    f->has_icmp_flow = k->proto == FLOW_IPPROTO_ICMP || k->proto == FLOW_IPPROTO_ICMPV6;
    f->touch_ns = t->clock_ns;

    Flow **b = &t->buckets[bucket_of(t, hash)];
    f->hnext = *b;
    *b = f;
    creation_append(t, f);
    lru_append(t, f, class_of(f));
    t->n_flows++;
    if (t->n_flows > t->n_buckets)
        buckets_grow(t);

    count(t, t->c.total);
    switch (k->proto) {
    case FLOW_IPPROTO_TCP: count(t, t->c.tcp); break;
    case FLOW_IPPROTO_UDP: count(t, t->c.udp); break;
    case FLOW_IPPROTO_ICMP: count(t, t->c.icmpv4); break;
    case FLOW_IPPROTO_ICMPV6: count(t, t->c.icmpv6); break;
    default: break;
    }
    gauges(t);
}

static bool is_bare_syn(uint8_t flags)
{
    return (flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN;
}

/* Does p open a new connection on the tuple of closed TCP flow f? A SYN
 * after the close starts a new flow unless it repeats the opening SYN (a
 * retransmission): Suricata's and Wireshark's port-reuse rule. */
static bool tcp_reused(const Flow *f, const Packet *p)
{
    if (f->key.proto != FLOW_IPPROTO_TCP || f->state != FLOW_STATE_CLOSED ||
        !is_bare_syn(p->tcp_flags))
        return false;
    return !(f->tcp_syn_seen && f->tcp_syn_seq == p->tcp_seq);
}

/* Account packet p to flow f in direction d (0 = to server). */
static void flow_update(FlowTable *t, Flow *f, const Packet *p, unsigned d)
{
    f->pkts[d]++;
    f->bytes[d] += p->wirelen != 0 ? p->wirelen : p->caplen;
    if (p->ts_ns > f->last_ns)
        f->last_ns = p->ts_ns;

    if (f->key.proto == FLOW_IPPROTO_TCP) {
        if (d == 0 && !f->tcp_syn_seen && is_bare_syn(p->tcp_flags)) {
            f->tcp_syn_seen = true;
            f->tcp_syn_seq = p->tcp_seq;
        }
        f->tcp_flags[d] |= p->tcp_flags;
        /* with a stream/ session, stream/ owns tcp_state (see
         * flow_table_tcp_state_changed) */
        if (f->tcp == NULL)
            flow_tcp_update(f, d, p->tcp_flags);
    } else {
        if (f->has_icmp_flow && f->pkts[d] == 1) {
            f->icmp_type[d] = p->icmp_type;
            f->icmp_code[d] = p->icmp_code;
        }
        flow_generic_update(f);
    }

    /* most recently used: tail of the (maybe new) class list */
    lru_unlink(t, f);
    f->touch_ns = t->clock_ns;
    lru_append(t, f, class_of(f));
}

Flow *flow_table_handle(FlowTable *t, Packet *p)
{
    p->flow = NULL;
    FlowKey k;
    FlowPktKind kind = flow_key_from_packet(p, &k);
    if (kind == FLOW_PKT_NONE)
        return NULL;
    if (!t->clock_set || p->ts_ns > t->clock_ns) {
        t->clock_ns = p->ts_ns;
        t->clock_set = true;
    }

    uint32_t h = flow_key_hash(&k);
    Flow **head = &t->buckets[bucket_of(t, h)];
    Flow *prev = NULL, *f = *head;
    bool c2s = true;
    while (f != NULL && !(f->hash == h && flow_key_match(&f->key, &k, &c2s))) {
        prev = f;
        f = f->hnext;
    }

    if (kind == FLOW_PKT_ICMP_ERROR) {
        /* The error joins the flow it quotes but is not counted in it: the
         * flow's packets and bytes stay those of its own protocol (as the
         * tshark conversation tables count them), its state and times are
         * left alone. It travels back towards the quoted datagram's sender. */
        if (f == NULL)
            return NULL;
        p->flow = f;
        p->to_server = !c2s;
        return f;
    }

    if (f != NULL && tcp_reused(f, p)) {
        /* the old connection is over: it ends as a closed flow would */
        count(t, t->c.tcp_reuse);
        flow_end(t, f, FLOW_END_TIMEOUT);
        f = NULL;
    }
    if (f == NULL) {
        f = flow_alloc(t);
        if (f == NULL)
            return NULL;
        flow_init(t, f, &k, h, p);
        c2s = true;
    } else if (prev != NULL) {
        /* move to the chain's front: busy flows are found first */
        prev->hnext = f->hnext;
        f->hnext = *head;
        *head = f;
    }
    flow_update(t, f, p, c2s ? 0u : 1u);
    p->flow = f;
    p->to_server = c2s;
    return f;
}

void flow_table_tcp_state_changed(FlowTable *t, Flow *f)
{
    if (t == NULL || f == NULL)
        return;
    flow_tcp_generic_derive(f);
    unsigned c = class_of(f);
    if (c == f->tclass)
        return;
    /* keeps its place in time: tail of the new class (touched this packet) */
    lru_unlink(t, f);
    lru_append(t, f, c);
}

void flow_table_timeout(FlowTable *t, int64_t now_ns)
{
    timeout_pass(t, now_ns);
    emergency_check(t);
}

int64_t flow_table_deadline(const FlowTable *t, const Flow *f)
{
    return f->touch_ns + class_timeout_ns(t, f->tclass);
}

void flow_table_clock_raise(FlowTable *t, int64_t ns)
{
    if (!t->clock_set || ns > t->clock_ns) {
        t->clock_ns = ns;
        t->clock_set = true;
    }
}

void flow_table_flush(FlowTable *t, FlowEndReason reason)
{
    /* Every flow goes, in creation order, so none is unlinked from its hash
     * chain or LRU list one by one (each unlink touches other flows: cache
     * misses that cost a tenth of kasbah's time on a large capture); the
     * chains and lists are emptied wholesale afterwards. on_end sees each
     * flow complete and may not call back into the table (flow.h). */
    int id = reason == FLOW_END_TIMEOUT ? t->c.end_timeout
             : reason == FLOW_END_FORCED ? t->c.end_forced : t->c.end_shutdown;
    Flow *f = t->c_head;
    while (f != NULL) {
        Flow *next = f->cnext;
        t->c_head = next;
        if (next != NULL)
            next->cprev = NULL;
        else
            t->c_tail = NULL;
        if (t->on_end != NULL)
            t->on_end(f, reason, t->user);
        count(t, id);
        t->n_flows--;
        f->cprev = f->cnext = f->lprev = f->lnext = NULL;
        flow_release(t, f); /* links f into the spare list through hnext */
        f = next;
    }
    memset(t->buckets, 0, (size_t)t->n_buckets * sizeof *t->buckets);
    for (unsigned c = 0; c < FLOW_N_CLASS; c++)
        t->lru_head[c] = t->lru_tail[c] = NULL;
    gauges(t);
    emergency_check(t);
}

uint64_t flow_table_count(const FlowTable *t) { return t->n_flows; }

uint64_t flow_table_memuse(const FlowTable *t) { return t->memuse; }

bool flow_table_emergency(const FlowTable *t) { return t->emergency; }
