/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipv6.c: the IPv6 header and the extension-header chain (RFC 8200,
 * RFC 4302 for AH, RFC 4303 for ESP); fragments go to defrag.c, the rest
 * to the transport dispatch. Wire formats in ipv6.h.
 *
 * Invariants: the layer's reader is clamped to 40 + payload length (or the
 * captured part of it); the walk visits at most IPV6_MAX_EXTHDRS headers;
 * every extension header must be wholly present or the walk stops with
 * ipv6.trunc_exthdr.
 */
#include "decode/ipv6.h"

#include "decode/decode_int.h"
#include "decode/ipv4.h"

/* Walk the TLV options of a hop-by-hop or destination options header
 * (RFC 8200 s4.2). `hop` picks which events apply. */
static void parse_tlv_options(DecodeCtx *ctx, Packet *p, Reader o, bool hop)
{
    bool only_padding = true;
    while (rd_left(&o) > 0) {
        uint8_t type = rd_u8(&o);
        if (type == 0) /* Pad1 */
            continue;
        if (rd_left(&o) == 0) {
            decode_event_set(ctx, p, PKT_EV_IPV6_EXTHDR_INVALID_OPTLEN);
            return;
        }
        uint8_t len = rd_u8(&o);
        if (len > rd_left(&o)) {
            decode_event_set(ctx, p, PKT_EV_IPV6_EXTHDR_INVALID_OPTLEN);
            return;
        }
        rd_skip(&o, len);
        if (type == 1) { /* PadN */
            if (len == 0)
                decode_event_set(ctx, p, PKT_EV_IPV6_ZERO_LEN_PADN);
            continue;
        }
        only_padding = false;
        bool known;
        if (hop) /* router alert, jumbo payload, quick-start, RPL, MPL, CALIPSO */
            known = type == 0x05 || type == 0xc2 || type == 0x26 || type == 0x63 ||
                    type == 0x23 || type == 0x6d || type == 0x07;
        else     /* tunnel encapsulation limit, home address, IOAM, PDM */
            known = type == 0x04 || type == 0xc9 || type == 0x31 || type == 0x0f;
        if (!known)
            decode_event_set(ctx, p, hop ? PKT_EV_IPV6_HOPOPTS_UNKNOWN_OPT
                                         : PKT_EV_IPV6_DSTOPTS_UNKNOWN_OPT);
    }
    if (only_padding)
        decode_event_set(ctx, p, hop ? PKT_EV_IPV6_HOPOPTS_ONLY_PADDING
                                     : PKT_EV_IPV6_DSTOPTS_ONLY_PADDING);
}

static void set_l4_rest(Packet *p, const Reader *ip, uint32_t off)
{
    size_t pos = rd_pos(ip);
    if (off + pos > UINT16_MAX)
        return;
    p->l4_off = (uint16_t)(off + pos);
    p->payload = rd_cur(ip);
    p->payload_len = (uint32_t)rd_left(ip);
}

