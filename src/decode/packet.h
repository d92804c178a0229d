/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * packet.h: the Packet, what every stage after capture reads.
 *
 * capture/ fills the first block (bytes, lengths, time, link type, pcap_cnt);
 * decode/ fills the layers and records events; flow/ sets `flow` and
 * `to_server`; later stages read it. A Packet is borrowed by each stage for
 * the duration of one call; `data` points into the capture's buffer (or into
 * `owned` for datagrams defrag built, or into the outer packet's bytes for
 * the inner packet of a tunnel; see decode.h for the chain of such pseudo
 * packets).
 *
 * Fields of a layer are valid only when the layer's presence flag says so
 * (PKT_HAS_*). Offsets are from `data`.
 */
#ifndef KASBAH_DECODE_PACKET_H
#define KASBAH_DECODE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

struct Flow;

/* An IPv4 or IPv6 address; IPv4 lives in b[0..3] with the rest zero. */
typedef union IpAddr {
    uint8_t b[16];
    uint32_t w[4];
} IpAddr;

/* Layer presence flags (Packet.flags). */
enum {
    PKT_HAS_ETH = 1u << 0,
    PKT_HAS_VLAN = 1u << 1,
    PKT_HAS_ARP = 1u << 2,
    PKT_HAS_IPV4 = 1u << 3,
    PKT_HAS_IPV6 = 1u << 4,
    PKT_HAS_TCP = 1u << 5,
    PKT_HAS_UDP = 1u << 6,
    PKT_HAS_ICMPV4 = 1u << 7,
    PKT_HAS_ICMPV6 = 1u << 8,
    PKT_IS_FRAGMENT = 1u << 9,     /* an IP fragment (not itself decoded past L3) */
    PKT_IS_REASSEMBLED = 1u << 10, /* built by defrag from fragments */
    PKT_HAS_ICMP_INNER = 1u << 11, /* an ICMP error quoting an IP header (icmp_inner valid) */
    PKT_IPV4_CSUM_BAD = 1u << 12,
    PKT_L4_CSUM_BAD = 1u << 13,    /* TCP/UDP/ICMP checksum wrong (only when validated) */
    PKT_IS_TUNNEL_INNER = 1u << 14,/* layers are those inside a tunnel */
    PKT_IS_PSEUDO = 1u << 15,      /* not a wire packet (reassembled, flush) */
};

/* TCP flag bits as on the wire. */
enum {
    TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08,
    TCP_ACK = 0x10, TCP_URG = 0x20, TCP_ECE = 0x40, TCP_CWR = 0x80,
};

#define PKT_MAX_VLAN 3
#define PKT_MAX_EVENTS 8

/* The IP + transport header that an ICMP error message quotes. */
typedef struct IcmpInner {
    uint8_t ip_ver;     /* 4 or 6 */
    uint8_t proto;      /* quoted IP protocol */
    IpAddr src, dst;
    uint16_t sp, dp;    /* quoted TCP/UDP ports when has_ports */
    bool has_ports;
} IcmpInner;

typedef struct Packet {
    /* ---- filled by capture ---- */
    const uint8_t *data;   /* captured bytes */
    uint32_t caplen;       /* bytes in data */
    uint32_t wirelen;      /* original length on the wire (>= caplen) */
    int datalink;          /* DLT_* of the capture */
    int64_t ts_ns;         /* capture time, ns since the epoch */
    uint64_t pcap_cnt;     /* 1-based position in the input (0 for pseudo packets) */

    /* ---- filled by decode ---- */
    uint32_t flags;        /* PKT_HAS_* and friends */

    uint8_t eth_src[6], eth_dst[6];
    uint16_t eth_type;     /* innermost ethertype */
    uint16_t vlan_id[PKT_MAX_VLAN];
    uint8_t n_vlan;

    /* ARP (PKT_HAS_ARP) */
    uint16_t arp_op;
    uint8_t arp_sha[6], arp_tha[6];
    uint8_t arp_spa[4], arp_tpa[4];

    /* IP (PKT_HAS_IPV4 / PKT_HAS_IPV6) */
    uint8_t ip_ver;        /* 4, 6, or 0 */
    IpAddr src, dst;
    uint16_t l3_off;       /* offset of the IP header */
    uint16_t ip_hlen;      /* IPv4 header incl. options; IPv6 fixed + extension headers */
    uint32_t ip_len;       /* IPv4 total length / IPv6 40 + payload length */
    uint8_t ip_proto;      /* transport protocol (after IPv6 extension headers) */
    uint8_t ip_ttl;        /* TTL / hop limit */
    uint8_t ip_tos;        /* TOS / traffic class */
    uint16_t ip_id;        /* IPv4 id (IPv6: low 16 bits of the fragment id) */
    uint16_t frag_off;     /* fragment offset in 8-byte units */
    uint8_t frag_flags;    /* IPv4 bits: 0x4 RF, 0x2 DF, 0x1 MF (IPv6: MF only) */
    uint32_t ipopts;       /* IPv4 options seen: bit n = option type (n & 31) class */
    uint32_t ip6_exthdrs;  /* IPv6 extension headers seen, bit per IPPROTO (see ipv6.h) */

    /* transport */
    uint16_t l4_off;       /* offset of the TCP/UDP/ICMP header */
    uint16_t l4_hlen;      /* its length (TCP incl. options; UDP 8; ICMP 4 or 8) */
    uint16_t sp, dp;       /* ports (0 when none) */
    uint32_t tcp_seq, tcp_ack;
    uint16_t tcp_win;
    uint8_t tcp_flags;
    uint8_t tcp_wscale;    /* window scale option, 0xff when absent */
    uint16_t tcp_mss;      /* 0 when absent */
    bool tcp_sack_perm;
    bool tcp_has_ts;
    uint32_t tcp_tsval, tcp_tsecr;
    uint8_t tcp_n_sack;    /* SACK blocks in this segment (0..4) */
    uint32_t tcp_sack_left[4], tcp_sack_right[4];
    uint16_t udp_len;
    uint8_t icmp_type, icmp_code;
    uint16_t icmp_id, icmp_seq; /* echo request/reply and similar */
    IcmpInner icmp_inner;

    /* application bytes: after the transport header, clamped to the IP length */
    const uint8_t *payload;
    uint32_t payload_len;

    /* decoder events (named in decode/events.h); counted even when the list is full */
    uint16_t events[PKT_MAX_EVENTS];
    uint8_t n_events;

    /* ---- filled by flow ---- */
    struct Flow *flow;
    bool to_server;        /* direction relative to the flow's first packet */

    /* ---- filled by stream ---- */
    /* stream events of this packet (StreamEvent values, stream/events.h);
     * counted even when the list is full */
    uint16_t stream_events[PKT_MAX_EVENTS];
    uint8_t n_stream_events;

    /* ---- buffer management ---- */
    uint8_t *owned;        /* heap buffer `data` points into, freed with the packet */
    struct Packet *next;   /* next pseudo packet of the chain decode_packet returned */
    uint8_t tunnel_depth;  /* 0 for wire packets, 1 inside one tunnel, ... */
} Packet;

static inline bool pkt_has(const Packet *p, uint32_t f) { return (p->flags & f) != 0; }

#endif
