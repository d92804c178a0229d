/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/icmp.c: itype, icode, icmp_id, icmp_seq for ICMPv4 and ICMPv6.
 * icmp_id/icmp_seq only match the messages that carry them (echo and
 * friends), as in Suricata.
 */
#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

typedef enum IcmpField { I_TYPE, I_CODE, I_ID, I_SEQ } IcmpField;

typedef struct IcmpCtx {
    IcmpField field;
    DetectUint u;
} IcmpCtx;

/* Messages with an identifier and sequence number (RFC 792, 4443). */
static bool has_id_seq(const Packet *p)
{
    if (pkt_has(p, PKT_HAS_ICMPV4)) {
        switch (p->icmp_type) {
        case 0: case 8: case 13: case 14: case 15: case 16: case 17: case 18:
            return true;
        default:
            return false;
        }
    }
    return p->icmp_type == 128 || p->icmp_type == 129;
}

static bool icmp_match(DetectMatchCtx *mc, const void *ctx)
{
    const IcmpCtx *c = ctx;
    const Packet *p = mc->p;
    if (!pkt_has(p, PKT_HAS_ICMPV4 | PKT_HAS_ICMPV6))
        return false;
    switch (c->field) {
    case I_TYPE: return detect_uint_match(&c->u, p->icmp_type);
    case I_CODE: return detect_uint_match(&c->u, p->icmp_code);
    case I_ID: return has_id_seq(p) && detect_uint_match(&c->u, p->icmp_id);
    case I_SEQ: return has_id_seq(p) && detect_uint_match(&c->u, p->icmp_seq);
    }
    return false;
}

static const DetectKeyword kw_itype, kw_icode, kw_icmp_id, kw_icmp_seq;

static int icmp_setup(DetectParse *pc, const char *arg, IcmpField f, uint64_t max, const DetectKeyword *kw)
{
    IcmpCtx *c = mem_calloc(detect_mem(), 1, sizeof *c);
    if (!c)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    c->field = f;
    if (detect_uint_parse(arg, max, &c->u) != 0) {
        mem_free(detect_mem(), c);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad value '%.40s'", arg);
    }
    return detect_sm_add_match(pc, kw, c);
}

static int itype_setup(DetectParse *pc, const char *a) { return icmp_setup(pc, a, I_TYPE, 255, &kw_itype); }
static int icode_setup(DetectParse *pc, const char *a) { return icmp_setup(pc, a, I_CODE, 255, &kw_icode); }
static int id_setup(DetectParse *pc, const char *a) { return icmp_setup(pc, a, I_ID, 65535, &kw_icmp_id); }
static int seq_setup(DetectParse *pc, const char *a) { return icmp_setup(pc, a, I_SEQ, 65535, &kw_icmp_seq); }

static const DetectKeyword kw_itype = { .name = "itype", .setup = itype_setup, .match = icmp_match };
static const DetectKeyword kw_icode = { .name = "icode", .setup = icode_setup, .match = icmp_match };
static const DetectKeyword kw_icmp_id = { .name = "icmp_id", .setup = id_setup, .match = icmp_match };
static const DetectKeyword kw_icmp_seq = { .name = "icmp_seq", .setup = seq_setup, .match = icmp_match };

void kw_icmp_register(void)
{
    detect_keyword_register(&kw_itype);
    detect_keyword_register(&kw_icode);
    detect_keyword_register(&kw_icmp_id);
    detect_keyword_register(&kw_icmp_seq);
}
