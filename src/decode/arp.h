/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arp.h: the Address Resolution Protocol (RFC 826), Ethernet/IPv4 only.
 *
 *   0        2        4     5     6      8        14       18       24       28
 *   | htype  | ptype  | hlen| plen| oper | sha(6) | spa(4) | tha(6) | tpa(4) |
 *
 * Only htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4 fill the Packet's
 * arp_* fields; other combinations are named events and leave PKT_HAS_ARP
 * clear. Entry point in decode_int.h.
 */
#ifndef KASBAH_DECODE_ARP_H
#define KASBAH_DECODE_ARP_H

enum {
    ARP_OP_REQUEST = 1,
    ARP_OP_REPLY = 2,
    ARP_OP_RREQUEST = 3,  /* RARP (RFC 903) */
    ARP_OP_RREPLY = 4,
};

#define ARP_ETH_IPV4_LEN 28

#endif
