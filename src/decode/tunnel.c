/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tunnel.c: MPLS, NSH and PPPoE inline; GRE, IP-in-IP, VXLAN and GTP-U as
 * pseudo packets (formats and rules in tunnel.h).
 *
 * Invariants: an inner packet's bytes are a sub-range of its parent's, so
 * it needs no copy; it inherits the parent's time, pcap_cnt and VLAN ids
 * (as Suricata's tunnel packets do) and one more tunnel_depth; every loop
 * over labels, SREs or extension headers is bounded by the bytes or a
 * fixed count.
 */
#include "decode/tunnel.h"

#include <string.h>

#include "decode/decode_int.h"
#include "decode/ethernet.h"

int decode_tunnel_inner(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off, int kind)
{
    if (p->tunnel_depth >= DECODE_MAX_TUNNEL_DEPTH || ++ctx->n_layers > DECODE_MAX_LAYERS) {
        decode_event_set(ctx, p, PKT_EV_TOO_MANY_LAYERS);
        return 0;
    }
    if (rd_left(&r) == 0)
        return 0;
    Packet *q = decode_pseudo_new(ctx);
    if (q == NULL) {
        dec_count(ctx, DEC_CTR_TUNNEL_ALLOC_FAIL);
        return 0;
    }
    q->data = rd_cur(&r);
    q->caplen = (uint32_t)rd_left(&r);
    q->wirelen = q->caplen;
    if (p->wirelen > p->caplen && off + rd_left(&r) >= p->caplen)
        q->wirelen += p->wirelen - p->caplen;
    q->datalink = kind == TUNNEL_INNER_ETH ? DECODE_DLT_EN10MB : DECODE_DLT_RAW;
    q->ts_ns = p->ts_ns;
    q->pcap_cnt = p->pcap_cnt;
    q->flags = PKT_IS_TUNNEL_INNER | PKT_IS_PSEUDO | (p->flags & PKT_HAS_VLAN);
    memcpy(q->vlan_id, p->vlan_id, sizeof q->vlan_id);
    q->n_vlan = p->n_vlan;
    q->tunnel_depth = (uint8_t)(p->tunnel_depth + 1);
    q->tcp_wscale = 0xff;
    decode_chain_add(ctx, q);
    (void)decode_inner_run(ctx, q, kind);
    return 0;
}

/* ------------------------------------------------------------------- GRE */

static int gre_payload(DecodeCtx *ctx, Packet *p, uint16_t proto, bool seq, Reader r,
                       uint32_t off)
{
    switch (proto) {
    case ETH_TYPE_IPV4:
        return decode_tunnel_inner(ctx, p, r, off, TUNNEL_INNER_IPV4);
    case ETH_TYPE_IPV6:
        return decode_tunnel_inner(ctx, p, r, off, TUNNEL_INNER_IPV6);
    case ETH_TYPE_TEB:
        return decode_tunnel_inner(ctx, p, r, off, TUNNEL_INNER_ETH);
    case ETH_TYPE_MPLS_UC:
    case ETH_TYPE_MPLS_MC:
        return decode_tunnel_inner(ctx, p, r, off, TUNNEL_INNER_MPLS);
    case ETH_TYPE_ERSPAN2: {
        dec_count(ctx, DEC_CTR_ERSPAN);
        if (!seq) /* type I: no ERSPAN header, the mirrored frame follows */
            return decode_tunnel_inner(ctx, p, r, off, TUNNEL_INNER_ETH);
        uint8_t ver = rd_peek_u8(&r, 0);
        if (!rd_has(&r, 8)) {
            decode_event_set(ctx, p, PKT_EV_ERSPAN_HEADER_TOO_SMALL);
            return 0;
        }
        if (ver >> 4 != 1) {
            decode_event_set(ctx, p, PKT_EV_ERSPAN_UNSUPPORTED_VERSION);
            return 0;
        }
        rd_skip(&r, 8);
        return decode_tunnel_inner(ctx, p, r, off + 8, TUNNEL_INNER_ETH);
    }
    default:
        return 0;
    }
}

int decode_gre(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_GRE);
    uint32_t start = (uint32_t)rd_pos(&r);
    uint16_t flags = rd_be16(&r);
    uint16_t proto = rd_be16(&r);
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_GRE_PKT_TOO_SMALL);
    uint8_t ver = flags & 0x7;
    bool c = flags & 0x8000, rt = flags & 0x4000, k = flags & 0x2000, s = flags & 0x1000;
    uint32_t hlen = GRE_HDR_LEN;
    if (ver == 0) {
        if (flags & 0x0700)
            return decode_invalid(ctx, p, PKT_EV_GRE_VERSION0_RECUR);
        if (flags & 0x00f8)
            return decode_invalid(ctx, p, PKT_EV_GRE_VERSION0_FLAGS);
        hlen += (c || rt ? 4 : 0) + (k ? 4 : 0) + (s ? 4 : 0);
        if (!rd_has(&r, hlen - GRE_HDR_LEN))
            return decode_invalid(ctx, p, PKT_EV_GRE_VERSION0_HDR_TOO_BIG);
        rd_skip(&r, hlen - GRE_HDR_LEN);
        if (rt) {
            /* Source route entries (RFC 1701): af(2) offset(1) len(1) data,
             * ending with af 0 and len 0. */
            for (;;) {
                uint16_t af = rd_be16(&r);
                rd_skip(&r, 1);
                uint8_t len = rd_u8(&r);
                if (!rd_ok(&r) || !rd_skip(&r, len))
                    return decode_invalid(ctx, p, PKT_EV_GRE_VERSION0_MALFORMED_SRE_HDR);
                if (af == 0 && len == 0)
                    break;
            }
        }
    } else if (ver == 1) {
        if (c)
            return decode_invalid(ctx, p, PKT_EV_GRE_VERSION1_CHKSUM);
        if (rt)
            return decode_invalid(ctx, p, PKT_EV_GRE_VERSION1_ROUTE);
        if (flags & 0x0800)
            return decode_invalid(ctx, p, PKT_EV_GRE_VERSION1_SSR);
        if (flags & 0x0700)
            return decode_invalid(ctx, p, PKT_EV_GRE_VERSION1_RECUR);
        if (flags & 0x0078)
            return decode_invalid(ctx, p, PKT_EV_GRE_VERSION1_FLAGS);
        if (!k)
            return decode_invalid(ctx, p, PKT_EV_GRE_VERSION1_NO_KEY);
        if (proto != 0x880b)
            return decode_invalid(ctx, p, PKT_EV_GRE_VERSION1_WRONG_PROTOCOL);
        hlen += 4 + (s ? 4 : 0) + ((flags & 0x0080) ? 4 : 0);
        if (!rd_skip(&r, hlen - GRE_HDR_LEN))
            return decode_invalid(ctx, p, PKT_EV_GRE_VERSION1_HDR_TOO_BIG);
        if (rd_left(&r) == 0)
            return 0; /* an acknowledgment only */
        return decode_tunnel_inner(ctx, p, rd_sub(&r, rd_left(&r)),
                                   off + (uint32_t)rd_pos(&r) - start, TUNNEL_INNER_PPP);
    } else {
        return decode_invalid(ctx, p, PKT_EV_GRE_WRONG_VERSION);
    }
    uint32_t used = (uint32_t)rd_pos(&r) - start;
    return gre_payload(ctx, p, proto, s, rd_sub(&r, rd_left(&r)), off + used);
}

