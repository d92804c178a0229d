/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_flow.c: unit tests for src/flow (keys, hash, table, TCP state,
 * timeouts, memcap policy, flush order, flow_id). Packets are built by hand
 * as the decoder would leave them: only the fields flow/ reads are set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/stats.h"
#include "flow/flow.h"
#include "lib/alloc.h"

#define SEC 1000000000ll

/* ---- packet builders ---- */

static IpAddr ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    IpAddr x;
    memset(&x, 0, sizeof x);
    x.b[0] = a;
    x.b[1] = b;
    x.b[2] = c;
    x.b[3] = d;
    return x;
}

static IpAddr ip6(uint16_t last)
{
    IpAddr x;
    memset(&x, 0, sizeof x);
    x.b[0] = 0x20;
    x.b[1] = 0x01;
    x.b[2] = 0x0d;
    x.b[3] = 0xb8;
    x.b[14] = (uint8_t)(last >> 8);
    x.b[15] = (uint8_t)last;
    return x;
}

static uint64_t next_cnt = 1;

static Packet base(IpAddr src, IpAddr dst, uint8_t proto, int64_t ts, uint32_t len)
{
    Packet p;
    memset(&p, 0, sizeof p);
    p.ip_ver = 4;
    p.flags = PKT_HAS_ETH | PKT_HAS_IPV4;
    p.src = src;
    p.dst = dst;
    p.ip_proto = proto;
    p.ts_ns = ts;
    p.wirelen = len;
    p.caplen = len;
    p.pcap_cnt = next_cnt++;
    return p;
}

static Packet tcp(IpAddr src, uint16_t sp, IpAddr dst, uint16_t dp, uint8_t flags, int64_t ts,
                  uint32_t len)
{
    Packet p = base(src, dst, 6, ts, len);
    p.flags |= PKT_HAS_TCP;
    p.sp = sp;
    p.dp = dp;
    p.tcp_flags = flags;
    return p;
}

static Packet udp(IpAddr src, uint16_t sp, IpAddr dst, uint16_t dp, int64_t ts, uint32_t len)
{
    Packet p = base(src, dst, 17, ts, len);
    p.flags |= PKT_HAS_UDP;
    p.sp = sp;
    p.dp = dp;
    return p;
}

static Packet icmp(IpAddr src, IpAddr dst, uint8_t type, uint16_t id, int64_t ts)
{
    Packet p = base(src, dst, 1, ts, 98);
    p.flags |= PKT_HAS_ICMPV4;
    p.icmp_type = type;
    p.icmp_id = id;
    return p;
}

/* ---- end log ---- */

typedef struct Ended {
    uint64_t flow_id;
    uint64_t seq;
    FlowEndReason reason;
    uint64_t pkts0, pkts1;
} Ended;

#define MAX_ENDED 256
static Ended ended[MAX_ENDED];
static size_t n_ended;
static size_t n_ended_total;

static void on_end(Flow *f, FlowEndReason reason, void *user)
{
    size_t *calls = user;
    if (calls != NULL)
        (*calls)++;
    n_ended_total++;
    if (n_ended < MAX_ENDED) {
        ended[n_ended].flow_id = f->flow_id;
        ended[n_ended].seq = f->seq;
        ended[n_ended].reason = reason;
        ended[n_ended].pkts0 = f->pkts[0];
        ended[n_ended].pkts1 = f->pkts[1];
        n_ended++;
    }
}

/* ---- fixture ---- */

typedef struct Fx {
    MemAccount acct;
    Stats stats;
    FlowConfig cfg;
    FlowTable *t;
} Fx;

static Fx fx;

static void fx_open(uint64_t memcap, uint32_t hash_size)
{
    memset(&fx, 0, sizeof fx);
    mem_account_init(&fx.acct, "flow", 0);
    flow_config_defaults(&fx.cfg);
    fx.cfg.memcap = memcap;
    fx.cfg.hash_size = hash_size;
    n_ended = 0;
    n_ended_total = 0;
    fx.t = flow_table_new(&fx.cfg, &fx.acct, &fx.stats, on_end, NULL);
    assert_non_null(fx.t);
}

static void fx_close(void)
{
    flow_table_free(fx.t);
    fx.t = NULL;
    assert_int_equal(atomic_load(&fx.acct.used), 0);
}

static uint64_t ctr(const char *name)
{
    int id = stats_find(name);
    assert_true(id >= 0);
    return fx.stats.v[id];
}

static Flow *feed(Packet *p)
{
    return flow_table_handle(fx.t, p);
}

/* ---- tests ---- */

static void test_both_directions_meet(void **state)
{
    (void)state;
    fx_open(0, 1024);
    IpAddr a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
    Packet p1 = tcp(a, 40000, b, 80, TCP_SYN, 1 * SEC, 60);
    Packet p2 = tcp(b, 80, a, 40000, TCP_SYN | TCP_ACK, 1 * SEC + 1000, 60);
    Flow *f1 = feed(&p1);
    Flow *f2 = feed(&p2);
    assert_non_null(f1);
    assert_ptr_equal(f1, f2);
    assert_ptr_equal(p1.flow, f1);
    assert_true(p1.to_server);
    assert_false(p2.to_server);
    assert_int_equal(flow_table_count(fx.t), 1);
    /* the first packet's sender is the client */
    assert_memory_equal(f1->key.addr[0].b, a.b, 16);
    assert_int_equal(f1->key.port[0], 40000);
    assert_int_equal(f1->key.port[1], 80);
    /* a different client port is a different flow */
    Packet p3 = tcp(a, 40001, b, 80, TCP_SYN, 2 * SEC, 60);
    assert_ptr_not_equal(feed(&p3), f1);
    assert_int_equal(flow_table_count(fx.t), 2);
    assert_int_equal(ctr("flow.total"), 2);
    assert_int_equal(ctr("flow.tcp"), 2);
    assert_int_equal(ctr("flow.active"), 2);

    /* IPv6 both ways */
    Packet q1 = udp(ip6(1), 5000, ip6(2), 53, 3 * SEC, 80);
    q1.ip_ver = 6;
    q1.flags = PKT_HAS_IPV6 | PKT_HAS_UDP;
    Packet q2 = udp(ip6(2), 53, ip6(1), 5000, 3 * SEC, 120);
    q2.ip_ver = 6;
    q2.flags = PKT_HAS_IPV6 | PKT_HAS_UDP;
    Flow *g = feed(&q1);
    assert_non_null(g);
    assert_ptr_equal(feed(&q2), g);
    assert_int_equal(g->key.ip_ver, 6);
    assert_int_equal(ctr("flow.udp"), 1);
    fx_close();
}

