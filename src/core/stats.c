/* SPDX-License-Identifier: GPL-2.0-only */
/* stats.c: the counter registry (see stats.h). */
#include "core/stats.h"

#include <stdbool.h>
#include <string.h>

#define NAME_MAX_LEN 128

static char names[STATS_MAX_COUNTERS][NAME_MAX_LEN];
static int n_names;
static bool merge_max[STATS_MAX_COUNTERS];

int stats_find(const char *name)
{
    for (int i = 0; i < n_names; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int stats_register(const char *name)
{
    int id = stats_find(name);
    if (id >= 0)
        return id;
    size_t len = strlen(name);
    if (n_names >= STATS_MAX_COUNTERS || len >= NAME_MAX_LEN)
        return -1;
    memcpy(names[n_names], name, len + 1);
    return n_names++;
}

int stats_count(void) { return n_names; }

const char *stats_name(int id) { return (id >= 0 && id < n_names) ? names[id] : NULL; }

void stats_mark_max(int id)
{
    if (id >= 0 && id < STATS_MAX_COUNTERS)
        merge_max[id] = true;
}

void stats_merge(Stats *dst, const Stats *src)
{
    for (int i = 0; i < n_names; i++) {
        if (merge_max[i])
            dst->v[i] = src->v[i] > dst->v[i] ? src->v[i] : dst->v[i];
        else
            dst->v[i] += src->v[i];
    }
}

void stats_reset_registry(void)
{
    n_names = 0;
    memset(merge_max, 0, sizeof merge_max);
}