/* ----------------------------------------------------------------- VXLAN */

int decode_vxlan(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    if (!rd_has(&r, VXLAN_HDR_LEN)) {
        decode_event_set(ctx, p, PKT_EV_VXLAN_PKT_TOO_SMALL);
        return 0;
    }
    uint8_t flags = rd_u8(&r);
    rd_skip(&r, 7);
    if ((flags & 0x08) == 0)
        return 0; /* I flag clear: not a VXLAN frame we can use */
    dec_count(ctx, DEC_CTR_VXLAN);
    if (!rd_has(&r, ETH_HDR_LEN)) {
        decode_event_set(ctx, p, PKT_EV_VXLAN_UNKNOWN_PAYLOAD_TYPE);
        return 0;
    }
    return decode_tunnel_inner(ctx, p, rd_sub(&r, rd_left(&r)), off + VXLAN_HDR_LEN,
                               TUNNEL_INNER_ETH);
}

/* ---------------------------------------------------------------- Geneve */

int decode_geneve(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    uint8_t vo = rd_u8(&r);
    rd_skip(&r, 1);
    uint16_t proto = rd_be16(&r);
    rd_skip(&r, 4);
    if (!rd_ok(&r) || vo >> 6 != 0)
        return 0; /* short, or a Geneve version we do not know */
    uint32_t optlen = (uint32_t)(vo & 0x3f) * 4;
    if (!rd_skip(&r, optlen))
        return 0;
    dec_count(ctx, DEC_CTR_GENEVE);
    Reader rest = rd_sub(&r, rd_left(&r));
    uint32_t at = off + 8 + optlen;
    switch (proto) {
    case ETH_TYPE_TEB:
        return decode_tunnel_inner(ctx, p, rest, at, TUNNEL_INNER_ETH);
    case ETH_TYPE_IPV4:
        return decode_tunnel_inner(ctx, p, rest, at, TUNNEL_INNER_IPV4);
    case ETH_TYPE_IPV6:
        return decode_tunnel_inner(ctx, p, rest, at, TUNNEL_INNER_IPV6);
    default:
        decode_event_set(ctx, p, PKT_EV_GENEVE_UNKNOWN_PAYLOAD_TYPE);
        return 0;
    }
}

