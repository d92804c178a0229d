/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/tag.c: `tag:<session|host>[, <count>, <packets|seconds|bytes>
 * [, <src|dst>]]`, Suricata's detect-tag.c / detect-engine-tag.c.
 *
 * When a rule with tag alerts (after threshold and suppression: tags are
 * set only for alerts, as in Suricata), the packets that follow are
 * "tagged": for `session` the following packets of the same flow, for
 * `host` the following packets from or to the address (src: the alerting
 * packet's source, the default; dst: its destination), until `count`
 * packets, seconds or bytes (whole packet length) have passed. Without a
 * count: 256 packets (Suricata's default). The alerting packet itself is
 * not tagged: detect_packet applies the active tags (tag_packet) before it
 * runs the rules that may add new ones. A second tag by the same rule on the same flow/host while one
 * is active changes nothing.
 *
 * What a tag does in kasbah: detect_packet sets DetectAlerts.tagged on a
 * tagged packet and counts it as detect.tagged_packets. Suricata logs such
 * packets as EVE `packet` records when the alert output has
 * `tagged-packets: yes`; writing those records is the output/engine's part
 * and is not wired yet (src/detect/README.md).
 *
 * Storage: session tags on the flow (DetectFlowState.tags, at most
 * TAG_MAX_PER_FLOW), host tags in a per-worker table (TAG_MAX_HOSTS
 * entries; beyond that a new host tag is dropped and counted).
 */
#include <ctype.h>
#include <string.h>

#include "detect/detect_int.h"
#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

#define TAG_DEFAULT_COUNT 256u
#define TAG_MAX_PER_FLOW 8u
#define TAG_MAX_HOSTS 4096u
#define TAG_HOST_BUCKETS 256u

typedef enum TagType { TAG_SESSION, TAG_HOST } TagType;
typedef enum TagMetric { TAG_PACKETS, TAG_SECONDS, TAG_BYTES } TagMetric;

typedef struct TagCtx {
    TagType type;
    TagMetric metric;
    uint32_t count;
    bool dst;                 /* host: the destination address */
} TagCtx;

/* One active tag (flow or host). */
struct TagEntry {
    struct TagEntry *next;    /* host table chain */
    uint32_t sid, gid;
    TagMetric metric;
    uint64_t used;            /* packets or bytes tagged so far */
    uint64_t limit;           /* packets or bytes */
    int64_t until_ns;         /* seconds metric */
    IpAddr addr;              /* host tags */
    uint8_t ip_ver;
};

struct TagHostTable {
    TagEntry *bucket[TAG_HOST_BUCKETS];
    uint32_t n;
    int ctr_full;
};

static uint32_t addr_hash(const IpAddr *a)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 4; i++)
        h = (h ^ a->w[i]) * 16777619u;
    return h % TAG_HOST_BUCKETS;
}

static void entry_start(TagEntry *e, const TagCtx *c, const Signature *s, const Packet *p)
{
    memset(e, 0, sizeof *e);
    e->sid = s->sid;
    e->gid = s->gid;
    e->metric = c->metric;
    e->limit = c->count;
    e->until_ns = p->ts_ns + (int64_t)c->count * 1000000000LL;
}

/* Does e tag packet p (and account for it)? false once it is used up. */
static bool entry_take(TagEntry *e, const Packet *p)
{
    switch (e->metric) {
    case TAG_PACKETS:
        if (e->used >= e->limit)
            return false;
        e->used++;
        return true;
    case TAG_BYTES:
        if (e->used >= e->limit)
            return false;
        e->used += p->wirelen ? p->wirelen : p->caplen;
        return true;
    case TAG_SECONDS:
        return p->ts_ns <= e->until_ns;
    }
    return false;
}

/* ---- the post-match action ---- */

static void tag_post(DetectMatchCtx *mc, const void *ctx)
{
    const TagCtx *c = ctx;
    const Packet *p = mc->p;
    if (c->type == TAG_SESSION) {
        DetectFlowState *st = mc->f != NULL ? detect_flow_state(mc->dt, mc->f) : NULL;
        if (st == NULL || st->n_tags >= TAG_MAX_PER_FLOW)
            return;
        for (uint8_t i = 0; i < st->n_tags; i++)
            if (st->tags[i].sid == mc->s->sid && st->tags[i].gid == mc->s->gid)
                return;
        if (st->tags == NULL) {
            st->tags = mem_calloc(detect_mem(), TAG_MAX_PER_FLOW, sizeof *st->tags);
            if (st->tags == NULL)
                return;
        }
        entry_start(&st->tags[st->n_tags], c, mc->s, p);
        st->n_tags++;
        return;
    }
    DetectThread *dt = mc->dt;
    if (dt->tag_hosts == NULL) {
        dt->tag_hosts = mem_calloc(detect_mem(), 1, sizeof *dt->tag_hosts);
        if (dt->tag_hosts == NULL)
            return;
        dt->tag_hosts->ctr_full = stats_register("detect.tag_hosts_full");
    }
    TagHostTable *t = dt->tag_hosts;
    const IpAddr *a = c->dst ? &p->dst : &p->src;
    uint32_t h = addr_hash(a);
    for (TagEntry *e = t->bucket[h]; e != NULL; e = e->next)
        if (e->sid == mc->s->sid && e->gid == mc->s->gid && memcmp(e->addr.b, a->b, 16) == 0)
            return;
    TagEntry *e = t->n < TAG_MAX_HOSTS ? mem_alloc(detect_mem(), sizeof *e) : NULL;
    if (e == NULL) {
        stats_inc(dt->stats, t->ctr_full);
        return;
    }
    entry_start(e, c, mc->s, p);
    e->addr = *a;
    e->ip_ver = p->ip_ver;
    e->next = t->bucket[h];
    t->bucket[h] = e;
    t->n++;
}

