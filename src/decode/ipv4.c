/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipv4.c: IPv4 header, options and checksum (RFC 791, RFC 1071); hands
 * fragments to defrag.c and everything else to the transport dispatch.
 * Wire format and the order of checks in ipv4.h.
 *
 * Invariants: the layer's reader is clamped to the total length, so
 * Ethernet padding never reaches the transport layer or the payload; a
 * fragment is decoded no further than its IP header (the reassembled
 * datagram, if any, is a pseudo packet). Option errors are recorded but do
 * not stop decoding: the transport layer is still worth seeing.
 */
#include "decode/ipv4.h"

#include "decode/decode_int.h"

/* Length rules for the options we know; 0 = any length >= 2. */
static bool opt_len_ok(uint8_t type, uint8_t len)
{
    switch (type) {
    case IPV4_OPT_RR:
    case IPV4_OPT_LSRR:
    case IPV4_OPT_SSRR:
        return len >= 3;
    case IPV4_OPT_TS:
        return len >= 4;
    case IPV4_OPT_SEC:
    case IPV4_OPT_ESEC:
        return len >= 3;
    case IPV4_OPT_CIPSO:
        return len >= 6;
    case IPV4_OPT_SID:
    case IPV4_OPT_RTRALT:
        return len == 4;
    case IPV4_OPT_QS:
        return len == 8;
    default:
        return true;
    }
}

static bool opt_known(uint8_t type)
{
    switch (type) {
    case IPV4_OPT_RR: case IPV4_OPT_LSRR: case IPV4_OPT_SSRR: case IPV4_OPT_TS:
    case IPV4_OPT_SEC: case IPV4_OPT_ESEC: case IPV4_OPT_CIPSO: case IPV4_OPT_SID:
    case IPV4_OPT_RTRALT: case IPV4_OPT_QS:
        return true;
    default:
        return false;
    }
}

/* The route and timestamp options carry a 1-based pointer into the option
 * (RFC 791): at least 4 (route) or 5 (timestamp), and at most len + 1. */
static bool opt_pointer_ok(uint8_t type, uint8_t len, uint8_t ptr)
{
    switch (type) {
    case IPV4_OPT_RR:
    case IPV4_OPT_LSRR:
    case IPV4_OPT_SSRR:
        return ptr >= 4 && ptr <= len + 1 && (ptr - 4) % 4 == 0;
    case IPV4_OPT_TS:
        return ptr >= 5 && ptr <= len + 1;
    default:
        return true;
    }
}

static void parse_options(DecodeCtx *ctx, Packet *p, Reader o)
{
    while (rd_left(&o) > 0) {
        uint8_t type = rd_u8(&o);
        if (type == IPV4_OPT_EOL) {
            p->ipopts |= IPV4_OPTBIT(type);
            return;
        }
        if (type == IPV4_OPT_NOP) {
            p->ipopts |= IPV4_OPTBIT(type);
            continue;
        }
        if (rd_left(&o) == 0) {
            decode_event_set(ctx, p, PKT_EV_IPV4_OPT_MALFORMED);
            return;
        }
        uint8_t len = rd_u8(&o);
        if (len < 2 || (size_t)(len - 2) > rd_left(&o)) {
            decode_event_set(ctx, p, PKT_EV_IPV4_OPT_INVALID_LEN);
            return;
        }
        uint8_t ptr = len > 2 ? rd_peek_u8(&o, rd_pos(&o)) : 0;
        rd_skip(&o, (size_t)len - 2);
        if (!opt_known(type)) {
            decode_event_set(ctx, p, PKT_EV_IPV4_OPT_UNKNOWN);
            continue;
        }
        if (!opt_len_ok(type, len)) {
            decode_event_set(ctx, p, PKT_EV_IPV4_OPT_INVALID_LEN);
            return;
        }
        if (!opt_pointer_ok(type, len, ptr)) {
            decode_event_set(ctx, p, PKT_EV_IPV4_OPT_MALFORMED);
            return;
        }
        if (p->ipopts & IPV4_OPTBIT(type))
            decode_event_set(ctx, p, PKT_EV_IPV4_OPT_DUPLICATE);
        p->ipopts |= IPV4_OPTBIT(type);
    }
}

