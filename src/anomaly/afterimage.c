/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * afterimage.c: damped incremental statistics (see afterimage.h).
 *
 * Spec: ../shared/KITSUNE.md section 2, which follows Kitsune-py's
 * AfterImage.py (incStat, incStat_cov, incStatDB). The order of operations
 * below is the reference's, because the numbers depend on it: decay then add;
 * squares with pow(); the mean and variance cached when a stream is inserted
 * into; links updated in creation order; the link lookup takes the first link
 * of A whose either end is B (so a stream paired with itself reuses its first
 * link, and a self-link sits twice in its stream's list, as in the reference).
 *
 * The table is open addressing with linear probing: a slot holds the low 32
 * bits of a node's hash, the second it was last touched and the pointer, so a
 * lookup touches only the slots of its probe run and the one node whose hash
 * matches, and eviction chooses its victims from the slots alone. Deletion
 * shifts the run back (no tombstones). The load factor stays at most 1/2.
 *
 * Invariants: a node is in exactly one slot; every node is reachable from its
 * home slot (hash & mask) by probing forward without crossing an empty slot; a
 * link is listed in both its nodes' arrays (twice in one array for a
 * self-link); every byte is charged to the table's account.
 */
#include "anomaly/afterimage.h"

#include <errno.h>
#include <math.h>
#include <string.h>

const double ai_lambdas[AI_N_LAMBDA] = {5, 3, 1, 0.1, 0.01};

#define L AI_N_LAMBDA
#define FORCED_EVICT_TRIES 16
#define MIN_SLOTS 1024
#define EVICT_SAMPLE 8     /* slots sampled per forced eviction (approximate LRU) */

typedef struct AiNode AiNode;

typedef struct AiLink {
    AiNode *n[2];
    double t3;
    double cf3[L], w3[L], res[2][L];
} AiLink;

/* A stream's reference to one of its links, with the link's other end beside
 * it so that a lookup by peer reads this array only. */
typedef struct AiLinkRef {
    AiLink *l;
    AiNode *other;
} AiLinkRef;

struct AiNode {
    uint64_t hash;
    double t_last;
    double cf1[L], cf2[L], w[L], mean[L], var[L];
    AiLinkRef *links;
    uint32_t n_links, cap_links;
    uint16_t key_len;
    uint8_t key[];
};

typedef struct AiSlot {
    uint32_t hash;     /* low 32 bits of the node's hash */
    uint32_t seen;     /* whole seconds of the node's last packet, clamped to uint32 */
    AiNode *node;      /* NULL: empty */
} AiSlot;

struct AiDb {
    AiConfig cfg;
    MemAccount *acct;
    AiSlot *slots;
    size_t n_slots;    /* power of two, at least twice the number of streams */
    size_t hand;       /* clock hand: where the next sweep / forced eviction looks */
    double idle_min_age; /* no stream younger than this (s) can be idle (see ai_db_sweep) */
    AiLink *spare;     /* one removed link kept (still charged) for the next new link:
                        * a busy stream at its link bound drops and makes one per packet */
    AiCounters c;
};

/* ---- hashing ---- */

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static uint64_t key_hash(const uint8_t *k, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)len * 0x100000001b3ull);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        h ^= rd64(k + i) * 0x87c37b91114253d5ull;
        h = (h << 31 | h >> 33) * 0x4cf5ad432745937full;
    }
    uint64_t tail = 0;
    for (size_t j = 0; i + j < len; j++)
        tail |= (uint64_t)k[i + j] << (8 * j);
    h ^= tail * 0x87c37b91114253d5ull;
    return mix(h);
}

static uint32_t seen_of(double t)
{
    if (!(t > 0))
        return 0;
    return t >= 4294967295.0 ? UINT32_MAX : (uint32_t)t;
}

/* ---- table plumbing ---- */