/* ---- per packet ---- */

/* Host tags of address a applied to p; used-up entries are removed. */
static bool host_tagged(TagHostTable *t, const IpAddr *a, const Packet *p)
{
    bool hit = false;
    TagEntry **pp = &t->bucket[addr_hash(a)];
    while (*pp != NULL) {
        TagEntry *e = *pp;
        if (memcmp(e->addr.b, a->b, 16) != 0 || e->ip_ver != p->ip_ver) {
            pp = &e->next;
            continue;
        }
        if (entry_take(e, p)) {
            hit = true;
            pp = &e->next;
        } else {
            *pp = e->next;
            mem_free(detect_mem(), e);
            t->n--;
        }
    }
    return hit;
}

bool tag_packet(DetectThread *dt, Flow *f, const Packet *p)
{
    bool hit = false;
    DetectFlowState *st = f != NULL ? f->detect : NULL;
    if (st != NULL && st->n_tags > 0) {
        uint8_t w = 0;
        for (uint8_t i = 0; i < st->n_tags; i++) {
            TagEntry *e = &st->tags[i];
            bool keep = entry_take(e, p);
            hit |= keep;
            if (keep)
                st->tags[w++] = *e;
        }
        st->n_tags = w;
    }
    if (dt->tag_hosts != NULL && dt->tag_hosts->n > 0) {
        hit |= host_tagged(dt->tag_hosts, &p->src, p);
        hit |= host_tagged(dt->tag_hosts, &p->dst, p);
    }
    return hit;
}

void tag_flow_fini(DetectFlowState *st)
{
    mem_free(detect_mem(), st->tags);
    st->tags = NULL;
    st->n_tags = 0;
}

void tag_thread_fini(DetectThread *dt)
{
    TagHostTable *t = dt->tag_hosts;
    if (t == NULL)
        return;
    for (uint32_t i = 0; i < TAG_HOST_BUCKETS; i++) {
        TagEntry *e = t->bucket[i];
        while (e != NULL) {
            TagEntry *n = e->next;
            mem_free(detect_mem(), e);
            e = n;
        }
    }
    mem_free(detect_mem(), t);
    dt->tag_hosts = NULL;
}

/* ---- parsing ---- */

static const DetectKeyword kw_tag;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int tag_setup(DetectParse *pc, const char *arg)
{
    char buf[128];
    char *f[4];
    int n = 0;
    if (arg == NULL || strlen(arg) >= sizeof buf)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected '<session|host>[,<count>,<metric>[,<src|dst>]]'");
    memcpy(buf, arg, strlen(arg) + 1);
    for (char *p = buf; p != NULL && n < 4;) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        f[n++] = trim(p);
        p = comma != NULL ? comma + 1 : NULL;
        if (p != NULL && n == 4)
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "too many fields");
    }
    TagCtx c = { TAG_SESSION, TAG_PACKETS, TAG_DEFAULT_COUNT, false };
    if (strcmp(f[0], "session") == 0)
        c.type = TAG_SESSION;
    else if (strcmp(f[0], "host") == 0)
        c.type = TAG_HOST;
    else
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown type '%.20s' (session or host)", f[0]);
    if (n == 2)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "a count needs a metric");
    if (n >= 3) {
        uint64_t v;
        if (detect_parse_u64(f[1], UINT32_MAX, &v) != 0 || v == 0)
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad count '%.20s'", f[1]);
        c.count = (uint32_t)v;
        if (strcmp(f[2], "packets") == 0)
            c.metric = TAG_PACKETS;
        else if (strcmp(f[2], "seconds") == 0)
            c.metric = TAG_SECONDS;
        else if (strcmp(f[2], "bytes") == 0)
            c.metric = TAG_BYTES;
        else
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown metric '%.20s'", f[2]);
    }
    if (n == 4) {
        if (c.type != TAG_HOST)
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "a direction is only valid for host");
        if (strcmp(f[3], "dst") == 0)
            c.dst = true;
        else if (strcmp(f[3], "src") != 0)
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "direction '%.20s' (src or dst)", f[3]);
    }
    TagCtx *h = mem_alloc(detect_mem(), sizeof *h);
    if (h == NULL)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *h = c;
    return detect_sm_add_post(pc, &kw_tag, h);
}

static const DetectKeyword kw_tag = { .name = "tag", .setup = tag_setup, .post = tag_post };

void kw_tag_register(void) { detect_keyword_register(&kw_tag); }

bool tag_is_post(const SigMatch *sm) { return sm->kw == &kw_tag; }
