/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kitnet.c: KitNET (see kitnet.h): the incremental correlation feature
 * mapper, scipy-exact single-linkage clustering, numpy-exact MT19937 weight
 * initialisation, and the tied-weight sigmoid autoencoders.
 *
 * Spec: ../shared/KITSUNE.md section 4 (what ymirsky/Kitsune-py computes).
 * Invariants: after the ensemble is built, kitnet_process allocates nothing;
 * every autoencoder's arrays live in one contiguous block; summation orders
 * follow the reference's (row by row), so scores agree with numpy's to
 * ~1e-13 relative (numpy's BLAS may sum in another order).
 */
#include "anomaly/kitnet.h"

#include <errno.h>
#include <math.h>
#include <string.h>

struct KitNet {
    KitNetConfig cfg;
    MemAccount *acct;
    int status;
    KitNetPhase phase;
    uint64_t count;        /* the reference's n_trained (+ executed, for kitnet_count) */
    uint64_t n_trained;
    bool mapped;

    /* feature mapper (freed once the ensemble is built) */
    double *fm_c, *fm_crs, *fm_C;
    uint64_t fm_N;

    /* feature map */
    uint32_t n_ae;
    uint32_t *map, *off;

    /* ensemble: ae[0..n_ae) and the output layer ae[n_ae] */
    KitAe *ae;
    double *block;

    /* scratch, sized for the largest autoencoder */
    double *xs, *xn, *y, *z, *e;
    double *rmse, *out_err, *feat_err2;
    double last_train;
    double *sig_tab;       /* fast mode: sigmoid at SIG_N + 1 points (see sigmoid_fast) */

    /* fast mode, execution: float32 copies of the frozen ensemble (see
     * "float32 execution" below); NULL when not built (kitsune mode, or out
     * of memory: then the double path scores) */
    struct FastAe *fx;
    float *fx_block;
    void (*fx_pass)(const struct FastAe *fx, uint32_t from, uint32_t to, const float *xs,
                    float *hs, float *zs, float *es, double *rmse);
    float *fx_x, *fx_h, *fx_z, *fx_e; /* scratch: sum of padded n_v (x, z, e), of padded n_h */
};

static void fast_build(KitNet *k);
static void fast_drop(KitNet *k);

/* The fast sigmoid's table: SIG_PER_UNIT points per unit over [-SIG_LIM, SIG_LIM]. */
#define SIG_LIM 16.0
#define SIG_PER_UNIT 128.0
#define SIG_N 4096 /* 2 * SIG_LIM * SIG_PER_UNIT */

/* ---- MT19937 (numpy RandomState seeding and random_sample) ---- */

void kitnet_mt_seed(KitMt *r, uint32_t seed)
{
    r->mt[0] = seed;
    for (int i = 1; i < 624; i++)
        r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->idx = 624;
}

uint32_t kitnet_mt_next(KitMt *r)
{
    if (r->idx >= 624) {
        for (int i = 0; i < 624; i++) {
            uint32_t y = (r->mt[i] & 0x80000000u) | (r->mt[(i + 1) % 624] & 0x7fffffffu);
            uint32_t v = r->mt[(i + 397) % 624] ^ (y >> 1);
            if (y & 1u)
                v ^= 0x9908b0dfu;
            r->mt[i] = v;
        }
        r->idx = 0;
    }
    uint32_t y = r->mt[r->idx++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

double kitnet_mt_double(KitMt *r)
{
    uint32_t a = kitnet_mt_next(r) >> 5, b = kitnet_mt_next(r) >> 6;
    return ((double)a * 67108864.0 + (double)b) / 9007199254740992.0;
}

/* ---- single-linkage clustering (scipy's mst_single_linkage + to_tree) ---- */

static double cdist(const double *d, uint32_t n, uint32_t i, uint32_t j)
{
    return i < j ? d[(size_t)i * n + j] : d[(size_t)j * n + i];
}

/* Stable merge sort of edge indices by weight (numpy argsort kind='mergesort'). */
static void sort_edges(uint32_t *idx, uint32_t *tmp, const double *w, uint32_t n)
{
    for (uint32_t width = 1; width < n; width *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * width) {
            uint32_t mid = lo + width < n ? lo + width : n;
            uint32_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            uint32_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi) {
                /* take from the right only when strictly smaller: stable */
                if (w[idx[b]] < w[idx[a]])
                    tmp[o++] = idx[b++];
                else
                    tmp[o++] = idx[a++];
            }
            while (a < mid)
                tmp[o++] = idx[a++];
            while (b < hi)
                tmp[o++] = idx[b++];
        }
        memcpy(idx, tmp, n * sizeof(*idx));
    }
}

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    uint32_t r = x;
    while (parent[r] != r)
        r = parent[r];
    while (parent[x] != r) {
        uint32_t nx = parent[x];
        parent[x] = r;
        x = nx;
    }
    return r;
}