/* ---------------------------------------------------------------- Teredo */

bool decode_teredo(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    size_t start = rd_pos(&r);
    /* authentication indicator: 00 01 id-len(1) auth-len(1) id auth nonce(8) conf(1) */
    if (rd_peek_u8(&r, start) == 0 && rd_peek_u8(&r, start + 1) == 1) {
        rd_skip(&r, 2);
        uint8_t id_len = rd_u8(&r);
        uint8_t au_len = rd_u8(&r);
        rd_skip(&r, (size_t)id_len + au_len + 9);
    }
    /* origin indication: 00 00 port(2) address(4) */
    if (rd_ok(&r) && rd_peek_u8(&r, rd_pos(&r)) == 0 && rd_peek_u8(&r, rd_pos(&r) + 1) == 0)
        rd_skip(&r, 8);
    if (!rd_ok(&r) || !rd_has(&r, 40))
        return false;
    size_t at = rd_pos(&r);
    uint8_t v = rd_peek_u8(&r, at);
    uint16_t plen = rd_peek_be16(&r, at + 4);
    if (v >> 4 != 6 || (size_t)plen + 40 != rd_left(&r))
        return false;
    dec_count(ctx, DEC_CTR_TEREDO);
    (void)decode_tunnel_inner(ctx, p, rd_sub(&r, rd_left(&r)), off + (uint32_t)(at - start),
                              TUNNEL_INNER_IPV6);
    return true;
}

/* ----------------------------------------------------------------- GTP-U */

int decode_gtp(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    uint8_t flags = rd_u8(&r);
    uint8_t type = rd_u8(&r);
    uint16_t len = rd_be16(&r);
    rd_skip(&r, 4); /* TEID */
    if (!rd_ok(&r)) {
        decode_event_set(ctx, p, PKT_EV_GTP_PKT_TOO_SMALL);
        return 0;
    }
    if (flags >> 5 != 1 || (flags & 0x10) == 0)
        return 0; /* GTP' or GTPv2-C on the port: not user plane */
    dec_count(ctx, DEC_CTR_GTP);
    if (type != 0xff)
        return 0; /* echo, error indication, end marker: no T-PDU */
    Reader b = rd_sub(&r, len < rd_left(&r) ? len : rd_left(&r));
    if (flags & 0x07) {
        rd_skip(&b, 3); /* sequence, N-PDU */
        uint8_t next = rd_u8(&b);
        for (int n = 0; next != 0 && n < 16; n++) {
            uint8_t units = rd_u8(&b);
            if (units == 0 || !rd_skip(&b, (size_t)units * 4 - 2))
                break;
            next = rd_u8(&b);
        }
        if (!rd_ok(&b) || next != 0) {
            decode_event_set(ctx, p, PKT_EV_GTP_PKT_TOO_SMALL);
            return 0;
        }
    }
    uint8_t v = rd_peek_u8(&b, rd_pos(&b));
    if (!rd_ok(&b) || (v >> 4 != 4 && v >> 4 != 6)) {
        decode_event_set(ctx, p, PKT_EV_GTP_UNKNOWN_PAYLOAD_TYPE);
        return 0;
    }
    uint32_t used = GTP_HDR_LEN + (uint32_t)rd_pos(&b);
    return decode_tunnel_inner(ctx, p, rd_sub(&b, rd_left(&b)), off + used,
                               v >> 4 == 4 ? TUNNEL_INNER_IPV4 : TUNNEL_INNER_IPV6);
}

/* ------------------------------------------------------------------ MPLS */

