/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flow_key.c: from a decoded Packet to a FlowKey, the symmetric hash of a
 * key, key comparison in both orientations, and the flow_id.
 *
 * Where it sits: decode fills the Packet; the flow table (table.c) calls
 * flow_key_from_packet() for every packet; the engine calls
 * flow_hash_packet() to choose the worker that owns a flow.
 *
 * Keys, following Suricata's flow-hash.c:
 *  - TCP, UDP, SCTP: (ip_ver, proto, addresses, ports, VLAN ids, tunnel level);
 *  - ESP: the same with both ports 0 (Suricata adds the SPI, which the
 *    Packet does not carry);
 *  - other IP protocols (GRE, OSPF, IGMP, ...) get no flow: Suricata's
 *    decoders set up a flow only for the protocols above and ICMP; a
 *    tunnel's inner packet gets its own flow;
 *  - ICMP/ICMPv6 non-errors: ports replaced by (class, id): the class is the
 *    request type of a request/reply pair (echo 8/0 -> 8, ICMPv6 echo 128/129
 *    -> 128, ...) or the type itself, so that a request and its reply meet;
 *    the id (echo-like messages only) separates concurrent pings;
 *  - ICMP errors quoting a datagram (PKT_HAS_ICMP_INNER): the key of the
 *    quoted datagram, so that the error joins that flow. The table never
 *    creates a flow for an error, quoted or not (Suricata's FlowCreateCheck
 *    does the same). Suricata matches only ICMPv4 destination unreachable
 *    this way; kasbah takes every ICMPv4 error (3, 4, 5, 11, 12) and every
 *    ICMPv6 error (types below 128), which is what an analyst expects.
 *
 * Invariant: flow_key_hash(k) == flow_key_hash(reverse(k)) for every key;
 * the tests check it.
 */
#include "flow/flow_int.h"

#include <string.h>

/* ---- ICMP classification ---- */

bool flow_icmp_is_error(uint8_t proto, uint8_t type)
{
    if (proto == FLOW_IPPROTO_ICMPV6)
        return type < 128; /* RFC 4443 2.1: types 0-127 are errors */
    if (proto == FLOW_IPPROTO_ICMP) {
        switch (type) {
        case 3:  /* destination unreachable */
        case 4:  /* source quench */
        case 5:  /* redirect */
        case 11: /* time exceeded */
        case 12: /* parameter problem */
            return true;
        default:
            return false;
        }
    }
    return false;
}

/* The class of an ICMP type (see the file comment); *echo_like says whether
 * the message carries an identifier that names the exchange. */
static uint8_t icmp_class(uint8_t proto, uint8_t type, bool *echo_like)
{
    *echo_like = false;
    if (proto == FLOW_IPPROTO_ICMP) {
        switch (type) {
        case 0: case 8:   *echo_like = true; return 8;  /* echo */
        case 13: case 14: *echo_like = true; return 13; /* timestamp */
        case 15: case 16: *echo_like = true; return 15; /* information */
        case 17: case 18: *echo_like = true; return 17; /* address mask */
        case 9: case 10:  return 10;                    /* router solicitation/advert */
        default: return type;
        }
    }
    switch (type) {
    case 128: case 129: *echo_like = true; return 128; /* echo */
    case 130: case 131: return 130;                    /* MLD query/report */
    case 133: case 134: return 133;                    /* router solicitation/advert */
    case 135: case 136: return 135;                    /* neighbour solicitation/advert */
    case 139: case 140: *echo_like = true; return 139; /* node information */
    default: return type;
    }
}

static bool is_icmp(uint8_t proto)
{
    return proto == FLOW_IPPROTO_ICMP || proto == FLOW_IPPROTO_ICMPV6;
}

static void key_common(const Packet *p, FlowKey *k)
{
    memset(k, 0, sizeof *k);
    k->n_vlan = p->n_vlan > PKT_MAX_VLAN ? PKT_MAX_VLAN : p->n_vlan;
    for (unsigned i = 0; i < k->n_vlan; i++)
        k->vlan_id[i] = p->vlan_id[i];
    k->tunnel = p->tunnel_depth != 0 ? p->tunnel_depth : pkt_has(p, PKT_IS_TUNNEL_INNER) ? 1 : 0;
}

