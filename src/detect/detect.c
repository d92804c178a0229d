/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * detect.c: the signature engine (detect.h): loading and ordering the
 * rules, building the per-protocol prefilter groups, and running them over
 * each packet.
 *
 * Per packet: pick the transport bucket; candidates = the bucket's
 * signatures without a payload fast pattern on the lists of the packet's
 * direction and ports (group.c) + those whose fast pattern Vectorscan found
 * in the payload (or the raw stream chunk) + when the flow's transactions
 * changed, the transaction rules whose pattern the transaction prefilter
 * found in a transaction buffer (and those without one); evaluate the
 * candidates in signature
 * order (Suricata's: pass, drop, reject, alert; flowbit setters before
 * readers; priority; file order), each as header checks, packet keywords,
 * buffer inspection, then post-match actions, threshold, action and alert.
 * A pass match silences the rest of the packet and passes the flow; in
 * IPS mode a drop/reject match drops the packet and the rest of its flow.
 */
#include "detect/detect.h"

#include "applayer/applayer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "detect/buffer.h"
#include "detect/detect_int.h"
#include "detect/inspect.h"
#include "detect/keyword.h"
#include "detect/keywords/base64.h"
#include "detect/keywords/content.h"
#include "detect/keywords/pcre.h"
#include "detect/keywords/threshold.h"
#include "detect/keywords/transform.h"
#include "detect/rules/address.h"
#include "detect/rules/parse.h"
#include "lib/alloc.h"
#include "stream/stream.h"

/* ------------------------------------------------------------------ */
/* Name tables                                                         */
/* ------------------------------------------------------------------ */

int detect_name_id(NameTable *t, const char *name)
{
    for (uint32_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i], name) == 0)
            return (int)i;
    if (t->n == t->cap) {
        uint32_t nc = t->cap ? t->cap * 2 : 16;
        char **nv = mem_realloc(detect_mem(), t->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        t->v = nv;
        t->cap = nc;
    }
    char *c = mem_strndup(detect_mem(), name, strlen(name));
    if (!c)
        return -1;
    t->v[t->n] = c;
    return (int)t->n++;
}

static void name_table_fini(NameTable *t)
{
    for (uint32_t i = 0; i < t->n; i++)
        mem_free(detect_mem(), t->v[i]);
    mem_free(detect_mem(), t->v);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* "dir/of/first/rule/file/" + name, when that file exists. */
static bool sibling_path(const char *rule_file, const char *name, char *out, size_t cap)
{
    if (!rule_file)
        return false;
    const char *slash = strrchr(rule_file, '/');
    int n = slash ? snprintf(out, cap, "%.*s/%s", (int)(slash - rule_file), rule_file, name)
                  : snprintf(out, cap, "%s", name);
    return n > 0 && (size_t)n < cap && file_exists(out);
}

static void load_classification(DetectEngine *de, const char *first_rules)
{
    char path[4096];
    const char *cfg = conf_get_str(de->conf, "classification-file", NULL);
    const char *use = NULL;
    if (cfg && file_exists(cfg))
        use = cfg;
    else if (sibling_path(first_rules, "classification.config", path, sizeof path))
        use = path;
    if (use && class_table_load(&de->classes, use) >= 0) {
        de->classes_loaded = true;
    } else {
        if (cfg)
            log_warn("%s: cannot read classification file; using the built-in classes", cfg);
        class_table_load_defaults(&de->classes);
    }
    const char *rcfg = conf_get_str(de->conf, "reference-config-file", NULL);
    if (rcfg && file_exists(rcfg))
        class_table_load_refs(&de->classes, rcfg);
    else if (sibling_path(first_rules, "reference.config", path, sizeof path))
        class_table_load_refs(&de->classes, path);
}

/* Rule files from the configuration: default-rule-path + rule-files. */
static void load_conf_rule_files(DetectEngine *de)
{
    const ConfNode *n = conf_node(de->conf, "rule-files");
    if (!n)
        return;
    const char *dir = conf_get_str(de->conf, "default-rule-path", NULL);
    for (const ConfNode *c = conf_node_first(n); c; c = conf_node_next(c)) {
        const char *v = conf_node_value(c);
        if (!v)
            continue;
        char path[4096];
        if (v[0] != '/' && dir)
            snprintf(path, sizeof path, "%s/%s", dir, v);
        else
            snprintf(path, sizeof path, "%s", v);
        rule_file_load(de, path);
    }
}

static int action_rank(DetectAction a)
{
    switch (a) {
    case DETECT_ACTION_PASS: return 0;
    case DETECT_ACTION_DROP: return 1;
    case DETECT_ACTION_REJECT:
    case DETECT_ACTION_REJECTSRC:
    case DETECT_ACTION_REJECTDST:
    case DETECT_ACTION_REJECTBOTH: return 2;
    case DETECT_ACTION_ALERT: return 3;
    }
    return 3;
}

typedef struct SortKey {
    Signature *s;
    int action, fb, xb, prio;
    uint32_t load;
} SortKey;

static int cmp_sig(const void *a, const void *b)
{
    const SortKey *x = a, *y = b;
    if (x->action != y->action)
        return x->action - y->action;
    if (x->fb != y->fb)
        return y->fb - x->fb;
    if (x->xb != y->xb)
        return y->xb - x->xb;
    if (x->prio != y->prio)
        return x->prio - y->prio;
    return x->load < y->load ? -1 : x->load > y->load;
}

static int sort_sigs(DetectEngine *de)
{
    if (de->n_sigs == 0)
        return 0;
    SortKey *k = mem_calloc(detect_mem(), de->n_sigs, sizeof *k);
    if (!k)
        return -1;
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        Signature *s = de->sigs[i];
        k[i].s = s;
        k[i].action = action_rank(s->action);
        k[i].fb = flowbits_sig_role(s);
        k[i].xb = xbits_sig_role(s);
        k[i].prio = s->prio;
        k[i].load = i;
    }
    qsort(k, de->n_sigs, sizeof *k, cmp_sig);
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        de->sigs[i] = k[i].s;
        de->sigs[i]->num = i;
    }
    mem_free(detect_mem(), k);
    return 0;
}

static bool proto_has(const SigProto *p, uint8_t n) { return p->any_proto || (p->protos[n / 8] >> (n % 8)) & 1u; }

/* Does signature s apply to bucket b? */
static bool in_bucket(const Signature *s, int b)
{
    const SigProto *p = &s->proto;
    if (p->any_proto)
        return true;
    switch (b) {
    case DETECT_BUCKET_TCP: return proto_has(p, 6);
    case DETECT_BUCKET_UDP: return proto_has(p, 17);
    case DETECT_BUCKET_ICMP: return proto_has(p, 1) || proto_has(p, 58);
    default:
        for (int n = 0; n < 256; n++)
            if (n != 6 && n != 17 && n != 1 && n != 58 && proto_has(p, (uint8_t)n))
                return true;
        return false;
    }
}

/* The transaction prefilter pattern of tx rule s: the fast_pattern content
 * when it sits in a transaction buffer of s's protocol, else the longest
 * content of such a buffer; never a negated content, never one of a buffer
 * with transforms (the prefilter scans the buffer as the parser gives it),
 * except dotprefix alone: "." + raw holds the pattern only where raw holds
 * the pattern without its first byte, so that part is the prefilter's
 * (ET Open's ~1,000 `dns.query; dotprefix;` / `tls.sni; dotprefix;` rules). */