static void test_per_direction_counters(void **state)
{
    (void)state;
    fx_open(0, 1024);
    IpAddr a = ip4(192, 168, 1, 10), b = ip4(8, 8, 8, 8);
    Packet p = udp(a, 3333, b, 53, 10 * SEC, 70);
    Flow *f = feed(&p);
    assert_non_null(f);
    for (int i = 0; i < 3; i++) {
        Packet q = udp(a, 3333, b, 53, 11 * SEC + i, 100);
        assert_ptr_equal(feed(&q), f);
    }
    Packet r = udp(b, 53, a, 3333, 12 * SEC, 300);
    r.caplen = 96; /* truncated by snaplen: bytes count the wire length */
    assert_ptr_equal(feed(&r), f);
    assert_int_equal(f->pkts[0], 4);
    assert_int_equal(f->pkts[1], 1);
    assert_int_equal(f->bytes[0], 370);
    assert_int_equal(f->bytes[1], 300);
    assert_int_equal(f->start_ns, 10 * SEC);
    assert_int_equal(f->last_ns, 12 * SEC);
    /* a packet stamped earlier does not move last_ns back */
    Packet s = udp(a, 3333, b, 53, 11 * SEC, 50);
    assert_ptr_equal(feed(&s), f);
    assert_int_equal(f->last_ns, 12 * SEC);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);

    /* TCP flags are gathered per direction */
    Packet t1 = tcp(a, 1000, b, 443, TCP_SYN, 13 * SEC, 60);
    Packet t2 = tcp(b, 443, a, 1000, TCP_SYN | TCP_ACK, 13 * SEC, 60);
    Packet t3 = tcp(a, 1000, b, 443, TCP_ACK | TCP_PSH, 13 * SEC, 600);
    Flow *g = feed(&t1);
    feed(&t2);
    feed(&t3);
    assert_int_equal(g->tcp_flags[0], TCP_SYN | TCP_ACK | TCP_PSH);
    assert_int_equal(g->tcp_flags[1], TCP_SYN | TCP_ACK);
    fx_close();
}

static void test_vlan_separates_flows(void **state)
{
    (void)state;
    fx_open(0, 64);
    IpAddr a = ip4(10, 1, 1, 1), b = ip4(10, 1, 1, 2);
    Packet p1 = udp(a, 1, b, 2, SEC, 60);
    Packet p2 = udp(a, 1, b, 2, SEC, 60);
    p2.n_vlan = 1;
    p2.vlan_id[0] = 100;
    p2.flags |= PKT_HAS_VLAN;
    Packet p3 = p2;
    p3.vlan_id[0] = 200;
    Packet p4 = p2;
    p4.n_vlan = 2;
    p4.vlan_id[1] = 7;
    Packet p5 = udp(b, 2, a, 1, SEC, 60); /* reply on VLAN 100 */
    p5.n_vlan = 1;
    p5.vlan_id[0] = 100;
    Flow *f1 = feed(&p1), *f2 = feed(&p2), *f3 = feed(&p3), *f4 = feed(&p4);
    assert_non_null(f1);
    assert_non_null(f2);
    assert_non_null(f3);
    assert_non_null(f4);
    assert_ptr_not_equal(f1, f2);
    assert_ptr_not_equal(f2, f3);
    assert_ptr_not_equal(f2, f4);
    assert_ptr_not_equal(f3, f4);
    assert_ptr_equal(feed(&p5), f2);
    assert_false(p5.to_server);
    assert_int_equal(flow_table_count(fx.t), 4);
    fx_close();
}

/* Feed a TCP exchange: dirs[i] 0 = client->server, flags[i]. */
static Flow *tcp_seq(const int *dirs, const uint8_t *flags, size_t n, uint16_t cport,
                     FlowTcpState *states)
{
    IpAddr c = ip4(10, 9, 9, 1), s = ip4(10, 9, 9, 2);
    Flow *f = NULL;
    for (size_t i = 0; i < n; i++) {
        Packet p = dirs[i] == 0 ? tcp(c, cport, s, 80, flags[i], SEC + (int64_t)i, 60)
                                : tcp(s, 80, c, cport, flags[i], SEC + (int64_t)i, 60);
        Flow *g = feed(&p);
        assert_non_null(g);
        if (f == NULL)
            f = g;
        assert_ptr_equal(g, f);
        states[i] = f->tcp_state;
    }
    return f;
}

static void test_tcp_states(void **state)
{
    (void)state;
    fx_open(0, 1024);
    FlowTcpState st[8];

    /* handshake, client closes first */
    const int d1[] = {0, 1, 0, 0, 1, 0};
    const uint8_t f1[] = {TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_FIN | TCP_ACK,
                          TCP_FIN | TCP_ACK, TCP_ACK};
    Flow *f = tcp_seq(d1, f1, 6, 1001, st);
    assert_int_equal(st[0], FLOW_TCP_SYN_SENT);
    assert_int_equal(st[1], FLOW_TCP_SYN_RECV);
    assert_int_equal(st[2], FLOW_TCP_ESTABLISHED);
    assert_int_equal(st[3], FLOW_TCP_CLOSE_WAIT);
    assert_int_equal(st[4], FLOW_TCP_LAST_ACK);
    assert_int_equal(st[5], FLOW_TCP_CLOSED);
    assert_int_equal(f->state, FLOW_STATE_CLOSED);
    assert_string_equal(flow_tcp_state_name(f->tcp_state), "closed");

    /* server closes first, the client's ACK then FIN */
    const int d2[] = {0, 1, 0, 1, 0, 0, 1};
    const uint8_t f2[] = {TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_FIN | TCP_ACK,
                          TCP_ACK, TCP_FIN, TCP_ACK};
    f = tcp_seq(d2, f2, 7, 1002, st);
    assert_int_equal(st[2], FLOW_TCP_ESTABLISHED);
    assert_int_equal(st[3], FLOW_TCP_FIN_WAIT1);
    assert_int_equal(st[4], FLOW_TCP_FIN_WAIT2);
    assert_int_equal(st[5], FLOW_TCP_TIME_WAIT);
    assert_int_equal(st[6], FLOW_TCP_CLOSED);

    /* simultaneous close: fin_wait1 then the client's bare FIN -> closing */
    const int d3[] = {0, 1, 0, 1, 0, 1};
    const uint8_t f3[] = {TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_FIN, TCP_FIN, TCP_ACK};
    tcp_seq(d3, f3, 6, 1003, st);
    assert_int_equal(st[3], FLOW_TCP_FIN_WAIT1);
    assert_int_equal(st[4], FLOW_TCP_CLOSING);
    assert_int_equal(st[5], FLOW_TCP_TIME_WAIT);

    /* generic state: new during the handshake, established after it */
    IpAddr c = ip4(10, 9, 9, 1), s = ip4(10, 9, 9, 2);
    Packet p0 = tcp(c, 1004, s, 80, TCP_SYN, SEC, 60);
    Flow *g = feed(&p0);
    assert_int_equal(g->state, FLOW_STATE_NEW);
    Packet p1 = tcp(s, 80, c, 1004, TCP_SYN | TCP_ACK, SEC, 60);
    feed(&p1);
    assert_int_equal(g->state, FLOW_STATE_NEW);
    Packet p2 = tcp(c, 1004, s, 80, TCP_ACK, SEC, 60);
    feed(&p2);
    assert_int_equal(g->state, FLOW_STATE_ESTABLISHED);

    /* RST closes at any point */
    const int d5[] = {0, 1, 0, 1};
    const uint8_t f5[] = {TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_RST};
    f = tcp_seq(d5, f5, 4, 1005, st);
    assert_int_equal(st[3], FLOW_TCP_CLOSED);
    assert_int_equal(f->state, FLOW_STATE_CLOSED);

    /* SYN answered by RST: closed without ever being established */
    const int d6[] = {0, 1};
    const uint8_t f6[] = {TCP_SYN, TCP_RST | TCP_ACK};
    f = tcp_seq(d6, f6, 2, 1006, st);
    assert_int_equal(st[0], FLOW_TCP_SYN_SENT);
    assert_int_equal(st[1], FLOW_TCP_CLOSED);
    assert_int_equal(f->state, FLOW_STATE_CLOSED);

    /* mid-stream pick-up: no TCP state, established once both sides sent,
     * closed when FIN was seen both ways */
    const int d7[] = {0, 1, 0, 1};
    const uint8_t f7[] = {TCP_ACK, TCP_ACK, TCP_FIN | TCP_ACK, TCP_FIN | TCP_ACK};
    f = tcp_seq(d7, f7, 2, 1007, st);
    assert_int_equal(st[0], FLOW_TCP_NONE);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);
    Packet m1 = tcp(c, 1007, s, 80, f7[2], 2 * SEC, 60);
    feed(&m1);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);
    Packet m2 = tcp(s, 80, c, 1007, f7[3], 2 * SEC, 60);
    feed(&m2);
    assert_int_equal(f->state, FLOW_STATE_CLOSED);
    assert_int_equal(f->tcp_state, FLOW_TCP_NONE);
    fx_close();
}

