/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dispatch.h: which worker a captured frame goes to, decided by the capture
 * reader from the raw bytes before anything is decoded.
 *
 * The value is a hash of the OUTER IP address pair, sorted, so both
 * directions of a conversation meet on one worker. Why only the address
 * pair (no ports):
 *   - every fragment of a datagram carries the pair but only the first has
 *     ports; the reassembled datagram (and its flow) must be built by the
 *     worker that holds the others, and the same flow's unfragmented packets
 *     must go there too -- so ports cannot take part for any packet;
 *   - tunnelled packets (GRE, IP-in-IP, Teredo, VXLAN, ...) are decoded to
 *     their inner flows by the worker; the outer pair puts every inner flow
 *     of one tunnel with its outer flow without parsing tunnels here;
 *   - an ICMP error joins the flow it quotes (flow/), so for an ICMPv4/v6
 *     error the pair quoted inside it is hashed instead of its own.
 * The price is balance: one busy host pair is one worker's load.
 *
 * Frames whose outer IP header is not found (other link types and
 * encapsulations, ARP, truncated headers) hash to 0, so they all go to
 * worker 0: every frame of the same kind lands in the same place, which is
 * what keeps the records the same at any thread count.
 *
 * Bytes are read through lib/reader.h only. Pure and thread-safe.
 */
#ifndef KASBAH_ENGINE_DISPATCH_H
#define KASBAH_ENGINE_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

/* The symmetric hash of a frame of link type `datalink` (DLT_*); 0 when no
 * IP header was found. */
uint32_t dispatch_hash(const uint8_t *buf, size_t len, int datalink);

#endif