int kitnet_cluster(const double *d, uint32_t n, uint32_t m, MemAccount *acct, uint32_t *map,
                   uint32_t *off)
{
    if (n == 0)
        return 0;
    if (m < 1)
        m = 1;
    if (m > n)
        m = n;
    uint32_t n_nodes = 2 * n - 1;
    /* one block: Dm[n] w[n] | merged, ex, ey [n] | order, tmp, parent, left, right, count [2n-1] */
    size_t bytes = 2 * (size_t)n * sizeof(double) + (3 * (size_t)n + 6 * (size_t)n_nodes) * sizeof(uint32_t);
    double *Dm = mem_alloc(acct, bytes);
    if (Dm == NULL)
        return -ENOMEM;
    double *w = Dm + n;
    uint32_t *merged = (uint32_t *)(w + n);
    uint32_t *ex = merged + n, *ey = ex + n, *order = ey + n;
    uint32_t *tmp = order + n_nodes, *parent = tmp + n_nodes, *left = parent + n_nodes;
    uint32_t *right = left + n_nodes, *count = right + n_nodes;

    /* Prim's minimum spanning tree from node 0 */
    for (uint32_t i = 0; i < n; i++) {
        Dm[i] = HUGE_VAL;
        merged[i] = 0;
    }
    uint32_t x = 0, y = 0;
    for (uint32_t k = 0; k + 1 < n; k++) {
        double cur = HUGE_VAL;
        merged[x] = 1;
        for (uint32_t i = 0; i < n; i++) {
            if (merged[i])
                continue;
            double dist = cdist(d, n, x, i);
            if (Dm[i] > dist)
                Dm[i] = dist;
            if (Dm[i] < cur) {
                y = i;
                cur = Dm[i];
            }
        }
        ex[k] = x;
        ey[k] = y;
        w[k] = cur;
        x = y;
    }
    for (uint32_t k = 0; k + 1 < n; k++)
        order[k] = k;
    sort_edges(order, tmp, w, n - 1);

    /* union-find relabelling: merge k gets id n + k, left child the smaller root */
    for (uint32_t i = 0; i < n_nodes; i++) {
        parent[i] = i;
        count[i] = i < n ? 1 : 0;
    }
    for (uint32_t k = 0; k + 1 < n; k++) {
        uint32_t e = order[k];
        uint32_t xr = uf_find(parent, ex[e]), yr = uf_find(parent, ey[e]);
        uint32_t id = n + k;
        left[id] = xr < yr ? xr : yr;
        right[id] = xr < yr ? yr : xr;
        parent[xr] = id;
        parent[yr] = id;
        count[id] = count[xr] + count[yr];
    }

    /* top-down split: a node with <= m leaves is one cluster (leaves left to
     * right), otherwise its left then its right subtree. The stack holds at
     * most the tree depth + 1 entries (< n_nodes); tmp is free now. */
    uint32_t *stack = tmp;
    uint32_t sp = 0, n_cl = 0, n_out = 0;
    stack[sp++] = n_nodes - 1;
    while (sp > 0) {
        uint32_t node = stack[--sp];
        if (count[node] <= m) {
            off[n_cl++] = n_out;
            /* pre-order leaves of node, using order[] as a second stack */
            uint32_t lsp = 0;
            order[lsp++] = node;
            while (lsp > 0) {
                uint32_t v = order[--lsp];
                if (v < n) {
                    map[n_out++] = v;
                } else {
                    order[lsp++] = right[v];
                    order[lsp++] = left[v];
                }
            }
        } else {
            stack[sp++] = right[node];
            stack[sp++] = left[node];
        }
    }
    off[n_cl] = n_out;
    mem_free(acct, Dm);
    return (int)n_cl;
}

/* ---- construction ---- */

void kitnet_config_defaults(KitNetConfig *cfg)
{
    cfg->n = 100;
    cfg->max_ae = 10;
    cfg->fm_grace = 5000;
    cfg->ad_grace = 50000;
    cfg->lr = 0.1;
    cfg->hidden_ratio = 0.75;
    cfg->norm = KITNET_NORM_BOUNDED;
    cfg->fast = false;
}

static KitNet *alloc_net(const KitNetConfig *cfg, MemAccount *acct)
{
    if (cfg->n == 0 || cfg->n > KITNET_MAX_INPUTS)
        return NULL;
    KitNet *k = mem_calloc(acct, 1, sizeof(*k));
    if (k == NULL)
        return NULL;
    k->cfg = *cfg;
    if (k->cfg.max_ae < 1)
        k->cfg.max_ae = 1;
    if (k->cfg.max_ae > k->cfg.n)
        k->cfg.max_ae = k->cfg.n;
    k->acct = acct;
    k->cfg.fast = false;
    if (cfg->fast && kitnet_set_fast(k, true) != 0) {
        mem_free(acct, k);
        return NULL;
    }
    return k;
}

int kitnet_set_fast(KitNet *k, bool fast)
{
    if (fast && k->sig_tab == NULL) {
        k->sig_tab = mem_alloc(k->acct, (SIG_N + 1) * sizeof(double));
        if (k->sig_tab == NULL)
            return -ENOMEM;
        for (int i = 0; i <= SIG_N; i++)
            k->sig_tab[i] = 1.0 / (1.0 + exp(-(-SIG_LIM + (double)i / SIG_PER_UNIT)));
    } else if (!fast) {
        mem_free(k->acct, k->sig_tab);
        k->sig_tab = NULL;
    }
    k->cfg.fast = fast;
    if (k->phase == KITNET_PHASE_EXECUTE)
        fast_build(k);
    return 0;
}

KitNet *kitnet_new(const KitNetConfig *cfg, MemAccount *acct)
{
    KitNet *k = alloc_net(cfg, acct);
    if (k == NULL)
        return NULL;
    size_t n = cfg->n;
    k->fm_c = mem_calloc(acct, n * (n + 2), sizeof(double));
    if (k->fm_c == NULL) {
        mem_free(acct, k);
        return NULL;
    }
    k->fm_crs = k->fm_c + n;
    k->fm_C = k->fm_crs + n;
    k->phase = KITNET_PHASE_MAP;
    return k;
}

