/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * afterimage.h: damped incremental statistics (Kitsune's "AfterImage"),
 * ../shared/KITSUNE.md section 2.
 *
 * An AiDb is one of the reference's incStatDB tables: streams keyed by an
 * opaque byte string (the caller builds it: tshark-spelled text in kitsune
 * mode, typed binary in the default mode), each holding the statistics for
 * all five decay factors at once (lambda = 5, 3, 1, 0.1, 0.01), and links
 * between pairs of streams for the 2D statistics. Grouping the five lambdas
 * in one entry is exact: the reference's streams of one ID at different
 * lambdas are created, decayed and updated at the same timestamps and never
 * interact, so one lookup serves all five.
 *
 * Bounds (default mode): a memory account caps the table; when a new stream
 * or link is refused, an old stream of this table is evicted ("forced": the
 * least recently used of 8 table slots sampled at a clock hand, an
 * approximation of LRU that touches no other stream on the packet path) and
 * the allocation retried. ai_db_sweep() evicts idle streams: those whose
 * weight at the slowest decay (lambda 0.01), decayed to now, is below
 * `evict_weight` (default 0.01: about 11 minutes after a stream's last
 * packet). A stream keeps at most `max_links` links; a new link beyond that
 * evicts the stream's least recently updated link (pair mode:
 * of its two oldest, so that the work stays bounded). In kitsune mode
 * (max_links 0, no cap) nothing is ever evicted, as in the reference.
 *
 * Link updates: the reference updates every link of a stream on each of its
 * packets (so a busy stream costs O(links) per packet) and decays the other
 * end of each link (a no-op for the results but for rounding). With
 * `pair_links` (the default mode) a link is updated only by the packets of
 * its own pair -- the two directions whose covariance it measures, as the
 * Kitsune paper defines the 2D statistics -- once per packet, and the other
 * end is not decayed: O(1) per packet whatever the number of links.
 *
 * Not thread-safe: one set of tables per worker. Lookups of existing keys
 * allocate nothing.
 */
#ifndef KASBAH_ANOMALY_AFTERIMAGE_H
#define KASBAH_ANOMALY_AFTERIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/alloc.h"

#define AI_N_LAMBDA 5
#define AI_KEY_MAX 128   /* longest key: two IPv6 texts + ports fit with room */

/* The decay factors, in the reference's order. */
extern const double ai_lambdas[AI_N_LAMBDA];

typedef struct AiConfig {
    bool exact_pow;        /* decay with pow(2, x) as the reference (kitsune mode); else exp2 */
    bool jitter;           /* streams take v = t - t_last (the host-pair jitter table) */
    uint32_t max_links;    /* links per stream, 0 = unbounded */
    double evict_weight;   /* idle threshold for ai_db_sweep (<= 0: never idle-evict) */
    bool pair_links;       /* update a link only from its own pair's packets (see above) */
} AiConfig;

/* Counters (monotonic), read by the caller for `stats`. */
typedef struct AiCounters {
    uint64_t streams;          /* streams currently held */
    uint64_t links;            /* links currently held */
    uint64_t evicted_idle;     /* streams evicted by ai_db_sweep */
    uint64_t evicted_forced;   /* streams evicted to make room under the memcap */
    uint64_t evicted_links;    /* links dropped by the per-stream bound */
    uint64_t alloc_fail;       /* updates skipped: no memory even after eviction */
} AiCounters;

typedef struct AiDb AiDb;

/* New empty table charged to acct (may be NULL). NULL on OOM. */
AiDb *ai_db_new(const AiConfig *cfg, MemAccount *acct);
void ai_db_free(AiDb *db);

/*
 * 1D update: insert v at time t into the stream `key` (created if new) and
 * write (w, mean, var) per lambda to out[0..15). 0, or -ENOMEM (out zeroed)
 * when no memory could be found; -EINVAL when key_len > AI_KEY_MAX.
 */
int ai_update_1d(AiDb *db, const uint8_t *key, size_t key_len, double t, double v, double *out);

/*
 * 1D+2D update of the pair (key1, key2): insert v into key1's stream, find or
 * create key2's stream and the link, update the link, and write
 * (w, mean, var, radius, magnitude, cov, pcc) per lambda to out[0..35).
 * 0, or -ENOMEM / -EINVAL as above.
 */
int ai_update_2d(AiDb *db, const uint8_t *key1, size_t len1, const uint8_t *key2, size_t len2,
                 double t, double v, double *out);

/* Look at up to max_checks table slots from where the last sweep stopped and
 * evict the idle streams among them (see above). Returns the number evicted. */
unsigned ai_db_sweep(AiDb *db, double now, unsigned max_checks);

const AiCounters *ai_db_counters(const AiDb *db);

/* Cache hints, no effect on results: start fetching the table slot of key
 * (returns the key's hash, for the second call), then, once that has had time
 * to arrive, the stream record with that hash (key_len: its key's length). A caller about to update several
 * streams issues all first calls, then all second calls, then the updates. */
uint64_t ai_db_prefetch_slot(const AiDb *db, const uint8_t *key, size_t key_len);
void ai_db_prefetch_stream(const AiDb *db, size_t key_len, uint64_t hash);

/* Test access: the (w, mean, var) of a stream at lambda index li without
 * updating it; false when the key is unknown. */
bool ai_db_peek(const AiDb *db, const uint8_t *key, size_t key_len, unsigned li, double *w,
                double *mean, double *var);

#endif
