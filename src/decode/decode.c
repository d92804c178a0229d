/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * decode.c: the decoder's front door. It owns the DecodeCtx (counters,
 * accounts, defrag table), dispatches on the capture's link type, records
 * events, keeps the chain of pseudo packets, and holds the link layers that
 * are too small for a file of their own: raw IP, BSD null/loopback, Linux
 * cooked v1/v2 and PPP.
 *
 * Where it sits: capture -> decode_packet -> flow. Everything below is
 * called per packet on one worker; nothing here takes a lock.
 *
 * Link formats:
 *   DLT_NULL/LOOP   4-byte address family (AF_INET 2; AF_INET6 10, 24, 28,
 *                   30 depending on the OS), host order of the writer for
 *                   NULL, network order for LOOP; we accept either order.
 *   LINUX_SLL       pkttype(2) hatype(2) halen(2) addr(8) protocol(2)
 *   LINUX_SLL2      protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1)
 *                   halen(1) addr(8)            (tcpdump.org/linktypes)
 *   PPP             [ff 03] protocol(1 or 2)    (RFC 1661, RFC 1662)
 *   C_HDLC          address(1) control(1) protocol(2, an ethertype)
 *   802.11, radiotap  in wifi.c
 *
 * Invariants: every byte is read through lib/reader.h; a wire packet is
 * never modified; pseudo packets are zeroed before use.
 */
#include "decode/decode.h"

#include <string.h>

#include "decode/decode_int.h"
#include "decode/ipv4.h"

#define PSEUDO_FREE_MAX 32

/* ---------------------------------------------------------------- config */

void decode_config_defaults(DecodeConfig *cfg)
{
    cfg->checksum_validate = true;
    cfg->defrag_memcap = 32u * 1024 * 1024;
    cfg->defrag_timeout_s = 60;
    cfg->defrag_max_frags = 1024;
}

#define DEC_CTR_NAME_ITEM(id, name) name,
static const char *const ctr_names[DEC_CTR_MAX] = { DEC_CTR_LIST(DEC_CTR_NAME_ITEM) };
#undef DEC_CTR_NAME_ITEM

DecodeCtx *decode_ctx_new(const DecodeConfig *cfg, Stats *stats)
{
    DecodeCtx *ctx = mem_calloc(NULL, 1, sizeof *ctx);
    if (ctx == NULL)
        return NULL;
    ctx->cfg = *cfg;
    ctx->stats = stats;
    for (int i = 0; i < DEC_CTR_MAX; i++)
        ctx->ctr[i] = stats_register(ctr_names[i]);
    ctx->ev_ctr[PKT_EV_NONE] = -1;
    for (int i = PKT_EV_NONE + 1; i < PKT_EV_MAX; i++) {
        char name[128];
        const char *ev = decode_event_name(i);
        size_t n = strlen(ev);
        static const char prefix[] = "decoder.event.";
        if (n + sizeof prefix > sizeof name) {
            ctx->ev_ctr[i] = -1;
            continue;
        }
        memcpy(name, prefix, sizeof prefix - 1);
        memcpy(name + sizeof prefix - 1, ev, n + 1);
        ctx->ev_ctr[i] = stats_register(name);
    }
    mem_account_init(&ctx->defrag_acct, "defrag", cfg->defrag_memcap);
    mem_account_init(&ctx->pseudo_acct, "decode", 0);
    ctx->defrag = decode_defrag_new(ctx);
    if (ctx->defrag == NULL) {
        mem_free(NULL, ctx);
        return NULL;
    }
    return ctx;
}

void decode_ctx_free(DecodeCtx *ctx)
{
    if (ctx == NULL)
        return;
    decode_defrag_free(ctx, ctx->defrag);
    while (ctx->free_list != NULL) {
        Packet *q = ctx->free_list;
        ctx->free_list = q->next;
        mem_free(&ctx->pseudo_acct, q);
    }
    mem_free(NULL, ctx);
}

const MemAccount *decode_ctx_defrag_account(const DecodeCtx *ctx) { return &ctx->defrag_acct; }
const MemAccount *decode_ctx_pseudo_account(const DecodeCtx *ctx) { return &ctx->pseudo_acct; }

/* ---------------------------------------------------------------- events */

