/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/threshold.c: threshold and detection_filter (see threshold.h).
 * Tracking entries live in the worker (hash by signature and addresses)
 * or, for track by_flow, in the flow's detect state.
 */
#include "detect/keywords/threshold.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "detect/detect_int.h"
#include "detect/rules/address.h"
#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

#define NS_PER_S 1000000000LL

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int threshold_parse(const char *arg, bool is_df, ThresholdCtx *out, char *err, size_t err_len)
{
    char buf[256];
    size_t len = strlen(arg);
    if (len >= sizeof buf) {
        snprintf(err, err_len, "argument too long");
        return -1;
    }
    memcpy(buf, arg, len + 1);
    memset(out, 0, sizeof *out);
    out->type = is_df ? THRESH_DETECTION_FILTER : THRESH_LIMIT;
    bool have_type = is_df, have_track = false, have_count = false, have_seconds = false, have_mult = false;
    char *p = buf;
    for (;;) {
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        char *item = trim(p);
        char *sp = item;
        while (*sp && !isspace((unsigned char)*sp))
            sp++;
        char *val = NULL;
        if (*sp) {
            *sp = '\0';
            val = trim(sp + 1);
        }
        uint64_t v;
        if (!val) {
            snprintf(err, err_len, "expected 'name value', got '%.40s'", item);
            return -1;
        }
        if (strcmp(item, "type") == 0 && !is_df) {
            static const struct { const char *n; ThreshType t; } types[] = {
                { "limit", THRESH_LIMIT }, { "threshold", THRESH_THRESHOLD },
                { "both", THRESH_BOTH }, { "backoff", THRESH_BACKOFF },
            };
            for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
                if (strcmp(val, types[i].n) == 0) {
                    out->type = types[i].t;
                    have_type = true;
                }
            if (!have_type) {
                snprintf(err, err_len, "unknown type '%.20s'", val);
                return -1;
            }
        } else if (strcmp(item, "track") == 0) {
            static const struct { const char *n; ThreshTrack t; } tracks[] = {
                { "by_src", TRACK_SRC }, { "by_dst", TRACK_DST }, { "by_rule", TRACK_RULE },
                { "by_both", TRACK_BOTH }, { "by_flow", TRACK_FLOW },
            };
            for (size_t i = 0; i < sizeof tracks / sizeof tracks[0]; i++)
                if (strcmp(val, tracks[i].n) == 0) {
                    out->track = tracks[i].t;
                    have_track = true;
                }
            if (!have_track) {
                snprintf(err, err_len, "unknown track '%.20s'", val);
                return -1;
            }
        } else if (strcmp(item, "count") == 0 && detect_parse_u64(val, UINT32_MAX, &v) == 0) {
            out->count = (uint32_t)v;
            have_count = true;
        } else if (strcmp(item, "seconds") == 0 && detect_parse_u64(val, UINT32_MAX, &v) == 0) {
            out->seconds = (uint32_t)v;
            have_seconds = true;
        } else if (strcmp(item, "multiplier") == 0 && detect_parse_u64(val, UINT32_MAX, &v) == 0 && v >= 2) {
            out->multiplier = (uint32_t)v;
            have_mult = true;
        } else if (strcmp(item, "unique_on") == 0 && is_df) {
            if (strcmp(val, "src_port") == 0)
                out->unique_on = UNIQUE_SRC_PORT;
            else if (strcmp(val, "dst_port") == 0)
                out->unique_on = UNIQUE_DST_PORT;
            else {
                snprintf(err, err_len, "unique_on must be src_port or dst_port");
                return -1;
            }
        } else {
            snprintf(err, err_len, "bad option '%.20s %.20s'", item, val);
            return -1;
        }
        if (!c)
            break;
        p = c + 1;
    }
    if (!have_type || !have_track || !have_count) {
        snprintf(err, err_len, "needs type, track and count");
        return -1;
    }
    if (out->type == THRESH_BACKOFF) {
        if (!have_mult || out->count == 0) {
            snprintf(err, err_len, "backoff needs count > 0 and multiplier >= 2");
            return -1;
        }
    } else if (!have_seconds) {
        snprintf(err, err_len, "needs seconds");
        return -1;
    } else if (out->count == 0 && out->type != THRESH_DETECTION_FILTER) {
        snprintf(err, err_len, "count must be > 0");
        return -1;
    }
    if (out->unique_on && out->track == TRACK_RULE) {
        snprintf(err, err_len, "unique_on needs track by_src, by_dst, by_both or by_flow");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Runtime                                                             */
/* ------------------------------------------------------------------ */

static uint32_t hash_key(uint32_t sig, const IpAddr *a, const IpAddr *b)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ sig;
    for (int i = 0; i < 4; i++) {
        h = (h ^ (a ? a->w[i] : 0)) * 0x100000001b3ULL;
        h = (h ^ (b ? b->w[i] : 0)) * 0x100000001b3ULL;
    }
    return (uint32_t)(h ^ (h >> 32));
}

static bool ip_eq(const IpAddr *x, const IpAddr *y) { return memcmp(x, y, sizeof *x) == 0; }

static ThreshEntry *find_or_add(ThreshEntry **head, uint32_t sig, uint8_t track, const IpAddr *a, const IpAddr *b,
                                bool *created)
{
    static const IpAddr zero;
    if (!a)
        a = &zero;
    if (!b)
        b = &zero;
    for (ThreshEntry *e = *head; e; e = e->next)
        if (e->sig_num == sig && e->track == track && ip_eq(&e->a, a) && ip_eq(&e->b, b)) {
            *created = false;
            return e;
        }
    ThreshEntry *e = mem_calloc(detect_mem(), 1, sizeof *e);
    if (!e)
        return NULL;
    e->sig_num = sig;
    e->track = track;
    e->a = *a;
    e->b = *b;
    e->next = *head;
    *head = e;
    *created = true;
    return e;
}

static bool add_unique(ThreshEntry *e, uint16_t port)
{
    for (uint32_t i = 0; i < e->n_ports; i++)
        if (e->ports[i] == port)
            return false;
    if (e->n_ports == e->cap_ports) {
        uint32_t nc = e->cap_ports ? e->cap_ports * 2 : 8;
        uint16_t *np = mem_realloc(detect_mem(), e->ports, nc * sizeof *np);
        if (!np)
            return false;
        e->ports = np;
        e->cap_ports = nc;
    }
    e->ports[e->n_ports++] = port;
    return true;
}

bool threshold_check(DetectThread *dt, const Signature *s, const ThresholdCtx *t, Packet *p)
{
    if (t->type == THRESH_SUPPRESS)
        return false;
    ThreshEntry **head;
    const IpAddr *a = NULL, *b = NULL;
    switch (t->track) {
    case TRACK_SRC: a = &p->src; break;
    case TRACK_DST: a = &p->dst; break;
    case TRACK_BOTH:
        /* an unordered pair, so both directions share an entry */
        if (memcmp(&p->src, &p->dst, sizeof p->src) <= 0) {
            a = &p->src;
            b = &p->dst;
        } else {
            a = &p->dst;
            b = &p->src;
        }
        break;
    case TRACK_RULE: break;
    case TRACK_FLOW: break;
    }
    if (t->track == TRACK_FLOW) {
        if (!p->flow)
            return true; /* nothing to track by: behave as without threshold */
        DetectFlowState *st = detect_flow_state(dt, p->flow);
        if (!st)
            return true;
        head = &st->thr;
    } else {
        head = &dt->thr[hash_key(s->num, a, b) % DETECT_THRESH_BUCKETS];
    }
    bool created;
    ThreshEntry *e = find_or_add(head, s->num, (uint8_t)t->track, a, b, &created);
    if (!e)
        return true; /* out of memory: fail open (alert), as Suricata does */
    int64_t now = p->ts_ns;
    int64_t win = (int64_t)t->seconds * NS_PER_S;
    bool in_window = !created && now - e->first_ns < win;
    uint16_t port = t->unique_on == UNIQUE_SRC_PORT ? p->sp : p->dp;

    switch (t->type) {
    case THRESH_BACKOFF:
        if (created)
            e->next_alert = t->count;
        e->count++;
        if (e->count == e->next_alert) {
            e->next_alert = e->next_alert * t->multiplier;
            return true;
        }
        return false;
    case THRESH_LIMIT:
        if (!in_window) {
            e->first_ns = now;
            e->count = 1;
            return true;
        }
        e->count++;
        return e->count <= t->count;
    case THRESH_THRESHOLD:
        if (!in_window) {
            e->first_ns = now;
            e->count = 1;
        } else {
            e->count++;
        }
        if (e->count >= t->count) {
            e->count = 0;
            return true;
        }
        return false;
    case THRESH_BOTH:
        if (!in_window) {
            e->first_ns = now;
            e->count = 1;
        } else {
            e->count++;
        }
        return e->count == t->count;
    case THRESH_DETECTION_FILTER:
        if (!in_window) {
            e->first_ns = now;
            e->count = 0;
            e->n_ports = 0;
        }
        if (t->unique_on) {
            add_unique(e, port);
            return e->n_ports > t->count;
        }
        e->count++;
        return e->count > t->count;
    case THRESH_SUPPRESS:
        return false;
    }
    return true;
}

static void free_chain(ThreshEntry *e)
{
    while (e) {
        ThreshEntry *n = e->next;
        mem_free(detect_mem(), e->ports);
        mem_free(detect_mem(), e);
        e = n;
    }
}

void threshold_thread_fini(DetectThread *dt)
{
    for (size_t i = 0; i < DETECT_THRESH_BUCKETS; i++) {
        free_chain(dt->thr[i]);
        dt->thr[i] = NULL;
    }
}

void threshold_flow_fini(DetectFlowState *st)
{
    free_chain(st->thr);
    st->thr = NULL;
}

/* ------------------------------------------------------------------ */
/* Keywords                                                            */
/* ------------------------------------------------------------------ */

static int setup_common(DetectParse *pc, const char *arg, bool is_df)
{
    if (pc->s->threshold)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "only one threshold or detection_filter per rule");
    ThresholdCtx *t = mem_calloc(detect_mem(), 1, sizeof *t);
    if (!t)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    char err[160];
    if (threshold_parse(arg, is_df, t, err, sizeof err) != 0) {
        mem_free(detect_mem(), t);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "%s", err);
    }
    pc->s->threshold = t;
    return 0;
}

