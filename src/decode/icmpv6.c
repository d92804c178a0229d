/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * icmpv6.c: ICMPv6, including the packet quoted by error messages (wire
 * format in icmpv6.h). Sits after IPv6.
 *
 * Invariants: problems in the quote are events only; the quoted
 * extension-header walk is bounded (IPV6_MAX_EXTHDRS) and stops at a
 * non-first fragment, where there are no ports to read.
 */
#include "decode/icmpv6.h"

#include "decode/decode_int.h"
#include "decode/ipv4.h"
#include "decode/ipv6.h"

static void parse_quoted(DecodeCtx *ctx, Packet *p, Reader q)
{
    if (!rd_has(&q, IPV6_HDR_LEN)) {
        decode_event_set(ctx, p, PKT_EV_ICMPV6_IPV6_TRUNC_PKT);
        return;
    }
    uint32_t vtf = rd_be32(&q);
    if (vtf >> 28 != 6) {
        decode_event_set(ctx, p, PKT_EV_ICMPV6_IPV6_UNKNOWN_VER);
        return;
    }
    rd_skip(&q, 2);
    uint8_t nh = rd_u8(&q);
    rd_skip(&q, 1);
    IcmpInner *in = &p->icmp_inner;
    *in = (IcmpInner){ 0 };
    rd_copy(&q, in->src.b, 16);
    rd_copy(&q, in->dst.b, 16);
    in->ip_ver = 6;
    p->flags |= PKT_HAS_ICMP_INNER;
    for (int n = 0; n < IPV6_MAX_EXTHDRS; n++) {
        if (nh == IPPROTO_NUM_HOPOPTS || nh == IPPROTO_NUM_ROUTING || nh == IPPROTO_NUM_DSTOPTS) {
            uint8_t next = rd_u8(&q);
            uint8_t hl = rd_u8(&q);
            if (!rd_ok(&q) || !rd_skip(&q, (size_t)hl * 8 + 6))
                break;
            nh = next;
            continue;
        }
        if (nh == IPPROTO_NUM_FRAGMENT) {
            uint8_t next = rd_u8(&q);
            rd_skip(&q, 1);
            uint16_t fo = rd_be16(&q);
            rd_skip(&q, 4);
            if (!rd_ok(&q))
                break;
            nh = next;
            if ((fo >> 3) != 0) {
                in->proto = nh;
                return;
            }
            continue;
        }
        break;
    }
    in->proto = nh;
    if ((nh == IPPROTO_NUM_TCP || nh == IPPROTO_NUM_UDP) && rd_ok(&q) && rd_has(&q, 4)) {
        in->sp = rd_be16(&q);
        in->dp = rd_be16(&q);
        in->has_ports = true;
    }
}

int decode_icmpv6(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_ICMPV6);
    if (!rd_has(&r, ICMPV6_HDR_LEN))
        return decode_invalid(ctx, p, PKT_EV_ICMPV6_PKT_TOO_SMALL);
    uint32_t msg_len = (uint32_t)rd_left(&r);
    if (ctx->cfg.checksum_validate && p->ip_len >= p->ip_hlen &&
        msg_len == p->ip_len - p->ip_hlen) {
        Reader c = r;
        uint64_t sum = decode_csum_pseudo(p, IPPROTO_NUM_ICMPV6, msg_len) + decode_csum_add(0, &c);
        if (decode_csum_fold(sum) != 0xffff) {
            p->flags |= PKT_L4_CSUM_BAD;
            dec_count(ctx, DEC_CTR_CSUM_BAD_ICMPV6);
        }
    }
    uint8_t type = rd_u8(&r);
    uint8_t code = rd_u8(&r);
    rd_skip(&r, 2);
    uint16_t id = rd_be16(&r);
    uint16_t seq = rd_be16(&r);
    p->flags |= PKT_HAS_ICMPV6;
    p->icmp_type = type;
    p->icmp_code = code;
    p->l4_off = (uint16_t)off;
    p->l4_hlen = ICMPV6_HDR_LEN;
    p->payload = rd_cur(&r);
    p->payload_len = (uint32_t)rd_left(&r);

    uint8_t max_code = 0;
    bool error = false;
    switch (type) {
    case ICMPV6_DST_UNREACH: max_code = 8; error = true; break;
    case ICMPV6_PACKET_TOO_BIG: error = true; break;
    case ICMPV6_TIME_EXCEEDED: max_code = 1; error = true; break;
    case ICMPV6_PARAM_PROB: max_code = 10; error = true; break;
    case ICMPV6_ECHO_REQUEST:
    case ICMPV6_ECHO_REPLY:
        p->icmp_id = id;
        p->icmp_seq = seq;
        break;
    case ICMPV6_MLD_QUERY:
    case ICMPV6_MLD_REPORT:
    case ICMPV6_MLD_DONE:
    case ICMPV6_MLD2_REPORT:
        if (p->ip_ttl != 1)
            decode_event_set(ctx, p, PKT_EV_ICMPV6_MLD_INVALID_HL);
        break;
    case 138: /* router renumbering: 0, 1, 255 */
        max_code = 255;
        break;
    case 139: case 140: /* node information: codes 0..2 */
        max_code = 2;
        break;
    case 100: case 101: case 200: case 201:
        decode_event_set(ctx, p, PKT_EV_ICMPV6_EXPERIMENTATION_TYPE);
        return 0;
    default:
        if ((type >= ICMPV6_ND_ROUTER_SOLICIT && type <= ICMPV6_ND_REDIRECT) ||
            (type >= 141 && type <= 161)) {
            max_code = 255; /* assigned; codes vary, not checked */
            break;
        }
        if (type == 0 || type == 127 || type == 255)
            decode_event_set(ctx, p, PKT_EV_ICMPV6_UNKNOWN_TYPE);
        else
            decode_event_set(ctx, p, PKT_EV_ICMPV6_UNASSIGNED_TYPE);
        return 0;
    }
    if (code > max_code)
        decode_event_set(ctx, p, PKT_EV_ICMPV6_UNKNOWN_CODE);
    if (error)
        parse_quoted(ctx, p, rd_sub(&r, rd_left(&r)));
    return 0;
}
