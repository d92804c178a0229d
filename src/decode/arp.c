/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arp.c: ARP over Ethernet for IPv4 (RFC 826; wire format in arp.h). Sits
 * after the ethertype dispatch; ARP ends decoding (no flow, no payload).
 */
#include "decode/arp.h"

#include "decode/decode_int.h"

int decode_arp(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_ARP);
    if (!rd_has(&r, 8))
        return decode_invalid(ctx, p, PKT_EV_ARP_PKT_TOO_SMALL);
    uint16_t htype = rd_be16(&r);
    uint16_t ptype = rd_be16(&r);
    uint8_t hlen = rd_u8(&r);
    uint8_t plen = rd_u8(&r);
    uint16_t op = rd_be16(&r);
    if (htype != 1)
        return decode_invalid(ctx, p, PKT_EV_ARP_UNSUPPORTED_HARDWARE);
    if (ptype != 0x0800)
        return decode_invalid(ctx, p, PKT_EV_ARP_UNSUPPORTED_PROTOCOL);
    if (hlen != 6)
        return decode_invalid(ctx, p, PKT_EV_ARP_INVALID_HARDWARE_SIZE);
    if (plen != 4)
        return decode_invalid(ctx, p, PKT_EV_ARP_INVALID_PROTOCOL_SIZE);
    if (!rd_has(&r, ARP_ETH_IPV4_LEN - 8))
        return decode_invalid(ctx, p, PKT_EV_ARP_PKT_TOO_SMALL);
    rd_copy(&r, p->arp_sha, 6);
    rd_copy(&r, p->arp_spa, 4);
    rd_copy(&r, p->arp_tha, 6);
    rd_copy(&r, p->arp_tpa, 4);
    p->arp_op = op;
    p->flags |= PKT_HAS_ARP;
    if (op < ARP_OP_REQUEST || op > ARP_OP_RREPLY)
        decode_event_set(ctx, p, PKT_EV_ARP_UNSUPPORTED_OPCODE);
    (void)off;
    return 0;
}
