/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * buffer.h: the registry of inspectable buffers.
 *
 * Payload keywords (content, pcre, isdataat, byte_*) inspect a buffer: the
 * packet payload by default, or the one a sticky-buffer keyword selected
 * (`tcp.hdr; content:...`, `http.uri; content:...`). Each buffer has an id,
 * a name, and a getter that returns its bytes for a packet.
 *
 * Buffers nobody provides yet (the app-layer ones, until issue 4) are
 * registered with getter NULL: rules naming them parse completely (so their
 * other errors are found) and are then rejected with reason
 * "needs app-layer: <buffer>", which keeps `N loaded` honest: a loaded rule
 * is one that can match. When the app-layer lands it registers a getter
 * (detect_buffer_set_getter) and those rules load unchanged.
 *
 * Registration happens once before rules load (not thread-safe); lookups
 * and getters are read-only afterwards.
 */
#ifndef KASBAH_DETECT_BUFFER_H
#define KASBAH_DETECT_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/packet.h"
#include "flow/flow.h"

/* Ids of the buffers the packet layer provides. */
enum {
    DETECT_BUF_PAYLOAD = 0,  /* packet payload (TCP/UDP data, ICMP data, IP payload) */
    DETECT_BUF_TCP_HDR,      /* tcp.hdr: TCP header incl. options */
    DETECT_BUF_UDP_HDR,      /* udp.hdr */
    DETECT_BUF_IPV4_HDR,     /* ipv4.hdr: IPv4 header incl. options */
    DETECT_BUF_IPV6_HDR,     /* ipv6.hdr */
    DETECT_BUF_ICMPV4_HDR,   /* icmpv4.hdr */
    DETECT_BUF_FIRST_DYNAMIC,
};

#define DETECT_BUF_MAX 128

/* Fill *buf and *len with the buffer for p (direction from p->to_server).
 * Return false when the packet has no such buffer. */
typedef bool (*DetectBufferGetter)(const Packet *p, const uint8_t **buf, uint32_t *len);

/* Register (or find) a buffer by name; returns its id, -1 when full.
 * getter may be NULL (buffer parses but rules using it cannot load). */
int detect_buffer_register(const char *name, DetectBufferGetter getter);

/* Provide a getter later (app-layer). */
void detect_buffer_set_getter(int id, DetectBufferGetter getter);

/*
 * Transaction buffers (app-layer): the bytes of buffer `sub` (the protocol's
 * own buffer id) of transaction tx, for direction dir (0 to server; used by
 * buffers that exist on both sides), instance idx (multi-buffers such as
 * dns.query: 0, 1, ... until false). Bytes stay valid until the tx is parsed
 * further or freed. tx is not const: some buffers are built on first use.
 */
typedef bool (*DetectTxBufferGetter)(void *tx, int sub, unsigned dir, uint32_t idx,
                                     const uint8_t **buf, uint32_t *len);

/* Make buffer `name` a transaction buffer of app_proto (AppProto) served by
 * getter with sub-id sub. Its packet getter becomes one that never has
 * bytes, so rules using it load; detect.c inspects it per transaction.
 * Returns the id, -1 when full. Start-up only. */
int detect_buffer_register_tx(const char *name, DetectTxBufferGetter getter, int sub,
                              uint16_t app_proto);

/* The transaction getter of id (NULL for packet buffers), its sub-id and
 * protocol. */
DetectTxBufferGetter detect_buffer_tx_getter(int id);
int detect_buffer_tx_sub(int id);
uint16_t detect_buffer_app_proto(int id);

/* Register the app-layer transaction buffers (txbuf.c; idempotent). */
void detect_tx_buffers_init(void);

/* Lookups. */
int detect_buffer_find(const char *name);
const char *detect_buffer_name(int id);
DetectBufferGetter detect_buffer_getter(int id);

/* Register the packet-layer buffers (idempotent). */
void detect_buffers_init(void);

#endif
