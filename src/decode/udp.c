/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * udp.c: UDP header and checksum (wire format in udp.h); hands VXLAN and
 * GTP-U payloads to tunnel.c. Sits after IPv4/IPv6.
 *
 * Invariants: payload is clamped to the UDP length, the IP length and the
 * captured bytes; a tunnel that fails to decode leaves the outer UDP
 * packet valid (port numbers are only a hint).
 */
#include "decode/udp.h"

#include "decode/decode_int.h"

int decode_udp(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_UDP);
    if (!rd_has(&r, UDP_HDR_LEN))
        return decode_invalid(ctx, p, PKT_EV_UDP_HLEN_TOO_SMALL);
    Reader h = r;
    uint16_t sp = rd_be16(&h);
    uint16_t dp = rd_be16(&h);
    uint16_t ulen = rd_be16(&h);
    uint16_t csum = rd_be16(&h);
    uint32_t ip_l4 = p->ip_len >= p->ip_hlen ? p->ip_len - p->ip_hlen : 0;
    if (ulen < UDP_HDR_LEN)
        return decode_invalid(ctx, p, PKT_EV_UDP_LEN_INVALID);
    if (ulen > ip_l4)
        return decode_invalid(ctx, p, PKT_EV_UDP_PKT_TOO_SMALL);
    if (ulen != ip_l4)
        decode_event_set(ctx, p, PKT_EV_UDP_HLEN_INVALID);

    p->flags |= PKT_HAS_UDP;
    p->sp = sp;
    p->dp = dp;
    p->udp_len = ulen;
    p->l4_off = (uint16_t)off;
    p->l4_hlen = UDP_HDR_LEN;

    Reader d = rd_sub(&r, ulen < rd_left(&r) ? ulen : rd_left(&r));
    if (ctx->cfg.checksum_validate && rd_left(&d) == ulen && (csum != 0 || p->ip_ver == 6)) {
        Reader c = d;
        uint64_t sum = decode_csum_pseudo(p, 17, ulen) + decode_csum_add(0, &c);
        if (csum == 0 || decode_csum_fold(sum) != 0xffff) {
            p->flags |= PKT_L4_CSUM_BAD;
            dec_count(ctx, DEC_CTR_CSUM_BAD_UDP);
        }
    }
    rd_skip(&d, UDP_HDR_LEN);
    p->payload = rd_cur(&d);
    p->payload_len = (uint32_t)rd_left(&d);

    if (p->payload_len > 0) {
        d = rd_sub(&d, rd_left(&d)); /* the tunnel header at position 0 */
        if (dp == UDP_PORT_VXLAN)
            (void)decode_vxlan(ctx, p, d, off + UDP_HDR_LEN);
        else if (dp == UDP_PORT_GTPU || sp == UDP_PORT_GTPU)
            (void)decode_gtp(ctx, p, d, off + UDP_HDR_LEN);
        else if (dp == UDP_PORT_GENEVE || sp == UDP_PORT_GENEVE)
            /* either port, as Suricata: replies come from 6081 (found by
             * the agreement sweep: arkime_synthetic.pcap) */
            (void)decode_geneve(ctx, p, d, off + UDP_HDR_LEN);
        else if (dp == UDP_PORT_TEREDO || sp == UDP_PORT_TEREDO)
            (void)decode_teredo(ctx, p, d, off + UDP_HDR_LEN);
    }
    return 0;
}