static void test_tcp_port_reuse(void **state)
{
    (void)state;
    fx_open(0, 64);
    IpAddr c = ip4(10, 3, 3, 1), s = ip4(10, 3, 3, 2);
    Packet p1 = tcp(c, 5555, s, 25, TCP_SYN, SEC, 60);
    p1.tcp_seq = 1000;
    Packet p2 = tcp(s, 25, c, 5555, TCP_RST | TCP_ACK, SEC, 60);
    Flow *f = feed(&p1);
    feed(&p2);
    uint64_t id1 = f->flow_id;
    assert_int_equal(f->state, FLOW_STATE_CLOSED);

    /* the same SYN again (a retry after the RST) stays in the flow */
    Packet p3 = tcp(c, 5555, s, 25, TCP_SYN, 2 * SEC, 60);
    p3.tcp_seq = 1000;
    assert_ptr_equal(feed(&p3), f);
    assert_int_equal(f->pkts[0], 2);
    assert_int_equal(n_ended, 0);

    /* a new SYN (new sequence number) is a new connection */
    Packet p4 = tcp(c, 5555, s, 25, TCP_SYN, 3 * SEC, 60);
    p4.tcp_seq = 99999;
    Flow *g = feed(&p4);
    assert_non_null(g);
    assert_int_equal(n_ended, 1);
    assert_true(ended[0].flow_id == id1);
    assert_int_equal(ended[0].pkts0, 2);
    assert_int_equal(ended[0].reason, FLOW_END_TIMEOUT);
    assert_true(g->flow_id != id1);
    assert_int_equal(g->pkts[0], 1);
    assert_int_equal(g->tcp_state, FLOW_TCP_SYN_SENT);
    assert_int_equal(flow_table_count(fx.t), 1);
    assert_int_equal(ctr("flow.tcp_reuse"), 1);
    assert_int_equal(ctr("flow.tcp"), 2);

    /* an established flow is never split by a SYN */
    Packet q1 = tcp(s, 25, c, 5555, TCP_SYN | TCP_ACK, 3 * SEC, 60);
    Packet q2 = tcp(c, 5555, s, 25, TCP_ACK, 3 * SEC, 60);
    Packet q3 = tcp(c, 5555, s, 25, TCP_SYN, 4 * SEC, 60);
    q3.tcp_seq = 5;
    feed(&q1);
    feed(&q2);
    assert_ptr_equal(feed(&q3), g);
    assert_int_equal(n_ended, 1);
    fx_close();
}

static void test_udp_icmp_generic_state(void **state)
{
    (void)state;
    fx_open(0, 1024);
    IpAddr a = ip4(1, 2, 3, 4), b = ip4(5, 6, 7, 8);
    Packet p = udp(a, 9, b, 10, SEC, 60);
    Flow *f = feed(&p);
    assert_int_equal(f->state, FLOW_STATE_NEW);
    Packet q = udp(a, 9, b, 10, SEC, 60);
    feed(&q);
    assert_int_equal(f->state, FLOW_STATE_NEW);
    Packet r = udp(b, 10, a, 9, SEC, 60);
    feed(&r);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);
    assert_string_equal(flow_state_name(f->state), "established");

    /* echo request and reply meet; another id is another flow */
    Packet e1 = icmp(a, b, 8, 77, SEC);
    Packet e2 = icmp(b, a, 0, 77, SEC);
    Packet e3 = icmp(a, b, 8, 78, SEC);
    Flow *g = feed(&e1);
    assert_non_null(g);
    assert_ptr_equal(feed(&e2), g);
    assert_false(e2.to_server);
    assert_true(g->has_icmp_flow);
    assert_int_equal(g->state, FLOW_STATE_ESTABLISHED);
    assert_int_equal(g->icmp_type[0], 8);
    assert_int_equal(g->icmp_type[1], 0);
    Flow *h = feed(&e3);
    assert_non_null(h);
    assert_ptr_not_equal(h, g);
    assert_int_equal(ctr("flow.icmpv4"), 2);

    /* ICMPv6 echo */
    Packet v1 = base(ip6(1), ip6(2), 58, SEC, 100);
    v1.ip_ver = 6;
    v1.flags = PKT_HAS_IPV6 | PKT_HAS_ICMPV6;
    v1.icmp_type = 128;
    v1.icmp_id = 5;
    Packet v2 = v1;
    v2.src = ip6(2);
    v2.dst = ip6(1);
    v2.icmp_type = 129;
    Flow *k = feed(&v1);
    assert_non_null(k);
    assert_ptr_equal(feed(&v2), k);
    assert_int_equal(ctr("flow.icmpv6"), 1);
    fx_close();
}