int decode_ipv4(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_IPV4);
    if (off > UINT16_MAX - 64)
        return decode_invalid(ctx, p, PKT_EV_TOO_MANY_LAYERS);
    uint32_t wire = decode_wire_left(p, &r, off);
    if (!rd_has(&r, IPV4_HDR_LEN))
        return decode_invalid(ctx, p, PKT_EV_IPV4_PKT_TOO_SMALL);
    Reader h = r;
    uint8_t vhl = rd_u8(&h);
    if (vhl >> 4 != 4)
        return decode_invalid(ctx, p, PKT_EV_IPV4_WRONG_IP_VER);
    uint32_t hlen = (uint32_t)(vhl & 0x0f) * 4;
    if (hlen < IPV4_HDR_LEN)
        return decode_invalid(ctx, p, PKT_EV_IPV4_HLEN_TOO_SMALL);
    uint8_t tos = rd_u8(&h);
    uint16_t iplen = rd_be16(&h);
    uint16_t id = rd_be16(&h);
    uint16_t fo = rd_be16(&h);
    uint8_t ttl = rd_u8(&h);
    uint8_t proto = rd_u8(&h);
    rd_skip(&h, 2); /* checksum, verified over the whole header below */
    IpAddr src = { { 0 } }, dst = { { 0 } };
    rd_copy(&h, src.b, 4);
    rd_copy(&h, dst.b, 4);
    if (iplen < hlen)
        return decode_invalid(ctx, p, PKT_EV_IPV4_IPLEN_SMALLER_THAN_HLEN);
    if (wire < iplen)
        return decode_invalid(ctx, p, PKT_EV_IPV4_TRUNC_PKT);
    if (!rd_has(&r, hlen))
        return decode_invalid(ctx, p, PKT_EV_IPV4_TRUNC_PKT); /* options cut by snaplen */

    p->flags |= PKT_HAS_IPV4;
    p->ip_ver = 4;
    p->src = src;
    p->dst = dst;
    p->l3_off = (uint16_t)off;
    p->ip_hlen = (uint16_t)hlen;
    p->ip_len = iplen;
    p->ip_proto = proto;
    p->ip_ttl = ttl;
    p->ip_tos = tos;
    p->ip_id = id;
    p->frag_off = fo & 0x1fff;
    p->frag_flags = (uint8_t)(fo >> 13);

    /* The datagram: the total length, or what of it was captured. */
    Reader ip = rd_sub(&r, iplen < rd_left(&r) ? iplen : rd_left(&r));
    if (ctx->cfg.checksum_validate) {
        Reader c = rd_sub(&ip, hlen);
        if (decode_csum_fold(decode_csum_add(0, &c)) != 0xffff) {
            p->flags |= PKT_IPV4_CSUM_BAD;
            dec_count(ctx, DEC_CTR_CSUM_BAD_IPV4);
        }
        rd_seek(&ip, 0);
    }
    if (hlen > IPV4_HDR_LEN) {
        rd_skip(&ip, IPV4_HDR_LEN);
        parse_options(ctx, p, rd_sub(&ip, hlen - IPV4_HDR_LEN));
    }
    rd_seek(&ip, hlen);

    if ((p->frag_flags & 0x1) || p->frag_off != 0) {
        p->flags |= PKT_IS_FRAGMENT;
        dec_count(ctx, DEC_CTR_FRAG4);
        /* Only a fully captured fragment can be reassembled. */
        if (rd_left(&ip) + hlen == iplen)
            decode_defrag_add(ctx, p, rd_sub(&ip, rd_left(&ip)), id, 0, 0, proto);
        return 0;
    }
    if (proto == IPPROTO_NUM_ICMPV6) {
        decode_event_set(ctx, p, PKT_EV_IPV4_WITH_ICMPV6);
        return 0;
    }
    return decode_l4(ctx, p, proto, rd_sub(&ip, rd_left(&ip)), off + hlen);
}
