/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tunnel.h: encapsulations. Two kinds, decoded differently:
 *
 * Link-level shims, decoded inline in the same Packet (as Suricata does):
 *   MPLS (RFC 3032)   | label(20) TC(3) S(1) TTL(8) |, repeated until S;
 *                     the payload is guessed from the label (0 IPv4
 *                     explicit null, 2 IPv6) or the first nibble (4, 6;
 *                     0 = pseudowire control word (RFC 4385), then Ethernet).
 *   PPPoE session (RFC 2516)  | ver/type(1)=0x11 | code(1)=0 | session(2) |
 *                     length(2) | PPP protocol ...
 *   NSH (RFC 8300), ethertype 0x894f
 *     | ver(2)=0 O U TTL(6) length(6, 4-byte words) | U(4) MD type(4) |
 *     next protocol(1) | service path id(3) | service index(1) | context...
 *     MD type 1: length 6 (24 bytes); MD type 2: variable; 0 and 15 are
 *     reserved. Next protocol 1 IPv4, 2 IPv6, 3 Ethernet, 5 MPLS (4, NSH
 *     in NSH, is not decoded: nsh.unsupported_type), as Suricata.
 *
 * Tunnels, whose inner packet becomes a pseudo packet (PKT_IS_TUNNEL_INNER,
 * see decode.h for the chain contract) with its own layers and flow:
 *   GRE v0 (RFC 2784, RFC 2890 key/sequence, RFC 1701 routing)
 *     | C R K S s recur(3) flags(5) ver(3) | protocol(2) |
 *     [checksum(2) offset(2)] [key(4)] [sequence(4)] [SREs ...]
 *     protocol 0x0800 IPv4, 0x86dd IPv6, 0x6558 Ethernet, 0x8847 MPLS,
 *     0x88be ERSPAN: type II when the GRE sequence bit is set (8-byte
 *     header, version 1, then Ethernet), type I (bare Ethernet) when not.
 *   GRE v1 (RFC 2637, PPTP)   K set, protocol 0x880b, [seq] [ack], PPP.
 *   IP-in-IP (RFC 2003), IPv6-in-IPv4 (RFC 4213), IPv4/IPv6-in-IPv6
 *     (RFC 2473): IP protocol 4 or 41.
 *   VXLAN (RFC 7348), UDP 4789   | flags(1), I=0x08 | rsv(3) | VNI(3) | rsv |
 *     then Ethernet.
 *   Geneve (RFC 8926), UDP 6081
 *     | ver(2) optlen(6) | O C rsv(6) | protocol(2) | VNI(3) | rsv |
 *     options (optlen*4 bytes); protocol 0x6558 Ethernet, or IPv4/IPv6.
 *   Teredo (RFC 4380), UDP 3544: optional authentication (00 01 ...) and
 *     origin indication (00 00, 8 bytes) before a bare IPv6 packet; taken
 *     as Teredo only when the IPv6 header's payload length matches the
 *     bytes left (Suricata's rule), since the port alone is weak.
 *   GTP-U v1 (3GPP TS 29.281), UDP 2152
 *     | ver(3)=1 PT(1)=1 rsv E S PN | type(1) | length(2) | TEID(4) |
 *     [seq(2) N-PDU(1) next-ext(1)] [extensions: len(1, in 4-byte units)
 *     ... next(1)] ; type 0xff (G-PDU) carries an IPv4/IPv6 packet.
 *
 * Nesting is bounded by DECODE_MAX_TUNNEL_DEPTH (event too_many_layers).
 * A UDP port is only a hint: a VXLAN/GTP header that does not parse
 * leaves the outer packet as plain UDP. Entry points in decode_int.h.
 */
#ifndef KASBAH_DECODE_TUNNEL_H
#define KASBAH_DECODE_TUNNEL_H

#define GRE_HDR_LEN 4
#define VXLAN_HDR_LEN 8
#define GTP_HDR_LEN 8
#define MPLS_MAX_LABELS 16

#endif
