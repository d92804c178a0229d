/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/header.c: IP and TCP header keywords: ttl, tos, ip_proto, id,
 * seq, ack, window, tcp.mss, fragbits, fragoffset, ipopts, sameip, flags
 * (tcp.flags). tos matches IPv4 only; tcp.mss only packets carrying the
 * MSS option.
 * Each tests one field that decode/ filled in the Packet.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "decode/ipv4.h"
#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

/* ------------------------------------------------------------------ */
/* Numeric fields                                                      */
/* ------------------------------------------------------------------ */

typedef enum Field { F_TTL, F_ID, F_SEQ, F_ACK, F_WINDOW, F_FRAGOFF, F_TOS, F_MSS } Field;

typedef struct NumCtx {
    Field field;
    DetectUint u;
} NumCtx;

static bool num_match(DetectMatchCtx *mc, const void *ctx)
{
    const NumCtx *c = ctx;
    const Packet *p = mc->p;
    bool ip = pkt_has(p, PKT_HAS_IPV4 | PKT_HAS_IPV6);
    bool tcp = pkt_has(p, PKT_HAS_TCP);
    switch (c->field) {
    case F_TTL: return ip && detect_uint_match(&c->u, p->ip_ttl);
    case F_ID: return pkt_has(p, PKT_HAS_IPV4) && detect_uint_match(&c->u, p->ip_id);
    case F_SEQ: return tcp && detect_uint_match(&c->u, p->tcp_seq);
    case F_ACK: return tcp && detect_uint_match(&c->u, p->tcp_ack);
    case F_WINDOW: return tcp && detect_uint_match(&c->u, p->tcp_win);
    case F_FRAGOFF: return pkt_has(p, PKT_HAS_IPV4) && detect_uint_match(&c->u, (uint64_t)p->frag_off * 8);
    case F_TOS: return pkt_has(p, PKT_HAS_IPV4) && detect_uint_match(&c->u, p->ip_tos);
    case F_MSS: return tcp && p->tcp_mss != 0 && detect_uint_match(&c->u, p->tcp_mss);
    }
    return false;
}

static const DetectKeyword kw_ttl, kw_id, kw_seq, kw_ack, kw_window, kw_fragoffset, kw_tos, kw_mss;

static int num_setup(DetectParse *pc, const char *arg, Field f, uint64_t max, bool plain_only,
                     const DetectKeyword *kw)
{
    NumCtx *c = mem_calloc(detect_mem(), 1, sizeof *c);
    if (!c)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    c->field = f;
    int rc = detect_uint_parse(arg, max, &c->u);
    if (rc == 0 && plain_only && c->u.mode != DETECT_UINT_EQ && c->u.mode != DETECT_UINT_NE)
        rc = -1;
    if (rc != 0) {
        mem_free(detect_mem(), c);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad value '%.40s'", arg);
    }
    return detect_sm_add_match(pc, kw, c);
}

static int ttl_setup(DetectParse *pc, const char *a) { return num_setup(pc, a, F_TTL, 255, false, &kw_ttl); }
static int id_setup(DetectParse *pc, const char *a) { return num_setup(pc, a, F_ID, 65535, false, &kw_id); }
static int seq_setup(DetectParse *pc, const char *a) { return num_setup(pc, a, F_SEQ, UINT32_MAX, false, &kw_seq); }
static int ack_setup(DetectParse *pc, const char *a) { return num_setup(pc, a, F_ACK, UINT32_MAX, false, &kw_ack); }
static int window_setup(DetectParse *pc, const char *a)
{
    return num_setup(pc, a, F_WINDOW, 65535, false, &kw_window);
}
static int tos_setup(DetectParse *pc, const char *a) { return num_setup(pc, a, F_TOS, 255, false, &kw_tos); }
static int mss_setup(DetectParse *pc, const char *a) { return num_setup(pc, a, F_MSS, 65535, false, &kw_mss); }

static int fragoffset_setup(DetectParse *pc, const char *a)
{
    return num_setup(pc, a, F_FRAGOFF, 65535, false, &kw_fragoffset);
}

/* ------------------------------------------------------------------ */
/* ip_proto                                                            */
/* ------------------------------------------------------------------ */

static bool ipproto_match(DetectMatchCtx *mc, const void *ctx)
{
    const Packet *p = mc->p;
    if (!pkt_has(p, PKT_HAS_IPV4 | PKT_HAS_IPV6))
        return false;
    return detect_uint_match(ctx, p->ip_proto);
}

static const DetectKeyword kw_ipproto;

