/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kitnet.h: KitNET, the ensemble of small autoencoders that scores Kitsune
 * feature vectors (Mirsky et al., NDSS 2018; ../shared/KITSUNE.md section 4).
 *
 * Three phases, counted in packets:
 *   1. feature mapping (packets 0..fm_grace): an incremental correlation
 *      matrix; at packet fm_grace the features are clustered (single linkage,
 *      reproducing scipy exactly) into groups of at most max_ae, and one
 *      autoencoder per group is built, plus an output autoencoder over the
 *      ensemble's errors;
 *   2. training (the next ad_grace packets): online min-max normalisation and
 *      one SGD step per packet for every autoencoder;
 *   3. execution: the score is the output autoencoder's RMSE.
 * Every packet before execution scores 0, as in the reference.
 *
 * Memory: everything is allocated at kitnet_new (the mapper) and when the
 * ensemble is built (weights in one contiguous array, scratch vectors);
 * kitnet_process allocates nothing after that. Not thread-safe: the scratch
 * vectors live in the KitNet (one per detector; kasbah runs one detector
 * over the whole input, in capture order).
 *
 * KITNET_NORM_REFERENCE reproduces the reference's normaliser, including
 * its division by 1e-16 for features that were constant during training;
 * KITNET_NORM_BOUNDED (kasbah's default) maps a constant feature to 0 when it
 * keeps its training value and to +-1 otherwise, and clips every normalised
 * value to [-1, 2], so no single feature can produce an unbounded score.
 */
#ifndef KASBAH_ANOMALY_KITNET_H
#define KASBAH_ANOMALY_KITNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/alloc.h"

/* Limits: n is at most 1024 features (the mapper holds an n x n matrix);
 * an autoencoder has at most n inputs. */
#define KITNET_MAX_INPUTS 1024

typedef enum KitNetNorm { KITNET_NORM_REFERENCE = 0, KITNET_NORM_BOUNDED = 1 } KitNetNorm;

typedef enum KitNetPhase {
    KITNET_PHASE_MAP = 0,
    KITNET_PHASE_TRAIN = 1,
    KITNET_PHASE_EXECUTE = 2,
} KitNetPhase;

typedef struct KitNetConfig {
    uint32_t n;            /* inputs per vector (100 for Kitsune) */
    uint32_t max_ae;       /* m: largest autoencoder (values < 1 become 1) */
    uint64_t fm_grace;     /* feature-mapping packets */
    uint64_t ad_grace;     /* training packets */
    double lr;             /* learning rate, 0.1 */
    double hidden_ratio;   /* 0.75 */
    KitNetNorm norm;
    bool fast;             /* sigmoid from a table (absolute error < 1e-6, see kitnet.c)
                            * instead of libm exp: the default mode; false (the default
                            * of kitnet_config_defaults) computes as the reference */
} KitNetConfig;

/* One autoencoder. All arrays point into KitNet's weight block. */
typedef struct KitAe {
    uint32_t n_v, n_h;
    double *w;             /* n_v x n_h, row-major */
    double *hb, *vb;       /* n_h, n_v */
    double *nmin, *nmax;   /* n_v each: the normaliser's running min / max */
} KitAe;

typedef struct KitNet KitNet;

/* Fill cfg with the reference's settings (n = 100, m = 10, FM 5000, AD 50000,
 * lr 0.1, hidden ratio 0.75, bounded normaliser, fast false). */
void kitnet_config_defaults(KitNetConfig *cfg);

/* New KitNET in the mapping phase. NULL on OOM or a bad config (n == 0 or
 * > KITNET_MAX_INPUTS). Memory is charged to acct (may be NULL). */
KitNet *kitnet_new(const KitNetConfig *cfg, MemAccount *acct);

/* New KitNET in the training phase with a given feature map (clusters of
 * feature indices, in ensemble order): map[off[i] .. off[i+1]) is cluster i.
 * Skips mapping. NULL on OOM or a map that is not valid for cfg->n. */
KitNet *kitnet_new_mapped(const KitNetConfig *cfg, MemAccount *acct, const uint32_t *map,
                          const uint32_t *off, uint32_t n_ae);
void kitnet_free(KitNet *k);

/*
 * Process one vector of cfg->n features (learn or score, by phase) and return
 * its score (0 before execution). If building the ensemble fails (OOM),
 * kitnet_status() becomes -ENOMEM and every later call returns 0.
 */
double kitnet_process(KitNet *k, const double *x);

/* 0, or -ENOMEM when the ensemble could not be built. */
int kitnet_status(const KitNet *k);

KitNetPhase kitnet_phase(const KitNet *k);
const KitNetConfig *kitnet_config(const KitNet *k);

/* The training-time score of the last packet processed in the training phase:
 * the output autoencoder's RMSE before its update (what execute would have
 * said, but for the normaliser having just seen the packet). 0 otherwise. */
double kitnet_last_train_score(const KitNet *k);

/* Feature map (valid once the phase is TRAIN or EXECUTE). */
uint32_t kitnet_n_ae(const KitNet *k);
const uint32_t *kitnet_map(const KitNet *k);      /* n entries */
const uint32_t *kitnet_map_off(const KitNet *k);  /* n_ae + 1 entries */

/* Per-packet detail of the last kitnet_process in any phase after mapping:
 * the ensemble's RMSEs (n_ae), the output autoencoder's per-input
 * reconstruction errors (n_ae; their squares sum to n_ae * score^2), and the
 * squared per-feature reconstruction errors of the ensemble (n, by feature
 * index). Valid until the next call. */
const double *kitnet_last_rmse(const KitNet *k);
const double *kitnet_last_out_err(const KitNet *k);
const double *kitnet_last_feat_err2(const KitNet *k);

/* Autoencoders, for persistence: i < n_ae, or i == n_ae for the output layer. */
KitAe *kitnet_ae(KitNet *k, uint32_t i);

/* Number of packets processed so far (training and mapping included). */
uint64_t kitnet_count(const KitNet *k);

/* Switch the fast sigmoid (KitNetConfig.fast) on or off, e.g. after loading a
 * model trained in the default mode. 0, or -ENOMEM (unchanged). */
int kitnet_set_fast(KitNet *k, bool fast);

/* Jump to the execution phase (after loading weights into kitnet_ae). */
void kitnet_set_execute(KitNet *k);

/* ---- pieces exposed for tests ---- */

/* Single-linkage clustering of an n x n distance matrix d (row-major,
 * symmetric; only the upper triangle is read), split top-down into clusters
 * of at most m leaves. Writes n feature indices to map and n_clusters + 1
 * offsets to off (caller provides n + 1); returns the number of clusters, or
 * -ENOMEM. Reproduces scipy.cluster.hierarchy.linkage(method='single') and
 * to_tree().pre_order() exactly, ties included. */
int kitnet_cluster(const double *d, uint32_t n, uint32_t m, MemAccount *acct, uint32_t *map,
                   uint32_t *off);

/* MT19937 as numpy's RandomState(seed) (init_genrand seeding) and its 53-bit
 * double. */
typedef struct KitMt {
    uint32_t mt[624];
    int idx;
} KitMt;
void kitnet_mt_seed(KitMt *r, uint32_t seed);
uint32_t kitnet_mt_next(KitMt *r);
double kitnet_mt_double(KitMt *r);

#endif
