/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ethernet.c: Ethernet II, stacked VLAN tags, and the ethertype dispatch
 * that every link layer (SLL, GRE, PPPoE, MPLS pseudowires) funnels into.
 * Wire formats in ethernet.h.
 *
 * Invariants: a packet never records more than PKT_MAX_VLAN ids; the
 * ethertype dispatch is bounded by ctx->n_layers, so a crafted chain of
 * encapsulations (VLAN in MPLS in Ethernet in ...) cannot recurse deeply.
 */
#include "decode/ethernet.h"

#include "decode/decode_int.h"

int decode_ethernet(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_ETHERNET);
    if (!rd_has(&r, ETH_HDR_LEN))
        return decode_invalid(ctx, p, PKT_EV_ETHERNET_PKT_TOO_SMALL);
    rd_copy(&r, p->eth_dst, 6);
    rd_copy(&r, p->eth_src, 6);
    uint16_t type = rd_be16(&r);
    p->flags |= PKT_HAS_ETH;
    p->eth_type = type;
    if (type < 0x0600) {
        /* 802.3 length field, then LLC. SNAP with OUI 0 (AA AA 03 00 00 00,
         * RFC 1042) carries an ethertype, as Wireshark decodes it (found by
         * the agreement sweep: zeek-traces snap-tcp.pcap); any other LLC
         * (STP, CDP, ...) is nothing we decode. */
        size_t at = rd_pos(&r);
        if (rd_left(&r) >= 8 && rd_peek_u8(&r, at) == 0xaa && rd_peek_u8(&r, at + 1) == 0xaa &&
            rd_peek_u8(&r, at + 2) == 0x03 && rd_peek_be16(&r, at + 3) == 0 &&
            rd_peek_u8(&r, at + 5) == 0) {
            uint16_t snap_type = rd_peek_be16(&r, at + 6);
            if (snap_type >= 0x0600 && rd_skip(&r, 8)) {
                p->eth_type = snap_type;
                return decode_ethertype(ctx, p, snap_type, r, off + ETH_HDR_LEN + 8);
            }
        }
        return 0;
    }
    return decode_ethertype(ctx, p, type, r, off + ETH_HDR_LEN);
}

static bool ethertype_known(uint16_t type)
{
    switch (type) {
    case ETH_TYPE_IPV4: case ETH_TYPE_IPV6: case ETH_TYPE_ARP:
    case ETH_TYPE_VLAN: case ETH_TYPE_QINQ: case ETH_TYPE_QINQ_OLD:
    case ETH_TYPE_MPLS_UC: case ETH_TYPE_MPLS_MC:
    case ETH_TYPE_PPPOE_DISC: case ETH_TYPE_PPPOE_SESS: case ETH_TYPE_8021AH:
    case ETH_TYPE_NSH:
        return true;
    default:
        return false;
    }
}

static int decode_vlan(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    if (p->n_vlan >= PKT_MAX_VLAN)
        return decode_invalid(ctx, p, PKT_EV_VLAN_TOO_MANY_LAYERS);
    uint16_t tci = rd_be16(&r);
    uint16_t type = rd_be16(&r);
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_VLAN_HEADER_TOO_SMALL);
    static const int ctr[PKT_MAX_VLAN] = { DEC_CTR_VLAN, DEC_CTR_VLAN_QINQ, DEC_CTR_VLAN_QINQINQ };
    dec_count(ctx, ctr[p->n_vlan]);
    p->vlan_id[p->n_vlan++] = tci & 0x0fff;
    p->flags |= PKT_HAS_VLAN;
    p->eth_type = type;
    if (type < 0x0600)
        return 0; /* 802.3 length: LLC inside the tag */
    if (!ethertype_known(type)) {
        decode_event_set(ctx, p, PKT_EV_VLAN_UNKNOWN_TYPE);
        dec_count(ctx, DEC_CTR_UNKNOWN_ETHERTYPE);
        return 0;
    }
    return decode_ethertype(ctx, p, type, r, off + VLAN_HDR_LEN);
}

int decode_ethertype(DecodeCtx *ctx, Packet *p, uint16_t type, Reader r, uint32_t off)
{
    r = rd_sub(&r, rd_left(&r)); /* the next layer sees its bytes from 0 */
    if (++ctx->n_layers > DECODE_MAX_LAYERS)
        return decode_invalid(ctx, p, PKT_EV_TOO_MANY_LAYERS);
    p->eth_type = type;
    switch (type) {
    case ETH_TYPE_IPV4:
        return decode_ipv4(ctx, p, r, off);
    case ETH_TYPE_IPV6:
        return decode_ipv6(ctx, p, r, off);
    case ETH_TYPE_ARP:
        return decode_arp(ctx, p, r, off);
    case ETH_TYPE_VLAN:
    case ETH_TYPE_QINQ:
    case ETH_TYPE_QINQ_OLD:
        return decode_vlan(ctx, p, r, off);
    case ETH_TYPE_MPLS_UC:
    case ETH_TYPE_MPLS_MC:
        return decode_mpls(ctx, p, r, off);
    case ETH_TYPE_PPPOE_SESS:
        return decode_pppoe_session(ctx, p, r, off);
    case ETH_TYPE_NSH:
        return decode_nsh(ctx, p, r, off);
    case ETH_TYPE_PPPOE_DISC:
        dec_count(ctx, DEC_CTR_PPPOE);
        return 0;
    case ETH_TYPE_8021AH: {
        dec_count(ctx, DEC_CTR_IEEE8021AH);
        if (!rd_skip(&r, IEEE8021AH_HDR_LEN - 2))
            return decode_invalid(ctx, p, PKT_EV_IEEE8021AH_HEADER_TOO_SMALL);
        uint16_t inner = rd_be16(&r);
        if (!rd_ok(&r))
            return decode_invalid(ctx, p, PKT_EV_IEEE8021AH_HEADER_TOO_SMALL);
        if (inner < 0x0600)
            return 0;
        return decode_ethertype(ctx, p, inner, r, off + IEEE8021AH_HDR_LEN);
    }
    default:
        dec_count(ctx, DEC_CTR_UNKNOWN_ETHERTYPE);
        return 0;
    }
}
