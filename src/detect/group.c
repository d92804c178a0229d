/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * group.c: the per-packet signature lists of a transport bucket, grouped by
 * flow direction and port (detect_int.h, SigGroup), for the signatures that
 * do not enter the payload prefilter: packet rules without a fast pattern
 * and transaction rules.
 *
 * Why: without groups every such rule of the bucket is a candidate on every
 * packet and pays the header checks (ports, then addresses); ET Open has
 * thousands of HTTP transaction rules, half of them for the other
 * direction. Suricata builds "signature group heads" per protocol,
 * direction and port range for the same reason.
 *
 * How a signature is filed (the test stays in header_match; a group only
 * leaves out signatures that cannot match):
 *   - direction: flow:to_server rules only on the list of packets to the
 *     server (dir 0), flow:to_client only on dir 1, the rest on both. The
 *     flow keyword tests p->to_server, the same bit the lists use;
 *   - port (TCP and UDP buckets, `->` rules): a rule with a destination port
 *     set is filed under every destination-port interval its set covers;
 *     else one with a source port set under the source-port intervals;
 *     else (any ports, or `<>`) on the shared lists. Intervals are cut at
 *     every range edge of every filed rule, so a rule either covers a whole
 *     interval or none of it; a 65,536-entry table maps a port to its
 *     interval's group;
 *   - IP-only rules (any ports, no direction) are on the shared list of the
 *     first packet of each flow direction only (`first`), as before.
 * The shared lists are sorted by signature number and merged with the
 * prefilter hits; a port group's lists are added to the candidates.
 */
#include <string.h>

#include "detect/detect_int.h"
#include "detect/rules/address.h"
#include "lib/alloc.h"

static void list_free(SigList *l)
{
    mem_free(detect_mem(), l->v);
    l->v = NULL;
    l->n = 0;
}

/* Append num (lists are built in signature order, so they stay sorted). */
static int list_add(SigList *l, uint32_t num)
{
    if ((l->n & (l->n - 1)) == 0) { /* grow at 0, 1, 2, 4, 8, ... */
        uint32_t nc = l->n ? l->n * 2 : 1;
        uint32_t *v = mem_realloc(detect_mem(), l->v, (size_t)nc * sizeof *v);
        if (v == NULL)
            return -1;
        l->v = v;
    }
    l->v[l->n++] = num;
    return 0;
}

/* Which port side files s: 1 destination, 2 source, 0 none (shared). */
static int port_side(const Signature *s, bool ports)
{
    if (!ports || (s->flags & SIG_F_BIDIR))
        return 0;
    if (!(s->flags & SIG_F_DP_ANY) && s->dp != NULL && !s->dp->any)
        return 1;
    if (!(s->flags & SIG_F_SP_ANY) && s->sp != NULL && !s->sp->any)
        return 2;
    return 0;
}

/* The lists of direction d that s goes to, in group pg (or the shared
 * lists when pg is NULL). */
static int file_sig(SigGroup *g, PortGroup *pg, const Signature *s, unsigned d)
{
    if (s->tx_sig) {
        if (s->tx_app_proto >= APP_PROTO_MAX)
            return 0;
        return list_add(pg ? &pg->tx[d][s->tx_app_proto] : &g->tx[d][s->tx_app_proto], s->num);
    }
    if (pg != NULL)
        return list_add(&pg->non[d], s->num);
    if (list_add(&g->first[d], s->num) != 0)
        return -1;
    return (s->flags & SIG_F_IPONLY) ? 0 : list_add(&g->rest[d], s->num);
}

static bool in_dir(const Signature *s, unsigned d)
{
    if (s->flags & SIG_F_FLOW_TOSERVER)
        return d == 0;
    if (s->flags & SIG_F_FLOW_TOCLIENT)
        return d == 1;
    return true;
}