AiDb *ai_db_new(const AiConfig *cfg, MemAccount *acct)
{
    AiDb *db = mem_calloc(acct, 1, sizeof(*db));
    if (db == NULL)
        return NULL;
    db->cfg = *cfg;
    db->acct = acct;
    db->slots = mem_calloc(acct, MIN_SLOTS, sizeof(AiSlot));
    if (db->slots == NULL) {
        mem_free(acct, db);
        return NULL;
    }
    db->n_slots = MIN_SLOTS;
    /* A stream's weight is at least 1 after its last insert, so it cannot be
     * idle before 2^(-lambda age) < evict_weight; one second more covers the
     * whole seconds kept in the slot. */
    db->idle_min_age = cfg->evict_weight > 0 && cfg->evict_weight < 1
                           ? log2(1.0 / cfg->evict_weight) / ai_lambdas[L - 1] - 1.0
                           : 0.0;
    return db;
}

/* Remove every reference to l from n's array, keeping the order. */
static void drop_from(AiNode *n, const AiLink *l)
{
    uint32_t o = 0;
    for (uint32_t i = 0; i < n->n_links; i++)
        if (n->links[i].l != l)
            n->links[o++] = n->links[i];
    n->n_links = o;
}

static void link_remove(AiDb *db, AiLink *l)
{
    drop_from(l->n[0], l);
    if (l->n[1] != l->n[0])
        drop_from(l->n[1], l);
    if (db->spare == NULL)
        db->spare = l;
    else
        mem_free(db->acct, l);
    db->c.links--;
}

/* Empty slot i, then shift the rest of the probe run back over the hole
 * (each entry moves only if its home slot is not in the cyclic range
 * (hole, its position]). */
static void slot_clear(AiDb *db, size_t i)
{
    size_t mask = db->n_slots - 1, j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (db->slots[j].node == NULL)
            break;
        size_t home = db->slots[j].hash & mask;
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        db->slots[i] = db->slots[j];
        i = j;
    }
    db->slots[i].node = NULL;
    db->slots[i].hash = 0;
    db->slots[i].seen = 0;
}

static void slot_put(AiSlot *slots, size_t n_slots, const AiSlot *s)
{
    size_t mask = n_slots - 1, i = s->hash & mask;
    while (slots[i].node != NULL)
        i = (i + 1) & mask;
    slots[i] = *s;
}

/* Free n and its links; slot i (n's) is emptied. */
static void node_evict_at(AiDb *db, AiNode *n, size_t i)
{
    while (n->n_links > 0)
        link_remove(db, n->links[n->n_links - 1].l);
    if (db->slots[i].node == n)
        slot_clear(db, i);
    mem_free(db->acct, n->links);
    mem_free(db->acct, n);
    db->c.streams--;
}

void ai_db_free(AiDb *db)
{
    if (db == NULL)
        return;
    for (size_t i = 0; i < db->n_slots; i++)
        while (db->slots[i].node != NULL)
            node_evict_at(db, db->slots[i].node, i);
    mem_free(db->acct, db->spare);
    mem_free(db->acct, db->slots);
    mem_free(db->acct, db);
}

/* Evict the stream seen longest ago among the next EVICT_SAMPLE occupied
 * slots at the clock hand, other than a and b. */
static bool evict_one(AiDb *db, const AiNode *a, const AiNode *b)
{
    size_t mask = db->n_slots - 1, best = SIZE_MAX;
    unsigned found = 0;
    for (size_t k = 0; k < db->n_slots && found < EVICT_SAMPLE; k++) {
        size_t i = (db->hand + k) & mask;
        const AiSlot *s = &db->slots[i];
        if (s->node == NULL || s->node == a || s->node == b)
            continue;
        found++;
        if (best == SIZE_MAX || s->seen < db->slots[best].seen)
            best = i;
    }
    if (best == SIZE_MAX)
        return false;
    db->hand = (best + 1) & mask;
    node_evict_at(db, db->slots[best].node, best);
    db->c.evicted_forced++;
    return true;
}