int decode_mpls(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_MPLS);
    r = rd_sub(&r, rd_left(&r));
    uint32_t label = 0;
    bool bos = false;
    for (int n = 0; n < MPLS_MAX_LABELS && !bos; n++) {
        uint32_t e = rd_be32(&r);
        if (!rd_ok(&r))
            return decode_invalid(ctx, p, PKT_EV_MPLS_HEADER_TOO_SMALL);
        label = e >> 12;
        bos = (e >> 8) & 1;
        if (label == 3)
            decode_event_set(ctx, p, PKT_EV_MPLS_BAD_LABEL_IMPLICIT_NULL);
        else if (label == 1 && bos)
            decode_event_set(ctx, p, PKT_EV_MPLS_BAD_LABEL_ROUTER_ALERT);
        else if (label >= 4 && label <= 15)
            decode_event_set(ctx, p, PKT_EV_MPLS_BAD_LABEL_RESERVED);
    }
    if (!bos)
        return decode_invalid(ctx, p, PKT_EV_TOO_MANY_LAYERS);
    off += (uint32_t)rd_pos(&r);
    Reader rest = rd_sub(&r, rd_left(&r));
    uint8_t v = rd_peek_u8(&rest, 0);
    if (!rd_ok(&rest))
        return decode_invalid(ctx, p, PKT_EV_MPLS_PKT_TOO_SMALL);
    if (label == 0 || (label > 15 && v >> 4 == 4))
        return decode_ipv4(ctx, p, rest, off);
    if (label == 2 || (label > 15 && v >> 4 == 6))
        return decode_ipv6(ctx, p, rest, off);
    if (label > 15 && v >> 4 == 0) {
        /* pseudowire control word, then an Ethernet frame */
        if (!rd_skip(&rest, 4))
            return decode_invalid(ctx, p, PKT_EV_MPLS_PKT_TOO_SMALL);
        return decode_ethernet(ctx, p, rd_sub(&rest, rd_left(&rest)), off + 4);
    }
    decode_event_set(ctx, p, PKT_EV_MPLS_UNKNOWN_PAYLOAD_TYPE);
    return 0;
}

/* ------------------------------------------------------------------- NSH */

int decode_nsh(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_NSH);
    r = rd_sub(&r, rd_left(&r));
    uint16_t vfl = rd_be16(&r);
    uint8_t md_type = rd_u8(&r) & 0x0f;
    uint8_t next = rd_u8(&r);
    rd_skip(&r, 4); /* service path id, service index */
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_NSH_HEADER_TOO_SMALL);
    if (vfl >> 14 != 0)
        return decode_invalid(ctx, p, PKT_EV_NSH_UNSUPPORTED_VERSION);
    uint32_t hlen = (uint32_t)(vfl & 0x3f) * 4;
    if (hlen < 8 || !rd_seek(&r, hlen))
        return decode_invalid(ctx, p, PKT_EV_NSH_BAD_HEADER_LENGTH);
    switch (md_type) {
    case 1:
        if (hlen != 24)
            return decode_invalid(ctx, p, PKT_EV_NSH_BAD_HEADER_LENGTH);
        break;
    case 2:
        break;
    case 0:
    case 0x0f:
        return decode_invalid(ctx, p, PKT_EV_NSH_RESERVED_TYPE);
    default:
        return decode_invalid(ctx, p, PKT_EV_NSH_UNSUPPORTED_TYPE);
    }
    Reader rest = rd_sub(&r, rd_left(&r));
    off += hlen;
    switch (next) {
    case 1:
        return decode_ipv4(ctx, p, rest, off);
    case 2:
        return decode_ipv6(ctx, p, rest, off);
    case 3:
        return decode_ethernet(ctx, p, rest, off);
    case 5:
        return decode_mpls(ctx, p, rest, off);
    case 4:
        return decode_invalid(ctx, p, PKT_EV_NSH_UNSUPPORTED_TYPE);
    default:
        decode_event_set(ctx, p, PKT_EV_NSH_UNKNOWN_PAYLOAD);
        return 0;
    }
}

/* ----------------------------------------------------------------- PPPoE */

int decode_pppoe_session(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_PPPOE);
    uint32_t wire = decode_wire_left(p, &r, off);
    uint8_t vt = rd_u8(&r);
    uint8_t code = rd_u8(&r);
    rd_skip(&r, 2);
    uint16_t len = rd_be16(&r);
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_PPPOE_PKT_TOO_SMALL);
    if (vt != 0x11 || code != 0)
        return decode_invalid(ctx, p, PKT_EV_PPPOE_WRONG_CODE);
    if ((uint32_t)len + 6 > wire)
        return decode_invalid(ctx, p, PKT_EV_PPPOE_PKT_TOO_SMALL);
    return decode_ppp(ctx, p, rd_sub(&r, len < rd_left(&r) ? len : rd_left(&r)), off + 6);
}
