/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/dsize.c: `dsize:[op]N` / `dsize:N<>M`: the packet payload size
 * (keywords/uint.h forms). Like Suricata, dsize never matches a
 * pseudo packet built by stream reassembly.
 */
#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

static bool dsize_match(DetectMatchCtx *mc, const void *ctx)
{
    if (pkt_has(mc->p, PKT_IS_PSEUDO) && !pkt_has(mc->p, PKT_IS_REASSEMBLED))
        return false;
    return detect_uint_match(ctx, mc->p->payload_len);
}

static const DetectKeyword kw_dsize;

static int dsize_setup(DetectParse *pc, const char *arg)
{
    DetectUint *u = mem_calloc(detect_mem(), 1, sizeof *u);
    if (!u)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    if (detect_uint_parse(arg, 65535, u) != 0) {
        mem_free(detect_mem(), u);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad size '%.40s'", arg);
    }
    return detect_sm_add_match(pc, &kw_dsize, u);
}

static const DetectKeyword kw_dsize = { .name = "dsize", .setup = dsize_setup, .match = dsize_match };

void kw_dsize_register(void) { detect_keyword_register(&kw_dsize); }
