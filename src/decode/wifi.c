/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wifi.c: radiotap and 802.11 data frames down to the LLC/SNAP ethertype
 * (formats in wifi.h), then the common ethertype dispatch.
 *
 * Invariant: an FCS the capture may append is harmless: IP clamps its
 * layer to the total length, so the 4 trailing bytes never become payload.
 */
#include "decode/wifi.h"

#include "decode/decode_int.h"

int decode_wifi(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_IEEE80211);
    uint8_t fc0 = rd_u8(&r);
    uint8_t fc1 = rd_u8(&r);
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_WIFI_PKT_TOO_SMALL);
    uint8_t type = (fc0 >> 2) & 3, subtype = fc0 >> 4;
    if ((fc0 & 3) != 0 || type != 2 || (subtype & 0x4) != 0)
        return 0; /* not version 0, not data, or a null-data frame */
    if (fc1 & 0x40)
        return 0; /* protected: encrypted payload */
    uint32_t hlen = WIFI_HDR_LEN;
    if ((fc1 & 3) == 3)
        hlen += 6;
    if (subtype & 0x8) {
        hlen += 2;
        if (fc1 & 0x80)
            hlen += 4;
    }
    if (!rd_skip(&r, hlen - 2))
        return decode_invalid(ctx, p, PKT_EV_WIFI_PKT_TOO_SMALL);
    uint8_t dsap = rd_u8(&r), ssap = rd_u8(&r), ctl = rd_u8(&r);
    uint32_t oui = rd_be24(&r);
    uint16_t etype = rd_be16(&r);
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_WIFI_PKT_TOO_SMALL);
    if (dsap != 0xaa || ssap != 0xaa || ctl != 0x03 || (oui != 0 && oui != 0xf8) ||
        etype < 0x0600)
        return 0; /* plain LLC or a vendor protocol */
    return decode_ethertype(ctx, p, etype, r, off + hlen + LLC_SNAP_LEN);
}

int decode_radiotap(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    uint8_t ver = rd_u8(&r);
    rd_skip(&r, 1);
    uint16_t len = rd_le16(&r);
    if (!rd_ok(&r) || ver != 0 || len < 8)
        return decode_invalid(ctx, p, PKT_EV_WIFI_PKT_TOO_SMALL);
    if (!rd_skip(&r, (size_t)len - 4))
        return decode_invalid(ctx, p, PKT_EV_WIFI_PKT_TOO_SMALL);
    return decode_wifi(ctx, p, rd_sub(&r, rd_left(&r)), off + len);
}