static void test_no_flow_cases(void **state)
{
    (void)state;
    fx_open(0, 1024);
    IpAddr a = ip4(1, 1, 1, 1), b = ip4(2, 2, 2, 2);

    Packet arp;
    memset(&arp, 0, sizeof arp);
    arp.flags = PKT_HAS_ETH | PKT_HAS_ARP;
    assert_null(feed(&arp));
    assert_null(arp.flow);

    Packet frag = udp(a, 1, b, 2, SEC, 1500);
    frag.flags = PKT_HAS_IPV4 | PKT_IS_FRAGMENT;
    assert_null(feed(&frag));

    Packet re = udp(a, 1, b, 2, SEC, 3000);
    re.flags |= PKT_IS_FRAGMENT | PKT_IS_REASSEMBLED | PKT_IS_PSEUDO;
    re.pcap_cnt = 0;
    Flow *f = feed(&re);
    assert_non_null(f);
    assert_ptr_equal(re.flow, f);

    /* TCP protocol number but the header did not decode */
    Packet bad = tcp(a, 1, b, 2, TCP_SYN, SEC, 40);
    bad.flags &= ~(uint32_t)PKT_HAS_TCP;
    assert_null(feed(&bad));

    /* IPv4 version with no IPv4 layer */
    Packet nov4 = udp(a, 1, b, 2, SEC, 40);
    nov4.flags &= ~(uint32_t)PKT_HAS_IPV4;
    assert_null(feed(&nov4));

    /* an ICMP error without a quoted header */
    Packet err = icmp(b, a, 3, 0, SEC);
    assert_null(feed(&err));

    /* GRE, OSPF, ...: no flow (Suricata makes none; a tunnel's inner packet
     * gets its own) */
    Packet gre = base(a, b, 47, SEC, 100);
    assert_null(feed(&gre));
    Packet ospf = base(a, b, 89, SEC, 100);
    assert_null(feed(&ospf));

    /* ESP: a flow without ports; SCTP: with its ports */
    Packet esp = base(a, b, 50, SEC, 100);
    Flow *g = feed(&esp);
    assert_non_null(g);
    assert_int_equal(g->key.port[0], 0);
    Packet sctp = base(a, b, 132, SEC, 100);
    sctp.sp = 2905;
    sctp.dp = 2906;
    Flow *h = feed(&sctp);
    assert_non_null(h);
    assert_int_equal(h->key.port[1], 2906);
    Packet sctp2 = base(b, a, 132, SEC, 100);
    sctp2.sp = 2906;
    sctp2.dp = 2905;
    assert_ptr_equal(feed(&sctp2), h);
    assert_int_equal(flow_table_count(fx.t), 3);
    assert_int_equal(ctr("flow.total"), 3);

    /* a tunnel's inner packet is kept apart from the same tuple outside */
    Packet out = udp(a, 7, b, 8, SEC, 60);
    Packet in = udp(a, 7, b, 8, SEC, 60);
    in.flags |= PKT_IS_TUNNEL_INNER | PKT_IS_PSEUDO;
    in.tunnel_depth = 1;
    Flow *fo = feed(&out), *fi = feed(&in);
    assert_non_null(fo);
    assert_non_null(fi);
    assert_ptr_not_equal(fo, fi);
    fx_close();
}

static Packet icmp_error(IpAddr from, IpAddr to, const Packet *quoted, int64_t ts)
{
    Packet e = icmp(from, to, 3, 0, ts);
    e.icmp_code = 3;
    e.flags |= PKT_HAS_ICMP_INNER;
    e.icmp_inner.ip_ver = 4;
    e.icmp_inner.proto = quoted->ip_proto;
    e.icmp_inner.src = quoted->src;
    e.icmp_inner.dst = quoted->dst;
    e.icmp_inner.sp = quoted->sp;
    e.icmp_inner.dp = quoted->dp;
    e.icmp_inner.has_ports = true;
    return e;
}

static void test_icmp_error_association(void **state)
{
    (void)state;
    fx_open(0, 1024);
    IpAddr c = ip4(192, 168, 0, 5), s = ip4(203, 0, 113, 9), router = ip4(192, 168, 0, 1);
    Packet q = udp(c, 50000, s, 53, SEC, 80);
    Flow *f = feed(&q);
    assert_non_null(f);

    /* the server's host says port unreachable: quoted datagram is q */
    Packet e = icmp_error(s, c, &q, 2 * SEC);
    assert_ptr_equal(feed(&e), f);
    assert_ptr_equal(e.flow, f);
    assert_false(e.to_server);
    /* not counted in the UDP flow, no ICMP flow made */
    assert_int_equal(f->pkts[0] + f->pkts[1], 1);
    assert_int_equal(f->last_ns, SEC);
    assert_int_equal(flow_table_count(fx.t), 1);
    assert_int_equal(ctr("flow.icmpv4"), 0);

    /* a router quoting a server->client datagram: travels to the server */
    Packet back = udp(s, 53, c, 50000, 3 * SEC, 120);
    assert_ptr_equal(feed(&back), f);
    Packet e2 = icmp_error(router, s, &back, 4 * SEC);
    e2.icmp_type = 11; /* time exceeded */
    assert_ptr_equal(feed(&e2), f);
    assert_true(e2.to_server);

    /* the hash used to pick a worker agrees */
    assert_int_equal(flow_hash_packet(&e), flow_hash_packet(&q));

    /* quoting an unknown datagram: no flow, none created */
    Packet other = udp(c, 50001, s, 53, SEC, 80);
    Packet e3 = icmp_error(s, c, &other, 5 * SEC);
    assert_null(feed(&e3));
    assert_null(e3.flow);
    assert_int_equal(flow_table_count(fx.t), 1);
    assert_int_equal(ctr("flow.total"), 1);

    /* quoted TCP header without ports cannot be matched */
    Packet e4 = icmp_error(s, c, &q, 6 * SEC);
    e4.icmp_inner.has_ports = false;
    assert_null(feed(&e4));
    fx_close();
}

static void test_hash_symmetry(void **state)
{
    (void)state;
    srand(12345);
    for (int i = 0; i < 5000; i++) {
        IpAddr a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        bool v6 = (i & 1) != 0;
        unsigned n = v6 ? 16 : 4;
        for (unsigned j = 0; j < n; j++) {
            a.b[j] = (uint8_t)rand();
            b.b[j] = (uint8_t)rand();
        }
        uint16_t sp = (uint16_t)rand(), dp = (uint16_t)rand();
        Packet p = (i % 3 == 0) ? tcp(a, sp, b, dp, TCP_ACK, 0, 60) : udp(a, sp, b, dp, 0, 60);
        Packet q = (i % 3 == 0) ? tcp(b, dp, a, sp, TCP_ACK, 0, 60) : udp(b, dp, a, sp, 0, 60);
        if (v6) {
            p.ip_ver = q.ip_ver = 6;
            p.flags = (p.flags & ~(uint32_t)PKT_HAS_IPV4) | PKT_HAS_IPV6;
            q.flags = (q.flags & ~(uint32_t)PKT_HAS_IPV4) | PKT_HAS_IPV6;
        }
        assert_int_equal(flow_hash_packet(&p), flow_hash_packet(&q));
    }
    /* and it does separate: distinct tuples rarely collide */
    IpAddr a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
    Packet p1 = udp(a, 1000, b, 53, 0, 60), p2 = udp(a, 1001, b, 53, 0, 60);
    Packet p3 = tcp(a, 1000, b, 53, 0, 0, 60);
    assert_int_not_equal(flow_hash_packet(&p1), flow_hash_packet(&p2));
    assert_int_not_equal(flow_hash_packet(&p1), flow_hash_packet(&p3));
    Packet arp;
    memset(&arp, 0, sizeof arp);
    assert_int_equal(flow_hash_packet(&arp), 0);
}