static int threshold_setup(DetectParse *pc, const char *arg) { return setup_common(pc, arg, false); }
static int df_setup(DetectParse *pc, const char *arg) { return setup_common(pc, arg, true); }

static const DetectKeyword kw_threshold = { .name = "threshold", .id = DETECT_KW_THRESHOLD, .setup = threshold_setup };
static const DetectKeyword kw_df = { .name = "detection_filter", .id = DETECT_KW_THRESHOLD, .setup = df_setup };

void kw_threshold_register(void)
{
    detect_keyword_register(&kw_threshold);
    detect_keyword_register(&kw_df);
}

/* ------------------------------------------------------------------ */
/* threshold.config                                                    */
/* ------------------------------------------------------------------ */

static int add_suppress(Signature *s, const ThresholdRule *r)
{
    const ThresholdRule **n = mem_realloc(detect_mem(), s->suppress, (s->n_suppress + 1u) * sizeof *n);
    if (!n)
        return -1;
    n[s->n_suppress++] = r;
    s->suppress = n;
    return 0;
}

static int apply_rule(DetectEngine *de, const ThresholdRule *r)
{
    int applied = 0;
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        Signature *s = de->sigs[i];
        if ((r->gid && r->gid != s->gid) || (r->sid && r->sid != s->sid))
            continue;
        if (r->suppress) {
            if (add_suppress(s, r) != 0)
                return -1;
        } else {
            if (!s->threshold) {
                s->threshold = mem_calloc(detect_mem(), 1, sizeof *s->threshold);
                if (!s->threshold)
                    return -1;
            }
            *s->threshold = r->t;
        }
        applied++;
    }
    return applied;
}