int decode_ipv6(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_IPV6);
    if (off > UINT16_MAX - 64)
        return decode_invalid(ctx, p, PKT_EV_TOO_MANY_LAYERS);
    uint32_t wire = decode_wire_left(p, &r, off);
    if (!rd_has(&r, IPV6_HDR_LEN))
        return decode_invalid(ctx, p, PKT_EV_IPV6_PKT_TOO_SMALL);
    Reader h = r;
    uint32_t vtf = rd_be32(&h);
    if (vtf >> 28 != 6)
        return decode_invalid(ctx, p, PKT_EV_IPV6_WRONG_IP_VER);
    uint32_t plen = rd_be16(&h);
    uint8_t nh = rd_u8(&h);
    uint8_t hlim = rd_u8(&h);
    IpAddr src, dst;
    rd_copy(&h, src.b, 16);
    rd_copy(&h, dst.b, 16);
    /* RFC 2675 jumbograms say 0 here and put the length in a hop-by-hop
     * option; take what was on the wire. */
    if (plen == 0 && nh == IPPROTO_NUM_HOPOPTS && wire > IPV6_HDR_LEN)
        plen = wire - IPV6_HDR_LEN;
    if (IPV6_HDR_LEN + plen > wire)
        return decode_invalid(ctx, p, PKT_EV_IPV6_TRUNC_PKT);

    p->flags |= PKT_HAS_IPV6;
    p->ip_ver = 6;
    p->src = src;
    p->dst = dst;
    p->l3_off = (uint16_t)off;
    p->ip_len = IPV6_HDR_LEN + plen;
    p->ip_ttl = hlim;
    p->ip_tos = (uint8_t)(vtf >> 20);
    p->ip_hlen = IPV6_HDR_LEN;
    p->ip_proto = nh;

    size_t span = IPV6_HDR_LEN + plen;
    Reader ip = rd_sub(&r, span < rd_left(&r) ? span : rd_left(&r));
    rd_skip(&ip, IPV6_HDR_LEN);

    uint32_t nh_pos = 6;          /* where the Next Header naming this header sits */
    bool dst_since_rh = false;
    for (int n = 0; n < IPV6_MAX_EXTHDRS; n++) {
        size_t start = rd_pos(&ip);
        uint32_t bit;
        switch (nh) {
        case IPPROTO_NUM_HOPOPTS: bit = IPV6_EXT_HOPOPTS; break;
        case IPPROTO_NUM_ROUTING: bit = IPV6_EXT_ROUTING; break;
        case IPPROTO_NUM_FRAGMENT: bit = IPV6_EXT_FRAGMENT; break;
        case IPPROTO_NUM_DSTOPTS: bit = IPV6_EXT_DSTOPTS; break;
        case IPPROTO_NUM_AH: bit = IPV6_EXT_AH; break;
        case IPPROTO_NUM_MH: bit = IPV6_EXT_MH; break;
        case IPPROTO_NUM_ESP:
            if (p->ip6_exthdrs & IPV6_EXT_ESP)
                decode_event_set(ctx, p, PKT_EV_IPV6_EXTHDR_DUPL_EH);
            p->ip6_exthdrs |= IPV6_EXT_ESP;
            p->ip_hlen = (uint16_t)start;
            p->ip_proto = nh;
            set_l4_rest(p, &ip, off);
            return 0;
        case IPPROTO_NUM_NONE:
            p->ip6_exthdrs |= IPV6_EXT_NONE;
            p->ip_hlen = (uint16_t)start;
            p->ip_proto = nh;
            if (rd_left(&ip) > 0)
                decode_event_set(ctx, p, PKT_EV_IPV6_DATA_AFTER_NONE_HEADER);
            return 0;
        default:
            goto transport;
        }
        if (!rd_has(&ip, 2))
            return decode_invalid(ctx, p, PKT_EV_IPV6_TRUNC_EXTHDR);
        uint8_t next = rd_peek_u8(&ip, start);
        uint8_t hl = rd_peek_u8(&ip, start + 1);
        size_t len;
        if (nh == IPPROTO_NUM_FRAGMENT)
            len = 8;
        else if (nh == IPPROTO_NUM_AH)
            len = ((size_t)hl + 2) * 4;
        else
            len = ((size_t)hl + 1) * 8;
        if (!rd_has(&ip, len))
            return decode_invalid(ctx, p, PKT_EV_IPV6_TRUNC_EXTHDR);
        Reader e = rd_sub(&ip, len);
        rd_skip(&e, 2);
        bool dup = (p->ip6_exthdrs & bit) != 0;

        switch (nh) {
        case IPPROTO_NUM_HOPOPTS:
            if (dup)
                decode_event_set(ctx, p, PKT_EV_IPV6_EXTHDR_DUPL_HH);
            parse_tlv_options(ctx, p, e, true);
            break;
        case IPPROTO_NUM_DSTOPTS:
            /* Allowed once before a routing header and once after it. */
            if (dup && dst_since_rh)
                decode_event_set(ctx, p, PKT_EV_IPV6_EXTHDR_DUPL_DH);
            dst_since_rh = true;
            parse_tlv_options(ctx, p, e, false);
            break;
        case IPPROTO_NUM_ROUTING:
            if (dup)
                decode_event_set(ctx, p, PKT_EV_IPV6_EXTHDR_DUPL_RH);
            dst_since_rh = false;
            if (rd_u8(&e) == 0)
                decode_event_set(ctx, p, PKT_EV_IPV6_RH_TYPE_0);
            break;
        case IPPROTO_NUM_AH:
            if (dup)
                decode_event_set(ctx, p, PKT_EV_IPV6_EXTHDR_DUPL_AH);
            if (rd_be16(&e) != 0)
                decode_event_set(ctx, p, PKT_EV_IPV6_EXTHDR_AH_RES_NOT_NULL);
            break;
        case IPPROTO_NUM_MH:
            break;
        case IPPROTO_NUM_FRAGMENT: {
            if (dup)
                decode_event_set(ctx, p, PKT_EV_IPV6_EXTHDR_DUPL_FH);
            uint8_t res = rd_peek_u8(&ip, start + 1);
            uint16_t fo = rd_be16(&e);
            uint32_t id = rd_be32(&e);
            if (res != 0 || (fo & 0x6) != 0)
                decode_event_set(ctx, p, PKT_EV_IPV6_FH_NON_ZERO_RES_FIELD);
            p->ip6_exthdrs |= bit;
            uint16_t foff = fo >> 3;
            bool mf = (fo & 1) != 0;
            if (foff == 0 && !mf) {
                decode_event_set(ctx, p, PKT_EV_IPV6_EXTHDR_USELESS_FH);
                break;
            }
            p->flags |= PKT_IS_FRAGMENT;
            p->frag_off = foff;
            p->frag_flags = mf ? 1 : 0;
            p->ip_id = (uint16_t)id;
            p->ip_hlen = (uint16_t)rd_pos(&ip);
            p->ip_proto = next;
            dec_count(ctx, DEC_CTR_FRAG6);
            if (mf && rd_left(&ip) % 8 != 0)
                return decode_invalid(ctx, p, PKT_EV_IPV6_FRAG_INVALID_LENGTH);
            if (rd_pos(&ip) + rd_left(&ip) == span)
                decode_defrag_add(ctx, p, rd_sub(&ip, rd_left(&ip)), id, (uint32_t)start,
                                  nh_pos, next);
            return 0;
        }
        default:
            break;
        }
        p->ip6_exthdrs |= bit;
        nh_pos = (uint32_t)start;
        nh = next;
    }