/* Allocate under the memcap, evicting old streams (other than a, b) on refusal. */
static void *alloc_evicting(AiDb *db, size_t n, const AiNode *a, const AiNode *b)
{
    for (int i = 0; i < FORCED_EVICT_TRIES; i++) {
        void *p = mem_alloc(db->acct, n);
        if (p != NULL)
            return p;
        if (!evict_one(db, a, b))
            return NULL;
    }
    return NULL;
}

/* Double the slot array when the table would pass half full. Returns false
 * when it is full enough that no stream may be added (growth refused). */
static bool make_room(AiDb *db)
{
    if ((db->c.streams + 1) * 2 <= db->n_slots)
        return true;
    if (db->n_slots < ((size_t)1 << 31) && db->n_slots <= (SIZE_MAX / 4) / sizeof(AiSlot)) {
        size_t ns = db->n_slots * 2;
        AiSlot *sl = mem_calloc(db->acct, ns, sizeof(AiSlot));
        if (sl != NULL) {
            for (size_t i = 0; i < db->n_slots; i++)
                if (db->slots[i].node != NULL)
                    slot_put(sl, ns, &db->slots[i]);
            mem_free(db->acct, db->slots);
            db->slots = sl;
            db->n_slots = ns;
            db->hand &= ns - 1;
            return true;
        }
    }
    /* growth refused: probe runs lengthen, which is still correct up to 3/4 */
    return (db->c.streams + 1) * 4 <= db->n_slots * 3;
}

/* The slot of key, or SIZE_MAX. */
static size_t lookup(const AiDb *db, const uint8_t *key, size_t len, uint64_t h)
{
    size_t mask = db->n_slots - 1;
    uint32_t h32 = (uint32_t)h;
    for (size_t i = h & mask; db->slots[i].node != NULL; i = (i + 1) & mask) {
        const AiSlot *sl = &db->slots[i];
        if (sl->hash == h32 && sl->node->hash == h && sl->node->key_len == len &&
            memcmp(sl->node->key, key, len) == 0)
            return i;
    }
    return SIZE_MAX;
}

/* Find or create the stream of key at time t (a new one starts at t). */
static AiNode *get_node(AiDb *db, const uint8_t *key, size_t len, double t, const AiNode *keep)
{
    uint64_t h = key_hash(key, len);
    size_t i = lookup(db, key, len, h);
    if (i != SIZE_MAX) {
        db->slots[i].seen = seen_of(t);
        return db->slots[i].node;
    }
    while (!make_room(db))
        if (!evict_one(db, keep, NULL))
            return NULL;
    AiNode *n = alloc_evicting(db, sizeof(AiNode) + len, keep, NULL);
    if (n == NULL)
        return NULL;
    /* evictions may have shrunk the table below half full, never grown it */
    memset(n, 0, sizeof(*n));
    n->hash = h;
    n->key_len = (uint16_t)len;
    memcpy(n->key, key, len);
    n->t_last = t;
    for (int k = 0; k < L; k++)
        n->w[k] = 1e-20;
    AiSlot s = {.hash = (uint32_t)h, .seen = seen_of(t), .node = n};
    slot_put(db->slots, db->n_slots, &s);
    db->c.streams++;
    return n;
}

/* ---- the statistics ---- */

/* The reference squares with math.pow (libm pow); compilers rewrite
 * pow(x, 2.0) as x * x, which differs from glibc's pow in the last bit often
 * enough to move the variances (a difference of near-equal numbers). The
 * volatile exponent keeps the libm call. */
static volatile double two = 2.0;

static double sq_exact(double x) { return pow(x, two); }

/* The default mode has no reference to match: a plain multiply. */
static double sq(const AiDb *db, double x) { return db->cfg.exact_pow ? sq_exact(x) : x * x; }