/* Parse one line into r. 0, or -1 with err. */
static int parse_line(DetectEngine *de, char *line, ThresholdRule *r, char *err, size_t err_len)
{
    memset(r, 0, sizeof *r);
    char *p = trim(line);
    char *sp = p;
    while (*sp && !isspace((unsigned char)*sp))
        sp++;
    if (*sp)
        *sp++ = '\0';
    bool is_thresh = strcmp(p, "threshold") == 0 || strcmp(p, "event_filter") == 0;
    r->suppress = strcmp(p, "suppress") == 0;
    if (strcmp(p, "rate_filter") == 0) {
        snprintf(err, err_len, "rate_filter is not supported");
        return -1;
    }
    if (!is_thresh && !r->suppress) {
        snprintf(err, err_len, "expected threshold, event_filter or suppress, got '%.20s'", p);
        return -1;
    }
    /* pull gen_id / sig_id (and for suppress: track, ip) out, pass the rest on */
    char rest[512] = "";
    size_t rl = 0;
    bool have_gid = false, have_sid = false;
    const char *ip = NULL;
    char *item = sp;
    while (item && *item) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        char *it = trim(item);
        char *v = it;
        while (*v && !isspace((unsigned char)*v))
            v++;
        char *val = NULL;
        if (*v) {
            *v = '\0';
            val = trim(v + 1);
        }
        uint64_t n;
        if (!val) {
            snprintf(err, err_len, "expected 'name value', got '%.30s'", it);
            return -1;
        }
        if (strcmp(it, "gen_id") == 0 && detect_parse_u64(val, UINT32_MAX, &n) == 0) {
            r->gid = (uint32_t)n;
            have_gid = true;
        } else if (strcmp(it, "sig_id") == 0 && detect_parse_u64(val, UINT32_MAX, &n) == 0) {
            r->sid = (uint32_t)n;
            have_sid = true;
        } else if (r->suppress && strcmp(it, "track") == 0) {
            if (strcmp(val, "by_src") == 0)
                r->ip_track = TRACK_SRC;
            else if (strcmp(val, "by_dst") == 0)
                r->ip_track = TRACK_DST;
            else if (strcmp(val, "by_either") == 0)
                r->ip_track = TRACK_BOTH;
            else {
                snprintf(err, err_len, "suppress track must be by_src, by_dst or by_either");
                return -1;
            }
        } else if (r->suppress && strcmp(it, "ip") == 0) {
            ip = val;
        } else if (is_thresh) {
            int w = snprintf(rest + rl, sizeof rest - rl, "%s%s %s", rl ? "," : "", it, val);
            if (w < 0 || (size_t)w >= sizeof rest - rl) {
                snprintf(err, err_len, "line too long");
                return -1;
            }
            rl += (size_t)w;
        } else {
            snprintf(err, err_len, "unknown option '%.20s'", it);
            return -1;
        }
        item = comma ? comma + 1 : NULL;
    }
    if (!have_gid || !have_sid) {
        snprintf(err, err_len, "needs gen_id and sig_id");
        return -1;
    }
    if (is_thresh)
        return threshold_parse(rest, false, &r->t, err, err_len);
    if (ip) {
        char aerr[160];
        if (addr_set_parse(de->conf, ip, &r->ip, aerr, sizeof aerr) != 0) {
            snprintf(err, err_len, "ip: %s", aerr);
            return -1;
        }
    }
    return 0;
}