/* The key of the datagram an ICMP error quotes. */
static FlowPktKind key_from_inner(const Packet *p, FlowKey *k)
{
    const IcmpInner *in = &p->icmp_inner;
    if (in->ip_ver != 4 && in->ip_ver != 6)
        return FLOW_PKT_NONE;
    /* Only protocols that have flows; a quoted ICMP message (which would
     * need its id, not quoted here) is not matched either. */
    if (in->proto != FLOW_IPPROTO_TCP && in->proto != FLOW_IPPROTO_UDP &&
        in->proto != FLOW_IPPROTO_SCTP && in->proto != FLOW_IPPROTO_ESP)
        return FLOW_PKT_NONE;
    bool ported = in->proto != FLOW_IPPROTO_ESP;
    if (ported && !in->has_ports)
        return FLOW_PKT_NONE;
    key_common(p, k);
    k->ip_ver = in->ip_ver;
    k->proto = in->proto;
    k->addr[0] = in->src;
    k->addr[1] = in->dst;
    if (ported) {
        k->port[0] = in->sp;
        k->port[1] = in->dp;
    }
    return FLOW_PKT_ICMP_ERROR;
}

FlowPktKind flow_key_from_packet(const Packet *p, FlowKey *k)
{
    if (p->ip_ver == 4) {
        if (!pkt_has(p, PKT_HAS_IPV4))
            return FLOW_PKT_NONE;
    } else if (p->ip_ver == 6) {
        if (!pkt_has(p, PKT_HAS_IPV6))
            return FLOW_PKT_NONE;
    } else {
        return FLOW_PKT_NONE;
    }
    if (pkt_has(p, PKT_IS_FRAGMENT) && !pkt_has(p, PKT_IS_REASSEMBLED))
        return FLOW_PKT_NONE;

    uint8_t proto = p->ip_proto;
    switch (proto) {
    case FLOW_IPPROTO_TCP:
        if (!pkt_has(p, PKT_HAS_TCP))
            return FLOW_PKT_NONE;
        break;
    case FLOW_IPPROTO_UDP:
        if (!pkt_has(p, PKT_HAS_UDP))
            return FLOW_PKT_NONE;
        break;
    case FLOW_IPPROTO_ICMP:
        if (!pkt_has(p, PKT_HAS_ICMPV4))
            return FLOW_PKT_NONE;
        break;
    case FLOW_IPPROTO_ICMPV6:
        if (!pkt_has(p, PKT_HAS_ICMPV6))
            return FLOW_PKT_NONE;
        break;
    case FLOW_IPPROTO_SCTP:
    case FLOW_IPPROTO_ESP:
        break;
    default:
        return FLOW_PKT_NONE;
    }

    if (is_icmp(proto) && flow_icmp_is_error(proto, p->icmp_type)) {
        if (!pkt_has(p, PKT_HAS_ICMP_INNER))
            return FLOW_PKT_NONE;
        return key_from_inner(p, k);
    }

    key_common(p, k);
    k->ip_ver = p->ip_ver;
    k->proto = proto;
    k->addr[0] = p->src;
    k->addr[1] = p->dst;
    if (proto == FLOW_IPPROTO_TCP || proto == FLOW_IPPROTO_UDP || proto == FLOW_IPPROTO_SCTP) {
        k->port[0] = p->sp;
        k->port[1] = p->dp;
    } else if (is_icmp(proto)) {
        bool echo_like;
        k->port[0] = icmp_class(proto, p->icmp_type, &echo_like);
        k->port[1] = echo_like ? p->icmp_id : 0;
    }
    return FLOW_PKT_NORMAL;
}

/* ---- hashing ---- */

/* A fixed seed: the hash picks worker threads, and output must not depend on
 * a random value. (Hash flooding is bounded by the memcap and chain walks.) */
#define FLOW_HASH_SEED 0x6b617362u /* "kasb" */

static inline uint32_t rotl32(uint32_t x, unsigned r) { return (x << r) | (x >> (32 - r)); }

/* One round of a multiply-rotate mixer (the MurmurHash3 block step). */
static inline uint32_t mix(uint32_t h, uint32_t w)
{
    w *= 0xcc9e2d51u;
    w = rotl32(w, 15);
    w *= 0x1b873593u;
    h ^= w;
    h = rotl32(h, 13);
    return h * 5u + 0xe6546b64u;
}