static uint32_t hidden_of(uint32_t n_v, double ratio)
{
    double h = ceil((double)n_v * ratio);
    if (!(h >= 1.0))
        h = 1.0;
    return (uint32_t)h;
}

/* Build the ensemble for the current map: one contiguous weight block,
 * weights drawn per autoencoder from MT19937(1234), scratch vectors. */
static int build_ensemble(KitNet *k)
{
    uint32_t n_ae = k->n_ae, n = k->cfg.n;
    k->ae = mem_calloc(k->acct, (size_t)n_ae + 1, sizeof(KitAe));
    if (k->ae == NULL)
        return -ENOMEM;
    size_t total = 0, max_v = n_ae, max_h = 0;
    for (uint32_t i = 0; i <= n_ae; i++) {
        KitAe *a = &k->ae[i];
        a->n_v = i < n_ae ? k->off[i + 1] - k->off[i] : n_ae;
        a->n_h = hidden_of(a->n_v, k->cfg.hidden_ratio);
        total += (size_t)a->n_v * a->n_h + a->n_h + 3 * (size_t)a->n_v;
        if (a->n_v > max_v)
            max_v = a->n_v;
        if (a->n_h > max_h)
            max_h = a->n_h;
    }
    size_t scratch = 4 * max_v + max_h + 2 * (size_t)n_ae + n;
    k->block = mem_alloc(k->acct, (total + scratch) * sizeof(double));
    if (k->block == NULL)
        return -ENOMEM;
    double *p = k->block;
    for (uint32_t i = 0; i <= n_ae; i++) {
        KitAe *a = &k->ae[i];
        size_t nw = (size_t)a->n_v * a->n_h;
        a->w = p;
        p += nw;
        a->hb = p;
        p += a->n_h;
        a->vb = p;
        p += a->n_v;
        a->nmin = p;
        p += a->n_v;
        a->nmax = p;
        p += a->n_v;
        KitMt rng;
        kitnet_mt_seed(&rng, 1234);
        double lim = 1.0 / (double)a->n_v;
        double range = lim - (-lim);
        for (size_t j = 0; j < nw; j++)
            a->w[j] = -lim + range * kitnet_mt_double(&rng);
        for (uint32_t j = 0; j < a->n_h; j++)
            a->hb[j] = 0.0;
        for (uint32_t j = 0; j < a->n_v; j++) {
            a->vb[j] = 0.0;
            a->nmin[j] = HUGE_VAL;
            a->nmax[j] = -HUGE_VAL;
        }
    }
    k->xs = p;
    p += max_v;
    k->xn = p;
    p += max_v;
    k->z = p;
    p += max_v;
    k->e = p;
    p += max_v;
    k->y = p;
    p += max_h;
    k->rmse = p;
    p += n_ae;
    k->out_err = p;
    p += n_ae;
    k->feat_err2 = p;
    memset(k->feat_err2, 0, n * sizeof(double));
    return 0;
}

static int set_map(KitNet *k, const uint32_t *map, const uint32_t *off, uint32_t n_ae)
{
    uint32_t n = k->cfg.n;
    k->map = mem_alloc(k->acct, ((size_t)n + n_ae + 1) * sizeof(uint32_t));
    if (k->map == NULL)
        return -ENOMEM;
    k->off = k->map + n;
    memcpy(k->map, map, (size_t)n * sizeof(uint32_t));
    memcpy(k->off, off, ((size_t)n_ae + 1) * sizeof(uint32_t));
    k->n_ae = n_ae;
    return 0;
}

/* True when off/map describe n_ae non-empty clusters that use every feature
 * index < n exactly once. */
static bool map_valid(const uint32_t *map, const uint32_t *off, uint32_t n_ae, uint32_t n,
                      uint32_t m)
{
    if (n_ae == 0 || n_ae > n || off[0] != 0 || off[n_ae] != n)
        return false;
    uint8_t seen[KITNET_MAX_INPUTS];
    memset(seen, 0, sizeof(seen));
    for (uint32_t i = 0; i < n_ae; i++)
        if (off[i + 1] <= off[i] || off[i + 1] - off[i] > m)
            return false;
    for (uint32_t i = 0; i < n; i++) {
        if (map[i] >= n || seen[map[i]])
            return false;
        seen[map[i]] = 1;
    }
    return true;
}

KitNet *kitnet_new_mapped(const KitNetConfig *cfg, MemAccount *acct, const uint32_t *map,
                          const uint32_t *off, uint32_t n_ae)
{
    KitNet *k = alloc_net(cfg, acct);
    if (k == NULL)
        return NULL;
    if (!map_valid(map, off, n_ae, k->cfg.n, k->cfg.max_ae) || set_map(k, map, off, n_ae) != 0 ||
        build_ensemble(k) != 0) {
        kitnet_free(k);
        return NULL;
    }
    k->mapped = true;
    k->phase = KITNET_PHASE_TRAIN;
    return k;
}

void kitnet_free(KitNet *k)
{
    if (k == NULL)
        return;
    mem_free(k->acct, k->fm_c);
    mem_free(k->acct, k->map);
    mem_free(k->acct, k->ae);
    mem_free(k->acct, k->block);
    mem_free(k->acct, k->sig_tab);
    fast_drop(k);
    mem_free(k->acct, k);
}

/* ---- the feature mapper ---- */

