/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * icmpv4.c: ICMP for IPv4, including the datagram quoted by error
 * messages (wire format in icmpv4.h). Sits after IPv4.
 *
 * Invariants: a problem in the quoted datagram is an event on the packet
 * but never makes the ICMP message itself invalid; ports are taken from a
 * quoted TCP/UDP header only when the quote is of a first fragment.
 */
#include "decode/icmpv4.h"

#include "decode/decode_int.h"
#include "decode/ipv4.h"

static void parse_quoted(DecodeCtx *ctx, Packet *p, Reader q)
{
    if (!rd_has(&q, IPV4_HDR_LEN)) {
        decode_event_set(ctx, p, PKT_EV_ICMPV4_IPV4_TRUNC_PKT);
        return;
    }
    uint8_t vhl = rd_u8(&q);
    if (vhl >> 4 != 4) {
        decode_event_set(ctx, p, PKT_EV_ICMPV4_IPV4_UNKNOWN_VER);
        return;
    }
    uint32_t hlen = (uint32_t)(vhl & 0x0f) * 4;
    rd_skip(&q, 5);
    uint16_t fo = rd_be16(&q);
    rd_skip(&q, 1);
    uint8_t proto = rd_u8(&q);
    rd_skip(&q, 2);
    IcmpInner *in = &p->icmp_inner;
    *in = (IcmpInner){ 0 };
    rd_copy(&q, in->src.b, 4);
    rd_copy(&q, in->dst.b, 4);
    if (hlen < IPV4_HDR_LEN || !rd_skip(&q, hlen - IPV4_HDR_LEN)) {
        decode_event_set(ctx, p, PKT_EV_ICMPV4_IPV4_TRUNC_PKT);
        return;
    }
    in->ip_ver = 4;
    in->proto = proto;
    p->flags |= PKT_HAS_ICMP_INNER;
    if ((fo & 0x1fff) == 0 && (proto == IPPROTO_NUM_TCP || proto == IPPROTO_NUM_UDP) &&
        rd_has(&q, 4)) {
        in->sp = rd_be16(&q);
        in->dp = rd_be16(&q);
        in->has_ports = true;
    }
}

int decode_icmpv4(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_ICMPV4);
    if (!rd_has(&r, ICMPV4_HDR_LEN))
        return decode_invalid(ctx, p, PKT_EV_ICMPV4_PKT_TOO_SMALL);
    uint32_t msg_len = (uint32_t)rd_left(&r);
    if (ctx->cfg.checksum_validate && p->ip_len >= p->ip_hlen &&
        msg_len == p->ip_len - p->ip_hlen) {
        Reader c = r;
        if (decode_csum_fold(decode_csum_add(0, &c)) != 0xffff) {
            p->flags |= PKT_L4_CSUM_BAD;
            dec_count(ctx, DEC_CTR_CSUM_BAD_ICMPV4);
        }
    }
    uint8_t type = rd_u8(&r);
    uint8_t code = rd_u8(&r);
    rd_skip(&r, 2);
    uint16_t id = rd_be16(&r);
    uint16_t seq = rd_be16(&r);
    p->flags |= PKT_HAS_ICMPV4;
    p->icmp_type = type;
    p->icmp_code = code;
    p->l4_off = (uint16_t)off;
    p->l4_hlen = ICMPV4_HDR_LEN;
    p->payload = rd_cur(&r);
    p->payload_len = (uint32_t)rd_left(&r);

    uint8_t max_code = 0;
    bool error = false, has_id = false;
    switch (type) {
    case ICMPV4_ECHOREPLY: case ICMPV4_ECHO:
    case ICMPV4_TSTAMP: case ICMPV4_TSTAMPREPLY:
    case ICMPV4_IREQ: case ICMPV4_IREQREPLY:
    case ICMPV4_MASKREQ: case ICMPV4_MASKREPLY:
        has_id = true;
        break;
    case ICMPV4_DEST_UNREACH: max_code = 15; error = true; break;
    case ICMPV4_SOURCE_QUENCH: error = true; break;
    case ICMPV4_REDIRECT: max_code = 3; error = true; break;
    case ICMPV4_ROUTERADVERT: max_code = 16; break; /* 0 or 16 (RFC 3344) */
    case ICMPV4_ROUTERSOLICIT: break;
    case ICMPV4_TIME_EXCEEDED: max_code = 1; error = true; break;
    case ICMPV4_PARAMPROB: max_code = 2; error = true; break;
    default:
        decode_event_set(ctx, p, PKT_EV_ICMPV4_UNKNOWN_TYPE);
        return 0;
    }
    if (code > max_code || (type == ICMPV4_ROUTERADVERT && code != 0 && code != 16))
        decode_event_set(ctx, p, PKT_EV_ICMPV4_UNKNOWN_CODE);
    if (has_id) {
        p->icmp_id = id;
        p->icmp_seq = seq;
    }
    if (error)
        parse_quoted(ctx, p, rd_sub(&r, rd_left(&r)));
    return 0;
}
