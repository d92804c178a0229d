/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * anomaly.c: the detector's packet path (see anomaly.h): features, KitNET,
 * the learned threshold, event aggregation and explanation, dumps, model
 * persistence.
 *
 * Pipeline position: after decode and flow (reads Packet and p->flow); emits
 * AnomalyEvents through the engine's callback; includes no output code.
 * Invariants: after the learning phases nothing on the per-packet path
 * allocates (aggregates come from a pool sized at start); every allocation
 * is charged to the "anomaly" account.
 */
#include "anomaly/anomaly.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "anomaly/features.h"
#include "anomaly/kitnet.h"
#include "anomaly/model.h"
#include "core/log.h"

/* One open aggregate: the events of one flow / host in one interval. */
typedef struct Agg {
    uint8_t kind;          /* AGG_* */
    uint8_t addr[16];
    uint64_t id;
    uint64_t hash;
    int64_t open_ns;
    AnomalyEvent ev;
    struct Agg *hnext, *qnext;
} Agg;

enum { AGG_FLOW = 1, AGG_HOST4 = 4, AGG_HOST6 = 6, AGG_MAC = 7 };

enum {
    C_PKTS, C_SCORED, C_ABOVE, C_EVENTS, C_EVENTS_EARLY, C_STREAMS, C_LINKS, C_EV_IDLE,
    C_EV_FORCED, C_EV_LINKS, C_ALLOC_FAIL, C_N
};

static const char *const counter_names[C_N] = {
    "anomaly.pkts", "anomaly.scored", "anomaly.above_threshold", "anomaly.events",
    "anomaly.events_early", "anomaly.streams", "anomaly.links", "anomaly.evicted_streams",
    "anomaly.evicted_forced", "anomaly.evicted_links", "anomaly.alloc_fail",
};

struct AnomalyEngine {
    AnomalySettings s;
    char *path_save, *path_scores, *path_features;
    MemAccount acct;       /* streams and links: capped by anomaly.memcap (default mode) */
    MemAccount model_acct; /* fixed-size parts: KitNET (~100 KB) and the aggregate pool;
                            * uncapped, so that a flood that fills the tables during
                            * mapping cannot stop the model being built */
    Stats *stats;
    int ctr[C_N];
    AnomalyEmitFn emit;
    void *user;
    FeatCtx *fc;
    KitNet *kn;
    FILE *fscores, *ffeat;
    bool dump_failed;
    uint64_t n_pkts;
    double last_score;

    /* threshold: log-normal fit to training scores (Welford on ln score) */
    double threshold;
    bool thr_ready;
    uint64_t thr_n;
    double thr_mean, thr_m2, thr_mu, thr_sigma;

    /* the frame waiting for the pseudo packets of its chain (see anomaly_packet) */
    Packet pending;
    FeatLayers pending_layers;
    bool has_pending, pending_has_flow;
    uint64_t pending_flow_id;

    /* aggregation */
    Agg *pool, *free_list, *q_head, *q_tail;
    Agg **buckets;
    uint32_t n_buckets;
    int64_t interval_ns;
};

/* ---- settings ---- */

void anomaly_settings_defaults(AnomalySettings *s)
{
    memset(s, 0, sizeof(*s));
    s->fm_grace = 5000;
    s->ad_grace = 50000;
    s->max_ae = 10;
    s->quantile = 0.9999;
    s->interval_s = 60;
    s->memcap = 256ull << 20;
    s->max_links = 64;
    s->evict_weight = 0.01;
    s->max_pending = 4096;
}

