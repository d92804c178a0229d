/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/isdataat.c: `isdataat:[!]N[,relative][,rawbytes]` (see byte.h).
 * Absolute: true when the buffer holds more than N bytes (offset N exists);
 * relative: true when N more bytes follow the cursor.
 */
#include "detect/keywords/byte.h"

#include <ctype.h>
#include <string.h>

#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

static const DetectKeyword kw_isdataat;

static int isdataat_setup(DetectParse *pc, const char *arg)
{
    char buf[128];
    size_t len = strlen(arg);
    if (len >= sizeof buf)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "argument too long");
    memcpy(buf, arg, len + 1);
    IsdataatCtx *c = mem_calloc(detect_mem(), 1, sizeof *c);
    if (!c)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    char *p = buf;
    char *first = p;
    char *comma = strchr(p, ',');
    if (comma)
        *comma = '\0';
    while (isspace((unsigned char)*first))
        first++;
    if (*first == '!') {
        c->flags |= BY_NEGATE;
        first++;
    }
    uint64_t n;
    int var;
    if (detect_parse_u64(first, 65535, &n) == 0) {
        c->n = (uint32_t)n;
    } else {
        char *e = first + strlen(first);
        while (e > first && isspace((unsigned char)e[-1]))
            *--e = '\0';
        if ((var = sig_var_find(pc->s, first)) < 0) {
            mem_free(detect_mem(), c);
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad length '%.40s'", first);
        }
        c->n = (uint32_t)var;
        c->flags |= BY_NBYTES_VAR;
    }
    while (comma) {
        p = comma + 1;
        comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (isspace((unsigned char)*p))
            p++;
        char *e = p + strlen(p);
        while (e > p && isspace((unsigned char)e[-1]))
            *--e = '\0';
        if (strcmp(p, "relative") == 0)
            c->flags |= BY_RELATIVE;
        else if (strcmp(p, "rawbytes") != 0) {
            mem_free(detect_mem(), c);
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown option '%.40s'", p);
        }
    }
    /* relative to the previous content: it belongs to that content's buffer
     * (`content:"x"; http_uri; isdataat:!1,relative;`), as in Suricata */
    if ((c->flags & BY_RELATIVE) && pc->last_pm_buf >= 0 && pc->last_pm_buf != pc->cur_buf) {
        int cur = pc->cur_buf;
        pc->cur_buf = pc->last_pm_buf;
        int rc = detect_sm_add_buffer(pc, &kw_isdataat, c);
        pc->cur_buf = cur;
        return rc;
    }
    return detect_sm_add_buffer(pc, &kw_isdataat, c);
}

static const DetectKeyword kw_isdataat = {
    .name = "isdataat", .id = DETECT_KW_ISDATAAT, .setup = isdataat_setup,
};

void kw_isdataat_register(void) { detect_keyword_register(&kw_isdataat); }