/*
 * The five decay factors 2^(-lambda dt). Kitsune mode: one libm pow each, as
 * the reference. Default mode: one exp2 for lambda = 0.01 and the others as
 * its powers (0.1 = 0.01 * 10, 1 = 0.1 * 10, 3, 5): 12 multiplies instead of
 * four more exp2 calls. Each multiply adds half an ulp and the powers
 * multiply the first factor's error by at most 500, so the factors are within
 * about 1e-13 relative of exp2's. Real traffic calls this for both ends of
 * every link of a stream it updates (up to max-links per packet), which made
 * exp2 the largest single cost of the default mode.
 */
static void decay_factors(const AiDb *db, double dt, double *f)
{
    if (db->cfg.exact_pow) {
        /* -(lambda * dt) and (-lambda) * dt are the same double: negation is exact */
        for (int i = 0; i < L; i++)
            f[i] = pow(2.0, -(ai_lambdas[i] * dt));
        return;
    }
    double h = exp2(-(ai_lambdas[4] * dt)); /* lambda 0.01 */
    double h2 = h * h, h8 = h2 * h2;
    h8 = h8 * h8;
    double g = h8 * h2;                     /* lambda 0.1 */
    double g2 = g * g, g8 = g2 * g2;
    g8 = g8 * g8;
    double f1 = g8 * g2;                    /* lambda 1 */
    double f2 = f1 * f1;
    double f3 = f2 * f1;                    /* lambda 3 */
    f[0] = f3 * f2;                         /* lambda 5 */
    f[1] = f3;
    f[2] = f1;
    f[3] = g;
    f[4] = h;
}

static void node_decay(const AiDb *db, AiNode *n, double t)
{
    double dt = t - n->t_last;
    if (dt > 0) {
        double f[L];
        decay_factors(db, dt, f);
        for (int i = 0; i < L; i++) {
            n->cf1[i] = n->cf1[i] * f[i];
            n->cf2[i] = n->cf2[i] * f[i];
            n->w[i] = n->w[i] * f[i];
        }
        n->t_last = t;
    }
}

/* incStat_cov.update_cov: stream s (one end of l) received v at t. */
static void link_update(const AiDb *db, AiLink *l, const AiNode *s, double v, double t)
{
    int k = l->n[0] == s ? 0 : 1;
    /* The reference decays the other end here. Decay is multiplicative and
     * the other end's mean and variance are cached at its inserts, so this
     * changes nothing but rounding: pair mode skips it (a cache miss). */
    if (!db->cfg.pair_links)
        node_decay(db, l->n[1 - k], t);
    double dt = t - l->t3;
    if (dt > 0) {
        double f[L];
        decay_factors(db, dt, f);
        for (int i = 0; i < L; i++) {
            l->cf3[i] *= f[i];
            l->w3[i] *= f[i];
            l->res[k][i] *= f[i];
        }
        l->t3 = t;
    }
    for (int i = 0; i < L; i++) {
        double r = v - s->mean[i];
        l->cf3[i] += r * l->res[1 - k][i];
        l->w3[i] += 1;
        l->res[k][i] = r;
    }
}

/* incStat.insert, with the mean and variance cached as the reference's
 * allstats_1D leaves them. */
static void node_insert(const AiDb *db, AiNode *n, double v, double t)
{
    if (db->cfg.jitter) {
        double dif = t - n->t_last;
        v = dif > 0 ? dif : 0;
    }
    node_decay(db, n, t);
    for (int i = 0; i < L; i++) {
        n->cf1[i] += v;
        n->cf2[i] += sq(db, v);
        n->w[i] += 1;
        n->mean[i] = n->cf1[i] / n->w[i];
        n->var[i] = fabs(n->cf2[i] / n->w[i] - sq(db, n->mean[i]));
    }
    if (db->cfg.pair_links)
        return; /* ai_update_2d updates the pair's own link */
    for (uint32_t j = 0; j < n->n_links; j++)
        __builtin_prefetch(n->links[j].l, 1);
    for (uint32_t j = 0; j < n->n_links; j++)
        link_update(db, n->links[j].l, n, v, t);
}