/* Feed the same mixed input into a fresh table; return the ended ids. */
static size_t run_fixed_input(uint64_t *ids, size_t max)
{
    fx_open(0, 256);
    next_cnt = 1;
    IpAddr a = ip4(10, 0, 0, 1);
    for (int i = 0; i < 40; i++) {
        IpAddr b = ip4(10, 0, 1, (uint8_t)i);
        Packet p;
        if (i % 3 == 0)
            p = tcp(a, (uint16_t)(2000 + i), b, 80, TCP_SYN, (int64_t)i * SEC, 60);
        else if (i % 3 == 1)
            p = udp(a, (uint16_t)(2000 + i), b, 53, (int64_t)i * SEC, 60);
        else
            p = icmp(a, b, 8, (uint16_t)i, (int64_t)i * SEC);
        assert_non_null(feed(&p));
    }
    flow_table_timeout(fx.t, 70 * SEC);
    flow_table_flush(fx.t, FLOW_END_SHUTDOWN);
    size_t n = n_ended < max ? n_ended : max;
    for (size_t i = 0; i < n; i++)
        ids[i] = ended[i].flow_id;
    fx_close();
    return n;
}

static void test_flow_id_deterministic(void **state)
{
    (void)state;
    uint64_t r1[64], r2[64];
    size_t n1 = run_fixed_input(r1, 64);
    size_t n2 = run_fixed_input(r2, 64);
    assert_int_equal(n1, 40);
    assert_int_equal(n1, n2);
    assert_memory_equal(r1, r2, n1 * sizeof r1[0]);
    for (size_t i = 0; i < n1; i++) {
        assert_true(r1[i] != 0);
        assert_true(r1[i] < (1ull << 51));
        for (size_t j = 0; j < i; j++)
            assert_true(r1[i] != r1[j]);
    }

    /* same key, different start or pcap_cnt: different id */
    fx_open(0, 64);
    IpAddr a = ip4(1, 1, 1, 1), b = ip4(2, 2, 2, 2);
    Packet p = udp(a, 1, b, 2, SEC, 60);
    p.pcap_cnt = 10;
    uint64_t id1 = feed(&p)->flow_id;
    flow_table_flush(fx.t, FLOW_END_SHUTDOWN);
    Packet q = p;
    q.pcap_cnt = 11;
    uint64_t id2 = feed(&q)->flow_id;
    flow_table_flush(fx.t, FLOW_END_SHUTDOWN);
    Packet r = p;
    uint64_t id3 = feed(&r)->flow_id;
    assert_true(id1 != id2);
    assert_true(id1 == id3);
    fx_close();
}

/* With a stream/ session on the flow (f->tcp set), the flags-only machine
 * stays out; stream/ sets tcp_state and flow_table_tcp_state_changed
 * re-derives the generic state and the timeout class. */
static void test_tcp_state_from_stream(void **state)
{
    (void)state;
    fx_open(0, 1024);
    IpAddr a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
    static int session_stand_in;
    Packet syn = tcp(a, 5000, b, 80, TCP_SYN, 0, 60);
    Flow *f = feed(&syn);
    assert_non_null(f);
    assert_int_equal(f->tcp_state, FLOW_TCP_SYN_SENT); /* no session yet: flags machine */
    f->tcp = (struct TcpSession *)&session_stand_in;

    Packet rst = tcp(b, 80, a, 5000, TCP_RST | TCP_ACK, 1 * SEC, 60);
    assert_ptr_equal(feed(&rst), f);
    assert_int_equal(f->tcp_state, FLOW_TCP_SYN_SENT); /* stream/ owns it now */
    assert_int_equal(f->state, FLOW_STATE_NEW);

    f->tcp_state = FLOW_TCP_ESTABLISHED;
    flow_table_tcp_state_changed(fx.t, f);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);
    /* the established timeout applies now, not the 60 s of new */
    flow_table_timeout(fx.t, 100 * SEC);
    assert_int_equal(n_ended, 0);

    f->tcp_state = FLOW_TCP_CLOSED;
    flow_table_tcp_state_changed(fx.t, f);
    assert_int_equal(f->state, FLOW_STATE_CLOSED);
    /* the generic state never goes back */
    f->tcp_state = FLOW_TCP_ESTABLISHED;
    flow_table_tcp_state_changed(fx.t, f);
    assert_int_equal(f->state, FLOW_STATE_CLOSED);
    flow_table_timeout(fx.t, 1000 * SEC);
    assert_int_equal(n_ended, 1);
    fx_close();
}

static void test_timeouts_per_protocol(void **state)
{
    (void)state;
    fx_open(0, 1024);
    IpAddr a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
    size_t base_ended;

    Packet t_new = tcp(a, 1, b, 80, TCP_SYN, 0, 60);                /* tcp new: 60 */
    Packet u_new = udp(a, 2, b, 53, 0, 60);                         /* udp new: 30 */
    Packet i_new = icmp(a, b, 8, 3, 0);                             /* icmp new: 30 */
    Packet u_est1 = udp(a, 4, b, 53, 0, 60), u_est2 = udp(b, 53, a, 4, 0, 60); /* udp est: 300 */
    Packet g_new = base(a, b, 50, 0, 60);                           /* default (ESP) new: 30 */
    Flow *ft = feed(&t_new), *fu = feed(&u_new), *fi = feed(&i_new);
    Flow *fe = feed(&u_est1);
    feed(&u_est2);
    Flow *fg = feed(&g_new);
    uint64_t id_t = ft->flow_id, id_u = fu->flow_id, id_i = fi->flow_id, id_e = fe->flow_id;
    uint64_t id_g = fg->flow_id;

    flow_table_timeout(fx.t, 30 * SEC); /* not strictly past 30 s yet */
    assert_int_equal(n_ended, 0);
    flow_table_timeout(fx.t, 30 * SEC + 1);
    assert_int_equal(n_ended, 3);
    /* equal deadlines end in creation order */
    assert_true(ended[0].flow_id == id_u);
    assert_true(ended[1].flow_id == id_i);
    assert_true(ended[2].flow_id == id_g);
    assert_int_equal(ended[0].reason, FLOW_END_TIMEOUT);
    assert_int_equal(flow_table_count(fx.t), 2);

    flow_table_timeout(fx.t, 60 * SEC + 1);
    assert_int_equal(n_ended, 4);
    assert_true(ended[3].flow_id == id_t);
    flow_table_timeout(fx.t, 300 * SEC);
    assert_int_equal(n_ended, 4);
    flow_table_timeout(fx.t, 300 * SEC + 1);
    assert_int_equal(n_ended, 5);
    assert_true(ended[4].flow_id == id_e);
    assert_int_equal(ctr("flow.end.timeout"), 5);
    assert_int_equal(flow_table_count(fx.t), 0);
    base_ended = n_ended;

    /* closed TCP: 60 s; activity pushes the deadline */
    Packet c1 = tcp(a, 7, b, 80, TCP_SYN, 1000 * SEC, 60);
    Packet c2 = tcp(b, 80, a, 7, TCP_RST | TCP_ACK, 1001 * SEC, 60);
    Packet l1 = udp(a, 8, b, 53, 1000 * SEC, 60);
    Packet l2 = udp(a, 8, b, 53, 1020 * SEC, 60); /* pushes the udp deadline to 1050 */
    Flow *fc = feed(&c1);
    feed(&c2);
    assert_int_equal(fc->state, FLOW_STATE_CLOSED);
    uint64_t id_c = fc->flow_id;
    feed(&l1);
    feed(&l2);
    flow_table_timeout(fx.t, 1040 * SEC);
    assert_int_equal(n_ended, base_ended);
    flow_table_timeout(fx.t, 1062 * SEC);
    assert_int_equal(n_ended, base_ended + 2);
    /* deadline order: udp (1050) before closed tcp (1001+60) */
    assert_true(ended[base_ended + 1].flow_id == id_c);

    /* configured timeouts are honoured */
    fx_close();
    memset(&fx, 0, sizeof fx);
    mem_account_init(&fx.acct, "flow", 0);
    flow_config_defaults(&fx.cfg);
    fx.cfg.hash_size = 16;
    fx.cfg.timeout_new[FLOW_PROTO_UDP] = 5;
    n_ended = 0;
    fx.t = flow_table_new(&fx.cfg, &fx.acct, &fx.stats, on_end, NULL);
    assert_non_null(fx.t);
    Packet u = udp(a, 9, b, 53, 0, 60);
    feed(&u);
    flow_table_timeout(fx.t, 5 * SEC + 1);
    assert_int_equal(n_ended, 1);
    fx_close();
}

