/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * udp.h: the User Datagram Protocol (RFC 768; over IPv6, RFC 8200 s8.1).
 *
 *    0               16              31
 *   | source port   | dest port      |
 *   | length        | checksum       |
 *
 * length covers header + data and must be >= 8 (udp.len_invalid) and fit
 * in the IP payload (udp.pkt_too_small); when it is shorter than the IP
 * payload the event is udp.hlen_invalid and the datagram is taken at its
 * own length. A zero checksum means "none" over IPv4 and is wrong over
 * IPv6. Well-known tunnel ports continue into tunnel.c: VXLAN (4789,
 * RFC 7348), GTP-U (2152, 3GPP TS 29.281), Geneve (6081, RFC 8926) and
 * Teredo (3544, RFC 4380). Entry point in decode_int.h.
 */
#ifndef KASBAH_DECODE_UDP_H
#define KASBAH_DECODE_UDP_H

#define UDP_HDR_LEN 8
#define UDP_PORT_VXLAN 4789
#define UDP_PORT_GTPU 2152
#define UDP_PORT_GENEVE 6081
#define UDP_PORT_TEREDO 3544

#endif
