/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/noalert.c: `noalert`: the rule runs (its flowbits and other
 * post-match actions happen) but writes no alert and takes no slot of
 * packet-alert-max.
 */
#include "detect/keyword.h"

static int noalert_setup(DetectParse *pc, const char *arg)
{
    (void)arg;
    pc->s->flags |= SIG_F_NOALERT;
    return 0;
}

static const DetectKeyword kw_noalert = { .name = "noalert", .flags = KW_F_NOOPT, .setup = noalert_setup };

void kw_noalert_register(void) { detect_keyword_register(&kw_noalert); }