static void choose_tx_fp(Signature *s)
{
    s->tx_fp = NULL;
    s->tx_fp_buf = -1;
    s->tx_fp_skip = 0;
    if (!s->tx_sig)
        return;
    uint32_t best_len = 0;
    for (uint16_t b = 0; b < s->n_bufs; b++) {
        const SigBufferList *bl = &s->bufs[b];
        bool dotp = bl->n_transforms == 1 && bl->transforms[0] == XFORM_DOTPREFIX;
        if ((bl->n_transforms != 0 && !dotp) || detect_buffer_tx_getter(bl->buffer_id) == NULL ||
            detect_buffer_app_proto(bl->buffer_id) != s->tx_app_proto)
            continue;
        uint32_t skip = dotp ? 1u : 0u;
        for (uint16_t i = 0; i < bl->list.n; i++) {
            if (bl->list.sm[i].kw->id != DETECT_KW_CONTENT)
                continue;
            const ContentCtx *c = bl->list.sm[i].ctx;
            if (c->flags & CT_NEGATED)
                continue;
            uint32_t len = (c->flags & CT_FP_CHOP) ? c->fp_len : c->len;
            if (len <= skip)
                continue;
            len -= skip;
            if (c->flags & CT_FAST_PATTERN)
                len = UINT32_MAX;
            if (len > best_len && len > 0) {
                best_len = len;
                s->tx_fp = &bl->list.sm[i];
                s->tx_fp_buf = bl->buffer_id;
                s->tx_fp_skip = (uint8_t)skip;
            }
        }
    }
}

/* Mark signatures that inspect app-layer transaction buffers. They are
 * inspected per transaction of their protocol's flows, not through the
 * payload prefilter (their fast pattern lives in a transaction buffer). */
static void mark_tx_sigs(DetectEngine *de)
{
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        Signature *s = de->sigs[i];
        s->tx_sig = false;
        s->tx_app_proto = 0;
        for (uint16_t b = 0; b < s->n_bufs; b++) {
            if (s->bufs[b].list.n == 0 || detect_buffer_tx_getter(s->bufs[b].buffer_id) == NULL)
                continue;
            s->tx_sig = true;
            s->tx_app_proto = detect_buffer_app_proto(s->bufs[b].buffer_id);
        }
        for (uint16_t k = 0; k < s->match.n; k++) {
            if (s->match.sm[k].kw->tx_app_proto == 0)
                continue;
            s->tx_sig = true;
            s->tx_app_proto = s->match.sm[k].kw->tx_app_proto;
        }
        choose_tx_fp(s);
    }
}

/* Does s enter the payload prefilter? */
static bool sig_in_mpm(const Signature *s) { return s->fp != NULL && !s->tx_sig; }

/* Transaction prefilter patterns are cut to this many bytes: Vectorscan's
 * compile time grows with the total pattern length (ET Open's ~23,000
 * transaction patterns took 11 s uncut), while a 12-byte prefix is already
 * rare enough in HTTP buffers to keep the candidates few. */
#ifndef TX_FP_MAX_LEN
#define TX_FP_MAX_LEN 12u
#endif

/* The transaction prefilters of bucket b: per protocol, one database per
 * buffer holding some rule's tx_fp. pats is scratch for n_sigs patterns. */
static int build_tx_mpm(DetectEngine *de, SigGroup *g, int b, MpmPattern *pats)
{
    enum { NKEY = APP_PROTO_MAX * DETECT_BUF_MAX };
    uint32_t *start = mem_calloc(detect_mem(), NKEY + 1, sizeof *start);
    if (start == NULL)
        return -1;
    /* counting sort of the bucket's tx_fp rules by (protocol, buffer) */
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        const Signature *s = de->sigs[i];
        if (s->tx_sig && s->tx_fp != NULL && s->tx_app_proto < APP_PROTO_MAX && s->tx_fp_buf >= 0 &&
            s->tx_fp_buf < DETECT_BUF_MAX && in_bucket(s, b))
            start[s->tx_app_proto * DETECT_BUF_MAX + (unsigned)s->tx_fp_buf + 1]++;
    }
    for (unsigned k = 0; k < NKEY; k++)
        start[k + 1] += start[k];
    uint32_t *fill = mem_calloc(detect_mem(), NKEY, sizeof *fill);
    if (fill == NULL) {
        mem_free(detect_mem(), start);
        return -1;
    }
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        const Signature *s = de->sigs[i];
        if (!(s->tx_sig && s->tx_fp != NULL && s->tx_app_proto < APP_PROTO_MAX && s->tx_fp_buf >= 0 &&
              s->tx_fp_buf < DETECT_BUF_MAX && in_bucket(s, b)))
            continue;
        unsigned k = s->tx_app_proto * DETECT_BUF_MAX + (unsigned)s->tx_fp_buf;
        MpmPattern *pt = &pats[start[k] + fill[k]++];
        const ContentCtx *c = s->tx_fp->ctx;
        pt->pat = c->pat + ((c->flags & CT_FP_CHOP) ? c->fp_off : 0) + s->tx_fp_skip;
        pt->len = ((c->flags & CT_FP_CHOP) ? c->fp_len : c->len) - s->tx_fp_skip;
        if (pt->len > TX_FP_MAX_LEN)
            pt->len = TX_FP_MAX_LEN; /* a prefix occurs wherever the content does */
        pt->nocase = (c->flags & CT_NOCASE) != 0;
        pt->id = s->num;
    }
    int rc = 0;
    for (unsigned k = 0; k < NKEY && rc == 0; k++) {
        uint32_t n = start[k + 1] - start[k];
        if (n == 0)
            continue;
        unsigned ap = k / DETECT_BUF_MAX;
        TxMpm *a = mem_realloc(detect_mem(), g->txm[ap], (size_t)(g->n_txm[ap] + 1) * sizeof *a);
        if (a == NULL) {
            rc = -1;
            break;
        }
        g->txm[ap] = a;
        char err[256];
        Mpm *m = mpm_build(pats + start[k], n, err, sizeof err);
        if (m == NULL) {
            log_error("detect: building a transaction prefilter failed: %s", err);
            rc = -1;
            break;
        }
        a[g->n_txm[ap]].buffer_id = (int)(k % DETECT_BUF_MAX);
        a[g->n_txm[ap]].mpm = m;
        g->n_txm[ap]++;
    }
    mem_free(detect_mem(), start);
    mem_free(detect_mem(), fill);
    return rc;
}

