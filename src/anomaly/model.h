/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * model.h: the trained detector on disk (anomaly.model-save / model-load).
 *
 * File format, version 1, every integer and float little-endian (floats as
 * their IEEE-754 binary64 bit pattern):
 *
 *   offset  size        field
 *   0       8           magic "KSBHANML"
 *   8       4           version (1)
 *   12      4           mode (0 kitsune, 1 default)
 *   16      4           normaliser (KitNetNorm)
 *   20      4           n, features per vector (1..1024)
 *   24      4           max_ae (1..n)
 *   28      4           n_ae, autoencoders in the ensemble (1..n)
 *   32      8           fm_grace
 *   40      8           ad_grace
 *   48      8           learning rate (f64)
 *   56      8           hidden ratio (f64)
 *   64      8           threshold (f64, > 0)
 *   72      8           threshold fit: mu of ln(score) (f64)
 *   80      8           threshold fit: sigma of ln(score) (f64)
 *   88      8           threshold quantile (f64)
 *   96      8           threshold fit: number of training scores (u64)
 *   104     4*(n_ae+1)  cluster offsets (off[0] = 0, off[n_ae] = n, increasing)
 *   ...     4*n         feature indices, cluster by cluster (a permutation of 0..n-1)
 *   ...                 n_ae + 1 autoencoders (the output layer last), each:
 *                       u32 n_v, u32 n_h, W (n_v*n_h f64, row-major), hbias (n_h),
 *                       vbias (n_v), normaliser min (n_v), max (n_v)
 *   end-4   4           CRC-32 (zlib) of every byte before it
 *
 * Limits and why: n <= KITNET_MAX_INPUTS (the mapper's matrix); n_v must be
 * the cluster's size and n_h = ceil(n_v * hidden ratio), so a file cannot
 * make the loader allocate more than its own size suggests; every float must
 * be finite. The loader never trusts a length before checking it against the
 * bytes that remain.
 */
#ifndef KASBAH_ANOMALY_MODEL_H
#define KASBAH_ANOMALY_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "anomaly/kitnet.h"
#include "lib/alloc.h"

#define MODEL_VERSION 1

typedef struct ModelMeta {
    uint32_t mode;          /* 0 kitsune, 1 default */
    double threshold;
    double thr_mu, thr_sigma, thr_quantile;
    uint64_t thr_samples;
} ModelMeta;

/* Write k (which must be in the execute phase) and meta to path. 0, or -1
 * with a message in err ("cannot write ...: reason"). */
int model_save(const char *path, KitNet *k, const ModelMeta *meta, char *err, size_t err_len);

/* Parse a model from bytes. Returns a KitNet in the execute phase (charged to
 * acct) and fills meta, or NULL with what is wrong in err (e.g. "bad checksum
 * (file corrupted)", "truncated: autoencoder 3 needs 960 more bytes"). */
KitNet *model_parse(const uint8_t *buf, size_t len, MemAccount *acct, ModelMeta *meta, char *err,
                    size_t err_len);

/* Read path and parse it; err names the file. */
KitNet *model_load(const char *path, MemAccount *acct, ModelMeta *meta, char *err, size_t err_len);

#endif