static void out_1d(const AiNode *n, double *out)
{
    for (int i = 0; i < L; i++) {
        out[3 * i] = n->w[i];
        out[3 * i + 1] = n->mean[i];
        out[3 * i + 2] = n->var[i];
    }
}

int ai_update_1d(AiDb *db, const uint8_t *key, size_t key_len, double t, double v, double *out)
{
    if (key_len > AI_KEY_MAX) {
        memset(out, 0, 3 * L * sizeof(double));
        return -EINVAL;
    }
    AiNode *n = get_node(db, key, key_len, t, NULL);
    if (n == NULL) {
        db->c.alloc_fail++;
        memset(out, 0, 3 * L * sizeof(double));
        return -ENOMEM;
    }
    node_insert(db, n, v, t);
    out_1d(n, out);
    return 0;
}

/* Make room for one more entry in n's link array (evicting its oldest link
 * when the bound is reached). */
static int reserve_link(AiDb *db, AiNode *n, const AiNode *a, const AiNode *b,
                        const AiLink *keep)
{
    if (db->cfg.max_links != 0 && n->n_links >= db->cfg.max_links) {
        /* the least recently updated link; pair mode looks only at the 2
         * oldest-created (the front of the array) so that the cost stays
         * bounded: an approximation of LRU that spares busy old links */
        AiLink *old = NULL;
        uint32_t look = db->cfg.pair_links && n->n_links > 2 ? 2 : n->n_links;
        for (uint32_t i = 0; i < look; i++)
            if (n->links[i].l != keep && (old == NULL || n->links[i].l->t3 < old->t3))
                old = n->links[i].l;
        if (old != NULL) {
            link_remove(db, old);
            db->c.evicted_links++;
        }
    }
    if (n->n_links < n->cap_links)
        return 0;
    uint32_t cap = n->cap_links ? n->cap_links * 2 : 4;
    AiLinkRef *arr = alloc_evicting(db, cap * sizeof(AiLinkRef), a, b);
    if (arr == NULL)
        return -ENOMEM;
    if (n->n_links)
        memcpy(arr, n->links, n->n_links * sizeof(AiLinkRef));
    mem_free(db->acct, n->links);
    n->links = arr;
    n->cap_links = cap;
    return 0;
}

static AiLink *get_link(AiDb *db, AiNode *a, AiNode *b, double t)
{
    /* The reference takes the first link of a with either end b: for b == a
     * that is a's first link, whatever its other end. Pair mode keeps a
     * stream's traffic to itself on its own self-link. Otherwise the first
     * link whose other end is b; a pair has one link, listed by both ends, so
     * pair mode may search the shorter list. */
    if (a == b && !db->cfg.pair_links && a->n_links > 0)
        return a->links[0].l;
    const AiNode *s = a, *o = b;
    if (db->cfg.pair_links && b->n_links < a->n_links)
        s = b, o = a;
    for (uint32_t j = 0; j < s->n_links; j++)
        if (s->links[j].other == o)
            return s->links[j].l;
    if (reserve_link(db, a, a, b, NULL) != 0)
        return NULL;
    AiLink *l = db->spare;
    db->spare = NULL;
    if (l == NULL)
        l = alloc_evicting(db, sizeof(AiLink), a, b);
    if (l == NULL)
        return NULL;
    memset(l, 0, sizeof(*l));
    l->n[0] = a;
    l->n[1] = b;
    l->t3 = t;
    for (int i = 0; i < L; i++)
        l->w3[i] = 1e-20;
    a->links[a->n_links++] = (AiLinkRef){.l = l, .other = b};
    db->c.links++;
    if (reserve_link(db, b, a, b, l) != 0) {
        link_remove(db, l);
        return NULL;
    }
    b->links[b->n_links++] = (AiLinkRef){.l = l, .other = a};
    return l;
}