static int build_groups(DetectEngine *de)
{
    mark_tx_sigs(de);
    MpmPattern *pats = de->n_sigs ? mem_calloc(detect_mem(), de->n_sigs, sizeof *pats) : NULL;
    uint32_t *nums = de->n_sigs ? mem_calloc(detect_mem(), de->n_sigs, sizeof *nums) : NULL;
    if (de->n_sigs && (!pats || !nums)) {
        mem_free(detect_mem(), pats);
        mem_free(detect_mem(), nums);
        return -1;
    }
    int rc = 0;
    for (int b = 0; b < DETECT_BUCKET_N && rc == 0; b++) {
        SigGroup *g = &de->groups[b];
        uint32_t n_pat = 0, n_list = 0;
        for (uint32_t i = 0; i < de->n_sigs; i++) {
            const Signature *s = de->sigs[i];
            if (!in_bucket(s, b))
                continue;
            if (s->tx_sig && s->tx_fp != NULL && s->tx_app_proto < APP_PROTO_MAX) {
                g->n_txsig++;
                g->n_txfp++;
                continue; /* on a transaction prefilter (build_tx_mpm) */
            }
            if (!sig_in_mpm(s)) {
                nums[n_list++] = s->num;
                if (s->tx_sig)
                    g->n_txsig++;
                else
                    g->n_nonmpm++;
                if (s->flags & SIG_F_IPONLY)
                    g->n_iponly++;
                continue;
            }
            const ContentCtx *c = s->fp->ctx;
            pats[n_pat].pat = c->pat + c->fp_off;
            pats[n_pat].len = (c->flags & CT_FP_CHOP) ? c->fp_len : c->len;
            pats[n_pat].nocase = (c->flags & CT_NOCASE) != 0;
            pats[n_pat].id = s->num;
            n_pat++;
        }
        bool ports = b == DETECT_BUCKET_TCP || b == DETECT_BUCKET_UDP;
        if (sig_group_build_lists(de, g, nums, n_list, ports) != 0) {
            rc = -1;
            break;
        }
        if (n_pat) {
            char err[256];
            g->mpm = mpm_build(pats, n_pat, err, sizeof err);
            if (!g->mpm) {
                log_error("detect: building the prefilter failed: %s", err);
                rc = -1;
                break;
            }
            g->n_mpm = n_pat;
        }
        /* after the payload prefilter: pats is reused */
        if (build_tx_mpm(de, g, b, pats) != 0) {
            rc = -1;
            break;
        }
        static const char *const names[DETECT_BUCKET_N] = { "tcp", "udp", "icmp", "other" };
        log_info("detect: %s: %u rules with a prefilter pattern, %u without (%u IP-only), %u transaction "
                 "rules (%u with a transaction prefilter pattern); %u destination-port and %u source-port groups",
                 names[b], n_pat, g->n_nonmpm, g->n_iponly, g->n_txsig, g->n_txfp, g->by_dp.n, g->by_sp.n);
    }
    mem_free(detect_mem(), pats);
    mem_free(detect_mem(), nums);
    return rc;
}

/* ---- distinct address sets ---- */

/* ET Open writes a few variables ($HOME_NET, $EXTERNAL_NET, ...) in tens of
 * thousands of rules; each parses to its own AddrSet. Equal sets get one id
 * so the packet loop tests each distinct set at most once per packet
 * (DetectThread.aset_memo) instead of once per candidate rule. */
static uint64_t aset_hash(const AddrSet *a)
{
    uint64_t h = 1469598103934665603ull;
    const uint8_t *parts[2] = { (const uint8_t *)a->v4, (const uint8_t *)a->v6 };
    size_t lens[2] = { a->n_v4 * sizeof *a->v4, a->n_v6 * sizeof *a->v6 };
    for (int k = 0; k < 2; k++) {
        h = (h ^ lens[k]) * 1099511628211ull;
        for (size_t i = 0; i < lens[k]; i++)
            h = (h ^ parts[k][i]) * 1099511628211ull;
    }
    return h;
}

static bool aset_equal(const AddrSet *a, const AddrSet *b)
{
    return a->any == b->any && a->n_v4 == b->n_v4 && a->n_v6 == b->n_v6 &&
           (a->n_v4 == 0 || memcmp(a->v4, b->v4, a->n_v4 * sizeof *a->v4) == 0) &&
           (a->n_v6 == 0 || memcmp(a->v6, b->v6, a->n_v6 * sizeof *a->v6) == 0);
}

/* Set Signature.src_set / dst_set: 1 + the id of the distinct set (0 for
 * `any`, which is never tested). 0, or -1 on OOM. */
static int intern_addr_sets(DetectEngine *de)
{
    size_t cap = 64;
    while (cap < (size_t)de->n_sigs * 4)
        cap *= 2;
    const AddrSet **slot = mem_calloc(detect_mem(), cap, sizeof *slot);
    uint32_t *slot_id = mem_calloc(detect_mem(), cap, sizeof *slot_id);
    const AddrSet **sets = mem_calloc(detect_mem(), 2 * (size_t)de->n_sigs + 1, sizeof *sets);
    if (!slot || !slot_id || !sets) {
        mem_free(detect_mem(), slot);
        mem_free(detect_mem(), slot_id);
        mem_free(detect_mem(), sets);
        return -1;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        Signature *s = de->sigs[i];
        for (int side = 0; side < 2; side++) {
            const AddrSet *a = side == 0 ? s->src : s->dst;
            uint32_t id = 0;
            if (a != NULL && !a->any) {
                size_t h = (size_t)aset_hash(a) & (cap - 1);
                while (slot[h] != NULL && !aset_equal(slot[h], a))
                    h = (h + 1) & (cap - 1);
                if (slot[h] == NULL) {
                    slot[h] = a;
                    sets[n] = a;
                    slot_id[h] = ++n;
                }
                id = slot_id[h];
            }
            if (side == 0)
                s->src_set = id;
            else
                s->dst_set = id;
        }
    }
    de->n_asets = n;
    de->asets = sets;
    mem_free(detect_mem(), slot);
    mem_free(detect_mem(), slot_id);
    return 0;
}

/* Fill DetectEngine.hot (after the signatures are numbered and their
 * transaction role known). 0, or -1 on OOM. */
static int build_hot(DetectEngine *de)
{
    if (de->n_sigs == 0)
        return 0;
    de->hot = mem_calloc(detect_mem(), de->n_sigs, sizeof *de->hot);
    if (de->hot == NULL)
        return -1;
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        const Signature *s = de->sigs[i];
        SigHot *h = &de->hot[i];
        h->flags = s->flags | (s->tx_sig ? SIG_HOT_TX : 0u);
        h->src_set = s->src_set;
        h->dst_set = s->dst_set;
        h->app_proto = s->proto.app_proto;
        h->ip_ver_mask = s->proto.ip_ver_mask;
    }
    return 0;
}

static DetectEngine *engine_alloc(const Config *conf)
{
    detect_keywords_init();
    DetectEngine *de = mem_calloc(detect_mem(), 1, sizeof *de);
    if (!de)
        return NULL;
    de->conf = conf;
    int64_t am = conf ? conf_get_int(conf, "packet-alert-max", DETECT_ALERT_MAX) : DETECT_ALERT_MAX;
    if (am <= 0)
        am = DETECT_ALERT_MAX;
    if (am > (int64_t)(sizeof ((DetectAlerts *)0)->a / sizeof ((DetectAlerts *)0)->a[0]))
        am = (int64_t)(sizeof ((DetectAlerts *)0)->a / sizeof ((DetectAlerts *)0)->a[0]);
    de->alert_max = (unsigned)am;
    de->ips = conf && conf_get_bool(conf, "engine.simulate-ips", false);
    de->midstream = conf && conf_get_bool(conf, "stream.midstream", false);
    de->ctr_alert = stats_register("detect.alert");
    return de;
}

static DetectEngine *engine_finish(DetectEngine *de)
{
    const char *tf = de->conf ? conf_get_str(de->conf, "threshold-file", NULL) : NULL;
    if (tf && threshold_config_load(de, tf) < 0)
        log_warn("%s: cannot read threshold file", tf);
    if (sort_sigs(de) != 0 || intern_addr_sets(de) != 0 || build_groups(de) != 0 || build_hot(de) != 0) {
        detect_engine_free(de);
        return NULL;
    }
    return de;
}

