/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/flow.c: `flow:` with to_server/from_client, to_client/
 * from_server, established, not_established, stateless, only_stream,
 * no_stream (and only_frag/no_frag).
 *
 * Direction comes from the flow table (p->to_server); a packet without a
 * flow matches no direction. `established` is the TCP session state when
 * a handshake was seen (or, with stream.midstream, a flow seen both ways),
 * and for other protocols a flow that carried packets both ways, as
 * Suricata defines it. only_stream and no_stream act through the
 * signature's flags (the `tcp-stream` and `tcp-pkt` header protocols mean
 * the same): only_stream inspects the payload of TCP packets that have a
 * stream session in the reassembled stream only, no_stream inspects
 * packets only, never the stream (detect.c).
 */
#include <ctype.h>
#include <string.h>

#include "detect/detect_int.h"
#include "detect/keyword.h"
#include "lib/alloc.h"

enum {
    FL_TOSERVER = 1u << 0,
    FL_TOCLIENT = 1u << 1,
    FL_ESTABLISHED = 1u << 2,
    FL_NOT_ESTABLISHED = 1u << 3,
    FL_STATELESS = 1u << 4,
    FL_ONLY_STREAM = 1u << 5,
    FL_NO_STREAM = 1u << 6,
    FL_ONLY_FRAG = 1u << 7,
    FL_NO_FRAG = 1u << 8,
};

static bool established(const DetectMatchCtx *mc, const Flow *f)
{
    if (f->key.proto == 6) {
        if (f->tcp_state >= FLOW_TCP_ESTABLISHED)
            return true;
        return f->tcp_state == FLOW_TCP_NONE && mc->de->midstream && f->state == FLOW_STATE_ESTABLISHED;
    }
    return f->state == FLOW_STATE_ESTABLISHED;
}

static bool flow_match(DetectMatchCtx *mc, const void *ctx)
{
    uint32_t fl = *(const uint32_t *)ctx;
    const Packet *p = mc->p;
    const Flow *f = mc->f;
    if (fl & FL_ONLY_FRAG && !pkt_has(p, PKT_IS_REASSEMBLED))
        return false;
    if (fl & FL_NO_FRAG && pkt_has(p, PKT_IS_REASSEMBLED))
        return false;
    if (fl & (FL_TOSERVER | FL_TOCLIENT | FL_ESTABLISHED | FL_NOT_ESTABLISHED)) {
        if (!f)
            return false;
        if ((fl & FL_TOSERVER) && !p->to_server)
            return false;
        if ((fl & FL_TOCLIENT) && p->to_server)
            return false;
        if ((fl & FL_ESTABLISHED) && !established(mc, f))
            return false;
        if ((fl & FL_NOT_ESTABLISHED) && established(mc, f))
            return false;
    }
    return true;
}

static const DetectKeyword kw_flow;

static int flow_setup(DetectParse *pc, const char *arg)
{
    static const struct { const char *n; uint32_t f; } opts[] = {
        { "to_server", FL_TOSERVER }, { "from_client", FL_TOSERVER },
        { "to_client", FL_TOCLIENT }, { "from_server", FL_TOCLIENT },
        { "established", FL_ESTABLISHED }, { "not_established", FL_NOT_ESTABLISHED },
        { "stateless", FL_STATELESS }, { "only_stream", FL_ONLY_STREAM },
        { "no_stream", FL_NO_STREAM }, { "only_frag", FL_ONLY_FRAG }, { "no_frag", FL_NO_FRAG },
    };
    uint32_t fl = 0;
    const char *p = arg;
    while (*p) {
        while (isspace((unsigned char)*p) || *p == ',')
            p++;
        if (!*p)
            break;
        const char *e = p;
        while (*e && *e != ',' && !isspace((unsigned char)*e))
            e++;
        size_t n = (size_t)(e - p);
        bool found = false;
        for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
            if (strlen(opts[i].n) == n && memcmp(opts[i].n, p, n) == 0) {
                if (fl & opts[i].f)
                    return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "'%s' given twice", opts[i].n);
                fl |= opts[i].f;
                found = true;
            }
        if (!found)
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown flow option '%.*s'", (int)(n > 40 ? 40 : n), p);
        p = e;
    }
    if ((fl & FL_TOSERVER) && (fl & FL_TOCLIENT))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "to_server and to_client cannot be combined");
    if ((fl & FL_ESTABLISHED) && (fl & (FL_NOT_ESTABLISHED | FL_STATELESS)))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "established conflicts with not_established/stateless");
    if ((fl & FL_ONLY_STREAM) && (fl & FL_NO_STREAM))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "only_stream and no_stream cannot be combined");
    if (fl == 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "empty flow option");
    uint32_t *c = mem_alloc(detect_mem(), sizeof *c);
    if (!c)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *c = fl;
    if (fl & FL_TOSERVER)
        pc->s->flags |= SIG_F_FLOW_TOSERVER;
    if (fl & FL_TOCLIENT)
        pc->s->flags |= SIG_F_FLOW_TOCLIENT;
    if (fl & FL_ONLY_STREAM)
        pc->s->flags |= SIG_F_TCP_STREAM;
    if (fl & FL_NO_STREAM)
        pc->s->flags |= SIG_F_TCP_PKT;
    if (fl & (FL_TOSERVER | FL_TOCLIENT | FL_ESTABLISHED | FL_NOT_ESTABLISHED))
        pc->s->flags |= SIG_F_NEED_FLOW;
    return detect_sm_add_match(pc, &kw_flow, c);
}

static const DetectKeyword kw_flow = { .name = "flow", .setup = flow_setup, .match = flow_match };

void kw_flow_register(void) { detect_keyword_register(&kw_flow); }