static void fm_update(KitNet *k, const double *x)
{
    size_t n = k->cfg.n;
    k->fm_N++;
    double N = (double)k->fm_N;
    double rt[KITNET_MAX_INPUTS];
    for (size_t i = 0; i < n; i++) {
        k->fm_c[i] += x[i];
        rt[i] = x[i] - k->fm_c[i] / N;
        k->fm_crs[i] += rt[i] * rt[i];
    }
    for (size_t i = 0; i < n; i++) {
        double *row = k->fm_C + i * n;
        double ri = rt[i];
        for (size_t j = 0; j < n; j++)
            row[j] += ri * rt[j];
    }
}

/* Correlation distance (in place over fm_C) and clustering; builds the ensemble. */
static int fm_finish(KitNet *k)
{
    uint32_t n = k->cfg.n;
    double *D = k->fm_C;
    double s[KITNET_MAX_INPUTS];
    for (uint32_t i = 0; i < n; i++)
        s[i] = sqrt(k->fm_crs[i]);
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < n; j++) {
            double den = s[i] * s[j];
            if (den == 0.0)
                den = 1e-100;
            double v = 1.0 - D[(size_t)i * n + j] / den;
            D[(size_t)i * n + j] = v < 0.0 ? 0.0 : v;
        }
    }
    uint32_t map[KITNET_MAX_INPUTS], off[KITNET_MAX_INPUTS + 1];
    int n_cl = kitnet_cluster(D, n, k->cfg.max_ae, k->acct, map, off);
    if (n_cl <= 0)
        return -ENOMEM;
    if (set_map(k, map, off, (uint32_t)n_cl) != 0 || build_ensemble(k) != 0)
        return -ENOMEM;
    mem_free(k->acct, k->fm_c);
    k->fm_c = k->fm_crs = k->fm_C = NULL;
    k->mapped = true;
    return 0;
}

/* ---- autoencoders ---- */

static double sigmoid(double v) { return 1.0 / (1.0 + exp(-v)); }

/*
 * The default mode's sigmoid: linear interpolation in a table of 4,097
 * values over [-16, 16] (step 1/128). The error of linear interpolation is at
 * most h^2/8 * max|sigmoid''| = (1/128)^2 / 8 * 0.0963 < 7.4e-7; outside the
 * table the argument is clamped to +-16, where the sigmoid is within 1.2e-7 of
 * 0 or 1 (NaN counts as -16). Both are far below the reconstruction errors a
 * score is made of (1e-3 and up). Branch-free apart from the clamps, inlined,
 * and several times cheaper than exp plus a division.
 */
static inline double sigmoid_fast(const double *tab, double v)
{
    double x = (v + SIG_LIM) * SIG_PER_UNIT;
    x = x > 0.0 ? x : 0.0; /* NaN -> 0 too */
    x = x < (double)SIG_N ? x : (double)SIG_N - 1e-9;
    int i = (int)x; /* x >= 0: truncation is floor */
    double f = x - (double)i;
    return tab[i] + f * (tab[i + 1] - tab[i]);
}

/* Normalise in (reference: divide by range + 1e-16; bounded: see kitnet.h). */
static void normalise(const KitAe *a, const double *x, double *xn, KitNetNorm norm)
{
    for (uint32_t i = 0; i < a->n_v; i++) {
        double range = a->nmax[i] - a->nmin[i];
        if (norm == KITNET_NORM_REFERENCE) {
            xn[i] = (x[i] - a->nmin[i]) / (range + 1e-16);
            continue;
        }
        double v;
        if (range > 0.0) {
            v = (x[i] - a->nmin[i]) / (range + 1e-16);
            v = v < -1.0 ? -1.0 : v > 2.0 ? 2.0 : v;
        } else if (x[i] == a->nmin[i] || !(range == range)) {
            v = 0.0;
        } else {
            v = x[i] > a->nmin[i] ? 1.0 : -1.0;
        }
        xn[i] = v == v ? v : 0.0;
    }
}

/* Forward pass: y = sig(xn W + hb), z = sig(y W^T + vb), e = xn - z; returns
 * RMSE. Sums run in the reference's order (over i for y, over j for z).
 * tab: the fast sigmoid's table, or NULL for the reference's sigmoid. */
static double forward(const KitAe *a, const double *restrict xn, double *restrict y,
                      double *restrict z, double *restrict e, const double *tab)
{
    uint32_t nv = a->n_v, nh = a->n_h;
    const double *restrict w = a->w;
    /* four column sums at a time: independent chains (and a pair the
     * compiler can pack into one vector), each still summed over i in order */
    uint32_t j = 0;
    for (; j + 4 <= nh; j += 4) {
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (uint32_t i = 0; i < nv; i++) {
            const double *restrict r = w + (size_t)i * nh + j;
            double xi = xn[i];
            s0 += xi * r[0];
            s1 += xi * r[1];
            s2 += xi * r[2];
            s3 += xi * r[3];
        }
        y[j] = s0;
        y[j + 1] = s1;
        y[j + 2] = s2;
        y[j + 3] = s3;
    }
    for (; j < nh; j++) {
        double s = 0.0;
        for (uint32_t i = 0; i < nv; i++)
            s += xn[i] * w[(size_t)i * nh + j];
        y[j] = s;
    }
    for (j = 0; j < nh; j++)
        y[j] = tab ? sigmoid_fast(tab, y[j] + a->hb[j]) : sigmoid(y[j] + a->hb[j]);
    /* two rows at a time, each summed over j in order */
    uint32_t i = 0;
    for (; i + 2 <= nv; i += 2) {
        const double *restrict r0 = w + (size_t)i * nh, *restrict r1 = r0 + nh;
        double s0 = 0.0, s1 = 0.0;
        for (j = 0; j < nh; j++) {
            s0 += y[j] * r0[j];
            s1 += y[j] * r1[j];
        }
        z[i] = s0;
        z[i + 1] = s1;
    }
    for (; i < nv; i++) {
        const double *restrict row = w + (size_t)i * nh;
        double s = 0.0;
        for (j = 0; j < nh; j++)
            s += y[j] * row[j];
        z[i] = s;
    }
    double se = 0.0;
    for (i = 0; i < nv; i++) {
        z[i] = tab ? sigmoid_fast(tab, z[i] + a->vb[i]) : sigmoid(z[i] + a->vb[i]);
        e[i] = xn[i] - z[i];
        se += e[i] * e[i];
    }
    return sqrt(se / (double)nv);
}