int threshold_config_load(DetectEngine *de, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    unsigned lineno = 0;
    int applied = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *t = trim(line);
        if (*t == '\0' || *t == '#')
            continue;
        ThresholdRule r;
        char err[200];
        if (parse_line(de, t, &r, err, sizeof err) != 0) {
            log_error("%s:%u: %s", path, lineno, err);
            continue;
        }
        ThresholdRule *nr = mem_realloc(detect_mem(), de->trules, (de->n_trules + 1u) * sizeof *nr);
        if (!nr) {
            addr_set_free(r.ip);
            break;
        }
        de->trules = nr;
        de->trules[de->n_trules++] = r;
    }
    fclose(f);
    /* apply after reading: the array no longer moves, so signatures may
     * keep pointers to suppress entries */
    for (uint32_t i = 0; i < de->n_trules; i++) {
        int n = apply_rule(de, &de->trules[i]);
        if (n > 0)
            applied += n;
    }
    return applied;
}

bool threshold_suppressed(const Signature *s, const Packet *p)
{
    for (uint16_t i = 0; i < s->n_suppress; i++) {
        const ThresholdRule *r = s->suppress[i];
        if (!r->ip)
            return true;
        bool src = addr_set_match(r->ip, p->ip_ver, &p->src);
        bool dst = addr_set_match(r->ip, p->ip_ver, &p->dst);
        if ((r->ip_track == TRACK_SRC && src) || (r->ip_track == TRACK_DST && dst) ||
            (r->ip_track == TRACK_BOTH && (src || dst)))
            return true;
    }
    return false;
}

void threshold_config_fini(DetectEngine *de)
{
    for (uint32_t i = 0; i < de->n_trules; i++)
        addr_set_free(de->trules[i].ip);
    mem_free(detect_mem(), de->trules);
    de->trules = NULL;
    de->n_trules = 0;
}
