/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * icmpv4.h: the Internet Control Message Protocol for IPv4 (RFC 792,
 * RFC 950 address mask, RFC 1256 router discovery).
 *
 *    0      8      16            31
 *   | type | code | checksum     |
 *   | rest of header (4)         |   echo, timestamp, info, mask: id(2) seq(2)
 *   | data ...                   |   errors: the offending IP header + 8 bytes
 *
 * Error messages (3 destination unreachable, 4 source quench, 5 redirect,
 * 11 time exceeded, 12 parameter problem) quote the IP header and the first
 * 8 bytes of the datagram that caused them; those go to Packet.icmp_inner
 * (addresses, protocol, and ports for TCP/UDP), so flow/ can attach the
 * error to the quoted flow. Packet.l4_hlen is 8; the payload is what
 * follows. Entry point in decode_int.h.
 */
#ifndef KASBAH_DECODE_ICMPV4_H
#define KASBAH_DECODE_ICMPV4_H

#define ICMPV4_HDR_LEN 8

enum {
    ICMPV4_ECHOREPLY = 0,
    ICMPV4_DEST_UNREACH = 3,
    ICMPV4_SOURCE_QUENCH = 4,
    ICMPV4_REDIRECT = 5,
    ICMPV4_ECHO = 8,
    ICMPV4_ROUTERADVERT = 9,
    ICMPV4_ROUTERSOLICIT = 10,
    ICMPV4_TIME_EXCEEDED = 11,
    ICMPV4_PARAMPROB = 12,
    ICMPV4_TSTAMP = 13,
    ICMPV4_TSTAMPREPLY = 14,
    ICMPV4_IREQ = 15,
    ICMPV4_IREQREPLY = 16,
    ICMPV4_MASKREQ = 17,
    ICMPV4_MASKREPLY = 18,
};

#endif
