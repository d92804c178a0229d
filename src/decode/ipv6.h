/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipv6.h: Internet Protocol version 6 (RFC 8200) and its extension headers.
 *
 *    0     4              12                      31
 *   | v=6 | traffic class | flow label             |
 *   | payload length      | next hdr | hop limit   |
 *   | source address (16)                          |
 *   | destination address (16)                     |
 *
 * Extension headers are walked in order until a transport (or unknown)
 * protocol: hop-by-hop (0), routing (43), destination options (60) and
 * mobility (135) are next(1) len(1) with (len+1)*8 bytes; AH (51, RFC 4302)
 * is (len+2)*4 bytes; the fragment header (44) is 8 bytes:
 *   | next | reserved | offset(13) res(2) M(1) | identification(32) |
 * ESP (50, RFC 4303) ends the walk (the rest is encrypted), as does
 * No Next Header (59). Packet.ip6_exthdrs records the headers seen as the
 * IPV6_EXT_* bits below; Packet.ip_hlen covers the fixed header and all
 * extension headers.
 *
 * A fragment with offset 0 and M clear ("atomic fragment", RFC 6946) is
 * the event ipv6.exthdr_useless_fh and is decoded as a whole packet.
 * Entry point in decode_int.h.
 */
#ifndef KASBAH_DECODE_IPV6_H
#define KASBAH_DECODE_IPV6_H

#define IPV6_HDR_LEN 40

enum {
    IPV6_EXT_HOPOPTS = 1u << 0,
    IPV6_EXT_ROUTING = 1u << 1,
    IPV6_EXT_FRAGMENT = 1u << 2,
    IPV6_EXT_DSTOPTS = 1u << 3,
    IPV6_EXT_AH = 1u << 4,
    IPV6_EXT_ESP = 1u << 5,
    IPV6_EXT_NONE = 1u << 6,
    IPV6_EXT_MH = 1u << 7,
};

/* Most extension headers one packet may carry before we stop walking. */
#define IPV6_MAX_EXTHDRS 16

#endif