static int ipproto_setup(DetectParse *pc, const char *arg)
{
    static const struct { const char *n; unsigned v; } names[] = {
        { "ip", 0 }, { "hopopt", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "ipip", 4 }, { "tcp", 6 },
        { "egp", 8 }, { "udp", 17 }, { "ipv6", 41 }, { "ipv6-route", 43 }, { "ipv6-frag", 44 },
        { "gre", 47 }, { "esp", 50 }, { "ah", 51 }, { "ipv6-icmp", 58 }, { "icmpv6", 58 },
        { "ipv6-nonxt", 59 }, { "ipv6-opts", 60 }, { "ospf", 89 }, { "pim", 103 }, { "vrrp", 112 },
        { "sctp", 132 },
    };
    DetectUint *u = mem_calloc(detect_mem(), 1, sizeof *u);
    if (!u)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    const char *p = arg;
    char op[3] = "";
    size_t ol = 0;
    while ((*p == '!' || *p == '<' || *p == '>') && ol < 2)
        op[ol++] = *p++;
    op[ol] = '\0';
    int rc = -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(p, names[i].n) == 0) {
            char num[16];
            size_t k = 0;
            for (size_t j = 0; op[j]; j++)
                num[k++] = op[j];
            unsigned v = names[i].v;
            char digits[4];
            int nd = 0;
            do {
                digits[nd++] = (char)('0' + v % 10);
                v /= 10;
            } while (v);
            while (nd)
                num[k++] = digits[--nd];
            num[k] = '\0';
            rc = detect_uint_parse(num, 255, u);
        }
    if (rc != 0)
        rc = detect_uint_parse(arg, 255, u);
    if (rc != 0) {
        mem_free(detect_mem(), u);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad protocol '%.40s'", arg);
    }
    return detect_sm_add_match(pc, &kw_ipproto, u);
}

/* ------------------------------------------------------------------ */
/* flags / fragbits: bit sets with modifiers                           */
/* ------------------------------------------------------------------ */

/* Suricata's forms: [modifier]bits[,ignore-mask]; modifier + (all of these
 * and maybe others), * (any of these), ! (none of these); no modifier:
 * exactly these (after the ignore mask). "0" means no bits. */
typedef struct BitsCtx {
    uint8_t mode;  /* 0 exact, '+', '*', '!' */
    uint8_t bits;
    uint8_t ignore;
} BitsCtx;

static bool bits_eval(const BitsCtx *c, uint8_t v)
{
    v &= (uint8_t)~c->ignore;
    switch (c->mode) {
    case '+': return (v & c->bits) == c->bits;
    case '*': return (v & c->bits) != 0;
    case '!': return (v & c->bits) == 0;
    default: return v == c->bits;
    }
}

static bool flags_match(DetectMatchCtx *mc, const void *ctx)
{
    return pkt_has(mc->p, PKT_HAS_TCP) && bits_eval(ctx, mc->p->tcp_flags);
}

static bool fragbits_match(DetectMatchCtx *mc, const void *ctx)
{
    return pkt_has(mc->p, PKT_HAS_IPV4) && bits_eval(ctx, mc->p->frag_flags);
}

static int tcp_flag_bit(char c)
{
    switch (toupper((unsigned char)c)) {
    case 'F': return TCP_FIN;
    case 'S': return TCP_SYN;
    case 'R': return TCP_RST;
    case 'P': return TCP_PSH;
    case 'A': return TCP_ACK;
    case 'U': return TCP_URG;
    case 'C': case '1': return TCP_CWR;
    case 'E': case '2': return TCP_ECE;
    case '0': return 0;
    default: return -1;
    }
}

static int frag_bit(char c)
{
    switch (toupper((unsigned char)c)) {
    case 'M': return 0x1;
    case 'D': return 0x2;
    case 'R': return 0x4;
    default: return -1;
    }
}

static int bits_parse(const char *arg, int (*bit)(char), BitsCtx *c)
{
    const char *p = arg;
    while (isspace((unsigned char)*p))
        p++;
    /* the modifier may come before or after the bits */
    if (*p == '+' || *p == '*' || *p == '!')
        c->mode = (uint8_t)*p++;
    uint8_t *dst = &c->bits;
    bool any = false;
    for (; *p; p++) {
        if (isspace((unsigned char)*p))
            continue;
        if (*p == ',') {
            if (dst == &c->ignore)
                return -1;
            dst = &c->ignore;
            continue;
        }
        if ((*p == '+' || *p == '*' || *p == '!') && dst == &c->bits && c->mode == 0) {
            c->mode = (uint8_t)*p;
            continue;
        }
        int b = bit(*p);
        if (b < 0)
            return -1;
        *dst |= (uint8_t)b;
        if (dst == &c->bits)
            any = true;
    }
    return any ? 0 : -1;
}

static const DetectKeyword kw_flags, kw_fragbits;