transport:
    if (rd_pos(&ip) > UINT16_MAX - off)
        return decode_invalid(ctx, p, PKT_EV_IPV6_TRUNC_EXTHDR);
    p->ip_hlen = (uint16_t)rd_pos(&ip);
    p->ip_proto = nh;
    switch (nh) {
    case IPPROTO_NUM_ICMP:
        decode_event_set(ctx, p, PKT_EV_IPV6_WITH_ICMPV4);
        return 0;
    case IPPROTO_NUM_HOPOPTS: case IPPROTO_NUM_ROUTING: case IPPROTO_NUM_FRAGMENT:
    case IPPROTO_NUM_DSTOPTS: case IPPROTO_NUM_AH: case IPPROTO_NUM_MH:
        /* still extension headers after IPV6_MAX_EXTHDRS of them */
        return decode_invalid(ctx, p, PKT_EV_IPV6_TRUNC_EXTHDR);
    default:
        break;
    }
    /* Protocol numbers IANA has not assigned (RFC 8200 s4.7 leaves the
     * rest to the transport registry). */
    if (nh >= 146 && nh <= 252)
        decode_event_set(ctx, p, PKT_EV_IPV6_UNKNOWN_NEXT_HEADER);
    return decode_l4(ctx, p, nh, rd_sub(&ip, rd_left(&ip)), off + (uint32_t)rd_pos(&ip));
}