static inline uint32_t avalanche(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

uint32_t flow_key_hash(const FlowKey *k)
{
    /* Order the two addresses, and separately the two ports, as Suricata
     * does: the result is the same whichever side sent the packet. */
    const IpAddr *lo = &k->addr[0], *hi = &k->addr[1];
    if (memcmp(lo->b, hi->b, sizeof lo->b) > 0) {
        lo = &k->addr[1];
        hi = &k->addr[0];
    }
    uint16_t plo = k->port[0], phi = k->port[1];
    if (plo > phi) {
        plo = k->port[1];
        phi = k->port[0];
    }
    uint32_t h = FLOW_HASH_SEED;
    unsigned nw = k->ip_ver == 6 ? 4 : 1;
    for (unsigned i = 0; i < nw; i++)
        h = mix(h, lo->w[i]);
    for (unsigned i = 0; i < nw; i++)
        h = mix(h, hi->w[i]);
    h = mix(h, ((uint32_t)plo << 16) | phi);
    h = mix(h, (uint32_t)k->proto | ((uint32_t)k->ip_ver << 8) | ((uint32_t)k->n_vlan << 16) |
                   ((uint32_t)k->tunnel << 24));
    for (unsigned i = 0; i < k->n_vlan && i < PKT_MAX_VLAN; i++)
        h = mix(h, k->vlan_id[i]);
    return avalanche(h);
}

uint32_t flow_hash_packet(const Packet *p)
{
    FlowKey k;
    if (flow_key_from_packet(p, &k) == FLOW_PKT_NONE)
        return 0;
    return flow_key_hash(&k);
}

static inline bool addr_eq(const IpAddr *a, const IpAddr *b)
{
    return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2] && a->w[3] == b->w[3];
}

bool flow_key_match(const FlowKey *fk, const FlowKey *k, bool *client_to_server)
{
    if (fk->proto != k->proto || fk->ip_ver != k->ip_ver || fk->n_vlan != k->n_vlan ||
        fk->tunnel != k->tunnel)
        return false;
    for (unsigned i = 0; i < fk->n_vlan && i < PKT_MAX_VLAN; i++)
        if (fk->vlan_id[i] != k->vlan_id[i])
            return false;

    if (is_icmp(fk->proto)) {
        /* (class, id) names the exchange, not a side: compare it as is. */
        if (fk->port[0] != k->port[0] || fk->port[1] != k->port[1])
            return false;
        if (addr_eq(&fk->addr[0], &k->addr[0]) && addr_eq(&fk->addr[1], &k->addr[1])) {
            *client_to_server = true;
            return true;
        }
        if (addr_eq(&fk->addr[0], &k->addr[1]) && addr_eq(&fk->addr[1], &k->addr[0])) {
            *client_to_server = false;
            return true;
        }
        return false;
    }

    if (fk->port[0] == k->port[0] && fk->port[1] == k->port[1] &&
        addr_eq(&fk->addr[0], &k->addr[0]) && addr_eq(&fk->addr[1], &k->addr[1])) {
        *client_to_server = true;
        return true;
    }
    if (fk->port[0] == k->port[1] && fk->port[1] == k->port[0] &&
        addr_eq(&fk->addr[0], &k->addr[1]) && addr_eq(&fk->addr[1], &k->addr[0])) {
        *client_to_server = false;
        return true;
    }
    return false;
}

/* ---- flow_id ---- */

/* FNV-1a over explicit fields (never over struct bytes, whose padding is
 * unspecified), then a 64-bit finaliser so that nearby inputs spread. */
static uint64_t fnv_bytes(uint64_t h, const void *buf, size_t len)
{
    const uint8_t *b = buf;
    for (size_t i = 0; i < len; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
    uint8_t b[8];
    for (unsigned i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return fnv_bytes(h, b, sizeof b);
}

uint64_t flow_id_make(const FlowKey *k, int64_t start_ns, uint64_t pcap_cnt)
{
    uint64_t h = 0xcbf29ce484222325ull;
    uint8_t hdr[4] = {k->ip_ver, k->proto, k->n_vlan, k->tunnel};
    h = fnv_bytes(h, hdr, sizeof hdr);
    for (unsigned i = 0; i < PKT_MAX_VLAN; i++)
        h = fnv_u64(h, i < k->n_vlan ? k->vlan_id[i] : 0);
    h = fnv_bytes(h, k->addr[0].b, sizeof k->addr[0].b);
    h = fnv_bytes(h, k->addr[1].b, sizeof k->addr[1].b);
    h = fnv_u64(h, ((uint64_t)k->port[0] << 16) | k->port[1]);
    h = fnv_u64(h, (uint64_t)start_ns);
    h = fnv_u64(h, pcap_cnt);
    /* splitmix64 finaliser */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    /* below 2^51: exact in a JSON double, as Suricata keeps flow_id < 2^53 */
    h &= (1ull << 51) - 1;
    return h == 0 ? 1 : h;
}