/* ---- float32 execution (default mode) ----
 *
 * Once training is over the weights are frozen, so the default mode scores
 * with float32 copies laid out for SIMD: each autoencoder's W (n_v rows of
 * n_h, padded to a multiple of 8 columns with zeros) and W^T (n_h rows of n_v,
 * padded likewise), biases padded with zeros, and the normaliser folded into
 * (x - min) * scale clipped to [lo, hi] (computed in double, as the inputs
 * are). The kernels below are written with GCC/Clang vector extensions over
 * 8 floats: compiled for baseline x86-64 they become pairs of SSE2
 * instructions; a second copy compiled for AVX2+FMA is chosen at run time by
 * __builtin_cpu_supports. The sigmoid is 1 / (1 + 2^t) with 2^t from a
 * degree-6 polynomial after rounding t to an integer (relative error about
 * 2e-7, against 7.4e-7 for the table the training uses). Padded hidden units
 * compute sigmoid(0) = 0.5 but their W^T rows are zero, so they add nothing;
 * padded visible units are left out of the error. Summation order differs
 * from the double path's, so scores differ by float rounding (docs/ANOMALY.md
 * has the measured difference).
 */

typedef float V8 __attribute__((vector_size(32)));
typedef int32_t V8I __attribute__((vector_size(32)));
#define V8_N 8

typedef struct FastAe {
    uint32_t nv, nh, nvp, nhp;
    uint32_t xoff, hoff;             /* this autoencoder's place in the scratch vectors */
    const float *w, *wt, *hb, *vb;   /* nv x nhp, nh x nvp, nhp, nvp */
    const double *mn, *sc;           /* nvp each */
    const float *lo, *hi;            /* nvp each */
} FastAe;

static uint32_t pad8(uint32_t n) { return (n + V8_N - 1) / V8_N * V8_N; }

/* Helpers are macros, not functions: a 32-byte vector passed to or returned
 * from a function compiled without AVX changes the ABI (and GCC warns). */
#define V8_LOAD(dst, p) memcpy(&(dst), (p), sizeof(V8))
#define V8_STORE(p, src) memcpy((p), &(src), sizeof(V8))
#define V8_SEL(m, a, b) ((V8)(((m) & (V8I)(a)) | (~(m) & (V8I)(b))))

/* y = 1 / (1 + exp(-x)) over one vector; NaN counts as -inf (y = 0), as the
 * table sigmoid's clamp does. */
#define V8_SIGMOID(y, x)                                                                 \
    do {                                                                                 \
        V8 t_ = (x) * -1.44269504088896341f; /* exp(-x) = 2^t */                         \
        t_ = V8_SEL(t_ == t_, t_, (V8){0} + 126.0f);                                     \
        t_ = V8_SEL(t_ > 126.0f, (V8){0} + 126.0f, t_);                                  \
        t_ = V8_SEL(t_ < -126.0f, (V8){0} - 126.0f, t_);                                 \
        V8I n_ = __builtin_convertvector(t_ + V8_SEL(t_ < 0.0f, (V8){0} - 0.5f,           \
                                                     (V8){0} + 0.5f), V8I);              \
        V8 f_ = (t_ - __builtin_convertvector(n_, V8)) * 0.693147180559945309f;          \
        V8 p_ = 1.0f + f_ * (1.0f + f_ * (0.5f + f_ * (0.166666667f + f_ * (0.0416666667f + \
                 f_ * (0.00833333333f + f_ * 0.00138888889f)))));                         \
        V8 e_ = p_ * (V8)((n_ + 127) << 23);                                             \
        (y) = 1.0f / (1.0f + e_);                                                        \
    } while (0)

/*
 * Autoencoders [from, to) on their normalised inputs (xs at each one's xoff,
 * zero padded): their RMSEs go to rmse[0 .. to - from), their reconstruction
 * errors to es (at xoff). Layer by layer over all of them rather than one
 * autoencoder after the other: each autoencoder is a chain of dependent
 * steps (sums, sigmoid, sums, sigmoid), and the chains of different
 * autoencoders only overlap when their instructions are interleaved. hs and
 * zs are scratch at hoff / xoff.
 */
