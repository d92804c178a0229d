/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wifi.h: IEEE 802.11 data frames, bare (DLT_IEEE802_11, 105) or behind a
 * radiotap header (DLT_IEEE802_11_RADIO, 127; radiotap.org).
 *
 *   radiotap:  version(1)=0 pad(1) length(2, little-endian) present(4) ...
 *              skipped whole by its length.
 *   802.11 MAC header (IEEE 802.11-2020 s9.2):
 *     frame control(2) duration(2) addr1(6) addr2(6) addr3(6) seq(2)
 *     [addr4(6) when ToDS and FromDS] [QoS(2) for QoS data subtypes]
 *     [HT control(4) when QoS and the Order flag]
 *   then LLC/SNAP: AA AA 03 OUI(3) ethertype(2), RFC 1042 / 802.1H.
 *
 * Only unprotected data frames carry anything we decode; management,
 * control, null-data and protected (encrypted) frames end decoding
 * quietly. Not in Suricata; events follow its naming.
 */
#ifndef KASBAH_DECODE_WIFI_H
#define KASBAH_DECODE_WIFI_H

#define WIFI_HDR_LEN 24
#define LLC_SNAP_LEN 8

#endif