void decode_event_set(DecodeCtx *ctx, Packet *p, DecodeEvent ev)
{
    if (ev <= PKT_EV_NONE || ev >= PKT_EV_MAX)
        return;
    for (uint8_t i = 0; i < p->n_events; i++)
        if (p->events[i] == ev)
            return;
    stats_inc(ctx->stats, ctx->ev_ctr[ev]);
    if (p->n_events < PKT_MAX_EVENTS)
        p->events[p->n_events++] = (uint16_t)ev;
}

int decode_invalid(DecodeCtx *ctx, Packet *p, DecodeEvent ev)
{
    decode_event_set(ctx, p, ev);
    ctx->invalid = true;
    return -1;
}

uint32_t decode_wire_left(const Packet *p, const Reader *r, uint32_t off)
{
    uint64_t left = rd_left(r);
    if (p->wirelen > p->caplen && (uint64_t)off + left >= p->caplen)
        left += p->wirelen - p->caplen;
    return left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}

/* ------------------------------------------------------------- checksums */

uint64_t decode_csum_add(uint64_t sum, Reader *r)
{
    /* The bulk 32 bytes at a time in host byte order, swapped once at the
     * end: the ones' complement sum does not depend on byte order (RFC 1071
     * section 2(B)). Each 64-bit word adds two 32-bit halves; the carries
     * gather in the top bits, which 2^31 words could not fill. */
    uint64_t host = 0;
    uint64_t w[4];
    while (rd_left(r) >= sizeof w && rd_copy(r, w, sizeof w)) {
        for (unsigned i = 0; i < 4; i++)
            host += (w[i] & 0xffffffffu) + (w[i] >> 32);
    }
    uint16_t h = decode_csum_fold(host);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    h = (uint16_t)((h << 8) | (h >> 8));
#endif
    sum += h;
    while (rd_left(r) >= 4)
        sum += rd_be32(r);
    while (rd_left(r) >= 2)
        sum += rd_be16(r);
    if (rd_left(r) == 1)
        sum += (uint32_t)rd_u8(r) << 8;
    return sum;
}

uint16_t decode_csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

uint64_t decode_csum_pseudo(const Packet *p, uint8_t proto, uint32_t l4_len)
{
    uint64_t sum = 0;
    int n = p->ip_ver == 6 ? 16 : 4;
    for (int i = 0; i < n; i += 2) {
        sum += (uint32_t)(p->src.b[i] << 8 | p->src.b[i + 1]);
        sum += (uint32_t)(p->dst.b[i] << 8 | p->dst.b[i + 1]);
    }
    sum += proto;
    sum += l4_len;
    return sum;
}

/* ------------------------------------------------------------ link types */

bool decode_datalink_supported(int datalink)
{
    switch (datalink) {
    case DECODE_DLT_NULL:
    case DECODE_DLT_EN10MB:
    case DECODE_DLT_PPP:
    case DECODE_DLT_RAW:
    case DECODE_DLT_RAW_OPENBSD:
    case DECODE_DLT_PPP_SERIAL:
    case DECODE_DLT_LINKTYPE_RAW:
    case DECODE_DLT_LOOP:
    case DECODE_DLT_LINUX_SLL:
    case DECODE_DLT_IPV4:
    case DECODE_DLT_IPV6:
    case DECODE_DLT_LINUX_SLL2:
    case DECODE_DLT_C_HDLC:
    case DECODE_DLT_IEEE802_11:
    case DECODE_DLT_IEEE802_11_RADIO:
        return true;
    default:
        return false;
    }
}

/* Raw IP: the version nibble picks the decoder. */
static int decode_raw(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_RAW);
    uint8_t v = rd_peek_u8(&r, 0);
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_IPV4_PKT_TOO_SMALL);
    switch (v >> 4) {
    case 4:
        return decode_ipv4(ctx, p, r, off);
    case 6:
        return decode_ipv6(ctx, p, r, off);
    default:
        return decode_invalid(ctx, p, PKT_EV_IPRAW_INVALID_IPV);
    }
}

static int decode_chdlc(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off);