static inline __attribute__((always_inline)) void
fast_pass_body(const FastAe *fx, uint32_t from, uint32_t to, const float *restrict xs,
               float *restrict hs, float *restrict zs, float *restrict es, double *rmse)
{
    /* hidden pre-activations: two accumulators per column block */
    for (uint32_t a = from; a < to; a++) {
        const FastAe *f = &fx[a];
        const float *xn = xs + f->xoff;
        for (uint32_t jb = 0; jb < f->nhp; jb += V8_N) {
            V8 acc0, acc1 = {0};
            V8_LOAD(acc0, f->hb + jb);
            uint32_t i = 0;
            for (; i + 1 < f->nv; i += 2) {
                V8 w0, w1;
                V8_LOAD(w0, f->w + (size_t)i * f->nhp + jb);
                V8_LOAD(w1, f->w + (size_t)(i + 1) * f->nhp + jb);
                acc0 += xn[i] * w0;
                acc1 += xn[i + 1] * w1;
            }
            if (i < f->nv) {
                V8 w0;
                V8_LOAD(w0, f->w + (size_t)i * f->nhp + jb);
                acc0 += xn[i] * w0;
            }
            acc0 += acc1;
            V8_STORE(hs + f->hoff + jb, acc0);
        }
    }
    uint32_t h_end = fx[to - 1].hoff + fx[to - 1].nhp;
    for (uint32_t q = fx[from].hoff; q < h_end; q += V8_N) {
        V8 v;
        V8_LOAD(v, hs + q);
        V8_SIGMOID(v, v);
        V8_STORE(hs + q, v);
    }
    /* visible pre-activations */
    for (uint32_t a = from; a < to; a++) {
        const FastAe *f = &fx[a];
        const float *y = hs + f->hoff;
        for (uint32_t ib = 0; ib < f->nvp; ib += V8_N) {
            V8 acc0, acc1 = {0};
            V8_LOAD(acc0, f->vb + ib);
            uint32_t j = 0;
            for (; j + 1 < f->nh; j += 2) {
                V8 w0, w1;
                V8_LOAD(w0, f->wt + (size_t)j * f->nvp + ib);
                V8_LOAD(w1, f->wt + (size_t)(j + 1) * f->nvp + ib);
                acc0 += y[j] * w0;
                acc1 += y[j + 1] * w1;
            }
            if (j < f->nh) {
                V8 w0;
                V8_LOAD(w0, f->wt + (size_t)j * f->nvp + ib);
                acc0 += y[j] * w0;
            }
            acc0 += acc1;
            V8_STORE(zs + f->xoff + ib, acc0);
        }
    }
    uint32_t x_end = fx[to - 1].xoff + fx[to - 1].nvp;
    for (uint32_t q = fx[from].xoff; q < x_end; q += V8_N) {
        V8 v, xv;
        V8_LOAD(v, zs + q);
        V8_SIGMOID(v, v);
        V8_LOAD(xv, xs + q);
        xv -= v;
        V8_STORE(es + q, xv);
    }
    /* errors: padded lanes (i >= nv) count nothing */
    const V8I lane = {0, 1, 2, 3, 4, 5, 6, 7};
    for (uint32_t a = from; a < to; a++) {
        const FastAe *f = &fx[a];
        V8 se = {0};
        for (uint32_t ib = 0; ib < f->nvp; ib += V8_N) {
            V8 ev;
            V8_LOAD(ev, es + f->xoff + ib);
            V8I live = (lane + (int32_t)ib) < (int32_t)f->nv;
            ev = V8_SEL(live, ev, (V8){0});
            V8_STORE(es + f->xoff + ib, ev);
            se += ev * ev;
        }
        double sum = 0.0;
        for (int l = 0; l < V8_N; l++)
            sum += (double)se[l];
        rmse[a - from] = sqrt(sum / (double)f->nv);
    }
}

