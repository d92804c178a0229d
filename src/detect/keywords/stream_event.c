/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/stream_event.c: `stream-event:<name>` matches packets on which
 * the stream engine recorded that event (stream/events.h names, without
 * the "stream." prefix, as Suricata writes them). An event kasbah's stream
 * engine does not produce is a load error naming it.
 */
#include "detect/keyword.h"
#include "lib/alloc.h"
#include "stream/events.h"

static bool sev_match(DetectMatchCtx *mc, const void *ctx)
{
    int ev = *(const int *)ctx;
    const Packet *p = mc->p;
    unsigned n = p->n_stream_events < PKT_MAX_EVENTS ? p->n_stream_events : PKT_MAX_EVENTS;
    for (unsigned i = 0; i < n; i++)
        if (p->stream_events[i] == ev)
            return true;
    return false;
}

static const DetectKeyword kw_sev;

static int sev_setup(DetectParse *pc, const char *arg)
{
    char name[96];
    if (arg == NULL || detect_arg_unquote(arg, name, sizeof name) != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "stream-event needs an event name");
    int ev = stream_event_by_name(name);
    if (ev < 0)
        return detect_parse_error(pc, DETECT_ERR_UNSUPPORTED, "unknown stream event '%.60s'", name);
    int *c = mem_alloc(detect_mem(), sizeof *c);
    if (c == NULL)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *c = ev;
    return detect_sm_add_match(pc, &kw_sev, c);
}

static const DetectKeyword kw_sev = { .name = "stream-event", .setup = sev_setup, .match = sev_match };

void kw_stream_event_register(void) { detect_keyword_register(&kw_sev); }