static int decode_null(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_NULL_);
    /* Captures labelled BSD loopback can hold Cisco HDLC frames: address
     * 0x0f (unicast) or 0x8f (broadcast), control 0, then an ethertype. No
     * AF value in either byte order starts that way, and Wireshark decodes
     * them as Cisco HDLC too (found by the agreement sweep:
     * pcapplusplus NullLoopback.pcap). */
    if (rd_left(&r) >= 4 && (rd_peek_u8(&r, 0) & 0x7f) == 0x0f && rd_peek_u8(&r, 1) == 0x00 &&
        rd_peek_be16(&r, 2) >= 0x0600)
        return decode_chdlc(ctx, p, r, off);
    uint32_t af = rd_be32(&r);
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_LTNULL_PKT_TOO_SMALL);
    /* The writer's byte order is unknown for DLT_NULL; AF values are
     * small, so a value in the high bytes means little-endian. */
    if ((af & 0xffff) == 0)
        af = ((af >> 24) & 0xff) | ((af >> 8) & 0xff00);
    Reader rest = rd_sub(&r, rd_left(&r));
    switch (af) {
    case 2:
        return decode_ipv4(ctx, p, rest, off + 4);
    case 10: case 24: case 28: case 30:
        return decode_ipv6(ctx, p, rest, off + 4);
    default:
        return decode_invalid(ctx, p, PKT_EV_LTNULL_UNSUPPORTED_TYPE);
    }
}

/* Protocol fields of SLL that are not ethertypes (linux/if_ether.h). */
static int decode_sll_proto(DecodeCtx *ctx, Packet *p, uint16_t hatype, uint16_t proto,
                            Reader r, uint32_t off)
{
    /* ARPHRD_IPGRE (778) carries a GRE protocol type; ARPHRD_NETLINK (824)
     * is not IP. Otherwise protocol is an ethertype, or a small value
     * (802.2 / 802.3 framing) that we do not decode. */
    if (hatype == 824)
        return 0;
    if (proto < 0x0600) {
        dec_count(ctx, DEC_CTR_UNKNOWN_ETHERTYPE);
        return 0;
    }
    return decode_ethertype(ctx, p, proto, r, off);
}

static int decode_sll(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_SLL);
    rd_skip(&r, 2);
    uint16_t hatype = rd_be16(&r);
    rd_skip(&r, 10);
    uint16_t proto = rd_be16(&r);
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_SLL_PKT_TOO_SMALL);
    return decode_sll_proto(ctx, p, hatype, proto, r, off + 16);
}

static int decode_sll2(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_SLL2);
    uint16_t proto = rd_be16(&r);
    rd_skip(&r, 6);
    uint16_t hatype = rd_be16(&r);
    rd_skip(&r, 10);
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_SLL_PKT_TOO_SMALL);
    return decode_sll_proto(ctx, p, hatype, proto, r, off + 20);
}

static int decode_chdlc(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_CHDLC);
    rd_skip(&r, 2);
    uint16_t proto = rd_be16(&r);
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_CHDLC_PKT_TOO_SMALL);
    if (proto < 0x0600) { /* SLARP (0x8035) and CDP are ethertypes; this is not */
        dec_count(ctx, DEC_CTR_UNKNOWN_ETHERTYPE);
        return 0;
    }
    return decode_ethertype(ctx, p, proto, r, off + 4);
}

int decode_ppp(DecodeCtx *ctx, Packet *p, Reader r, uint32_t off)
{
    dec_count(ctx, DEC_CTR_PPP);
    uint32_t start = (uint32_t)rd_pos(&r);
    /* RFC 1662 address/control bytes, omitted under ACFC. */
    if (rd_peek_u8(&r, start) == 0xff && rd_peek_u8(&r, start + 1) == 0x03)
        rd_skip(&r, 2);
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_PPP_PKT_TOO_SMALL);
    /* Protocol field compression (RFC 1661 s6.5): a one-byte protocol
     * has its low bit set. */
    uint16_t proto = rd_u8(&r);
    if ((proto & 1) == 0)
        proto = (uint16_t)(proto << 8 | rd_u8(&r));
    if (!rd_ok(&r))
        return decode_invalid(ctx, p, PKT_EV_PPP_PKT_TOO_SMALL);
    uint32_t hdr = (uint32_t)rd_pos(&r) - start;
    Reader rest = rd_sub(&r, rd_left(&r));
    switch (proto) {
    case 0x0021: /* IPv4 */
        if (rd_left(&rest) < 20)
            return decode_invalid(ctx, p, PKT_EV_PPP_IP4_PKT_TOO_SMALL);
        return decode_ipv4(ctx, p, rest, off + hdr);
    case 0x0057: /* IPv6 */
        if (rd_left(&rest) < 40)
            return decode_invalid(ctx, p, PKT_EV_PPP_IP6_PKT_TOO_SMALL);
        return decode_ipv6(ctx, p, rest, off + hdr);
    case 0x0281: /* MPLS unicast and multicast (RFC 3032 section 4.3) */
    case 0x0283:
        return decode_mpls(ctx, p, rest, off + hdr);
    case 0x002d: /* Van Jacobson compressed/uncompressed TCP/IP */
    case 0x002f:
        if (rd_left(&rest) < 20)
            return decode_invalid(ctx, p, PKT_EV_PPP_VJU_PKT_TOO_SMALL);
        decode_event_set(ctx, p, PKT_EV_PPP_UNSUP_PROTO);
        return 0;
    default:
        /* Control protocols (LCP 0xc021, IPCP 0x8021, ...) are valid PPP
         * but carry no IP; anything with the low bit of the high byte set
         * or an even low byte is not a PPP protocol number at all. */
        if ((proto & 0x0100) != 0 || (proto & 0x0001) == 0)
            decode_event_set(ctx, p, PKT_EV_PPP_WRONG_TYPE);
        else
            decode_event_set(ctx, p, PKT_EV_PPP_UNSUP_PROTO);
        return 0;
    }
}