DetectEngine *detect_engine_new(const Config *conf, const char *const *rule_files, size_t n_files)
{
    DetectEngine *de = engine_alloc(conf);
    if (!de)
        return NULL;
    const char *first = n_files > 0 ? rule_files[0] : NULL;
    if (!first && conf) {
        const ConfNode *n = conf_node(conf, "rule-files");
        const ConfNode *c = n ? conf_node_first(n) : NULL;
        first = c ? conf_node_value(c) : NULL;
    }
    load_classification(de, first);

    if (n_files > 0) {
        for (size_t i = 0; i < n_files; i++)
            rule_file_load(de, rule_files[i]);
    } else if (conf) {
        load_conf_rule_files(de);
    }
    return engine_finish(de);
}

DetectEngine *detect_engine_new_from_text(const Config *conf, const char *text, size_t len, const char *name)
{
    DetectEngine *de = engine_alloc(conf);
    if (!de)
        return NULL;
    load_classification(de, NULL);
    if (len > 0) {
        FILE *f = fmemopen((void *)(uintptr_t)text, len, "r");
        if (!f) {
            detect_engine_free(de);
            return NULL;
        }
        rule_stream_load(de, f, name);
        fclose(f);
    }
    return engine_finish(de);
}

void detect_engine_free(DetectEngine *de)
{
    if (!de)
        return;
    for (uint32_t i = 0; i < de->n_sigs; i++)
        sig_free(de->sigs[i]);
    mem_free(detect_mem(), de->sigs);
    mem_free(detect_mem(), de->hot);
    mem_free(detect_mem(), (void *)de->asets);
    for (int b = 0; b < DETECT_BUCKET_N; b++) {
        sig_group_fini(&de->groups[b]);
        mpm_free(de->groups[b].mpm);
        for (unsigned ap = 0; ap < APP_PROTO_MAX; ap++) {
            for (uint32_t k = 0; k < de->groups[b].n_txm[ap]; k++)
                mpm_free(de->groups[b].txm[ap][k].mpm);
            mem_free(detect_mem(), de->groups[b].txm[ap]);
        }
    }
    class_table_fini(&de->classes);
    threshold_config_fini(de);
    name_table_fini(&de->flowbits);
    name_table_fini(&de->flowints);
    name_table_fini(&de->xbits);
    mem_free(detect_mem(), de->sid_keys);
    mem_free(detect_mem(), de->sid_idx);
    for (uint32_t i = 0; i < de->n_files; i++)
        mem_free(detect_mem(), de->files[i]);
    mem_free(detect_mem(), de->files);
    mem_free(detect_mem(), de);
}

uint64_t detect_engine_rules_loaded(const DetectEngine *de) { return de ? de->loaded : 0; }
uint64_t detect_engine_rules_failed(const DetectEngine *de) { return de ? de->failed : 0; }

uint64_t detect_engine_files_failed(const DetectEngine *de) { return de->files_failed; }

/* ------------------------------------------------------------------ */
/* Threads and flow state                                              */
/* ------------------------------------------------------------------ */

DetectThread *detect_thread_new(const DetectEngine *de, Stats *stats)
{
    DetectThread *dt = mem_calloc(detect_mem(), 1, sizeof *dt);
    if (dt != NULL)
        dt->flow_acct = detect_mem();
    if (!dt)
        return NULL;
    dt->de = de;
    dt->stats = stats ? stats : &dt->own_stats;
    dt->ctr_alert = stats_register("detect.alert");
    dt->ctr_overflow = stats_register("detect.alert_queue_overflow");
    dt->ctr_suppressed = stats_register("detect.alerts_suppressed");
    dt->ctr_tagged = stats_register("detect.tagged_packets");
    uint32_t n = de ? de->n_sigs : 0;
    dt->cand = mem_calloc(detect_mem(), n / 8 + 1, 1);
    dt->cand_list = mem_calloc(detect_mem(), n + 1, sizeof *dt->cand_list);
    dt->pcre = pcre_thread_new();
    uint32_t n_memo = de ? 2 * de->n_asets : 0;
    dt->aset_memo = n_memo ? mem_calloc(detect_mem(), n_memo, sizeof *dt->aset_memo) : NULL;
    if ((n_memo && !dt->aset_memo) || !dt->cand || !dt->cand_list || !dt->pcre || mpm_scratch_grow(&dt->scratch, NULL) != 0)
        goto fail;
    for (int b = 0; de && b < DETECT_BUCKET_N; b++) {
        if (de->groups[b].mpm && mpm_scratch_grow(&dt->scratch, de->groups[b].mpm) != 0)
            goto fail;
        for (unsigned ap = 0; ap < APP_PROTO_MAX; ap++)
            for (uint32_t k = 0; k < de->groups[b].n_txm[ap]; k++)
                if (mpm_scratch_grow(&dt->scratch, de->groups[b].txm[ap][k].mpm) != 0)
                    goto fail;
    }
    return dt;
fail:
    detect_thread_free(dt);
    return NULL;
}

void detect_thread_free(DetectThread *dt)
{
    if (!dt)
        return;
    threshold_thread_fini(dt);
    xbits_thread_fini(dt);
    tag_thread_fini(dt);
    mpm_scratch_free(dt->scratch);
    pcre_thread_free(dt->pcre);
    mem_free(detect_mem(), dt->xbuf[0]);
    mem_free(detect_mem(), dt->xbuf[1]);
    mem_free(detect_mem(), dt->cand);
    mem_free(detect_mem(), dt->cand_list);
    mem_free(detect_mem(), dt->aset_memo);
    mem_free(detect_mem(), dt->b64);
    mem_free(detect_mem(), dt);
}

void detect_thread_set_flow_account(DetectThread *dt, MemAccount *acct)
{
    if (dt != NULL && acct != NULL)
        dt->flow_acct = acct;
}

DetectFlowState *detect_flow_state(DetectThread *dt, Flow *f)
{
    if (!f)
        return NULL;
    if (f->detect)
        return f->detect;
    const DetectEngine *de = dt->de;
    DetectFlowState *st = mem_calloc(dt->flow_acct, 1, sizeof *st);
    if (!st)
        return NULL;
    st->n_words = (de->flowbits.n + 63) / 64;
    st->n_ints = de->flowints.n;
    if (st->n_words)
        st->bits = mem_calloc(dt->flow_acct, st->n_words, sizeof *st->bits);
    if (st->n_ints) {
        st->ints = mem_calloc(dt->flow_acct, st->n_ints, sizeof *st->ints);
        st->int_set = mem_calloc(dt->flow_acct, st->n_ints, 1);
    }
    if ((st->n_words && !st->bits) || (st->n_ints && (!st->ints || !st->int_set))) {
        mem_free(dt->flow_acct, st->bits);
        mem_free(dt->flow_acct, st->ints);
        mem_free(dt->flow_acct, st->int_set);
        mem_free(dt->flow_acct, st);
        return NULL;
    }
    f->detect = st;
    return st;
}

void detect_flow_end(DetectThread *dt, Flow *f)
{
    if (!f || !f->detect)
        return;
    DetectFlowState *st = f->detect;
    threshold_flow_fini(st);
    tag_flow_fini(st);
    mem_free(dt->flow_acct, st->txa);
    mem_free(dt->flow_acct, st->smatch);
    mem_free(dt->flow_acct, st->bits);
    mem_free(dt->flow_acct, st->ints);
    mem_free(dt->flow_acct, st->int_set);
    mem_free(dt->flow_acct, st);
    f->detect = NULL;
}

/* ------------------------------------------------------------------ */
/* Per packet                                                          */
/* ------------------------------------------------------------------ */

