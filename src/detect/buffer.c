/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * buffer.c: the registry of inspectable buffers (see buffer.h) and the
 * getters of the packet-layer ones.
 */
#include "detect/buffer.h"

#include <string.h>

typedef struct BufDef {
    char name[48];
    DetectBufferGetter getter;
    DetectTxBufferGetter tx_getter; /* app-layer buffers only */
    int tx_sub;
    uint16_t app_proto;
} BufDef;

static BufDef bufs[DETECT_BUF_MAX];
static int n_bufs;

int detect_buffer_find(const char *name)
{
    for (int i = 0; i < n_bufs; i++)
        if (strcmp(bufs[i].name, name) == 0)
            return i;
    return -1;
}

/* The packet getter of transaction buffers: a packet alone has none. */
static bool get_none(const Packet *p, const uint8_t **buf, uint32_t *len)
{
    (void)p;
    (void)buf;
    (void)len;
    return false;
}

int detect_buffer_register_tx(const char *name, DetectTxBufferGetter getter, int sub,
                              uint16_t app_proto)
{
    int id = detect_buffer_register(name, get_none);
    if (id < 0)
        return -1;
    bufs[id].getter = get_none;
    bufs[id].tx_getter = getter;
    bufs[id].tx_sub = sub;
    bufs[id].app_proto = app_proto;
    return id;
}

DetectTxBufferGetter detect_buffer_tx_getter(int id)
{
    return (id >= 0 && id < n_bufs) ? bufs[id].tx_getter : NULL;
}

int detect_buffer_tx_sub(int id) { return (id >= 0 && id < n_bufs) ? bufs[id].tx_sub : -1; }

uint16_t detect_buffer_app_proto(int id) { return (id >= 0 && id < n_bufs) ? bufs[id].app_proto : 0; }

int detect_buffer_register(const char *name, DetectBufferGetter getter)
{
    int id = detect_buffer_find(name);
    if (id >= 0) {
        if (getter)
            bufs[id].getter = getter;
        return id;
    }
    size_t len = strlen(name);
    if (n_bufs >= DETECT_BUF_MAX || len >= sizeof bufs[0].name)
        return -1;
    memcpy(bufs[n_bufs].name, name, len + 1);
    bufs[n_bufs].getter = getter;
    return n_bufs++;
}

void detect_buffer_set_getter(int id, DetectBufferGetter getter)
{
    if (id >= 0 && id < n_bufs)
        bufs[id].getter = getter;
}

const char *detect_buffer_name(int id) { return (id >= 0 && id < n_bufs) ? bufs[id].name : "?"; }

DetectBufferGetter detect_buffer_getter(int id) { return (id >= 0 && id < n_bufs) ? bufs[id].getter : NULL; }

static bool get_payload(const Packet *p, const uint8_t **buf, uint32_t *len)
{
    *buf = p->payload;
    *len = p->payload_len;
    return p->payload != NULL || p->payload_len == 0;
}

/* The header at [off, off + hlen) of the captured bytes, when present. */
static bool header_span(const Packet *p, uint32_t off, uint32_t hlen, const uint8_t **buf, uint32_t *len)
{
    if (p->data == NULL || off > p->caplen || hlen > p->caplen - off || hlen == 0)
        return false;
    *buf = p->data + off;
    *len = hlen;
    return true;
}

static bool get_tcp_hdr(const Packet *p, const uint8_t **buf, uint32_t *len)
{
    return pkt_has(p, PKT_HAS_TCP) && header_span(p, p->l4_off, p->l4_hlen, buf, len);
}

static bool get_udp_hdr(const Packet *p, const uint8_t **buf, uint32_t *len)
{
    return pkt_has(p, PKT_HAS_UDP) && header_span(p, p->l4_off, p->l4_hlen, buf, len);
}

static bool get_ipv4_hdr(const Packet *p, const uint8_t **buf, uint32_t *len)
{
    return pkt_has(p, PKT_HAS_IPV4) && header_span(p, p->l3_off, p->ip_hlen, buf, len);
}

static bool get_ipv6_hdr(const Packet *p, const uint8_t **buf, uint32_t *len)
{
    return pkt_has(p, PKT_HAS_IPV6) && header_span(p, p->l3_off, p->ip_hlen, buf, len);
}

static bool get_icmpv4_hdr(const Packet *p, const uint8_t **buf, uint32_t *len)
{
    return pkt_has(p, PKT_HAS_ICMPV4) && header_span(p, p->l4_off, p->l4_hlen, buf, len);
}

void detect_buffers_init(void)
{
    if (n_bufs > 0)
        return;
    /* order must follow the DETECT_BUF_* enum */
    detect_buffer_register("payload", get_payload);
    detect_buffer_register("tcp.hdr", get_tcp_hdr);
    detect_buffer_register("udp.hdr", get_udp_hdr);
    detect_buffer_register("ipv4.hdr", get_ipv4_hdr);
    detect_buffer_register("ipv6.hdr", get_ipv6_hdr);
    detect_buffer_register("icmpv4.hdr", get_icmpv4_hdr);
}
