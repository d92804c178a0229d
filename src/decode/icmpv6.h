/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * icmpv6.h: ICMP for IPv6 (RFC 4443; neighbour discovery RFC 4861; MLD
 * RFC 2710 / RFC 3810).
 *
 *    0      8      16            31
 *   | type | code | checksum     |   checksum covers the IPv6 pseudo header
 *   | message body (4) ...       |   echo: id(2) seq(2)
 *
 * Error messages (1 destination unreachable, 2 packet too big, 3 time
 * exceeded, 4 parameter problem) quote as much of the offending packet as
 * fits; its IPv6 header (and, past plain extension headers, TCP/UDP ports)
 * go to Packet.icmp_inner. MLD messages must have hop limit 1
 * (icmpv6.mld_message_with_invalid_hl). Entry point in decode_int.h.
 */
#ifndef KASBAH_DECODE_ICMPV6_H
#define KASBAH_DECODE_ICMPV6_H

#define ICMPV6_HDR_LEN 8

enum {
    ICMPV6_DST_UNREACH = 1,
    ICMPV6_PACKET_TOO_BIG = 2,
    ICMPV6_TIME_EXCEEDED = 3,
    ICMPV6_PARAM_PROB = 4,
    ICMPV6_ECHO_REQUEST = 128,
    ICMPV6_ECHO_REPLY = 129,
    ICMPV6_MLD_QUERY = 130,
    ICMPV6_MLD_REPORT = 131,
    ICMPV6_MLD_DONE = 132,
    ICMPV6_ND_ROUTER_SOLICIT = 133,
    ICMPV6_ND_REDIRECT = 137,
    ICMPV6_MLD2_REPORT = 143,
};

#endif