static int decode_link(DecodeCtx *ctx, Packet *p, Reader r)
{
    switch (p->datalink) {
    case DECODE_DLT_EN10MB:
        return decode_ethernet(ctx, p, r, 0);
    case DECODE_DLT_RAW:
    case DECODE_DLT_RAW_OPENBSD:
    case DECODE_DLT_LINKTYPE_RAW:
        return decode_raw(ctx, p, r, 0);
    case DECODE_DLT_IPV4:
        dec_count(ctx, DEC_CTR_RAW);
        return decode_ipv4(ctx, p, r, 0);
    case DECODE_DLT_IPV6:
        dec_count(ctx, DEC_CTR_RAW);
        return decode_ipv6(ctx, p, r, 0);
    case DECODE_DLT_NULL:
    case DECODE_DLT_LOOP:
        return decode_null(ctx, p, r, 0);
    case DECODE_DLT_LINUX_SLL:
        return decode_sll(ctx, p, r, 0);
    case DECODE_DLT_LINUX_SLL2:
        return decode_sll2(ctx, p, r, 0);
    case DECODE_DLT_PPP:
    case DECODE_DLT_PPP_SERIAL:
        /* Cisco routers label HDLC links as PPP: a frame that opens with a
         * Cisco HDLC address (0x0f unicast, 0x8f broadcast) and control 0
         * is Cisco HDLC, as Wireshark also decides. */
        if (rd_left(&r) >= 4 && (rd_peek_u8(&r, 0) & 0x7f) == 0x0f && rd_peek_u8(&r, 1) == 0x00)
            return decode_chdlc(ctx, p, r, 0);
        return decode_ppp(ctx, p, r, 0);
    case DECODE_DLT_C_HDLC:
        return decode_chdlc(ctx, p, r, 0);
    case DECODE_DLT_IEEE802_11:
        return decode_wifi(ctx, p, r, 0);
    case DECODE_DLT_IEEE802_11_RADIO:
        return decode_radiotap(ctx, p, r, 0);
    default:
        dec_count(ctx, DEC_CTR_UNKNOWN_DATALINK);
        return 0;
    }
}

/* ------------------------------------------------------------- transport */

int decode_l4(DecodeCtx *ctx, Packet *p, uint8_t proto, Reader r, uint32_t off)
{
    switch (proto) {
    case IPPROTO_NUM_TCP:
        return decode_tcp(ctx, p, r, off);
    case IPPROTO_NUM_UDP:
        return decode_udp(ctx, p, r, off);
    case IPPROTO_NUM_ICMP:
        return decode_icmpv4(ctx, p, r, off);
    case IPPROTO_NUM_ICMPV6:
        return decode_icmpv6(ctx, p, r, off);
    case IPPROTO_NUM_GRE:
        return decode_gre(ctx, p, r, off);
    case IPPROTO_NUM_IPIP:
        dec_count(ctx, p->ip_ver == 4 ? DEC_CTR_IPV4_IN_IPV4 : DEC_CTR_IPV4_IN_IPV6);
        if (p->ip_ver == 6 && !rd_has(&r, 20))
            return decode_invalid(ctx, p, PKT_EV_IPV4_IN_IPV6_PKT_TOO_SMALL);
        if (p->ip_ver == 6 && rd_peek_u8(&r, 0) >> 4 != 4)
            return decode_invalid(ctx, p, PKT_EV_IPV4_IN_IPV6_WRONG_IP_VER);
        return decode_tunnel_inner(ctx, p, r, off, TUNNEL_INNER_IPV4);
    case IPPROTO_NUM_IPV6:
        dec_count(ctx, p->ip_ver == 4 ? DEC_CTR_IPV6_IN_IPV4 : DEC_CTR_IPV6_IN_IPV6);
        if (p->ip_ver == 6 && !rd_has(&r, 40))
            return decode_invalid(ctx, p, PKT_EV_IPV6_IN_IPV6_PKT_TOO_SMALL);
        if (p->ip_ver == 6 && rd_peek_u8(&r, 0) >> 4 != 6)
            return decode_invalid(ctx, p, PKT_EV_IPV6_IN_IPV6_WRONG_IP_VER);
        return decode_tunnel_inner(ctx, p, r, off, TUNNEL_INNER_IPV6);
    default:
        /* SCTP, ESP, OSPF, ...: the IP layer is all we decode. */
        return 0;
    }
}