static void test_timeout_time_goes_back(void **state)
{
    (void)state;
    fx_open(0, 64);
    IpAddr a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
    Packet p1 = udp(a, 1, b, 53, 100 * SEC, 60);
    Packet p2 = udp(a, 2, b, 53, 90 * SEC, 60); /* stamped before p1 */
    Flow *f1 = feed(&p1), *f2 = feed(&p2);
    assert_int_equal(f2->start_ns, 90 * SEC);
    assert_int_equal(f2->last_ns, 90 * SEC);
    uint64_t id1 = f1->flow_id, id2 = f2->flow_id;
    /* idleness counts from the table clock (100 s) for both: neither is due
     * at 125 s, both are past 130 s, in arrival order */
    flow_table_timeout(fx.t, 125 * SEC);
    assert_int_equal(n_ended, 0);
    flow_table_timeout(fx.t, 131 * SEC);
    assert_int_equal(n_ended, 2);
    assert_true(ended[0].flow_id == id1);
    assert_true(ended[1].flow_id == id2);
    fx_close();
}

static void test_flush_order(void **state)
{
    (void)state;
    fx_open(0, 8); /* few buckets: chains get long, order must not depend on them */
    IpAddr a = ip4(10, 0, 0, 1);
    uint64_t ids[20];
    for (int i = 0; i < 20; i++) {
        Packet p = udp(a, (uint16_t)(100 + i), ip4(10, 0, 2, (uint8_t)i), 53, SEC, 60);
        ids[i] = feed(&p)->flow_id;
    }
    /* touch them in another order */
    for (int i = 19; i >= 0; i -= 2) {
        Packet p = udp(ip4(10, 0, 2, (uint8_t)i), 53, a, (uint16_t)(100 + i), 2 * SEC, 60);
        assert_true(feed(&p)->flow_id == ids[i]);
    }
    size_t calls = 0;
    flow_table_free(fx.t);
    fx.t = flow_table_new(&fx.cfg, &fx.acct, &fx.stats, on_end, &calls);
    n_ended = 0;
    for (int i = 0; i < 20; i++) {
        Packet p = udp(a, (uint16_t)(100 + i), ip4(10, 0, 2, (uint8_t)i), 53, SEC, 60);
        ids[i] = feed(&p)->flow_id;
    }
    for (int i = 19; i >= 0; i -= 3) {
        Packet p = udp(ip4(10, 0, 2, (uint8_t)i), 53, a, (uint16_t)(100 + i), 2 * SEC, 60);
        feed(&p);
    }
    flow_table_flush(fx.t, FLOW_END_SHUTDOWN);
    assert_int_equal(calls, 20);
    assert_int_equal(n_ended, 20);
    for (int i = 0; i < 20; i++) {
        assert_true(ended[i].flow_id == ids[i]);
        assert_int_equal(ended[i].reason, FLOW_END_SHUTDOWN);
    }
    assert_int_equal(flow_table_count(fx.t), 0);
    assert_int_equal(ctr("flow.end.shutdown"), 20);
    assert_int_equal(ctr("flow.active"), 0);
    fx_close();
}

static void test_memcap_eviction(void **state)
{
    (void)state;
    /* find the fixed cost (table + buckets) with an unlimited table */
    fx_open(0, 16);
    uint64_t fixed = flow_table_memuse(fx.t);
    IpAddr a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
    Packet p0 = udp(a, 1, b, 2, 0, 60);
    feed(&p0);
    uint64_t per_flow = flow_table_memuse(fx.t) - fixed;
    assert_true(per_flow >= sizeof(Flow));
    fx_close();

    /* room for exactly 4 flows */
    fx_open(fixed + 4 * per_flow, 16);
    Flow *f[4];
    uint64_t id[4];
    for (int i = 0; i < 4; i++) {
        Packet p = udp(a, (uint16_t)(10 + i), b, 53, (int64_t)i * SEC, 60);
        f[i] = feed(&p);
        assert_non_null(f[i]);
        id[i] = f[i]->flow_id;
    }
    assert_false(flow_table_emergency(fx.t));
    /* flow 0 is used again: flow 1 becomes the least recently used */
    Packet again = udp(b, 53, a, 10, 5 * SEC, 60);
    assert_ptr_equal(feed(&again), f[0]);

    Packet n1 = udp(a, 20, b, 53, 6 * SEC, 60);
    Flow *g = feed(&n1);
    assert_non_null(g);
    assert_true(flow_table_emergency(fx.t));
    assert_int_equal(n_ended, 1);
    assert_true(ended[0].flow_id == id[1]);
    assert_int_equal(ended[0].reason, FLOW_END_FORCED);
    Packet n2 = udp(a, 21, b, 53, 7 * SEC, 60);
    assert_non_null(feed(&n2));
    assert_int_equal(n_ended, 2);
    assert_true(ended[1].flow_id == id[2]);
    assert_int_equal(ctr("flow.emerg_mode_entered"), 1);
    assert_int_equal(ctr("flow.end.forced"), 2);
    assert_int_equal(ctr("flow.memcap"), 0);
    assert_int_equal(flow_table_count(fx.t), 4);
    assert_true(flow_table_memuse(fx.t) <= fixed + 4 * per_flow);
    assert_int_equal(ctr("flow.memuse"), flow_table_memuse(fx.t));

    /* emergency timeouts: udp new 10 s instead of 30 */
    flow_table_timeout(fx.t, 17 * SEC + 1);
    /* flow 0 (touched at 5 s, established: 100 s) stays; 3 (3 s), 20 (6 s) and
     * 21 (7 s) were new: they are past 10 s */
    assert_int_equal(n_ended, 5);
    assert_int_equal(flow_table_count(fx.t), 1);
    /* one flow in four slots is below the recovery level */
    assert_false(flow_table_emergency(fx.t));
    assert_int_equal(ctr("flow.emerg_mode_over"), 1);
    flow_table_flush(fx.t, FLOW_END_SHUTDOWN);
    fx_close();

    /* no room for a single flow: refused and counted, never a crash */
    fx_open(fixed + per_flow / 2, 16);
    Packet r = udp(a, 1, b, 2, 0, 60);
    assert_null(feed(&r));
    assert_null(r.flow);
    assert_int_equal(ctr("flow.memcap"), 1);
    assert_int_equal(flow_table_count(fx.t), 0);
    fx_close();

    /* the account's own cap is a memcap too */
    memset(&fx, 0, sizeof fx);
    flow_config_defaults(&fx.cfg);
    fx.cfg.memcap = 0;
    fx.cfg.hash_size = 16;
    mem_account_init(&fx.acct, "flow", fixed + 2 * per_flow);
    n_ended = 0;
    fx.t = flow_table_new(&fx.cfg, &fx.acct, &fx.stats, on_end, NULL);
    assert_non_null(fx.t);
    for (int i = 0; i < 5; i++) {
        Packet p = udp(a, (uint16_t)(30 + i), b, 53, (int64_t)i * SEC, 60);
        assert_non_null(feed(&p));
    }
    assert_int_equal(flow_table_count(fx.t), 2);
    assert_int_equal(n_ended, 3);
    fx_close();

    /* a memcap below the bucket array fails creation cleanly */
    mem_account_init(&fx.acct, "flow", 0);
    flow_config_defaults(&fx.cfg);
    fx.cfg.memcap = 1024;
    fx.cfg.hash_size = 65536;
    assert_null(flow_table_new(&fx.cfg, &fx.acct, &fx.stats, on_end, NULL));
    assert_int_equal(atomic_load(&fx.acct.used), 0);
}

