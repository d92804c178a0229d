/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/decode_event.c: `decode-event:<layer>.<event>` matches packets
 * on which the decoder recorded that event (decode/events.h names). An
 * event kasbah's decoders do not produce is a load error naming it.
 */
#include <string.h>

#include "decode/events.h"
#include "detect/keyword.h"
#include "lib/alloc.h"

static bool event_match(DetectMatchCtx *mc, const void *ctx)
{
    int ev = *(const int *)ctx;
    const Packet *p = mc->p;
    unsigned n = p->n_events < PKT_MAX_EVENTS ? p->n_events : PKT_MAX_EVENTS;
    for (unsigned i = 0; i < n; i++)
        if (p->events[i] == ev)
            return true;
    return false;
}

static const DetectKeyword kw_event;

static int event_setup(DetectParse *pc, const char *arg)
{
    char name[96];
    if (detect_arg_unquote(arg, name, sizeof name) != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad event name '%.40s'", arg);
    int ev = decode_event_by_name(name);
    if (ev < 0)
        return detect_parse_error(pc, DETECT_ERR_UNSUPPORTED, "unknown decoder event '%.60s'", name);
    int *c = mem_alloc(detect_mem(), sizeof *c);
    if (!c)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *c = ev;
    return detect_sm_add_match(pc, &kw_event, c);
}

static const DetectKeyword kw_event = { .name = "decode-event", .setup = event_setup, .match = event_match };

void kw_decode_event_register(void) { detect_keyword_register(&kw_event); }