static int bucket_of(const Packet *p)
{
    if (pkt_has(p, PKT_IS_FRAGMENT) && !pkt_has(p, PKT_IS_REASSEMBLED))
        return DETECT_BUCKET_OTHER;
    switch (p->ip_proto) {
    case 6: return pkt_has(p, PKT_HAS_TCP) ? DETECT_BUCKET_TCP : DETECT_BUCKET_OTHER;
    case 17: return pkt_has(p, PKT_HAS_UDP) ? DETECT_BUCKET_UDP : DETECT_BUCKET_OTHER;
    case 1:
    case 58: return pkt_has(p, PKT_HAS_ICMPV4 | PKT_HAS_ICMPV6) ? DETECT_BUCKET_ICMP : DETECT_BUCKET_OTHER;
    default: return DETECT_BUCKET_OTHER;
    }
}

static bool has_ports(const Packet *p) { return pkt_has(p, PKT_HAS_TCP | PKT_HAS_UDP); }

/* Does address set `id` (1 + interned id) of s contain the packet's source
 * (which 0) or destination (which 1)? Each distinct set is tested once per
 * packet; later rules read the memo. */
static bool aset_match(DetectThread *dt, uint32_t id, const Packet *p, unsigned which)
{
    uint32_t *m = &dt->aset_memo[2 * (id - 1) + which];
    if ((*m >> 1) == dt->aset_gen)
        return (*m & 1u) != 0;
    bool r = addr_set_match(dt->de->asets[id - 1], p->ip_ver, which ? &p->dst : &p->src);
    *m = dt->aset_gen << 1 | (r ? 1u : 0u);
    return r;
}

/* Ports first: they are the cheaper test and reject most rules. `swap`:
 * the `<>` reverse direction (source set against the packet's destination). */
static bool addr_ports_match(DetectThread *dt, const Signature *s, const Packet *p, unsigned swap)
{
    uint16_t sp = swap ? p->dp : p->sp, dp = swap ? p->sp : p->dp;
    if (!(s->flags & (SIG_F_DP_ANY)) && (!has_ports(p) || !port_set_match(s->dp, dp)))
        return false;
    if (!(s->flags & (SIG_F_SP_ANY)) && (!has_ports(p) || !port_set_match(s->sp, sp)))
        return false;
    if (!(s->flags & SIG_F_DST_ANY) && s->dst_set != 0 && !aset_match(dt, s->dst_set, p, swap ? 0u : 1u))
        return false;
    if (!(s->flags & SIG_F_SRC_ANY) && s->src_set != 0 && !aset_match(dt, s->src_set, p, swap ? 1u : 0u))
        return false;
    return true;
}

static bool header_match(DetectThread *dt, const Signature *s, const Packet *p)
{
    uint8_t vbit = p->ip_ver == 4 ? 1 : 2;
    if (!(s->proto.ip_ver_mask & vbit))
        return false;
    if (!s->proto.any_proto && !proto_has(&s->proto, p->ip_proto))
        return false;
    if ((s->flags & SIG_F_NEED_FLOW) && !p->flow)
        return false;
    /* `alert http ...`: only flows the app-layer identified as http */
    if (s->proto.app_proto != 0 && (!p->flow || p->flow->app_proto != s->proto.app_proto))
        return false;
    if (addr_ports_match(dt, s, p, 0))
        return true;
    return (s->flags & SIG_F_BIDIR) && addr_ports_match(dt, s, p, 1);
}

/* The tests of header_match and the packet loop that need only s's SigHot
 * entry h (addresses only for `->` rules; `<>` ones are left to
 * header_match). False: s cannot match p. */
static bool hot_match(DetectThread *dt, const SigHot *h, const Packet *p, bool first)
{
    uint32_t fl = h->flags;
    /* stream_eligible(), from the hot fields */
    bool stream_ok = dt->chunk.len > 0 && (fl & SIG_F_NEED_PAYLOAD) && !(fl & SIG_F_TCP_PKT) && !(fl & SIG_HOT_TX);
    if (dt->tx_only && !(fl & SIG_HOT_TX) && !stream_ok)
        return false;
    if ((fl & SIG_F_NEED_PAYLOAD) && p->payload_len == 0 && !stream_ok)
        return false;
    if ((fl & SIG_F_IPONLY) && !first)
        return false;
    if (!(h->ip_ver_mask & (p->ip_ver == 4 ? 1 : 2)))
        return false;
    if ((fl & SIG_F_NEED_FLOW) && !p->flow)
        return false;
    if (h->app_proto != 0 && (!p->flow || p->flow->app_proto != h->app_proto))
        return false;
    if (fl & SIG_F_BIDIR)
        return true;
    if (!(fl & SIG_F_DST_ANY) && h->dst_set != 0 && !aset_match(dt, h->dst_set, p, 1u))
        return false;
    if (!(fl & SIG_F_SRC_ANY) && h->src_set != 0 && !aset_match(dt, h->src_set, p, 0u))
        return false;
    return true;
}

/* Run a buffer's transforms into the worker's scratch buffers. A
 * transform grows its input by at most one byte, so the scratch is sized
 * once, before the first one runs. */
static bool apply_transforms(DetectThread *dt, const SigBufferList *bl, const uint8_t **buf, uint32_t *len)
{
    size_t need = (size_t)*len + bl->n_transforms + 1;
    if (need > dt->xcap) {
        size_t nc = need > 4096 ? need : 4096;
        uint8_t *a = mem_realloc(detect_mem(), dt->xbuf[0], nc);
        if (!a)
            return false;
        dt->xbuf[0] = a;
        uint8_t *b = mem_realloc(detect_mem(), dt->xbuf[1], nc);
        if (!b)
            return false;
        dt->xbuf[1] = b;
        dt->xcap = nc;
    }
    const uint8_t *cur = *buf;
    size_t clen = cur ? *len : 0;
    for (uint8_t k = 0; k < bl->n_transforms; k++) {
        uint8_t *out = dt->xbuf[k & 1];
        clen = transform_apply((DetectTransform)bl->transforms[k], cur ? cur : out, clen, out);
        cur = out;
    }
    *buf = cur;
    *len = (uint32_t)clen;
    return true;
}

/* An InspectCtx over buf for signature s: the base64_data list of s, if
 * any, and the worker's decode scratch (made on first use; without it
 * base64_decode does not match). */
static InspectCtx inspect_ctx(DetectThread *dt, const Signature *s, DetectMatchCtx *mc, const uint8_t *buf,
                              uint32_t len)
{
    InspectCtx ic = { buf, len, mc->vars, dt->pcre, INSPECT_BUDGET, NULL, NULL, 0 };
    int b64 = base64_data_buffer_id();
    for (uint16_t b = 0; b < s->n_bufs; b++)
        if (s->bufs[b].buffer_id == b64)
            ic.b64_list = &s->bufs[b].list;
    if (s->flags & SIG_F_BASE64) {
        if (dt->b64 == NULL)
            dt->b64 = mem_alloc(detect_mem(), BASE64_DECODE_MAX);
        ic.b64_out = dt->b64;
        ic.b64_cap = dt->b64 != NULL ? BASE64_DECODE_MAX : 0;
    }
    return ic;
}

/* Inspect list bl over transaction buffer instances of tx (idx 0, 1, ...
 * for multi-buffers): true when one instance matches. */