static void fast_pass_base(const FastAe *fx, uint32_t from, uint32_t to, const float *xs,
                           float *hs, float *zs, float *es, double *rmse)
{
    fast_pass_body(fx, from, to, xs, hs, zs, es, rmse);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(KITNET_NO_AVX2)
#define KITNET_HAVE_AVX2 1
__attribute__((target("avx2,fma"))) static void
fast_pass_avx2(const FastAe *fx, uint32_t from, uint32_t to, const float *xs, float *hs,
               float *zs, float *es, double *rmse)
{
    fast_pass_body(fx, from, to, xs, hs, zs, es, rmse);
}
#endif

/* Free the float32 copies (they are rebuilt when needed). */
static void fast_drop(KitNet *k)
{
    mem_free(k->acct, k->fx_block);
    mem_free(k->acct, k->fx);
    k->fx_block = NULL;
    k->fx = NULL;
    k->fx_x = k->fx_h = k->fx_z = k->fx_e = NULL;
}

/* Build the float32 copies of the frozen ensemble. Without memory the double
 * path keeps scoring (slower, same results but for float rounding). */
static void fast_build(KitNet *k)
{
    fast_drop(k);
    if (!k->cfg.fast || k->ae == NULL || k->cfg.norm != KITNET_NORM_BOUNDED)
        return;
    uint32_t n_ae = k->n_ae;
    size_t bytes = 0, sum_vp = 0, sum_hp = 0;
    for (uint32_t i = 0; i <= n_ae; i++) {
        const KitAe *a = &k->ae[i];
        size_t nvp = pad8(a->n_v), nhp = pad8(a->n_h);
        sum_vp += nvp;
        sum_hp += nhp;
        /* floats: w, wt, hb, vb, lo, hi; doubles: mn, sc */
        bytes += ((size_t)a->n_v * nhp + (size_t)a->n_h * nvp + nhp + 3 * nvp) * sizeof(float) +
                 2 * nvp * sizeof(double) + 64;
    }
    bytes += (3 * sum_vp + sum_hp) * sizeof(float);
    k->fx = mem_calloc(k->acct, (size_t)n_ae + 1, sizeof(FastAe));
    k->fx_block = mem_calloc(k->acct, bytes, 1);
    if (k->fx == NULL || k->fx_block == NULL) {
        fast_drop(k);
        return;
    }
    k->fx_x = k->fx_block;
    k->fx_z = k->fx_x + sum_vp;
    k->fx_e = k->fx_z + sum_vp;
    k->fx_h = k->fx_e + sum_vp;
    char *p = (char *)(k->fx_h + sum_hp);
    uint32_t xoff = 0, hoff = 0;
    for (uint32_t i = 0; i <= n_ae; i++) {
        const KitAe *a = &k->ae[i];
        FastAe *f = &k->fx[i];
        f->nv = a->n_v, f->nh = a->n_h, f->nvp = pad8(a->n_v), f->nhp = pad8(a->n_h);
        f->xoff = xoff, f->hoff = hoff;
        xoff += f->nvp, hoff += f->nhp;
        /* doubles first, at an 8-byte boundary */
        p += (8 - ((uintptr_t)p & 7)) & 7;
        double *mn = (double *)(void *)p, *sc = mn + f->nvp;
        float *w = (float *)(void *)(sc + f->nvp);
        float *wt = w + (size_t)f->nv * f->nhp, *hb = wt + (size_t)f->nh * f->nvp;
        float *vb = hb + f->nhp, *lo = vb + f->nvp, *hi = lo + f->nvp;
        p = (char *)(hi + f->nvp);
        for (uint32_t r = 0; r < a->n_v; r++)
            for (uint32_t c = 0; c < a->n_h; c++) {
                float v = (float)a->w[(size_t)r * a->n_h + c];
                w[(size_t)r * f->nhp + c] = v;
                wt[(size_t)c * f->nvp + r] = v;
            }
        for (uint32_t c = 0; c < a->n_h; c++)
            hb[c] = (float)a->hb[c];
        for (uint32_t r = 0; r < a->n_v; r++) {
            vb[r] = (float)a->vb[r];
            double range = a->nmax[r] - a->nmin[r];
            mn[r] = a->nmin[r];
            if (range > 0.0) {
                sc[r] = 1.0 / (range + 1e-16);
                lo[r] = -1.0f, hi[r] = 2.0f;
            } else if (range == range && isfinite(a->nmin[r])) {
                /* constant in training: 0 at its value, else +-1 (kitnet.h) */
                sc[r] = 1e300;
                lo[r] = -1.0f, hi[r] = 1.0f;
            } else {
                /* never trained (no finite min/max): as normalise(), -1 for a
                 * finite input */
                mn[r] = 0.0, sc[r] = 0.0, lo[r] = -1.0f, hi[r] = -1.0f;
            }
        }
        f->w = w, f->wt = wt, f->hb = hb, f->vb = vb, f->mn = mn, f->sc = sc, f->lo = lo, f->hi = hi;
    }
    k->fx_pass = fast_pass_base;
#ifdef KITNET_HAVE_AVX2
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        k->fx_pass = fast_pass_avx2;
#endif
}

/* Normalise x (f->nv values, read through idx when not NULL) into xn (f->nvp
 * floats, zero padded). */
static void fast_normalise(const FastAe *f, const double *x, const uint32_t *idx, float *xn)
{
    uint32_t i = 0;
    for (; i < f->nv; i++) {
        double v = (idx != NULL ? x[idx[i]] : x[i]) - f->mn[i];
        v = v * f->sc[i];
        v = v < (double)f->lo[i] ? (double)f->lo[i] : v;
        v = v > (double)f->hi[i] ? (double)f->hi[i] : v;
        xn[i] = v == v ? (float)v : 0.0f;
    }
    for (; i < f->nvp; i++)
        xn[i] = 0.0f;
}

static double fast_execute_step(KitNet *k, const double *x)
{
    uint32_t n_ae = k->n_ae;
    for (uint32_t i = 0; i < n_ae; i++)
        fast_normalise(&k->fx[i], x, k->map + k->off[i], k->fx_x + k->fx[i].xoff);
    k->fx_pass(k->fx, 0, n_ae, k->fx_x, k->fx_h, k->fx_z, k->fx_e, k->rmse);
    for (uint32_t i = 0; i < n_ae; i++) {
        const FastAe *f = &k->fx[i];
        const uint32_t *idx = k->map + k->off[i];
        const float *e = k->fx_e + f->xoff;
        for (uint32_t j = 0; j < f->nv; j++)
            k->feat_err2[idx[j]] = (double)e[j] * (double)e[j];
    }
    const FastAe *o = &k->fx[n_ae];
    fast_normalise(o, k->rmse, NULL, k->fx_x + o->xoff);
    double s;
    k->fx_pass(k->fx, n_ae, n_ae + 1, k->fx_x, k->fx_h, k->fx_z, k->fx_e, &s);
    for (uint32_t j = 0; j < n_ae; j++)
        k->out_err[j] = (double)k->fx_e[o->xoff + j];
    return s;
}

/* One SGD step on x; returns the RMSE before the update. */
static double ae_train(KitNet *k, KitAe *a, const double *x)
{
    uint32_t nv = a->n_v, nh = a->n_h;
    for (uint32_t i = 0; i < nv; i++) {
        if (x[i] > a->nmax[i])
            a->nmax[i] = x[i];
        if (x[i] < a->nmin[i])
            a->nmin[i] = x[i];
    }
    double *xn = k->xn, *y = k->y, *z = k->z, *e = k->e;
    normalise(a, x, xn, KITNET_NORM_REFERENCE);
    double rmse = forward(a, xn, y, z, e, k->sig_tab);
    /* dh = (e W) * y * (1 - y) */
    double dh[KITNET_MAX_INPUTS];
    for (uint32_t j = 0; j < nh; j++) {
        double s = 0.0;
        for (uint32_t i = 0; i < nv; i++)
            s += e[i] * a->w[(size_t)i * nh + j];
        dh[j] = s * y[j] * (1.0 - y[j]);
    }
    double lr = k->cfg.lr;
    for (uint32_t i = 0; i < nv; i++) {
        double *row = a->w + (size_t)i * nh;
        for (uint32_t j = 0; j < nh; j++)
            row[j] += lr * (xn[i] * dh[j] + e[i] * y[j]);
    }
    for (uint32_t j = 0; j < nh; j++)
        a->hb[j] += lr * dh[j];
    for (uint32_t i = 0; i < nv; i++)
        a->vb[i] += lr * e[i];
    return rmse;
}

static double ae_execute(const KitNet *k, const KitAe *a, const double *x)
{
    normalise(a, x, k->xn, k->cfg.norm);
    return forward(a, k->xn, k->y, k->z, k->e, k->sig_tab);
}

/* Gather autoencoder i's inputs from x into xs. */
static void gather(const KitNet *k, uint32_t i, const double *x)
{
    const uint32_t *idx = k->map + k->off[i];
    uint32_t nv = k->off[i + 1] - k->off[i];
    for (uint32_t j = 0; j < nv; j++)
        k->xs[j] = x[idx[j]];
}

/* Record the squared per-feature errors of autoencoder i (left in e). */
static void note_feat_err(KitNet *k, uint32_t i)
{
    const uint32_t *idx = k->map + k->off[i];
    uint32_t nv = k->off[i + 1] - k->off[i];
    for (uint32_t j = 0; j < nv; j++)
        k->feat_err2[idx[j]] = k->e[j] * k->e[j];
}

static void train_step(KitNet *k, const double *x)
{
    for (uint32_t i = 0; i < k->n_ae; i++) {
        gather(k, i, x);
        k->rmse[i] = ae_train(k, &k->ae[i], k->xs);
        note_feat_err(k, i);
    }
    KitAe *out = &k->ae[k->n_ae];
    k->last_train = ae_train(k, out, k->rmse);
    /* ae_train left the output layer's pre-update errors in e */
    memcpy(k->out_err, k->e, k->n_ae * sizeof(double));
}

static double execute_step(KitNet *k, const double *x)
{
    for (uint32_t i = 0; i < k->n_ae; i++) {
        gather(k, i, x);
        k->rmse[i] = ae_execute(k, &k->ae[i], k->xs);
        note_feat_err(k, i);
    }
    double s = ae_execute(k, &k->ae[k->n_ae], k->rmse);
    memcpy(k->out_err, k->e, k->n_ae * sizeof(double));
    return s;
}

double kitnet_process(KitNet *k, const double *x)
{
    if (k->status < 0)
        return 0.0;
    k->count++;
    uint64_t fm = k->cfg.fm_grace, ad = k->cfg.ad_grace;
    if (k->phase == KITNET_PHASE_EXECUTE)
        return k->fx != NULL ? fast_execute_step(k, x) : execute_step(k, x);
    k->last_train = 0.0;
    if (k->n_trained <= fm && !k->mapped) {
        fm_update(k, x);
        if (k->n_trained == fm) {
            k->status = fm_finish(k);
            if (k->status < 0)
                return 0.0;
            k->phase = KITNET_PHASE_TRAIN;
        }
    } else {
        train_step(k, x);
    }
    k->n_trained++;
    if (k->n_trained > fm + ad && k->mapped) {
        k->phase = KITNET_PHASE_EXECUTE;
        fast_build(k);
    }
    return 0.0;
}

/* ---- accessors ---- */

int kitnet_status(const KitNet *k) { return k->status; }
KitNetPhase kitnet_phase(const KitNet *k) { return k->phase; }
const KitNetConfig *kitnet_config(const KitNet *k) { return &k->cfg; }
double kitnet_last_train_score(const KitNet *k) { return k->last_train; }
uint32_t kitnet_n_ae(const KitNet *k) { return k->n_ae; }
const uint32_t *kitnet_map(const KitNet *k) { return k->map; }
const uint32_t *kitnet_map_off(const KitNet *k) { return k->off; }
const double *kitnet_last_rmse(const KitNet *k) { return k->rmse; }
const double *kitnet_last_out_err(const KitNet *k) { return k->out_err; }
const double *kitnet_last_feat_err2(const KitNet *k) { return k->feat_err2; }
uint64_t kitnet_count(const KitNet *k) { return k->count; }

KitAe *kitnet_ae(KitNet *k, uint32_t i)
{
    if (k->ae == NULL || i > k->n_ae)
        return NULL;
    return &k->ae[i];
}

void kitnet_set_execute(KitNet *k)
{
    if (!k->mapped)
        return;
    k->n_trained = k->cfg.fm_grace + k->cfg.ad_grace + 1;
    k->phase = KITNET_PHASE_EXECUTE;
    fast_build(k);
}