static int flags_setup(DetectParse *pc, const char *arg)
{
    BitsCtx *c = mem_calloc(detect_mem(), 1, sizeof *c);
    if (!c)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    if (bits_parse(arg, tcp_flag_bit, c) != 0) {
        mem_free(detect_mem(), c);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad TCP flags '%.40s'", arg);
    }
    return detect_sm_add_match(pc, &kw_flags, c);
}

static int fragbits_setup(DetectParse *pc, const char *arg)
{
    BitsCtx *c = mem_calloc(detect_mem(), 1, sizeof *c);
    if (!c)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    if (bits_parse(arg, frag_bit, c) != 0) {
        mem_free(detect_mem(), c);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad fragment bits '%.40s'", arg);
    }
    return detect_sm_add_match(pc, &kw_fragbits, c);
}

/* ------------------------------------------------------------------ */
/* ipopts, sameip                                                      */
/* ------------------------------------------------------------------ */

static bool ipopts_match(DetectMatchCtx *mc, const void *ctx)
{
    const uint32_t *bit = ctx;
    return pkt_has(mc->p, PKT_HAS_IPV4) && (mc->p->ipopts & *bit) != 0;
}

static const DetectKeyword kw_ipopts, kw_sameip;

static int ipopts_setup(DetectParse *pc, const char *arg)
{
    static const struct { const char *n; unsigned type; } opts[] = {
        { "rr", IPV4_OPT_RR }, { "eol", IPV4_OPT_EOL }, { "nop", IPV4_OPT_NOP },
        { "ts", IPV4_OPT_TS }, { "sec", IPV4_OPT_SEC }, { "esec", IPV4_OPT_ESEC },
        { "lsrr", IPV4_OPT_LSRR }, { "ssrr", IPV4_OPT_SSRR }, { "satid", IPV4_OPT_SID },
        { "any", 0xffff },
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        if (strcmp(arg, opts[i].n) != 0)
            continue;
        uint32_t *bit = mem_alloc(detect_mem(), sizeof *bit);
        if (!bit)
            return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
        *bit = opts[i].type == 0xffff ? UINT32_MAX : IPV4_OPTBIT(opts[i].type);
        return detect_sm_add_match(pc, &kw_ipopts, bit);
    }
    return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown IP option '%.40s'", arg);
}

static bool sameip_match(DetectMatchCtx *mc, const void *ctx)
{
    (void)ctx;
    const Packet *p = mc->p;
    return pkt_has(p, PKT_HAS_IPV4 | PKT_HAS_IPV6) && memcmp(&p->src, &p->dst, sizeof p->src) == 0;
}

static int sameip_setup(DetectParse *pc, const char *arg)
{
    (void)arg;
    return detect_sm_add_match(pc, &kw_sameip, NULL);
}

static const DetectKeyword kw_ttl = { .name = "ttl", .setup = ttl_setup, .match = num_match };
static const DetectKeyword kw_id = { .name = "id", .setup = id_setup, .match = num_match };
static const DetectKeyword kw_seq = { .name = "seq", .setup = seq_setup, .match = num_match };
static const DetectKeyword kw_ack = { .name = "ack", .setup = ack_setup, .match = num_match };
static const DetectKeyword kw_window = { .name = "window", .setup = window_setup, .match = num_match };
static const DetectKeyword kw_fragoffset = { .name = "fragoffset", .setup = fragoffset_setup, .match = num_match };
static const DetectKeyword kw_tos = { .name = "tos", .setup = tos_setup, .match = num_match };
static const DetectKeyword kw_mss = { .name = "tcp.mss", .setup = mss_setup, .match = num_match };
static const DetectKeyword kw_ipproto = { .name = "ip_proto", .setup = ipproto_setup, .match = ipproto_match };
static const DetectKeyword kw_flags = {
    .name = "flags", .alias = "tcp.flags", .setup = flags_setup, .match = flags_match,
};
static const DetectKeyword kw_fragbits = { .name = "fragbits", .setup = fragbits_setup, .match = fragbits_match };
static const DetectKeyword kw_ipopts = { .name = "ipopts", .setup = ipopts_setup, .match = ipopts_match };
static const DetectKeyword kw_sameip = {
    .name = "sameip", .flags = KW_F_NOOPT, .setup = sameip_setup, .match = sameip_match,
};

void kw_header_register(void)
{
    static const DetectKeyword *const all[] = {
        &kw_ttl, &kw_id, &kw_seq, &kw_ack, &kw_window, &kw_fragoffset, &kw_ipproto,
        &kw_flags, &kw_fragbits, &kw_ipopts, &kw_sameip, &kw_tos, &kw_mss,
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        detect_keyword_register(all[i]);
}