static bool tx_list_match(DetectThread *dt, const SigBufferList *bl, DetectMatchCtx *mc, void *tx)
{
    DetectTxBufferGetter get = detect_buffer_tx_getter(bl->buffer_id);
    int sub = detect_buffer_tx_sub(bl->buffer_id);
    unsigned dir = mc->p->to_server ? 0u : 1u;
    for (uint32_t idx = 0; idx < 1024; idx++) {
        const uint8_t *buf = NULL;
        uint32_t len = 0;
        if (!get(tx, sub, dir, idx, &buf, &len))
            return false;
        if (bl->n_transforms && !apply_transforms(dt, bl, &buf, &len))
            return false;
        InspectCtx ic = inspect_ctx(dt, mc->s, mc, buf, len);
        if (detect_inspect_list(&ic, &bl->list))
            return true;
    }
    return false;
}

/* tx: the transaction inspected (tx signatures), else NULL. */
static bool sig_match(DetectThread *dt, const Signature *s, DetectMatchCtx *mc, void *tx)
{
    Packet *p = mc->p;
    if ((s->flags & SIG_F_NEED_PAYLOAD) && p->payload_len == 0)
        return false;
    mc->tx = tx;
    for (uint16_t i = 0; i < s->match.n; i++)
        if (!s->match.sm[i].kw->match(mc, s->match.sm[i].ctx))
            return false;
    int b64 = base64_data_buffer_id();
    for (uint16_t b = 0; b < s->n_bufs; b++) {
        const SigBufferList *bl = &s->bufs[b];
        if (bl->list.n == 0 || bl->buffer_id == b64) /* base64_data: run by base64_decode */
            continue;
        if (detect_buffer_tx_getter(bl->buffer_id) != NULL) {
            if (tx == NULL || !tx_list_match(dt, bl, mc, tx))
                return false;
            continue;
        }
        DetectBufferGetter get = detect_buffer_getter(bl->buffer_id);
        const uint8_t *buf = NULL;
        uint32_t len = 0;
        if (!get || !get(p, &buf, &len))
            return false;
        if (bl->n_transforms && !apply_transforms(dt, bl, &buf, &len))
            return false;
        InspectCtx ic = inspect_ctx(dt, s, mc, buf, len);
        if (!detect_inspect_list(&ic, &bl->list))
            return false;
    }
    return true;
}

static void on_mpm_hit(uint32_t id, void *user)
{
    DetectThread *dt = user;
    if (!(dt->cand[id / 8] & (1u << (id % 8)))) {
        dt->cand[id / 8] |= (uint8_t)(1u << (id % 8));
        dt->cand_list[dt->n_cand++] = id;
    }
}

/* Put the candidates in signature order. A few: insertion sort. Many (a
 * flow's transactions changed: hundreds of transaction rules): read them
 * back from the bitmap, which is already in order -- n_sigs / 64 words,
 * cheaper than sorting. */