static void test_alloc_failure(void **state)
{
    (void)state;
    fx_open(0, 64);
    IpAddr a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
    Packet p0 = udp(a, 9, b, 2, 0, 60);
    assert_non_null(feed(&p0));
    /* one malloc failure: emergency, the idle-flow pass, a retry that works */
    uint64_t failed_before = mem_fail_count();
    mem_fail_after(1);
    Packet p = udp(a, 1, b, 2, 0, 60);
    assert_non_null(feed(&p));
    mem_fail_after(0);
    assert_int_equal(mem_fail_count(), failed_before + 1);
    assert_int_equal(ctr("flow.emerg_mode_entered"), 1);
    assert_int_equal(ctr("flow.memcap"), 0);
    /* without a memcap there is no recovery level to wait for: the mode ends
     * at once, and the next failure is a new entry */
    assert_false(flow_table_emergency(fx.t));
    assert_int_equal(ctr("flow.emerg_mode_over"), 1);
    mem_fail_after(1);
    Packet q = udp(a, 2, b, 2, 0, 60);
    assert_non_null(feed(&q));
    mem_fail_after(0);
    assert_int_equal(ctr("flow.emerg_mode_entered"), 2);
    assert_int_equal(flow_table_count(fx.t), 3);
    assert_int_equal(n_ended, 0);
    flow_table_flush(fx.t, FLOW_END_SHUTDOWN);
    fx_close();

    /* table creation under failure returns NULL and leaks nothing */
    for (uint64_t n = 1; n <= 2; n++) {
        MemAccount acct;
        mem_account_init(&acct, "flow", 0);
        FlowConfig cfg;
        flow_config_defaults(&cfg);
        Stats st;
        memset(&st, 0, sizeof st);
        mem_fail_after(n);
        assert_null(flow_table_new(&cfg, &acct, &st, NULL, NULL));
        mem_fail_after(0);
        assert_int_equal(atomic_load(&acct.used), 0);
    }
}

/* The bucket array doubles while the live flows outnumber it (table.c):
 * every flow is still found both ways after each growth, the memory it
 * takes is accounted, and the flush (which empties chains wholesale) ends
 * every flow once, in creation order, leaving a table that works again. */
static void test_buckets_grow(void **state)
{
    (void)state;
    fx_open(0, 16);
    uint64_t fixed = flow_table_memuse(fx.t);
    IpAddr a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
    enum { N = 200 };
    static Flow *f[N];
    for (int i = 0; i < N; i++) {
        Packet p = udp(a, (uint16_t)(1000 + i), b, 53, (int64_t)i * 1000, 60);
        f[i] = feed(&p);
        assert_non_null(f[i]);
        for (int j = 0; j <= i; j += 7) { /* earlier flows survive each rehash */
            Packet q = udp(b, 53, a, (uint16_t)(1000 + j), (int64_t)i * 1000, 60);
            assert_ptr_equal(feed(&q), f[j]);
            assert_false(q.to_server);
        }
    }
    assert_int_equal(flow_table_count(fx.t), N);
    /* 16 -> 32 -> 64 -> 128 -> 256 buckets: 240 more chain heads */
    assert_int_equal(flow_table_memuse(fx.t), fixed + 240 * sizeof(Flow *) + N * sizeof(Flow));
    assert_int_equal(ctr("flow.memuse"), flow_table_memuse(fx.t));

    n_ended = 0;
    flow_table_flush(fx.t, FLOW_END_SHUTDOWN);
    assert_int_equal(n_ended_total, N);
    assert_int_equal(flow_table_count(fx.t), 0);
    assert_int_equal(ctr("flow.end.shutdown"), N);
    assert_int_equal(ctr("flow.active"), 0);
    for (size_t i = 1; i < n_ended; i++)
        assert_true(ended[i - 1].seq < ended[i].seq);
    /* the emptied table takes new flows and finds them */
    Packet p = udp(a, 1000, b, 53, SEC, 60);
    Flow *g = feed(&p);
    assert_non_null(g);
    assert_int_equal(g->pkts[0], 1);
    Packet q = udp(b, 53, a, 1000, SEC, 60);
    assert_ptr_equal(feed(&q), g);
    assert_int_equal(flow_table_count(fx.t), 1);
    fx_close();

    /* a memcap with no room for a bigger array (17 flows and 64 bytes; the
     * next array needs 128 more): the table stays as it is */
    fx_open(fixed + 17 * sizeof(Flow) + 64, 16);
    for (int i = 0; i < 17; i++) {
        Packet r = udp(a, (uint16_t)(2000 + i), b, 53, 0, 60);
        assert_non_null(feed(&r));
    }
    assert_int_equal(flow_table_count(fx.t), 17);
    assert_int_equal(ctr("flow.memcap"), 0);
    assert_int_equal(ctr("flow.end.forced"), 0);
    assert_int_equal(flow_table_memuse(fx.t), fixed + 17 * sizeof(Flow));
    for (int i = 0; i < 17; i++) {
        Packet r = udp(b, 53, a, (uint16_t)(2000 + i), 0, 60);
        assert_non_null(feed(&r));
        assert_false(r.to_server);
    }
    fx_close();
}