/* Build the port index of one side over the filed signatures. */
static int build_index(const DetectEngine *de, SigGroup *g, PortIndex *ix, int side, const uint32_t *nums,
                       uint32_t n, bool ports)
{
    uint8_t *edge = mem_calloc(detect_mem(), 65536 / 8, 1);
    if (edge == NULL)
        return -1;
    bool any = false;
    for (uint32_t i = 0; i < n; i++) {
        const Signature *s = de->sigs[nums[i]];
        if (port_side(s, ports) != side)
            continue;
        const PortSet *ps = side == 1 ? s->dp : s->sp;
        for (size_t r = 0; r < ps->n; r++) {
            edge[ps->r[r].lo / 8] |= (uint8_t)(1u << (ps->r[r].lo % 8));
            if (ps->r[r].hi < 65535) {
                unsigned e = ps->r[r].hi + 1u;
                edge[e / 8] |= (uint8_t)(1u << (e % 8));
            }
        }
        any = true;
    }
    if (!any) {
        mem_free(detect_mem(), edge);
        return 0;
    }
    edge[0] |= 1u;
    uint32_t n_int = 0;
    for (unsigned p = 0; p < 65536; p++)
        if (edge[p / 8] & (1u << (p % 8)))
            n_int++;
    ix->of_port = mem_calloc(detect_mem(), 65536, sizeof *ix->of_port);
    ix->g = mem_calloc(detect_mem(), n_int, sizeof *ix->g);
    if (ix->of_port == NULL || ix->g == NULL) {
        mem_free(detect_mem(), edge);
        return -1;
    }
    ix->n = n_int;
    int rc = 0;
    uint32_t gi = 0;
    for (unsigned p = 0; p < 65536 && rc == 0; p++) {
        if (p > 0 && (edge[p / 8] & (1u << (p % 8))))
            gi++;
        ix->of_port[p] = (uint16_t)gi;
        if (p > 0 && gi == ix->of_port[p - 1])
            continue;
        /* first port of interval gi: file the rules covering it */
        for (uint32_t i = 0; i < n && rc == 0; i++) {
            const Signature *s = de->sigs[nums[i]];
            if (port_side(s, ports) != side || !port_set_match(side == 1 ? s->dp : s->sp, (uint16_t)p))
                continue;
            for (unsigned d = 0; d < 2 && rc == 0; d++)
                if (in_dir(s, d))
                    rc = file_sig(g, &ix->g[gi], s, d);
        }
    }
    mem_free(detect_mem(), edge);
    return rc;
}

int sig_group_build_lists(const DetectEngine *de, SigGroup *g, const uint32_t *nums, uint32_t n, bool ports)
{
    for (uint32_t i = 0; i < n; i++) {
        const Signature *s = de->sigs[nums[i]];
        if (port_side(s, ports) != 0)
            continue;
        for (unsigned d = 0; d < 2; d++)
            if (in_dir(s, d) && file_sig(g, NULL, s, d) != 0)
                return -1;
    }
    if (build_index(de, g, &g->by_dp, 1, nums, n, ports) != 0 ||
        build_index(de, g, &g->by_sp, 2, nums, n, ports) != 0)
        return -1;
    return 0;
}

static void index_fini(PortIndex *ix)
{
    for (uint32_t i = 0; ix->g != NULL && i < ix->n; i++)
        for (unsigned d = 0; d < 2; d++) {
            list_free(&ix->g[i].non[d]);
            for (unsigned ap = 0; ap < APP_PROTO_MAX; ap++)
                list_free(&ix->g[i].tx[d][ap]);
        }
    mem_free(detect_mem(), ix->g);
    mem_free(detect_mem(), ix->of_port);
    memset(ix, 0, sizeof *ix);
}

void sig_group_fini(SigGroup *g)
{
    for (unsigned d = 0; d < 2; d++) {
        list_free(&g->first[d]);
        list_free(&g->rest[d]);
        for (unsigned ap = 0; ap < APP_PROTO_MAX; ap++)
            list_free(&g->tx[d][ap]);
    }
    index_fini(&g->by_dp);
    index_fini(&g->by_sp);
}

const PortGroup *sig_group_port(const SigGroup *g, int side, uint16_t port)
{
    const PortIndex *ix = side == 1 ? &g->by_dp : &g->by_sp;
    return ix->of_port != NULL ? &ix->g[ix->of_port[port]] : NULL;
}
