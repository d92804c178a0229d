/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ethernet.h: Ethernet II and IEEE 802.1Q / 802.1ad VLAN tags.
 *
 *   Ethernet II (IEEE 802.3 clause 3.1.1, "DIX"):
 *     0      6      12     14
 *     | dst  | src  | type | payload ...
 *   A type below 0x0600 is an 802.3 length (LLC follows), not decoded.
 *
 *   VLAN tag (IEEE 802.1Q; 802.1ad S-tag uses 0x88a8, legacy QinQ 0x9100):
 *     | TCI: PCP(3) DEI(1) VID(12) | inner type(2) |
 *   Tags may be stacked; the first PKT_MAX_VLAN VIDs go into
 *   Packet.vlan_id[] outermost first, and a deeper stack is the event
 *   vlan.too_many_layers (as Suricata). A tag followed by an 802.3 length
 *   (STP on a trunk, say) ends decoding quietly, like untagged Ethernet.
 *
 *   Provider backbone bridging (IEEE 802.1ah, 0x88e7), decoded inline:
 *     | I-TAG: PCP DEI UCA res(4) I-SID(24) | customer dst(6) src(6) type(2) |
 *
 * The decoding entry points are in decode_int.h; this header names the
 * ethertypes other stages may want.
 */
#ifndef KASBAH_DECODE_ETHERNET_H
#define KASBAH_DECODE_ETHERNET_H

enum {
    ETH_TYPE_IPV4 = 0x0800,
    ETH_TYPE_ARP = 0x0806,
    ETH_TYPE_TEB = 0x6558,       /* transparent Ethernet bridging (GRE) */
    ETH_TYPE_VLAN = 0x8100,
    ETH_TYPE_IPV6 = 0x86dd,
    ETH_TYPE_MPLS_UC = 0x8847,
    ETH_TYPE_MPLS_MC = 0x8848,
    ETH_TYPE_PPPOE_DISC = 0x8863,
    ETH_TYPE_PPPOE_SESS = 0x8864,
    ETH_TYPE_QINQ = 0x88a8,
    ETH_TYPE_ERSPAN2 = 0x88be,
    ETH_TYPE_8021AH = 0x88e7,
    ETH_TYPE_NSH = 0x894f,       /* network service header (RFC 8300) */
    ETH_TYPE_QINQ_OLD = 0x9100,
};

#define ETH_HDR_LEN 14
#define VLAN_HDR_LEN 4
#define IEEE8021AH_HDR_LEN 18

#endif
