/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/xbits.c: `xbits:<cmd>,<name>,track <ip_src|ip_dst|ip_pair>
 * [,expire <seconds>]` and `hostbits:<cmd>,<name>[,<src|dst>]`.
 *
 * Bits kept per host (ip_src / ip_dst: the packet's source or destination
 * address) or per address pair (ip_pair: the two addresses, either order,
 * as Suricata's ippair table), instead of per flow. Commands as flowbits:
 * isset / isnotset are tests (Signature.match); set / unset / toggle run
 * after the rule matched (Signature.post); `xbits:noalert` marks the rule
 * as not alerting. A bit set at packet time t with expire E (default 30 s,
 * Suricata's DETECT_XBITS_EXPIRE_DEFAULT) reads as set while a later packet's
 * time is below t + E; a set renews the time.
 *
 * Where the bits live: one table per worker (DetectThread.xbits), so the
 * packet path takes no lock. Because workers own flows by a symmetric
 * 5-tuple hash, a bit set by one worker is not seen by flows of the same
 * host on another worker: with one worker (the pcap default) this is
 * Suricata's behaviour exactly; with several it is documented in
 * src/detect/README.md. The table holds at most XBITS_MAX_ENTRIES; when full
 * an expired entry is reused, else the set is dropped (counted as
 * detect.xbits_full), never a crash.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "detect/detect_int.h"
#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

/* Entries per worker: a host bit is 48 bytes; 64k of them is 3 MiB. */
#define XBITS_MAX_ENTRIES 65536u
#define XBITS_BUCKETS 4096u
#define XBITS_EXPIRE_DEFAULT 30u

typedef enum XbCmd { XB_ISSET, XB_ISNOTSET, XB_SET, XB_UNSET, XB_TOGGLE } XbCmd;
typedef enum XbTrack { XB_IP_SRC, XB_IP_DST, XB_IP_PAIR } XbTrack;

typedef struct XbitsCtx {
    XbCmd cmd;
    XbTrack track;
    uint32_t id;              /* name id in DetectEngine.xbits */
    uint32_t expire_s;
} XbitsCtx;

typedef struct XbEntry {
    struct XbEntry *next;
    IpAddr a, b;              /* b zero for host bits; a <= b for pairs */
    int64_t expire_ns;        /* set while the packet time is below */
    uint32_t id;
    uint8_t track_pair;       /* 1: pair entry */
    uint8_t ip_ver;           /* 4 or 6: an IPv4 address never equals an IPv6 one */
} XbEntry;

struct XbitsTable {
    XbEntry *bucket[XBITS_BUCKETS];
    uint32_t n;
    int64_t last_sweep_ns;
    int ctr_full;
};

/* ---- the per-worker table ---- */

static uint32_t key_hash(uint32_t id, const IpAddr *a, const IpAddr *b, bool pair)
{
    uint32_t h = 2166136261u ^ id ^ (pair ? 0x9e3779b9u : 0);
    for (int i = 0; i < 4; i++) {
        h = (h ^ a->w[i]) * 16777619u;
        h = (h ^ b->w[i]) * 16777619u;
    }
    return h % XBITS_BUCKETS;
}

/* The key of c for packet p: (a, b) with b zero for host bits. */
static void key_of(const XbitsCtx *c, const Packet *p, IpAddr *a, IpAddr *b)
{
    memset(b, 0, sizeof *b);
    switch (c->track) {
    case XB_IP_SRC: *a = p->src; break;
    case XB_IP_DST: *a = p->dst; break;
    case XB_IP_PAIR:
        if (memcmp(p->src.b, p->dst.b, sizeof p->src.b) <= 0) {
            *a = p->src;
            *b = p->dst;
        } else {
            *a = p->dst;
            *b = p->src;
        }
        break;
    }
}

static XbEntry **find(XbitsTable *t, const XbitsCtx *c, uint8_t ip_ver, const IpAddr *a, const IpAddr *b)
{
    bool pair = c->track == XB_IP_PAIR;
    XbEntry **pp = &t->bucket[key_hash(c->id, a, b, pair)];
    for (; *pp != NULL; pp = &(*pp)->next) {
        XbEntry *e = *pp;
        if (e->id == c->id && e->track_pair == pair && e->ip_ver == ip_ver && memcmp(e->a.b, a->b, 16) == 0 &&
            memcmp(e->b.b, b->b, 16) == 0)
            return pp;
    }
    return NULL;
}

/* Drop every expired entry (when the table is full; at most once per
 * second of packet time, so a full table of live bits costs no scan per set). */
static void sweep(XbitsTable *t, int64_t now)
{
    if (t->last_sweep_ns != 0 && now - t->last_sweep_ns < 1000000000LL)
        return;
    t->last_sweep_ns = now;
    for (uint32_t i = 0; i < XBITS_BUCKETS; i++) {
        XbEntry **pp = &t->bucket[i];
        while (*pp != NULL) {
            XbEntry *e = *pp;
            if (e->expire_ns <= now) {
                *pp = e->next;
                mem_free(detect_mem(), e);
                t->n--;
            } else {
                pp = &e->next;
            }
        }
    }
}

static bool is_set(XbitsTable *t, const XbitsCtx *c, const Packet *p)
{
    if (t == NULL)
        return false;
    IpAddr a, b;
    key_of(c, p, &a, &b);
    XbEntry **pp = find(t, c, p->ip_ver, &a, &b);
    return pp != NULL && (*pp)->expire_ns > p->ts_ns;
}

static void do_set(DetectThread *dt, XbitsTable *t, const XbitsCtx *c, const Packet *p)
{
    IpAddr a, b;
    key_of(c, p, &a, &b);
    int64_t exp = p->ts_ns + (int64_t)c->expire_s * 1000000000LL;
    XbEntry **pp = find(t, c, p->ip_ver, &a, &b);
    if (pp != NULL) {
        (*pp)->expire_ns = exp;
        return;
    }
    if (t->n >= XBITS_MAX_ENTRIES)
        sweep(t, p->ts_ns);
    XbEntry *e = t->n < XBITS_MAX_ENTRIES ? mem_calloc(detect_mem(), 1, sizeof *e) : NULL;
    if (e == NULL) {
        stats_inc(dt->stats, t->ctr_full);
        return;
    }
    e->a = a;
    e->b = b;
    e->id = c->id;
    e->track_pair = c->track == XB_IP_PAIR;
    e->ip_ver = p->ip_ver;
    e->expire_ns = exp;
    uint32_t h = key_hash(c->id, &a, &b, c->track == XB_IP_PAIR);
    e->next = t->bucket[h];
    t->bucket[h] = e;
    t->n++;
}

static void do_unset(XbitsTable *t, const XbitsCtx *c, const Packet *p)
{
    IpAddr a, b;
    key_of(c, p, &a, &b);
    XbEntry **pp = find(t, c, p->ip_ver, &a, &b);
    if (pp != NULL) {
        XbEntry *e = *pp;
        *pp = e->next;
        mem_free(detect_mem(), e);
        t->n--;
    }
}

static XbitsTable *table_of(DetectThread *dt)
{
    if (dt->xbits == NULL) {
        dt->xbits = mem_calloc(detect_mem(), 1, sizeof *dt->xbits);
        if (dt->xbits != NULL)
            dt->xbits->ctr_full = stats_register("detect.xbits_full");
    }
    return dt->xbits;
}

void xbits_thread_fini(DetectThread *dt)
{
    XbitsTable *t = dt->xbits;
    if (t == NULL)
        return;
    for (uint32_t i = 0; i < XBITS_BUCKETS; i++) {
        XbEntry *e = t->bucket[i];
        while (e != NULL) {
            XbEntry *n = e->next;
            mem_free(detect_mem(), e);
            e = n;
        }
    }
    mem_free(detect_mem(), t);
    dt->xbits = NULL;
}

/* ---- keyword ---- */

static bool xb_match(DetectMatchCtx *mc, const void *ctx)
{
    const XbitsCtx *c = ctx;
    bool set = is_set(mc->dt->xbits, c, mc->p);
    return c->cmd == XB_ISSET ? set : !set;
}

static void xb_post(DetectMatchCtx *mc, const void *ctx)
{
    const XbitsCtx *c = ctx;
    XbitsTable *t = table_of(mc->dt);
    if (t == NULL)
        return;
    switch (c->cmd) {
    case XB_SET: do_set(mc->dt, t, c, mc->p); break;
    case XB_UNSET: do_unset(t, c, mc->p); break;
    case XB_TOGGLE:
        if (is_set(t, c, mc->p))
            do_unset(t, c, mc->p);
        else
            do_set(mc->dt, t, c, mc->p);
        break;
    default: break;
    }
}

static const DetectKeyword kw_xbits, kw_hostbits;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Split buf at commas into at most 4 trimmed fields; the count, or -1. */
static int split(char *buf, char *f[4])
{
    int n = 0;
    char *p = buf;
    for (;;) {
        char *c = strchr(p, ',');
        if (c != NULL)
            *c = '\0';
        if (n == 4)
            return -1;
        f[n++] = trim(p);
        if (c == NULL)
            return n;
        p = c + 1;
    }
}

static int parse_cmd(DetectParse *pc, const char *s, XbCmd *out)
{
    static const struct { const char *n; XbCmd c; } cmds[] = {
        { "isset", XB_ISSET }, { "isnotset", XB_ISNOTSET }, { "set", XB_SET },
        { "unset", XB_UNSET }, { "toggle", XB_TOGGLE },
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(s, cmds[i].n) == 0) {
            *out = cmds[i].c;
            return 0;
        }
    return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown command '%.20s'", s);
}

static int finish(DetectParse *pc, const DetectKeyword *kw, XbitsCtx *c, const char *name)
{
    if (*name == '\0' || strpbrk(name, " \t|&"))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad name '%.40s'", name);
    int id = detect_name_id(&pc->de->xbits, name);
    if (id < 0)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    c->id = (uint32_t)id;
    XbitsCtx *h = mem_alloc(detect_mem(), sizeof *h);
    if (h == NULL)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    *h = *c;
    if (c->cmd == XB_ISSET || c->cmd == XB_ISNOTSET)
        return detect_sm_add_match(pc, kw, h);
    return detect_sm_add_post(pc, kw, h);
}

static int xb_setup(DetectParse *pc, const char *arg)
{
    char buf[256];
    char *f[4];
    if (arg == NULL || strlen(arg) >= sizeof buf)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected '<cmd>,<name>,track <ip_src|ip_dst|ip_pair>'");
    memcpy(buf, arg, strlen(arg) + 1);
    int n = split(buf, f);
    if (n == 1 && strcmp(f[0], "noalert") == 0) {
        pc->s->flags |= SIG_F_NOALERT;
        return 0;
    }
    XbitsCtx c;
    memset(&c, 0, sizeof c);
    c.expire_s = XBITS_EXPIRE_DEFAULT;
    if (n < 3)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected '<cmd>,<name>,track <ip_src|ip_dst|ip_pair>'");
    if (parse_cmd(pc, f[0], &c.cmd) != 0)
        return -1;
    if (strncmp(f[2], "track", 5) != 0 || !isspace((unsigned char)f[2][5]))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected 'track ...', got '%.40s'", f[2]);
    const char *tr = trim(f[2] + 5);
    if (strcmp(tr, "ip_src") == 0)
        c.track = XB_IP_SRC;
    else if (strcmp(tr, "ip_dst") == 0)
        c.track = XB_IP_DST;
    else if (strcmp(tr, "ip_pair") == 0)
        c.track = XB_IP_PAIR;
    else if (strcmp(tr, "tx") == 0)
        return detect_parse_error(pc, DETECT_ERR_UNSUPPORTED, "track tx is not supported");
    else
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown track '%.20s'", tr);
    if (n == 4) {
        uint64_t e;
        if (strncmp(f[3], "expire", 6) != 0 || detect_parse_u64(f[3] + 6, UINT32_MAX, &e) != 0 || e == 0)
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad expire '%.40s'", f[3]);
        c.expire_s = (uint32_t)e;
    }
    return finish(pc, &kw_xbits, &c, f[1]);
}

/* hostbits:<cmd>,<name>[,<src|dst>] -- the host bits of the same table as
 * `xbits ... track ip_src / ip_dst` (Suricata stores both in the host table). */
static int hb_setup(DetectParse *pc, const char *arg)
{
    char buf[256];
    char *f[4];
    if (arg == NULL || strlen(arg) >= sizeof buf)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected '<cmd>,<name>[,<src|dst>]'");
    memcpy(buf, arg, strlen(arg) + 1);
    int n = split(buf, f);
    if (n == 1 && strcmp(f[0], "noalert") == 0) {
        pc->s->flags |= SIG_F_NOALERT;
        return 0;
    }
    if (n < 2 || n > 3)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected '<cmd>,<name>[,<src|dst>]'");
    XbitsCtx c;
    memset(&c, 0, sizeof c);
    c.expire_s = XBITS_EXPIRE_DEFAULT;
    if (parse_cmd(pc, f[0], &c.cmd) != 0)
        return -1;
    if (n == 3 && (strcmp(f[2], "dst") == 0 || strcmp(f[2], "to_dst") == 0))
        c.track = XB_IP_DST;
    else if (n == 3 && strcmp(f[2], "src") != 0 && strcmp(f[2], "to_src") != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "direction '%.20s' (src or dst)", f[2]);
    return finish(pc, &kw_hostbits, &c, f[1]);
}

static const DetectKeyword kw_xbits = { .name = "xbits", .setup = xb_setup, .match = xb_match, .post = xb_post };
static const DetectKeyword kw_hostbits = { .name = "hostbits", .setup = hb_setup, .match = xb_match, .post = xb_post };

void kw_xbits_register(void)
{
    detect_keyword_register(&kw_xbits);
    detect_keyword_register(&kw_hostbits);
}

int xbits_sig_role(const Signature *s)
{
    bool set = false, read = false;
    for (uint16_t i = 0; i < s->match.n; i++)
        if (s->match.sm[i].kw == &kw_xbits || s->match.sm[i].kw == &kw_hostbits)
            read = true;
    for (uint16_t i = 0; i < s->post.n; i++)
        if (s->post.sm[i].kw == &kw_xbits || s->post.sm[i].kw == &kw_hostbits)
            set = true;
    return set && !read ? 3 : set ? 2 : read ? 1 : 0;
}