/* -------------------------------------------------------- pseudo packets */

Packet *decode_pseudo_new(DecodeCtx *ctx)
{
    Packet *q = ctx->free_list;
    if (q != NULL) {
        ctx->free_list = q->next;
        ctx->n_free--;
    } else {
        q = mem_alloc(&ctx->pseudo_acct, sizeof *q);
        if (q == NULL)
            return NULL;
    }
    memset(q, 0, sizeof *q);
    return q;
}

void decode_chain_add(DecodeCtx *ctx, Packet *q)
{
    q->next = NULL;
    if (ctx->chain_tail != NULL)
        ctx->chain_tail->next = q;
    else
        ctx->chain_head = q;
    ctx->chain_tail = q;
}

void decode_packet_free(DecodeCtx *ctx, Packet *p)
{
    while (p != NULL) {
        Packet *next = p->next;
        mem_free(&ctx->pseudo_acct, p->owned);
        p->owned = NULL;
        if (ctx->n_free < PSEUDO_FREE_MAX) {
            p->next = ctx->free_list;
            ctx->free_list = p;
            ctx->n_free++;
        } else {
            mem_free(&ctx->pseudo_acct, p);
        }
        p = next;
    }
}

int decode_inner_run(DecodeCtx *ctx, Packet *q, int kind)
{
    Reader r = rd_init(q->data, q->caplen);
    switch (kind) {
    case TUNNEL_INNER_ETH:
        return decode_ethernet(ctx, q, r, 0);
    case TUNNEL_INNER_IPV4:
        return decode_ipv4(ctx, q, r, 0);
    case TUNNEL_INNER_IPV6:
        return decode_ipv6(ctx, q, r, 0);
    case TUNNEL_INNER_PPP:
        return decode_ppp(ctx, q, r, 0);
    case TUNNEL_INNER_MPLS:
        return decode_mpls(ctx, q, r, 0);
    default: {
        uint8_t v = rd_peek_u8(&r, 0);
        if (!rd_ok(&r))
            return decode_invalid(ctx, q, PKT_EV_IPV4_PKT_TOO_SMALL);
        if (v >> 4 == 4)
            return decode_ipv4(ctx, q, r, 0);
        if (v >> 4 == 6)
            return decode_ipv6(ctx, q, r, 0);
        return decode_invalid(ctx, q, PKT_EV_IPRAW_INVALID_IPV);
    }
    }
}

/* ----------------------------------------------------------------- entry */

Packet *decode_packet(DecodeCtx *ctx, Packet *p)
{
    ctx->chain_head = ctx->chain_tail = NULL;
    ctx->invalid = false;
    ctx->n_layers = 0;
    p->next = NULL;
    p->tcp_wscale = 0xff;

    dec_count(ctx, DEC_CTR_PKTS);
    stats_add(ctx->stats, ctx->ctr[DEC_CTR_BYTES], p->wirelen);
    int mx = ctx->ctr[DEC_CTR_MAX_PKT_SIZE];
    if (mx >= 0 && ctx->stats->v[mx] < p->wirelen)
        stats_set(ctx->stats, mx, p->wirelen);
    if (p->wirelen > p->caplen)
        dec_count(ctx, DEC_CTR_TRUNCATED);

    Reader r = rd_init(p->data, p->data != NULL ? p->caplen : 0);
    (void)decode_link(ctx, p, r);
    if (ctx->invalid)
        dec_count(ctx, DEC_CTR_INVALID);
    return ctx->chain_head;
}
