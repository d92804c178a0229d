/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stats.h: named 64-bit counters, reported in the EVE `stats` record.
 *
 * A counter has a dotted name ("decoder.pkts", "decoder.event.ipv4.trunc_pkt",
 * "flow.tcp") that becomes nesting in JSON. Counters are registered once,
 * before any packet is read (stats_register is not thread-safe); each worker
 * then owns a Stats block (an array indexed by counter id) and increments it
 * without locks; stats_merge() sums blocks for the report.
 *
 * Registering the same name twice returns the same id. Ids are small ints.
 */
#ifndef KASBAH_CORE_STATS_H
#define KASBAH_CORE_STATS_H

#include <stddef.h>
#include <stdint.h>

#define STATS_MAX_COUNTERS 1024

typedef struct Stats {
    uint64_t v[STATS_MAX_COUNTERS];
} Stats;

/* Register (or find) a counter; returns its id, or -1 when the table is full
 * or the name is longer than 127 bytes. name is copied. */
int stats_register(const char *name);

/* Find an id by name; -1 when unknown. */
int stats_find(const char *name);

/* Number of registered counters; names by id (sorted order is the caller's job). */
int stats_count(void);
const char *stats_name(int id);

static inline void stats_add(Stats *s, int id, uint64_t n)
{
    if (id >= 0)
        s->v[id] += n;
}
static inline void stats_inc(Stats *s, int id) { stats_add(s, id, 1); }
static inline void stats_set(Stats *s, int id, uint64_t n)
{
    if (id >= 0)
        s->v[id] = n;
}

/* Merge counter `id` by maximum instead of sum (a high-water mark such as
 * decoder.max_pkt_size: the largest over the workers, not their total).
 * Configuration time only (not thread-safe); stays until
 * stats_reset_registry. Unknown ids are ignored. */
void stats_mark_max(int id);

/* dst += src for every counter (dst = max(dst, src) for those marked with
 * stats_mark_max). */
void stats_merge(Stats *dst, const Stats *src);

/* Forget every registration (tests only). */
void stats_reset_registry(void);

#endif
