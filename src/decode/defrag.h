/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * defrag.h: IPv4 (RFC 791) and IPv6 (RFC 8200 s4.5) fragment reassembly.
 *
 * The public side is in decode.h (DecodeConfig.defrag_*, the reassembled
 * pseudo packets decode_packet returns, decode_defrag_timeout); the
 * per-packet entry point is in decode_int.h. This header documents the
 * limits, which are part of the behaviour rules and EVE users see:
 *
 *   defrag_memcap     bytes held by incomplete datagrams (trackers,
 *                     fragment copies, saved headers), charged to the
 *                     "defrag" MemAccount. A fragment that would exceed it
 *                     drops its whole datagram (defrag.memcap_refused, or
 *                     defrag.max_trackers_reached for a new datagram) and is
 *                     the event <ip>.frag_ignored.
 *   defrag_timeout_s  a datagram not complete this long after its first
 *                     fragment is dropped (defrag.ipv4.timeouts / ipv6).
 *   defrag_max_frags  fragments per datagram; one more drops the datagram
 *                     (defrag.max_frags_reached, <ip>.frag_ignored).
 *
 * DEFRAG_HASH_SIZE is the number of hash buckets: a power of two, sized so
 * that a few thousand concurrent datagrams keep chains short.
 */
#ifndef KASBAH_DECODE_DEFRAG_H
#define KASBAH_DECODE_DEFRAG_H

#define DEFRAG_HASH_SIZE 4096

#endif
