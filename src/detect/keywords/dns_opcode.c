/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/dns_opcode.c: `dns.opcode:[!]<n>` (and the other integer forms
 * of keywords/uint.h, 0..15).
 *
 * Compares the opcode of a DNS transaction: the request's, or the
 * response's when the request was not seen (applayer/dns dns_tx_opcode), as
 * Suricata's dns.opcode. A transaction keyword: the rule is inspected per
 * DNS transaction (DetectKeyword.tx_app_proto), never on other flows.
 */
#include "applayer/applayer.h"
#include "applayer/dns/dns.h"
#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

static bool op_match(DetectMatchCtx *mc, const void *ctx)
{
    if (mc->tx == NULL || mc->f == NULL || mc->f->app_proto != APP_PROTO_DNS)
        return false;
    int op = dns_tx_opcode(mc->tx);
    return op >= 0 && detect_uint_match(ctx, (uint64_t)op);
}

static const DetectKeyword kw_dns_opcode;

static int op_setup(DetectParse *pc, const char *arg)
{
    char val[32];
    DetectUint u;
    if (arg == NULL || detect_arg_unquote(arg, val, sizeof val) != 0 || detect_uint_parse(val, 15, &u) != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected an opcode 0..15, got '%.20s'",
                                  arg ? arg : "");
    DetectUint *h = mem_alloc(detect_mem(), sizeof *h);
    if (h == NULL)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *h = u;
    pc->s->flags |= SIG_F_NEED_FLOW;
    return detect_sm_add_match(pc, &kw_dns_opcode, h);
}

static const DetectKeyword kw_dns_opcode = {
    .name = "dns.opcode", .tx_app_proto = APP_PROTO_DNS, .setup = op_setup, .match = op_match,
};

void kw_dns_opcode_register(void) { detect_keyword_register(&kw_dns_opcode); }