static const char *opt_path(const Config *c, const char *key)
{
    const char *v = conf_get_str(c, key, NULL);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

int anomaly_settings_from_conf(const Config *c, AnomalySettings *s)
{
    anomaly_settings_defaults(s);
    s->enabled = conf_get_bool(c, "anomaly.enabled", false);
    const char *mode = conf_get_str(c, "anomaly.mode", "default");
    if (strcmp(mode, "kitsune") == 0) {
        s->kitsune = true;
    } else if (strcmp(mode, "default") != 0) {
        log_error("anomaly.mode: '%s' is not a mode (expected kitsune or default)", mode);
        return -1;
    }
    s->fm_grace = (uint64_t)conf_get_int(c, "anomaly.fm-grace", (int64_t)s->fm_grace);
    s->ad_grace = (uint64_t)conf_get_int(c, "anomaly.ad-grace", (int64_t)s->ad_grace);
    int64_t m = conf_get_int(c, "anomaly.max-ae", s->max_ae);
    s->max_ae = m < 1 ? 1 : m > KITNET_MAX_INPUTS ? KITNET_MAX_INPUTS : (uint32_t)m;
    s->model_save = opt_path(c, "anomaly.model-save");
    s->model_load = opt_path(c, "anomaly.model-load");
    s->dump_scores = opt_path(c, "anomaly.dump-scores");
    s->dump_features = opt_path(c, "anomaly.dump-features");
    s->threshold = conf_get_double(c, "anomaly.threshold", 0);
    s->quantile = conf_get_double(c, "anomaly.threshold-quantile", s->quantile);
    if (!(s->quantile > 0 && s->quantile < 1)) {
        log_error("anomaly.threshold-quantile: %g is not in (0, 1)", s->quantile);
        return -1;
    }
    s->interval_s = conf_get_double(c, "anomaly.aggregate-interval", s->interval_s);
    if (!(s->interval_s >= 0) || s->interval_s > 1e9) {
        log_error("anomaly.aggregate-interval: %g is not a number of seconds", s->interval_s);
        return -1;
    }
    s->per_packet = conf_get_bool(c, "anomaly.per-packet", false);
    s->memcap = conf_get_size(c, "anomaly.memcap", s->memcap);
    int64_t ml = conf_get_int(c, "anomaly.max-links", s->max_links);
    s->max_links = ml < 1 ? 1 : ml > 1000000 ? 1000000 : (uint32_t)ml;
    s->evict_weight = conf_get_double(c, "anomaly.evict-weight", s->evict_weight);
    int64_t mp = conf_get_int(c, "anomaly.max-pending-events", s->max_pending);
    s->max_pending = mp < 1 ? 1 : mp > 16000000 ? 16000000 : (uint32_t)mp;
    return 0;
}

AnomalyEngine *anomaly_new(const Config *conf, Stats *stats, AnomalyEmitFn emit, void *user, int *err)
{
    *err = 0;
    conf_register_known("anomaly");
    AnomalySettings s;
    if (anomaly_settings_from_conf(conf, &s) != 0) {
        *err = -EINVAL;
        return NULL;
    }
    return anomaly_new_settings(&s, stats, emit, user, err);
}

/* ---- construction ---- */

static char *dup_path(AnomalyEngine *ae, const char *p)
{
    return p != NULL ? mem_strndup(&ae->acct, p, strlen(p)) : NULL;
}

static FILE *open_dump(const char *path, const char *what)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        log_error("anomaly.%s: cannot create %s: %s", what, path, strerror(errno));
        return NULL;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

static int init_aggregates(AnomalyEngine *ae)
{
    uint32_t n = ae->s.max_pending, nb = 1;
    while (nb < n && nb < (1u << 30))
        nb <<= 1;
    ae->pool = mem_calloc(&ae->model_acct, n, sizeof(Agg));
    ae->buckets = mem_calloc(&ae->model_acct, nb, sizeof(Agg *));
    if (ae->pool == NULL || ae->buckets == NULL)
        return -ENOMEM;
    ae->n_buckets = nb;
    for (uint32_t i = 0; i < n; i++) {
        ae->pool[i].qnext = ae->free_list;
        ae->free_list = &ae->pool[i];
    }
    return 0;
}

AnomalyEngine *anomaly_new_settings(const AnomalySettings *s, Stats *stats, AnomalyEmitFn emit,
                                    void *user, int *err)
{
    *err = 0;
    if (!s->enabled)
        return NULL;
    AnomalyEngine *ae = mem_calloc(NULL, 1, sizeof(*ae));
    if (ae == NULL) {
        log_error("anomaly: out of memory");
        *err = -ENOMEM;
        return NULL;
    }
    ae->s = *s;
    /* kitsune mode reproduces the reference, which never evicts: no cap */
    mem_account_init(&ae->acct, "anomaly", s->kitsune ? 0 : s->memcap);
    mem_account_init(&ae->model_acct, "anomaly-fixed", 0);
    ae->stats = stats;
    ae->emit = emit;
    ae->user = user;
    ae->threshold = HUGE_VAL;
    ae->interval_ns = (int64_t)(s->interval_s * 1e9);
    for (int i = 0; i < C_N; i++)
        ae->ctr[i] = stats_register(counter_names[i]);
    ae->path_save = dup_path(ae, s->model_save);
    ae->path_scores = dup_path(ae, s->dump_scores);
    ae->path_features = dup_path(ae, s->dump_features);
    ae->s.model_save = ae->s.model_load = ae->s.dump_scores = ae->s.dump_features = NULL;

    FeatConfig fcfg = {.keys = s->kitsune ? FEAT_KEYS_TEXT : FEAT_KEYS_BINARY,
                       .exact = s->kitsune,
                       .max_links = s->kitsune ? 0 : s->max_links,
                       .evict_weight = s->kitsune ? 0 : s->evict_weight,
                       .pair_links = !s->kitsune};
    ae->fc = feat_ctx_new(&fcfg, &ae->acct);
    if (ae->fc == NULL || init_aggregates(ae) != 0) {
        log_error("anomaly: out of memory (anomaly.memcap %llu bytes)",
                  (unsigned long long)s->memcap);
        *err = -ENOMEM;
        goto fail;
    }
    if (s->model_load != NULL) {
        char why[512];
        ModelMeta meta;
        ae->kn = model_load(s->model_load, &ae->model_acct, &meta, why, sizeof(why));
        if (ae->kn == NULL) {
            log_error("anomaly.model-load: %s", why);
            *err = -EINVAL;
            goto fail;
        }
        if ((meta.mode == 0) != s->kitsune || kitnet_config(ae->kn)->n != FEAT_N) {
            log_error("anomaly.model-load: model %s was trained in %s mode with %u features; "
                      "anomaly.mode is %s with %u", s->model_load, meta.mode == 0 ? "kitsune" : "default",
                      kitnet_config(ae->kn)->n, s->kitsune ? "kitsune" : "default", FEAT_N);
            *err = -EINVAL;
            goto fail;
        }
        /* the default mode scores with the fast sigmoid it was trained with */
        if (kitnet_set_fast(ae->kn, !s->kitsune) != 0) {
            log_error("anomaly: out of memory loading the model");
            *err = -ENOMEM;
            goto fail;
        }
        ae->threshold = s->threshold > 0 ? s->threshold : meta.threshold;
        ae->thr_ready = true;
        ae->thr_mu = meta.thr_mu;
        ae->thr_sigma = meta.thr_sigma;
        ae->thr_n = meta.thr_samples;
        ae->s.quantile = meta.thr_quantile;
    } else {
        KitNetConfig kc;
        kitnet_config_defaults(&kc);
        kc.n = FEAT_N;
        kc.max_ae = s->max_ae;
        kc.fm_grace = s->fm_grace;
        kc.ad_grace = s->ad_grace;
        kc.norm = s->kitsune ? KITNET_NORM_REFERENCE : KITNET_NORM_BOUNDED;
        kc.fast = !s->kitsune;
        ae->kn = kitnet_new(&kc, &ae->model_acct);
        if (ae->kn == NULL) {
            log_error("anomaly: out of memory building KitNET");
            *err = -ENOMEM;
            goto fail;
        }
    }
    if (ae->path_scores != NULL) {
        ae->fscores = open_dump(ae->path_scores, "dump-scores");
        if (ae->fscores == NULL)
            goto fail_io;
        fputs("packet_index,score\n", ae->fscores);
    }
    if (ae->path_features != NULL) {
        ae->ffeat = open_dump(ae->path_features, "dump-features");
        if (ae->ffeat == NULL)
            goto fail_io;
    }
    return ae;
fail_io:
    *err = -EIO;
fail:
    anomaly_free(ae);
    return NULL;
}

/* ---- threshold ---- */

/* The standard normal quantile: bisection on Phi(z) = erfc(-z / sqrt 2) / 2. */
static double probit(double q)
{
    double lo = -40, hi = 40;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(-mid / sqrt(2.0)) < q)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static void threshold_note(AnomalyEngine *ae, double score)
{
    if (!(score > 0) || !isfinite(score))
        return;
    double v = log(score);
    ae->thr_n++;
    double d = v - ae->thr_mean;
    ae->thr_mean += d / (double)ae->thr_n;
    ae->thr_m2 += d * (v - ae->thr_mean);
}

static void threshold_finish(AnomalyEngine *ae)
{
    ae->thr_ready = true;
    ae->thr_mu = ae->thr_mean;
    ae->thr_sigma = ae->thr_n > 1 ? sqrt(ae->thr_m2 / (double)(ae->thr_n - 1)) : 0;
    if (ae->s.threshold > 0) {
        ae->threshold = ae->s.threshold;
    } else if (ae->thr_n >= 2) {
        ae->threshold = exp(ae->thr_mu + probit(ae->s.quantile) * ae->thr_sigma);
    } else {
        log_warn("anomaly: no positive training scores to learn a threshold from; "
                 "set anomaly.threshold");
        ae->threshold = DBL_MAX;
    }
    if (!isfinite(ae->threshold) || !(ae->threshold > 0))
        ae->threshold = DBL_MAX;
    log_info("anomaly: threshold %.6g (log-normal fit over %llu training scores: mu %.4f, "
             "sigma %.4f, quantile %g)", ae->threshold, (unsigned long long)ae->thr_n,
             ae->thr_mu, ae->thr_sigma, ae->s.quantile);
}

/* ---- events ---- */

static void explain(const AnomalyEngine *ae, AnomalyEvent *ev)
{
    uint32_t n_ae = kitnet_n_ae(ae->kn);
    const double *oe = kitnet_last_out_err(ae->kn);
    const double *fe = kitnet_last_feat_err2(ae->kn);
    const uint32_t *map = kitnet_map(ae->kn), *off = kitnet_map_off(ae->kn);
    double total = 0;
    for (uint32_t i = 0; i < n_ae; i++)
        total += oe[i] * oe[i];
    ev->n_explain = 0;
    if (!(total > 0) || !isfinite(total))
        return;
    uint32_t used[ANOMALY_EXPLAIN_MAX];
    for (unsigned r = 0; r < ANOMALY_EXPLAIN_MAX; r++) {
        int best = -1;
        double bv = 0;
        for (uint32_t i = 0; i < n_ae; i++) {
            bool taken = false;
            for (unsigned u = 0; u < r; u++)
                taken |= used[u] == i;
            double v = oe[i] * oe[i];
            if (!taken && v > bv) {
                bv = v;
                best = (int)i;
            }
        }
        if (best < 0 || bv / total < 0.01)
            break;
        used[r] = (uint32_t)best;
        /* name the autoencoder by the feature it reconstructed worst */
        uint32_t top = map[off[best]];
        for (uint32_t j = off[best]; j < off[best + 1]; j++)
            if (fe[map[j]] > fe[top])
                top = map[j];
        char desc[72];
        feat_describe(top, desc, sizeof(desc));
        uint32_t others = off[best + 1] - off[best] - 1;
        if (others > 0)
            snprintf(ev->explain[r].what, sizeof(ev->explain[r].what), "%s (+%u related)", desc,
                     others);
        else
            snprintf(ev->explain[r].what, sizeof(ev->explain[r].what), "%s", desc);
        ev->explain[r].share = bv / total;
        ev->n_explain = r + 1;
    }
}

/* Fill the packet-dependent fields of ev from p. */
static void event_from_packet(const AnomalyEngine *ae, AnomalyEvent *ev, const Packet *p,
                              uint64_t flow_id, double score)
{
    ev->ts_ns = p->ts_ns;
    ev->pcap_cnt = p->pcap_cnt;
    ev->flow_id = flow_id;
    ev->ip_ver = pkt_has(p, PKT_HAS_IPV4) ? 4 : pkt_has(p, PKT_HAS_IPV6) ? 6 : 0;
    ev->proto = ev->ip_ver ? p->ip_proto : 0;
    ev->src = p->src;
    ev->dst = p->dst;
    ev->sp = p->sp;
    ev->dp = p->dp;
    ev->icmp_type = p->icmp_type;
    ev->icmp_code = p->icmp_code;
    ev->score = score;
    ev->threshold = ae->threshold;
    ev->model = ae->s.kitsune ? "kitsune" : "default";
    explain(ae, ev);
}

static void emit(AnomalyEngine *ae, const AnomalyEvent *ev)
{
    stats_inc(ae->stats, ae->ctr[C_EVENTS]);
    if (ae->emit != NULL)
        ae->emit(ev, ae->user);
}

static uint64_t agg_hash(uint8_t kind, const uint8_t *addr, uint64_t id)
{
    uint64_t h = (uint64_t)kind * 0x9e3779b97f4a7c15ull ^ id;
    for (int i = 0; i < 16; i++)
        h = (h ^ addr[i]) * 0x100000001b3ull;
    h ^= h >> 29;
    return h * 0xbf58476d1ce4e5b9ull;
}

static void agg_unhash(AnomalyEngine *ae, Agg *a)
{
    Agg **pp = &ae->buckets[a->hash & (ae->n_buckets - 1)];
    while (*pp != NULL && *pp != a)
        pp = &(*pp)->hnext;
    if (*pp == a)
        *pp = a->hnext;
}

/* Emit and release the oldest open aggregate. */
static void agg_pop(AnomalyEngine *ae)
{
    Agg *a = ae->q_head;
    ae->q_head = a->qnext;
    if (ae->q_head == NULL)
        ae->q_tail = NULL;
    agg_unhash(ae, a);
    emit(ae, &a->ev);
    a->qnext = ae->free_list;
    ae->free_list = a;
}

static void agg_expire(AnomalyEngine *ae, int64_t now_ns)
{
    while (ae->q_head != NULL && now_ns - ae->q_head->open_ns >= ae->interval_ns)
        agg_pop(ae);
}

static void agg_packet(AnomalyEngine *ae, const Packet *p, bool has_flow, uint64_t flow_id,
                       double score)
{
    uint8_t kind, addr[16] = {0};
    uint64_t id = 0;
    if (has_flow) {
        kind = AGG_FLOW;
        id = flow_id;
    } else if (pkt_has(p, PKT_HAS_IPV4) || pkt_has(p, PKT_HAS_IPV6)) {
        kind = pkt_has(p, PKT_HAS_IPV4) ? AGG_HOST4 : AGG_HOST6;
        memcpy(addr, p->src.b, 16);
    } else {
        kind = AGG_MAC;
        memcpy(addr, p->eth_src, 6);
    }
    uint64_t h = agg_hash(kind, addr, id);
    Agg *a = ae->buckets[h & (ae->n_buckets - 1)];
    while (a != NULL && !(a->hash == h && a->kind == kind && a->id == id &&
                          memcmp(a->addr, addr, 16) == 0))
        a = a->hnext;
    if (a == NULL) {
        if (ae->free_list == NULL) {
            agg_pop(ae); /* the pool is full: report the oldest early */
            stats_inc(ae->stats, ae->ctr[C_EVENTS_EARLY]);
        }
        a = ae->free_list;
        ae->free_list = a->qnext;
        memset(a, 0, sizeof(*a));
        a->kind = kind;
        memcpy(a->addr, addr, 16);
        a->id = id;
        a->hash = h;
        a->open_ns = p->ts_ns;
        a->ev.first_ts_ns = p->ts_ns;
        a->hnext = ae->buckets[h & (ae->n_buckets - 1)];
        ae->buckets[h & (ae->n_buckets - 1)] = a;
        if (ae->q_tail != NULL)
            ae->q_tail->qnext = a;
        else
            ae->q_head = a;
        ae->q_tail = a;
    }
    a->ev.pkts_above++;
    if (a->ev.pkts_above == 1 || score > a->ev.score)
        event_from_packet(ae, &a->ev, p, has_flow ? flow_id : 0, score);
}

/* ---- the packet path ---- */

static void write_features(AnomalyEngine *ae, const double *x)
{
    uint8_t buf[FEAT_N * 8];
    for (int i = 0; i < FEAT_N; i++) {
        uint64_t v;
        memcpy(&v, &x[i], 8);
        for (int b = 0; b < 8; b++)
            buf[8 * i + b] = (uint8_t)(v >> (8 * b));
    }
    if (fwrite(buf, 1, sizeof(buf), ae->ffeat) != sizeof(buf))
        ae->dump_failed = true;
}

static void update_gauges(AnomalyEngine *ae)
{
    AiCounters c;
    feat_ctx_counters(ae->fc, &c);
    stats_set(ae->stats, ae->ctr[C_STREAMS], c.streams);
    stats_set(ae->stats, ae->ctr[C_LINKS], c.links);
    stats_set(ae->stats, ae->ctr[C_EV_IDLE], c.evicted_idle);
    stats_set(ae->stats, ae->ctr[C_EV_FORCED], c.evicted_forced);
    stats_set(ae->stats, ae->ctr[C_EV_LINKS], c.evicted_links);
    stats_set(ae->stats, ae->ctr[C_ALLOC_FAIL], c.alloc_fail);
}

/* Features, score, threshold and events of one wire frame. */
static void process_frame(AnomalyEngine *ae, const Packet *p, const FeatLayers *l, bool has_flow,
                          uint64_t flow_id)
{
    double x[FEAT_N];
    feat_extract_layers(ae->fc, p, l, x);
    if (ae->ffeat != NULL)
        write_features(ae, x);
    KitNetPhase before = kitnet_phase(ae->kn);
    double score = kitnet_process(ae->kn, x);
    ae->last_score = score;
    if (before == KITNET_PHASE_TRAIN) {
        const KitNetConfig *kc = kitnet_config(ae->kn);
        if (kitnet_count(ae->kn) > kc->fm_grace + 1 + kc->ad_grace / 2)
            threshold_note(ae, kitnet_last_train_score(ae->kn));
        if (kitnet_phase(ae->kn) == KITNET_PHASE_EXECUTE && !ae->thr_ready)
            threshold_finish(ae);
    }
    if (ae->fscores != NULL &&
        fprintf(ae->fscores, "%llu,%.17g\n", (unsigned long long)ae->n_pkts, score) < 0)
        ae->dump_failed = true;
    ae->n_pkts++;
    stats_inc(ae->stats, ae->ctr[C_PKTS]);
    if (!ae->s.kitsune)
        feat_ctx_sweep(ae->fc, feat_packet_time(p, false), 2);
    if (!ae->s.per_packet)
        agg_expire(ae, p->ts_ns);
    if (before == KITNET_PHASE_EXECUTE) {
        stats_inc(ae->stats, ae->ctr[C_SCORED]);
        if (score > ae->threshold) {
            stats_inc(ae->stats, ae->ctr[C_ABOVE]);
            if (ae->s.per_packet) {
                AnomalyEvent ev;
                memset(&ev, 0, sizeof(ev));
                ev.pkts_above = 1;
                ev.first_ts_ns = p->ts_ns;
                event_from_packet(ae, &ev, p, has_flow ? flow_id : 0, score);
                emit(ae, &ev);
            } else {
                agg_packet(ae, p, has_flow, flow_id, score);
            }
        }
    }
    if ((ae->n_pkts & 1023) == 0)
        update_gauges(ae);
}

static void flush_pending(AnomalyEngine *ae)
{
    if (!ae->has_pending)
        return;
    ae->has_pending = false;
    process_frame(ae, &ae->pending, &ae->pending_layers, ae->pending_has_flow, ae->pending_flow_id);
}

/*
 * The reference reads tshark's first-occurrence fields, which for a tunnelled
 * frame include the inner ports and for the fragment completing a datagram
 * the datagram's ports. Those arrive here as pseudo packets right after their
 * frame; so a frame is held (copied, without its byte and flow pointers) until
 * the next wire frame or the end of input, and its chain's layers are added
 * to it meanwhile. Pseudo packets are not frames and are not scored.
 */
void anomaly_packet(AnomalyEngine *ae, const Packet *p)
{
    if (ae == NULL)
        return;
    if (pkt_has(p, PKT_IS_PSEUDO)) {
        if (ae->has_pending && p->pcap_cnt != 0 && p->pcap_cnt == ae->pending.pcap_cnt)
            feat_layers_add(&ae->pending_layers, p);
        return;
    }
    flush_pending(ae);
    ae->pending = *p;
    ae->pending.data = NULL;
    ae->pending.payload = NULL;
    ae->pending.owned = NULL;
    ae->pending.flow = NULL;
    ae->pending_has_flow = p->flow != NULL;
    ae->pending_flow_id = p->flow != NULL ? p->flow->flow_id : 0;
    feat_layers_init(&ae->pending_layers, p);
    ae->has_pending = true;
}

static int close_dump(FILE **f, const char *path, bool failed)
{
    if (*f == NULL)
        return 0;
    int rc = fclose(*f);
    *f = NULL;
    if (rc != 0 || failed) {
        log_error("anomaly: writing %s failed", path);
        return -1;
    }
    return 0;
}

int anomaly_finish(AnomalyEngine *ae)
{
    if (ae == NULL)
        return 0;
    int rc = 0;
    flush_pending(ae);
    while (ae->q_head != NULL)
        agg_pop(ae);
    update_gauges(ae);
    rc |= close_dump(&ae->fscores, ae->path_scores, ae->dump_failed);
    rc |= close_dump(&ae->ffeat, ae->path_features, ae->dump_failed);
    if (ae->path_save != NULL) {
        ModelMeta meta = {.mode = ae->s.kitsune ? 0 : 1, .threshold = ae->threshold,
                          .thr_mu = ae->thr_mu, .thr_sigma = ae->thr_sigma,
                          .thr_quantile = ae->s.quantile, .thr_samples = ae->thr_n};
        char why[512];
        if (model_save(ae->path_save, ae->kn, &meta, why, sizeof(why)) != 0) {
            log_error("anomaly.model-save: %s", why);
            rc = -1;
        }
    }
    return rc ? -1 : 0;
}

void anomaly_free(AnomalyEngine *ae)
{
    if (ae == NULL)
        return;
    if (ae->fscores != NULL)
        fclose(ae->fscores);
    if (ae->ffeat != NULL)
        fclose(ae->ffeat);
    kitnet_free(ae->kn);
    feat_ctx_free(ae->fc);
    mem_free(&ae->model_acct, ae->pool);
    mem_free(&ae->model_acct, ae->buckets);
    mem_free(&ae->acct, ae->path_save);
    mem_free(&ae->acct, ae->path_scores);
    mem_free(&ae->acct, ae->path_features);
    mem_free(NULL, ae);
}

MemAccount *anomaly_account(AnomalyEngine *ae) { return ae != NULL ? &ae->acct : NULL; }
double anomaly_threshold(const AnomalyEngine *ae) { return ae->threshold; }
double anomaly_last_score(const AnomalyEngine *ae) { return ae->last_score; }
