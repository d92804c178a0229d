/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tcp.c: TCP header, options and checksum (wire format in tcp.h). Sits
 * after IPv4/IPv6; feeds flow/ and stream/ through the Packet fields.
 *
 * Invariants: the reader given is the segment clamped to the IP length, so
 * payload_len never counts link padding; options are read only inside the
 * header length.
 */
#include "decode/tcp.h"

#include "decode/decode_int.h"

static void parse_options(DecodeCtx *ctx, Packet *p, Reader o)
{
    uint32_t seen = 0;
    while (rd_left(&o) > 0) {
        uint8_t kind = rd_u8(&o);
        if (kind == TCP_OPT_EOL)
            return;
        if (kind == TCP_OPT_NOP)
            continue;
        if (rd_left(&o) == 0) {
            decode_event_set(ctx, p, PKT_EV_TCP_OPT_INVALID_LEN);
            return;
        }
        uint8_t len = rd_u8(&o);
        if (len < 2 || (size_t)(len - 2) > rd_left(&o)) {
            decode_event_set(ctx, p, PKT_EV_TCP_OPT_INVALID_LEN);
            return;
        }
        Reader d = rd_sub(&o, (size_t)len - 2);
        bool ok;
        switch (kind) {
        case TCP_OPT_MSS: ok = len == 4; break;
        case TCP_OPT_WS: ok = len == 3; break;
        case TCP_OPT_SACKOK: ok = len == 2; break;
        case TCP_OPT_SACK: ok = len >= 10 && len <= 34 && (len - 2) % 8 == 0; break;
        case TCP_OPT_TS: ok = len == 10; break;
        default: continue;
        }
        if (!ok) {
            decode_event_set(ctx, p, PKT_EV_TCP_OPT_INVALID_LEN);
            continue;
        }
        if (seen & (1u << kind)) {
            decode_event_set(ctx, p, PKT_EV_TCP_OPT_DUPLICATE);
            continue;
        }
        seen |= 1u << kind;
        switch (kind) {
        case TCP_OPT_MSS:
            p->tcp_mss = rd_be16(&d);
            break;
        case TCP_OPT_WS:
            p->tcp_wscale = rd_u8(&d);
            break;
        case TCP_OPT_SACKOK:
            p->tcp_sack_perm = true;
            break;
        case TCP_OPT_SACK:
            p->tcp_n_sack = 0;
            while (rd_left(&d) >= 8 && p->tcp_n_sack < 4) {
                p->tcp_sack_left[p->tcp_n_sack] = rd_be32(&d);
                p->tcp_sack_right[p->tcp_n_sack] = rd_be32(&d);
                p->tcp_n_sack++;
            }
            break;
        case TCP_OPT_TS:
            p->tcp_has_ts = true;
            p->tcp_tsval = rd_be32(&d);
            p->tcp_tsecr = rd_be32(&d);
            break;
        default:
            break;
        }
    }
}

int decode_tcp(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_TCP);
    if (!rd_has(&r, TCP_HDR_LEN))
        return decode_invalid(ctx, p, PKT_EV_TCP_PKT_TOO_SMALL);
    Reader h = r;
    uint16_t sp = rd_be16(&h);
    uint16_t dp = rd_be16(&h);
    uint32_t seq = rd_be32(&h);
    uint32_t ack = rd_be32(&h);
    uint16_t offflags = rd_be16(&h);
    uint16_t win = rd_be16(&h);
    uint32_t hlen = (uint32_t)(offflags >> 12) * 4;
    if (hlen < TCP_HDR_LEN)
        return decode_invalid(ctx, p, PKT_EV_TCP_HLEN_TOO_SMALL);
    if (!rd_has(&r, hlen))
        return decode_invalid(ctx, p, PKT_EV_TCP_PKT_TOO_SMALL);

    p->flags |= PKT_HAS_TCP;
    p->sp = sp;
    p->dp = dp;
    p->tcp_seq = seq;
    p->tcp_ack = ack;
    p->tcp_flags = (uint8_t)offflags;
    p->tcp_win = win;
    p->tcp_wscale = 0xff;
    p->l4_off = (uint16_t)off;
    p->l4_hlen = (uint16_t)hlen;

    uint32_t seg_len = (uint32_t)rd_left(&r);
    if (ctx->cfg.checksum_validate && p->ip_len >= p->ip_hlen &&
        seg_len == p->ip_len - p->ip_hlen) {
        Reader c = r;
        uint64_t sum = decode_csum_pseudo(p, 6, seg_len) + decode_csum_add(0, &c);
        if (decode_csum_fold(sum) != 0xffff) {
            p->flags |= PKT_L4_CSUM_BAD;
            dec_count(ctx, DEC_CTR_CSUM_BAD_TCP);
        }
    }

    rd_skip(&r, TCP_HDR_LEN);
    if (hlen > TCP_HDR_LEN)
        parse_options(ctx, p, rd_sub(&r, hlen - TCP_HDR_LEN));
    p->payload = rd_cur(&r);
    p->payload_len = (uint32_t)rd_left(&r);
    return 0;
}
