/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipv4.h: Internet Protocol version 4 (RFC 791).
 *
 *    0       4       8              16      19                      31
 *   | ver=4 | IHL   | TOS          | total length                  |
 *   | identification               | flags | fragment offset       |
 *   | TTL           | protocol     | header checksum               |
 *   | source address                                               |
 *   | destination address                                          |
 *   | options (IHL*4 - 20 bytes) ...                               |
 *
 * Options are type(1) [length(1) data(length-2)]; EOL (0) ends the list,
 * NOP (1) has no length. Packet.ipopts records the options seen as
 * IPV4_OPTBIT(type): one bit per option number (the low 5 bits of the
 * type); the options the `ipopts` rule keyword names all have distinct
 * numbers, so no two share a bit.
 *
 * Decoding checks, in Suricata's order: 20 bytes present
 * (ipv4.pkt_too_small), version (ipv4.wrong_ip_version), IHL >= 5
 * (ipv4.hlen_too_small), total length >= IHL*4
 * (ipv4.iplen_smaller_than_hlen), total length within what was on the wire
 * (ipv4.trunc_pkt). A capture cut by snaplen is not trunc_pkt: the
 * headers that were captured are decoded. Entry point in decode_int.h.
 */
#ifndef KASBAH_DECODE_IPV4_H
#define KASBAH_DECODE_IPV4_H

#include <stdint.h>

#define IPV4_HDR_LEN 20

enum {
    IPV4_OPT_EOL = 0,
    IPV4_OPT_NOP = 1,
    IPV4_OPT_RR = 7,
    IPV4_OPT_QS = 25,
    IPV4_OPT_TS = 68,
    IPV4_OPT_SEC = 130,
    IPV4_OPT_LSRR = 131,
    IPV4_OPT_ESEC = 133,
    IPV4_OPT_CIPSO = 134,
    IPV4_OPT_SID = 136,
    IPV4_OPT_SSRR = 137,
    IPV4_OPT_RTRALT = 148,
};

#define IPV4_OPTBIT(type) (UINT32_C(1) << ((type) & 31))

/* IP protocol numbers the decoders dispatch on. */
enum {
    IPPROTO_NUM_HOPOPTS = 0,
    IPPROTO_NUM_ICMP = 1,
    IPPROTO_NUM_IPIP = 4,
    IPPROTO_NUM_TCP = 6,
    IPPROTO_NUM_UDP = 17,
    IPPROTO_NUM_IPV6 = 41,
    IPPROTO_NUM_ROUTING = 43,
    IPPROTO_NUM_FRAGMENT = 44,
    IPPROTO_NUM_GRE = 47,
    IPPROTO_NUM_ESP = 50,
    IPPROTO_NUM_AH = 51,
    IPPROTO_NUM_ICMPV6 = 58,
    IPPROTO_NUM_NONE = 59,
    IPPROTO_NUM_DSTOPTS = 60,
    IPPROTO_NUM_MH = 135,
    IPPROTO_NUM_SCTP = 132,
};

#endif