static void cand_order(DetectThread *dt, uint32_t n_sigs)
{
    uint32_t *v = dt->cand_list;
    uint32_t n = dt->n_cand;
    if (n <= 32) {
        for (uint32_t i = 1; i < n; i++) {
            uint32_t x = v[i], j = i;
            for (; j > 0 && v[j - 1] > x; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
        return;
    }
    size_t n_bytes = (size_t)n_sigs / 8 + 1, k = 0;
    for (size_t off = 0; off < n_bytes; off += 8) {
        uint64_t w = 0;
        for (size_t j = 0; j < 8 && off + j < n_bytes; j++)
            w |= (uint64_t)dt->cand[off + j] << (8 * j);
        while (w != 0) {
            v[k++] = (uint32_t)(off * 8) + (uint32_t)__builtin_ctzll(w);
            w &= w - 1;
        }
    }
    dt->n_cand = (uint32_t)k;
}

static bool action_blocks(DetectAction a) { return a != DETECT_ACTION_ALERT && a != DETECT_ACTION_PASS; }

/* ---- raw stream inspection of TCP payload rules ---- */

/* Does s inspect the reassembled stream as well as packets? (Suricata: TCP
 * payload rules do, unless the header says tcp-pkt.) */
static bool stream_eligible(const Signature *s)
{
    return (s->flags & SIG_F_NEED_PAYLOAD) && !(s->flags & SIG_F_TCP_PKT) && !s->tx_sig;
}

/* A stream-only rule (tcp-stream, flow:only_stream) does not inspect the
 * payload of a TCP packet whose flow has a stream session: its bytes reach
 * the rule through the reassembled stream. */
static bool stream_only_skips_packet(const Signature *s, const DetectMatchCtx *mc)
{
    return (s->flags & SIG_F_TCP_STREAM) && (s->flags & SIG_F_NEED_PAYLOAD) && mc->f != NULL &&
           pkt_has(mc->p, PKT_HAS_TCP) && stream_has_session(mc->f);
}

bool detect_engine_inspects_stream(const DetectEngine *de)
{
    for (uint32_t i = 0; de != NULL && i < de->n_sigs; i++) {
        const Signature *s = de->sigs[i];
        if (stream_eligible(s) && (s->proto.any_proto || proto_has(&s->proto, 6)))
            return true;
    }
    return false;
}

static StreamMatched *smatch_find(const DetectFlowState *st, const Signature *s, unsigned dir)
{
    for (uint32_t i = 0; st != NULL && i < st->n_smatch; i++)
        if (st->smatch[i].sig_num == s->num && st->smatch[i].dir == dir)
            return &st->smatch[i];
    return NULL;
}

/* s matched bytes of direction dir up to stream offset upto. */
static void smatch_record(DetectThread *dt, Flow *f, const Signature *s, unsigned dir, uint64_t upto)
{
    DetectFlowState *st = detect_flow_state(dt, f);
    if (st == NULL)
        return;
    StreamMatched *m = smatch_find(st, s, dir);
    if (m == NULL) {
        if (st->n_smatch == st->cap_smatch) {
            uint32_t nc = st->cap_smatch ? st->cap_smatch * 2 : 8;
            StreamMatched *a = mem_realloc(dt->flow_acct, st->smatch, (size_t)nc * sizeof *a);
            if (a == NULL)
                return;
            st->smatch = a;
            st->cap_smatch = nc;
        }
        m = &st->smatch[st->n_smatch++];
        m->sig_num = s->num;
        m->dir = (uint8_t)dir;
        m->upto = 0;
    }
    if (upto > m->upto)
        m->upto = upto;
}

/* A packet match of stream rule s: the stream bytes it covers must not
 * match again when they come back as a raw chunk (one alert per match). */
static void stream_note_packet_match(DetectThread *dt, const Signature *s, DetectMatchCtx *mc)
{
    Flow *f = mc->f;
    if (f == NULL || f->key.proto != 6 || !stream_eligible(s) || !stream_has_session(f))
        return;
    unsigned dir = mc->p->to_server ? 0u : 1u;
    smatch_record(dt, f, s, dir, stream_reassembled(f, dir));
}

/* Inspect s over this packet's raw stream chunk (lookback 0: each stream
 * byte is inspected once; a pattern split across two chunks is missed). */
static bool stream_match(DetectThread *dt, const Signature *s, DetectMatchCtx *mc)
{
    const StreamRawChunk *c = &dt->chunk;
    if (c->len == 0 || !stream_eligible(s) || mc->f == NULL)
        return false;
    unsigned dir = mc->p->to_server ? 0u : 1u;
    uint64_t end = c->offset + c->len;
    const StreamMatched *m = smatch_find(mc->f->detect, s, dir);
    if (m != NULL && m->upto >= end)
        return false;
    /* Bytes up to m->upto were already matched in packets: start late
     * enough that a match of the fast pattern ending there is not seen
     * again (one alert per match), early enough for one ending past it. */
    uint32_t skip = 0;
    if (m != NULL && m->upto > c->offset) {
        uint64_t back = 0;
        if (s->fp != NULL) {
            const ContentCtx *fc = s->fp->ctx;
            back = fc->len > 0 ? fc->len - 1u : 0;
        }
        uint64_t from = m->upto > back ? m->upto - back : 0;
        if (from > c->offset)
            skip = (uint32_t)(from - c->offset);
        if (skip >= c->len)
            return false;
    }
    Packet *p = mc->p;
    const uint8_t *pl = p->payload;
    uint32_t pl_len = p->payload_len;
    p->payload = c->data + skip;
    p->payload_len = c->len - skip;
    memset(mc->vars, 0, sizeof mc->vars);
    bool hit = sig_match(dt, s, mc, NULL);
    p->payload = pl;
    p->payload_len = pl_len;
    if (hit)
        smatch_record(dt, mc->f, s, dir, end);
    return hit;
}

/* Did s already match transaction tx_id of the flow? */
static bool tx_alerted(const DetectFlowState *st, const Signature *s, uint64_t tx_id)
{
    for (uint32_t i = 0; st != NULL && i < st->n_txa; i++)
        if (st->txa[i].sig_num == s->num && st->txa[i].tx_id == tx_id)
            return true;
    return false;
}

/* Remember that s matched tx_id (on OOM it may match the tx again). */
static void tx_mark(DetectThread *dt, Flow *f, const Signature *s, uint64_t tx_id)
{
    DetectFlowState *st = detect_flow_state(dt, f);
    if (st == NULL)
        return;
    if (st->n_txa == st->cap_txa) {
        uint32_t nc = st->cap_txa ? st->cap_txa * 2 : 8;
        TxAlerted *a = mem_realloc(dt->flow_acct, st->txa, (size_t)nc * sizeof *a);
        if (a == NULL)
            return;
        st->txa = a;
        st->cap_txa = nc;
    }
    st->txa[st->n_txa].sig_num = s->num;
    st->txa[st->n_txa].tx_id = tx_id;
    st->n_txa++;
}

/*
 * Transaction inspection: the first transaction of f that s has not matched
 * yet and that matches now. Only when app-layer data reached the flow's
 * parser since the last packet of this direction (otherwise no transaction
 * changed). In IDS mode a side's data reaches the parser with the other
 * side's ACK; like Suricata, rules that want the data's own direction
 * (flow:to_server) then match on that direction's next packet. Returns true
 * and *tx_id on a match, and records it so the tx never alerts twice.
 */
static bool tx_sig_match(DetectThread *dt, const Signature *s, DetectMatchCtx *mc, uint64_t *tx_id)
{
    Flow *f = mc->f;
    if (f == NULL || f->app_proto != s->tx_app_proto)
        return false;
    unsigned pd = mc->p->to_server ? 0u : 1u;
    if (f->detect == NULL || !f->detect->app_dirty[pd])
        return false;
    uint64_t n = applayer_tx_count(f);
    for (uint64_t i = f->detect->tx_from[pd]; i < n; i++) {
        if (tx_alerted(f->detect, s, i))
            continue;
        void *tx = applayer_tx_get(f, i);
        if (tx == NULL)
            continue;
        memset(mc->vars, 0, sizeof mc->vars);
        if (sig_match(dt, s, mc, tx)) {
            tx_mark(dt, f, s, i);
            *tx_id = i;
            return true;
        }
    }
    return false;
}

/* Scan the buffers of the transactions tx_sig_match will look at (those
 * from tx_from[dir]) with the flow protocol's transaction prefilters: the
 * rules whose tx_fp occurs become candidates. */
static void tx_prefilter(DetectThread *dt, const SigGroup *g, Flow *f, unsigned dir)
{
    unsigned ap = f->app_proto;
    if (ap >= APP_PROTO_MAX || g->n_txm[ap] == 0)
        return;
    uint64_t n = applayer_tx_count(f);
    for (uint64_t i = f->detect->tx_from[dir]; i < n; i++) {
        void *tx = applayer_tx_get(f, i);
        if (tx == NULL)
            continue;
        for (uint32_t k = 0; k < g->n_txm[ap]; k++) {
            const TxMpm *t = &g->txm[ap][k];
            DetectTxBufferGetter get = detect_buffer_tx_getter(t->buffer_id);
            int sub = detect_buffer_tx_sub(t->buffer_id);
            for (uint32_t idx = 0; get != NULL && idx < 1024; idx++) {
                const uint8_t *buf = NULL;
                uint32_t len = 0;
                if (!get(tx, sub, dir, idx, &buf, &len))
                    break;
                if (len > 0 && buf != NULL)
                    mpm_scan(t->mpm, dt->scratch, buf, len, on_mpm_hit, dt);
            }
        }
    }
}

static void add_alert(DetectThread *dt, const Signature *s, DetectAlerts *out)
{
    const DetectEngine *de = dt->de;
    if (out->n >= de->alert_max) {
        stats_inc(dt->stats, dt->ctr_overflow);
        return;
    }
    DetectAlert *a = &out->a[out->n++];
    memset(a, 0, sizeof *a);
    a->sig = s;
    a->gid = s->gid;
    a->sid = s->sid;
    a->rev = s->rev;
    a->action = s->action;
    a->blocked = de->ips && action_blocks(s->action);
    a->msg = s->msg;
    a->category = s->klass ? s->klass->desc : NULL;
    a->severity = s->prio;
}

void detect_packet(DetectThread *dt, Packet *p, DetectAlerts *out)
{
    out->n = 0;
    out->drop = false;
    out->tagged = false;
    const DetectEngine *de = dt->de;
    if (!de || de->n_sigs == 0 || !pkt_has(p, PKT_HAS_IPV4 | PKT_HAS_IPV6))
        return;
    /* tags set by earlier packets (before this packet's rules add any) */
    if (!dt->tx_only && tag_packet(dt, p->flow, p)) {
        out->tagged = true;
        stats_inc(dt->stats, dt->ctr_tagged);
    }
    Flow *f = p->flow;
    DetectFlowState *fst = f ? f->detect : NULL;
    if (fst && fst->pass) {
        /* nothing will inspect this flow's stream: let stream/ release it */
        if (f->key.proto == 6 && stream_has_session(f))
            stream_raw_consume(f, p->to_server ? 0u : 1u, UINT64_MAX);
        return;
    }
    if (fst && fst->drop && de->ips) {
        out->drop = true;
        return;
    }
    /* a new generation of the address-set memo */
    if (++dt->aset_gen >= (1u << 31)) {
        if (dt->aset_memo != NULL)
            memset(dt->aset_memo, 0, 2 * (size_t)de->n_asets * sizeof *dt->aset_memo);
        dt->aset_gen = 1;
    }
    const SigGroup *g = &de->groups[bucket_of(p)];
    unsigned pdir = p->to_server ? 0u : 1u;
    if (f && f->app_proto != 0 && (applayer_flow_updated(f, 0) || applayer_flow_updated(f, 1))) {
        DetectFlowState *st = detect_flow_state(dt, f);
        if (st)
            st->app_dirty[0] = st->app_dirty[1] = true;
    }

    /* candidates: prefilter hits (sorted here; usually few), merged below
     * with the bucket's non-prefilter list (sorted at build time) */
    dt->n_cand = 0;
    if (g->mpm && p->payload_len > 0 && p->payload)
        mpm_scan(g->mpm, dt->scratch, p->payload, p->payload_len, on_mpm_hit, dt);
    /* the raw stream chunk of the packet's direction, when one is ready */
    memset(&dt->chunk, 0, sizeof dt->chunk);
    /* (at flow end, forced: whatever is left) */
    if (f && f->key.proto == 6 && stream_has_session(f) &&
        stream_raw_chunk(f, pdir, 0, dt->tx_only, &dt->chunk) && dt->chunk.len > 0 && g->mpm)
        mpm_scan(g->mpm, dt->scratch, dt->chunk.data, dt->chunk.len, on_mpm_hit, dt);
    /* transaction rules of the flow's protocol, when its transactions
     * changed since this direction's last packet */
    bool tx_dirty = f && f->app_proto < APP_PROTO_MAX && f->detect && f->detect->app_dirty[pdir];
    if (tx_dirty) {
        for (uint32_t k = 0; k < g->tx[pdir][f->app_proto].n; k++)
            on_mpm_hit(g->tx[pdir][f->app_proto].v[k], dt);
        tx_prefilter(dt, g, f, pdir);
    }
    /* the port groups of the packet's destination and source ports */
    if (has_ports(p)) {
        for (int side = 1; side <= 2; side++) {
            const PortGroup *pg = sig_group_port(g, side, side == 1 ? p->dp : p->sp);
            if (pg == NULL)
                continue;
            for (uint32_t k = 0; k < pg->non[pdir].n; k++)
                on_mpm_hit(pg->non[pdir].v[k], dt);
            if (tx_dirty)
                for (uint32_t k = 0; k < pg->tx[pdir][f->app_proto].n; k++)
                    on_mpm_hit(pg->tx[pdir][f->app_proto].v[k], dt);
        }
    }
    if (dt->n_cand > 1)
        cand_order(dt, de->n_sigs);

    DetectMatchCtx mc;
    memset(&mc, 0, sizeof mc);
    mc.dt = dt;
    mc.de = de;
    mc.p = p;
    mc.f = f;
    bool passed = false;
    /* IP-only rules only on the first packet of each flow direction */
    bool first = !f || f->pkts[p->to_server ? 0 : 1] <= 1;
    const uint32_t *non = first ? g->first[pdir].v : g->rest[pdir].v;
    uint32_t n_non = first ? g->first[pdir].n : g->rest[pdir].n;
    uint32_t im = 0, in = 0;
    while (im < dt->n_cand || in < n_non) {
        uint32_t id;
        if (in >= n_non || (im < dt->n_cand && dt->cand_list[im] < non[in])) {
            id = dt->cand_list[im++];
            dt->cand[id / 8] &= (uint8_t)~(1u << (id % 8));
        } else {
            id = non[in++];
        }
        if (!hot_match(dt, &de->hot[id], p, first))
            continue;
        const Signature *s = de->sigs[id];
        if (!header_match(dt, s, p))
            continue;
        mc.s = s;
        memset(mc.vars, 0, sizeof mc.vars);
        uint64_t tx_id = 0;
        if (s->tx_sig) {
            if (!tx_sig_match(dt, s, &mc, &tx_id))
                continue;
        } else if (!stream_only_skips_packet(s, &mc) && sig_match(dt, s, &mc, NULL)) {
            stream_note_packet_match(dt, s, &mc);
        } else if (!stream_match(dt, s, &mc)) {
            continue;
        }
        for (uint16_t k = 0; k < s->post.n; k++)
            if (!tag_is_post(&s->post.sm[k]))
                s->post.sm[k].kw->post(&mc, s->post.sm[k].ctx);
        if ((s->threshold && !threshold_check(dt, s, s->threshold, p)) ||
            (s->n_suppress && threshold_suppressed(s, p))) {
            stats_inc(dt->stats, dt->ctr_suppressed);
            continue;
        }
        if (passed)
            continue;
        if (s->action == DETECT_ACTION_PASS) {
            passed = true;
            DetectFlowState *st = f ? detect_flow_state(dt, f) : NULL;
            if (st)
                st->pass = true;
            continue;
        }
        if (de->ips && action_blocks(s->action)) {
            out->drop = true;
            DetectFlowState *st = f ? detect_flow_state(dt, f) : NULL;
            if (st)
                st->drop = true;
        }
        if (!(s->flags & SIG_F_NOALERT)) {
            unsigned before = out->n;
            /* tags are set only for alerts (after threshold and suppress) */
            for (uint16_t k = 0; k < s->post.n; k++)
                if (tag_is_post(&s->post.sm[k]))
                    s->post.sm[k].kw->post(&mc, s->post.sm[k].ctx);
            add_alert(dt, s, out);
            if (s->tx_sig && out->n > before) {
                out->a[before].tx_id = tx_id;
                out->a[before].has_tx = true;
            }
        }
    }
    if (f && f->detect && f->detect->app_dirty[pdir]) {
        /* transactions complete in this direction were inspected with all
         * their data now: later packets of the direction skip them (keeps
         * long DNS/HTTP flows linear) */
        DetectFlowState *st = f->detect;
        uint64_t n = applayer_tx_count(f);
        while (st->tx_from[pdir] < n) {
            void *tx = applayer_tx_get(f, st->tx_from[pdir]);
            if (tx != NULL && !applayer_tx_complete(f, tx, pdir))
                break;
            st->tx_from[pdir]++;
        }
        st->app_dirty[pdir] = false;
    }
    if (dt->chunk.len > 0)
        stream_raw_consume(f, pdir, dt->chunk.offset + dt->chunk.len);
    if (passed) {
        /* a pass rule sorts before every other action: nothing after it
         * alerts, and nothing before it could (pass rules come first) */
        out->n = 0;
        out->drop = false;
    }
    stats_add(dt->stats, dt->ctr_alert, out->n);
}

bool detect_flow_end_pending(const Flow *f, unsigned dir)
{
    if (f == NULL || dir > 1)
        return false;
    if (f->detect != NULL && f->detect->app_dirty[dir])
        return true;
    /* stream bytes not inspected yet (only kept when raw inspection is on) */
    return f->key.proto == 6 && stream_has_session(f) &&
           stream_reassembled(f, dir) > stream_raw_progress(f, dir);
}

void detect_flow_end_packet(DetectThread *dt, Packet *p, DetectAlerts *out)
{
    dt->tx_only = true;
    detect_packet(dt, p, out);
    dt->tx_only = false;
}

uint64_t detect_flow_tx_inspected(const DetectThread *dt, const Flow *f)
{
    if (dt == NULL || dt->de == NULL || dt->de->n_sigs == 0 || (f->detect && f->detect->pass))
        return UINT64_MAX;
    if (f->detect == NULL)
        return 0;
    const DetectFlowState *st = f->detect;
    return st->tx_from[0] < st->tx_from[1] ? st->tx_from[0] : st->tx_from[1];
}

uint64_t detect_engine_cross_flow_thresholds(const DetectEngine *de)
{
    uint64_t n = 0;
    for (uint32_t i = 0; de != NULL && i < de->n_sigs; i++) {
        const ThresholdCtx *t = de->sigs[i]->threshold;
        if (t != NULL && (t->track == TRACK_SRC || t->track == TRACK_DST || t->track == TRACK_RULE))
            n++;
    }
    return n;
}