int ai_update_2d(AiDb *db, const uint8_t *key1, size_t len1, const uint8_t *key2, size_t len2,
                 double t, double v, double *out)
{
    memset(out, 0, 7 * L * sizeof(double));
    if (len1 > AI_KEY_MAX || len2 > AI_KEY_MAX)
        return -EINVAL;
    AiNode *a = get_node(db, key1, len1, t, NULL);
    if (a == NULL) {
        db->c.alloc_fail++;
        return -ENOMEM;
    }
    node_insert(db, a, v, t);
    AiNode *b = get_node(db, key2, len2, t, a);
    AiLink *l = b != NULL ? get_link(db, a, b, t) : NULL;
    if (l == NULL) {
        db->c.alloc_fail++;
        for (int i = 0; i < L; i++) {
            out[7 * i] = a->w[i];
            out[7 * i + 1] = a->mean[i];
            out[7 * i + 2] = a->var[i];
        }
        return -ENOMEM;
    }
    link_update(db, l, a, v, t);
    const AiNode *s0 = l->n[0], *s1 = l->n[1];
    for (int i = 0; i < L; i++) {
        double *o = out + 7 * i;
        o[0] = a->w[i];
        o[1] = a->mean[i];
        o[2] = a->var[i];
        o[3] = sqrt(sq(db, s0->var[i]) + sq(db, s1->var[i]));
        o[4] = sqrt(sq(db, s0->mean[i]) + sq(db, s1->mean[i]));
        double cov = l->cf3[i] / l->w3[i];
        o[5] = cov;
        double ss = sqrt(s0->var[i]) * sqrt(s1->var[i]);
        o[6] = ss != 0 ? cov / ss : 0;
    }
    return 0;
}

unsigned ai_db_sweep(AiDb *db, double now, unsigned max_checks)
{
    if (db->cfg.evict_weight <= 0)
        return 0;
    unsigned n_ev = 0;
    size_t mask = db->n_slots - 1;
    for (unsigned k = 0; k < max_checks && db->c.streams > 0; k++) {
        size_t i = db->hand;
        AiSlot *sl = &db->slots[i];
        /* the slot's whole seconds rule most streams out without reading them */
        if (sl->node == NULL || now - (double)sl->seen < db->idle_min_age) {
            db->hand = (i + 1) & mask;
            continue;
        }
        AiNode *n = sl->node;
        double w = n->w[L - 1];
        if (now > n->t_last)
            w *= exp2(-(ai_lambdas[L - 1] * (now - n->t_last)));
        if (!(w < db->cfg.evict_weight)) {
            db->hand = (i + 1) & mask;
            continue;
        }
        /* the backward shift may move another stream into slot i: look again */
        node_evict_at(db, n, i);
        db->c.evicted_idle++;
        n_ev++;
    }
    return n_ev;
}

const AiCounters *ai_db_counters(const AiDb *db) { return &db->c; }

uint64_t ai_db_prefetch_slot(const AiDb *db, const uint8_t *key, size_t key_len)
{
    uint64_t h = key_hash(key, key_len);
    __builtin_prefetch(&db->slots[h & (db->n_slots - 1)]);
    return h;
}

void ai_db_prefetch_stream(const AiDb *db, size_t key_len, uint64_t hash)
{
    size_t mask = db->n_slots - 1;
    for (size_t i = hash & mask; db->slots[i].node != NULL; i = (i + 1) & mask) {
        if (db->slots[i].hash == (uint32_t)hash) {
            const char *p = (const char *)db->slots[i].node;
            size_t bytes = sizeof(AiNode) + key_len;
            for (size_t off = 0; off < bytes; off += 64)
                __builtin_prefetch(p + off, 1);
            return;
        }
    }
}

bool ai_db_peek(const AiDb *db, const uint8_t *key, size_t key_len, unsigned li, double *w,
                double *mean, double *var)
{
    if (key_len > AI_KEY_MAX || li >= L)
        return false;
    size_t i = lookup(db, key, key_len, key_hash(key, key_len));
    if (i == SIZE_MAX)
        return false;
    const AiNode *n = db->slots[i].node;
    *w = n->w[li];
    *mean = n->mean[li];
    *var = n->var[li];
    return true;
}
