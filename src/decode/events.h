/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * events.h: the decoder events, named as Suricata names them.
 *
 * Where in the pipeline: decode/ records these on the Packet (Packet.events)
 * and counts each as the stats counter "decoder.event.<name>"; the rule
 * keyword `decode-event:<name>` and EVE read them back by name.
 *
 * The list below is the single source of truth: the enum and the name table
 * are both generated from it, so they cannot drift apart. Names follow
 * Suricata's decode-events.c with the "decoder." prefix dropped (that is how
 * rules spell them). Events Suricata lacks (ARP, GTP, VXLAN sizes)
 * follow the same "<layer>.<what>" pattern. PKT_EV_NONE (0) is never
 * recorded, so a zeroed events[] slot is recognisably empty.
 */
#ifndef KASBAH_DECODE_EVENTS_H
#define KASBAH_DECODE_EVENTS_H

#define PKT_EV_LIST(X) \
    X(NONE, "none") \
    /* ethernet, vlan, link types */ \
    X(ETHERNET_PKT_TOO_SMALL, "ethernet.pkt_too_small") \
    X(VLAN_HEADER_TOO_SMALL, "vlan.header_too_small") \
    X(VLAN_UNKNOWN_TYPE, "vlan.unknown_type") \
    X(VLAN_TOO_MANY_LAYERS, "vlan.too_many_layers") \
    X(IEEE8021AH_HEADER_TOO_SMALL, "ieee8021ah.header_too_small") \
    X(SLL_PKT_TOO_SMALL, "sll.pkt_too_small") \
    X(CHDLC_PKT_TOO_SMALL, "chdlc.pkt_too_small") \
    X(WIFI_PKT_TOO_SMALL, "wifi.pkt_too_small") \
    X(LTNULL_PKT_TOO_SMALL, "ltnull.pkt_too_small") \
    X(LTNULL_UNSUPPORTED_TYPE, "ltnull.unsupported_type") \
    X(IPRAW_INVALID_IPV, "ipraw.invalid_ip_version") \
    X(PPP_PKT_TOO_SMALL, "ppp.pkt_too_small") \
    X(PPP_VJU_PKT_TOO_SMALL, "ppp.vju_pkt_too_small") \
    X(PPP_IP4_PKT_TOO_SMALL, "ppp.ip4_pkt_too_small") \
    X(PPP_IP6_PKT_TOO_SMALL, "ppp.ip6_pkt_too_small") \
    X(PPP_WRONG_TYPE, "ppp.wrong_type") \
    X(PPP_UNSUP_PROTO, "ppp.unsup_proto") \
    X(PPPOE_PKT_TOO_SMALL, "pppoe.pkt_too_small") \
    X(PPPOE_WRONG_CODE, "pppoe.wrong_code") \
    X(PPPOE_MALFORMED_TAGS, "pppoe.malformed_tags") \
    X(MPLS_HEADER_TOO_SMALL, "mpls.header_too_small") \
    X(MPLS_PKT_TOO_SMALL, "mpls.pkt_too_small") \
    X(MPLS_BAD_LABEL_ROUTER_ALERT, "mpls.bad_label_router_alert") \
    X(MPLS_BAD_LABEL_IMPLICIT_NULL, "mpls.bad_label_implicit_null") \
    X(MPLS_BAD_LABEL_RESERVED, "mpls.bad_label_reserved") \
    X(MPLS_UNKNOWN_PAYLOAD_TYPE, "mpls.unknown_payload_type") \
    /* arp */ \
    X(ARP_PKT_TOO_SMALL, "arp.pkt_too_small") \
    X(ARP_UNSUPPORTED_HARDWARE, "arp.unsupported_hardware") \
    X(ARP_UNSUPPORTED_PROTOCOL, "arp.unsupported_protocol") \
    X(ARP_INVALID_HARDWARE_SIZE, "arp.invalid_hardware_size") \
    X(ARP_INVALID_PROTOCOL_SIZE, "arp.invalid_protocol_size") \
    X(ARP_UNSUPPORTED_OPCODE, "arp.unsupported_opcode") \
    /* ipv4 */ \
    X(IPV4_PKT_TOO_SMALL, "ipv4.pkt_too_small") \
    X(IPV4_HLEN_TOO_SMALL, "ipv4.hlen_too_small") \
    X(IPV4_IPLEN_SMALLER_THAN_HLEN, "ipv4.iplen_smaller_than_hlen") \
    X(IPV4_TRUNC_PKT, "ipv4.trunc_pkt") \
    X(IPV4_OPT_INVALID, "ipv4.opt_invalid") \
    X(IPV4_OPT_INVALID_LEN, "ipv4.opt_invalid_len") \
    X(IPV4_OPT_MALFORMED, "ipv4.opt_malformed") \
    X(IPV4_OPT_PAD_REQUIRED, "ipv4.opt_pad_required") \
    X(IPV4_OPT_EOL_REQUIRED, "ipv4.opt_eol_required") \
    X(IPV4_OPT_DUPLICATE, "ipv4.opt_duplicate") \
    X(IPV4_OPT_UNKNOWN, "ipv4.opt_unknown") \
    X(IPV4_WRONG_IP_VER, "ipv4.wrong_ip_version") \
    X(IPV4_WITH_ICMPV6, "ipv4.icmpv6") \
    X(IPV4_FRAG_PKT_TOO_LARGE, "ipv4.frag_pkt_too_large") \
    X(IPV4_FRAG_OVERLAP, "ipv4.frag_overlap") \
    X(IPV4_FRAG_IGNORED, "ipv4.frag_ignored") \
    /* icmpv4 */ \
    X(ICMPV4_PKT_TOO_SMALL, "icmpv4.pkt_too_small") \
    X(ICMPV4_UNKNOWN_TYPE, "icmpv4.unknown_type") \
    X(ICMPV4_UNKNOWN_CODE, "icmpv4.unknown_code") \
    X(ICMPV4_IPV4_TRUNC_PKT, "icmpv4.ipv4_trunc_pkt") \
    X(ICMPV4_IPV4_UNKNOWN_VER, "icmpv4.ipv4_unknown_ver") \
    /* icmpv6 */ \
    X(ICMPV6_UNKNOWN_TYPE, "icmpv6.unknown_type") \
    X(ICMPV6_UNKNOWN_CODE, "icmpv6.unknown_code") \
    X(ICMPV6_PKT_TOO_SMALL, "icmpv6.pkt_too_small") \
    X(ICMPV6_IPV6_UNKNOWN_VER, "icmpv6.ipv6_unknown_version") \
    X(ICMPV6_IPV6_TRUNC_PKT, "icmpv6.ipv6_trunc_pkt") \
    X(ICMPV6_MLD_INVALID_HL, "icmpv6.mld_message_with_invalid_hl") \
    X(ICMPV6_UNASSIGNED_TYPE, "icmpv6.unassigned_type") \
    X(ICMPV6_EXPERIMENTATION_TYPE, "icmpv6.experimentation_type") \
    /* ipv6 */ \
    X(IPV6_PKT_TOO_SMALL, "ipv6.pkt_too_small") \
    X(IPV6_TRUNC_PKT, "ipv6.trunc_pkt") \
    X(IPV6_TRUNC_EXTHDR, "ipv6.trunc_exthdr") \
    X(IPV6_EXTHDR_DUPL_FH, "ipv6.exthdr_dupl_fh") \
    X(IPV6_EXTHDR_USELESS_FH, "ipv6.exthdr_useless_fh") \
    X(IPV6_EXTHDR_DUPL_RH, "ipv6.exthdr_dupl_rh") \
    X(IPV6_EXTHDR_DUPL_HH, "ipv6.exthdr_dupl_hh") \
    X(IPV6_EXTHDR_DUPL_DH, "ipv6.exthdr_dupl_dh") \
    X(IPV6_EXTHDR_DUPL_AH, "ipv6.exthdr_dupl_ah") \
    X(IPV6_EXTHDR_DUPL_EH, "ipv6.exthdr_dupl_eh") \
    X(IPV6_EXTHDR_INVALID_OPTLEN, "ipv6.exthdr_invalid_optlen") \
    X(IPV6_WRONG_IP_VER, "ipv6.wrong_ip_version") \
    X(IPV6_EXTHDR_AH_RES_NOT_NULL, "ipv6.exthdr_ah_res_not_null") \
    X(IPV6_HOPOPTS_UNKNOWN_OPT, "ipv6.hopopts_unknown_opt") \
    X(IPV6_HOPOPTS_ONLY_PADDING, "ipv6.hopopts_only_padding") \
    X(IPV6_DSTOPTS_UNKNOWN_OPT, "ipv6.dstopts_unknown_opt") \
    X(IPV6_DSTOPTS_ONLY_PADDING, "ipv6.dstopts_only_padding") \
    X(IPV6_RH_TYPE_0, "ipv6.rh_type_0") \
    X(IPV6_ZERO_LEN_PADN, "ipv6.zero_len_padn") \
    X(IPV6_FH_NON_ZERO_RES_FIELD, "ipv6.fh_non_zero_reserved_field") \
    X(IPV6_DATA_AFTER_NONE_HEADER, "ipv6.data_after_none_header") \
    X(IPV6_UNKNOWN_NEXT_HEADER, "ipv6.unknown_next_header") \
    X(IPV6_WITH_ICMPV4, "ipv6.icmpv4") \
    X(IPV6_FRAG_PKT_TOO_LARGE, "ipv6.frag_pkt_too_large") \
    X(IPV6_FRAG_OVERLAP, "ipv6.frag_overlap") \
    X(IPV6_FRAG_INVALID_LENGTH, "ipv6.frag_invalid_length") \
    X(IPV6_FRAG_IGNORED, "ipv6.frag_ignored") \
    X(IPV4_IN_IPV6_PKT_TOO_SMALL, "ipv6.ipv4_in_ipv6_too_small") \
    X(IPV4_IN_IPV6_WRONG_IP_VER, "ipv6.ipv4_in_ipv6_wrong_version") \
    X(IPV6_IN_IPV6_PKT_TOO_SMALL, "ipv6.ipv6_in_ipv6_too_small") \
    X(IPV6_IN_IPV6_WRONG_IP_VER, "ipv6.ipv6_in_ipv6_wrong_version") \
    /* tcp, udp */ \
    X(TCP_PKT_TOO_SMALL, "tcp.pkt_too_small") \
    X(TCP_HLEN_TOO_SMALL, "tcp.hlen_too_small") \
    X(TCP_INVALID_OPTLEN, "tcp.invalid_optlen") \
    X(TCP_OPT_INVALID_LEN, "tcp.opt_invalid_len") \
    X(TCP_OPT_DUPLICATE, "tcp.opt_duplicate") \
    X(UDP_PKT_TOO_SMALL, "udp.pkt_too_small") \
    X(UDP_HLEN_TOO_SMALL, "udp.hlen_too_small") \
    X(UDP_HLEN_INVALID, "udp.hlen_invalid") \
    X(UDP_LEN_INVALID, "udp.len_invalid") \
    /* tunnels */ \
    X(GRE_PKT_TOO_SMALL, "gre.pkt_too_small") \
    X(GRE_WRONG_VERSION, "gre.wrong_version") \
    X(GRE_VERSION0_RECUR, "gre.version0_recur") \
    X(GRE_VERSION0_FLAGS, "gre.version0_flags") \
    X(GRE_VERSION0_HDR_TOO_BIG, "gre.version0_hdr_too_big") \
    X(GRE_VERSION0_MALFORMED_SRE_HDR, "gre.version0_malformed_sre_hdr") \
    X(GRE_VERSION1_CHKSUM, "gre.version1_chksum") \
    X(GRE_VERSION1_ROUTE, "gre.version1_route") \
    X(GRE_VERSION1_SSR, "gre.version1_ssr") \
    X(GRE_VERSION1_RECUR, "gre.version1_recur") \
    X(GRE_VERSION1_FLAGS, "gre.version1_flags") \
    X(GRE_VERSION1_NO_KEY, "gre.version1_no_key") \
    X(GRE_VERSION1_WRONG_PROTOCOL, "gre.version1_wrong_protocol") \
    X(GRE_VERSION1_HDR_TOO_BIG, "gre.version1_hdr_too_big") \
    X(ERSPAN_HEADER_TOO_SMALL, "erspan.header_too_small") \
    X(ERSPAN_UNSUPPORTED_VERSION, "erspan.unsupported_version") \
    X(VXLAN_PKT_TOO_SMALL, "vxlan.pkt_too_small") \
    X(VXLAN_UNKNOWN_PAYLOAD_TYPE, "vxlan.unknown_payload_type") \
    X(GENEVE_UNKNOWN_PAYLOAD_TYPE, "geneve.unknown_payload_type") \
    X(GTP_PKT_TOO_SMALL, "gtp.pkt_too_small") \
    X(GTP_UNKNOWN_PAYLOAD_TYPE, "gtp.unknown_payload_type") \
    X(TOO_MANY_LAYERS, "too_many_layers") \
    X(NSH_HEADER_TOO_SMALL, "nsh.header_too_small") \
    X(NSH_UNSUPPORTED_VERSION, "nsh.unsupported_version") \
    X(NSH_BAD_HEADER_LENGTH, "nsh.bad_header_length") \
    X(NSH_RESERVED_TYPE, "nsh.reserved_type") \
    X(NSH_UNSUPPORTED_TYPE, "nsh.unsupported_type") \
    X(NSH_UNKNOWN_PAYLOAD, "nsh.unknown_payload")

#define PKT_EV_ENUM_ITEM(id, name) PKT_EV_##id,
typedef enum DecodeEvent {
    PKT_EV_LIST(PKT_EV_ENUM_ITEM)
    PKT_EV_MAX
} DecodeEvent;
#undef PKT_EV_ENUM_ITEM

/* The rule-facing name of ev ("ipv4.trunc_pkt"); NULL when out of range
 * (PKT_EV_NONE is "none"). Thread-safe: a static table. */
const char *decode_event_name(int ev);

/* The event whose name is name (exact, case-sensitive); -1 when unknown.
 * PKT_EV_NONE is never returned. Thread-safe. */
int decode_event_by_name(const char *name);

#endif