static void test_stress_100k(void **state)
{
    (void)state;
    static Stats st;
    memset(&st, 0, sizeof st);
    MemAccount acct;
    mem_account_init(&acct, "flow", 0);
    FlowConfig cfg;
    flow_config_defaults(&cfg);
    size_t calls = 0;
    FlowTable *t = flow_table_new(&cfg, &acct, &st, on_end, &calls);
    assert_non_null(t);
    n_ended = 0;
    const uint32_t N = 100000;
    for (uint32_t i = 0; i < N; i++) {
        IpAddr s = ip4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i);
        IpAddr d = ip4(172, 16, (uint8_t)(i % 7), 1);
        int64_t ts = (int64_t)i * 1000000; /* 1 ms apart: 100 s in all */
        Packet p = tcp(s, (uint16_t)(1024 + i % 50000), d, 443, TCP_SYN, ts, 60);
        Packet q = tcp(d, 443, s, (uint16_t)(1024 + i % 50000), TCP_SYN | TCP_ACK, ts, 60);
        Flow *f = flow_table_handle(t, &p);
        assert_non_null(f);
        if (flow_table_handle(t, &q) != f)
            fail_msg("reply %u did not meet its flow", i);
        if ((i & 4095) == 0)
            flow_table_timeout(t, ts);
    }
    /* tcp new timeout is 60 s: about 40 s worth of flows ended already */
    uint64_t live = flow_table_count(t);
    assert_true(live < N);
    assert_true(live > N / 2);
    assert_int_equal(live + calls, N);
    /* every live flow is found again (both directions) */
    for (uint32_t i = N - 1000; i < N; i++) {
        IpAddr s = ip4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i);
        IpAddr d = ip4(172, 16, (uint8_t)(i % 7), 1);
        Packet q = tcp(d, 443, s, (uint16_t)(1024 + i % 50000), TCP_ACK, 100 * SEC, 60);
        assert_non_null(flow_table_handle(t, &q));
        assert_false(q.to_server);
    }
    assert_int_equal(flow_table_count(t), live);
    flow_table_flush(t, FLOW_END_SHUTDOWN);
    assert_int_equal(calls, N);
    assert_int_equal(flow_table_count(t), 0);
    flow_table_free(t);
    assert_int_equal(atomic_load(&acct.used), 0);
    assert_true(atomic_load(&acct.peak) > (uint64_t)live * sizeof(Flow));
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(flow_tcp_state_name(FLOW_TCP_SYN_SENT), "syn_sent");
    assert_string_equal(flow_tcp_state_name(FLOW_TCP_FIN_WAIT2), "fin_wait2");
    assert_string_equal(flow_tcp_state_name(FLOW_TCP_CLOSE_WAIT), "close_wait");
    assert_string_equal(flow_state_name(FLOW_STATE_NEW), "new");
    assert_string_equal(flow_state_name(FLOW_STATE_CLOSED), "closed");
    assert_string_equal(flow_end_reason_name(FLOW_END_TIMEOUT), "timeout");
    assert_string_equal(flow_end_reason_name(FLOW_END_FORCED), "forced");
    assert_string_equal(flow_end_reason_name(FLOW_END_SHUTDOWN), "shutdown");

    FlowConfig c;
    flow_config_defaults(&c);
    assert_int_equal(c.timeout_new[FLOW_PROTO_TCP], 60);
    assert_int_equal(c.timeout_est[FLOW_PROTO_TCP], 600);
    assert_int_equal(c.timeout_closed[FLOW_PROTO_TCP], 60);
    assert_int_equal(c.timeout_est[FLOW_PROTO_DEFAULT], 300);
    assert_int_equal(c.emerg_new[FLOW_PROTO_TCP], 5);
    assert_int_equal(c.emerg_closed[FLOW_PROTO_TCP], 10);
    assert_int_equal(c.hash_size, 65536);
}

static void test_config_load(void **state)
{
    (void)state;
    Config *conf = conf_new();
    assert_non_null(conf);
    static const char yaml[] =
        "flow:\n"
        "  memcap: 64mb\n"
        "  hash-size: 4096\n"
        "flow-timeouts:\n"
        "  default:\n"
        "    new: 31\n"
        "  tcp:\n"
        "    new: 61\n"
        "    established: 3601\n"
        "    closed: 11\n"
        "    emergency-new: 6\n"
        "    emergency-established: 101\n"
        "    emergency-closed: 12\n"
        "  udp:\n"
        "    established: -5\n"
        "  icmp:\n"
        "    emergency-new: 3\n";
    assert_int_equal(conf_load_string(conf, yaml, "test.yaml"), 0);
    FlowConfig c;
    flow_config_defaults(&c);
    flow_config_load(&c, conf);
    assert_int_equal(c.memcap, 64ull * 1024 * 1024);
    assert_int_equal(c.hash_size, 4096);
    assert_int_equal(c.timeout_new[FLOW_PROTO_DEFAULT], 31);
    assert_int_equal(c.timeout_est[FLOW_PROTO_DEFAULT], 300); /* untouched */
    assert_int_equal(c.timeout_new[FLOW_PROTO_TCP], 61);
    assert_int_equal(c.timeout_est[FLOW_PROTO_TCP], 3601);
    assert_int_equal(c.timeout_closed[FLOW_PROTO_TCP], 11);
    assert_int_equal(c.emerg_new[FLOW_PROTO_TCP], 6);
    assert_int_equal(c.emerg_est[FLOW_PROTO_TCP], 101);
    assert_int_equal(c.emerg_closed[FLOW_PROTO_TCP], 12);
    assert_int_equal(c.timeout_est[FLOW_PROTO_UDP], 300); /* -5 refused */
    assert_int_equal(c.timeout_new[FLOW_PROTO_UDP], 30);  /* sections stand alone */
    assert_int_equal(c.emerg_new[FLOW_PROTO_ICMP], 3);

    /* --set overrides */
    assert_int_equal(conf_set(conf, "flow-timeouts.udp.new=7"), 0);
    assert_int_equal(conf_set(conf, "flow.hash-size=0"), 0);
    flow_config_load(&c, conf);
    assert_int_equal(c.timeout_new[FLOW_PROTO_UDP], 7);
    assert_int_equal(c.hash_size, 4096); /* 0 buckets refused */
    conf_free(conf);

    /* no configuration file: the defaults stand */
    conf = conf_new();
    assert_non_null(conf);
    FlowConfig d, e;
    flow_config_defaults(&d);
    flow_config_defaults(&e);
    flow_config_load(&d, conf);
    assert_memory_equal(&d, &e, sizeof d);
    conf_free(conf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_directions_meet),
        cmocka_unit_test(test_per_direction_counters),
        cmocka_unit_test(test_vlan_separates_flows),
        cmocka_unit_test(test_tcp_states),
        cmocka_unit_test(test_tcp_port_reuse),
        cmocka_unit_test(test_udp_icmp_generic_state),
        cmocka_unit_test(test_no_flow_cases),
        cmocka_unit_test(test_icmp_error_association),
        cmocka_unit_test(test_hash_symmetry),
        cmocka_unit_test(test_flow_id_deterministic),
        cmocka_unit_test(test_tcp_state_from_stream),
        cmocka_unit_test(test_timeouts_per_protocol),
        cmocka_unit_test(test_timeout_time_goes_back),
        cmocka_unit_test(test_flush_order),
        cmocka_unit_test(test_memcap_eviction),
        cmocka_unit_test(test_alloc_failure),
        cmocka_unit_test(test_buckets_grow),
        cmocka_unit_test(test_stress_100k),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_config_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
