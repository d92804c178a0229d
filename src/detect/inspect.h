/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * inspect.h: running a signature's buffer lists (content, pcre, isdataat,
 * byte_*) over one buffer, with Suricata's relative-offset semantics and
 * backtracking (see keywords/content.h). Used by detect.c; exposed for
 * the unit tests. Thread-safe on distinct InspectCtx.
 */
#ifndef KASBAH_DETECT_INSPECT_H
#define KASBAH_DETECT_INSPECT_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/keywords/pcre.h"
#include "detect/signature.h"

/* Steps (keyword evaluations) one buffer inspection may take before it
 * gives up as "no match": bounds backtracking on hostile payloads, like
 * Suricata's inspection-recursion-limit (3000). */
#define INSPECT_BUDGET 3000

typedef struct InspectCtx {
    const uint8_t *buf;
    uint32_t len;
    uint64_t *vars;       /* the signature's byte_extract / byte_math values */
    PcreThread *pt;
    uint32_t budget;
    /* base64_decode (keywords/base64.h): the rule's base64_data list (NULL:
     * none) and the worker's scratch for the decoded bytes (NULL: the
     * keyword cannot run and does not match) */
    const SigMatchList *b64_list;
    uint8_t *b64_out;
    uint32_t b64_cap;
} InspectCtx;

/* Does the list match buf? vars are read and written. */
bool detect_inspect_list(InspectCtx *ic, const SigMatchList *l);

#endif
