/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * summary.h: what kasbah tells people on stderr while and after it runs.
 *
 *   - a progress line, only when stderr is a terminal and the run has lasted
 *     more than a second, redrawn in place at most four times a second:
 *       "kasbah: 42% read, 1234567 packets, 182k pkt/s"
 *     and erased before anything else is printed at the end;
 *   - a one-line summary, always, at the end:
 *       "kasbah: 38363 packets (3.8 MB), 1234 flows, 0 alerts, 0 anomalies
 *        in 0.21 s (182k pkt/s); output in ./eve.json"
 *
 * Wall-clock time is used here and only here: it never reaches the EVE file.
 * Not thread-safe (the main thread draws).
 */
#ifndef KASBAH_ENGINE_SUMMARY_H
#define KASBAH_ENGINE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct Progress {
    FILE *out;
    bool enabled;       /* out is a terminal */
    bool shown;         /* a line is on screen (to erase) */
    double start_s;     /* monotonic seconds at start */
    double last_draw_s;
} Progress;

/* Start timing; draw only when `enabled` (the caller checks isatty). */
void progress_init(Progress *pr, FILE *out, bool enabled);

/* Seconds since progress_init (monotonic clock). */
double progress_elapsed(const Progress *pr);

/* Redraw the line if enabled, past the first second, and at least 250 ms
 * after the previous draw. share is 0..1. */
void progress_update(Progress *pr, double share, uint64_t packets);

/* Erase the line if one is shown. */
void progress_clear(Progress *pr);

/* "512 B", "3.8 kB", "3.8 MB", "1.2 GB" (powers of 1000, as link speeds). */
void summary_format_bytes(char *out, size_t len, uint64_t bytes);

/* A rate for people: "950", "182k", "3.4M". */
void summary_format_rate(char *out, size_t len, double per_s);

typedef struct SummaryFigures {
    uint64_t packets, bytes, flows, alerts, anomalies;
    double elapsed_s;
    const char *output;      /* the EVE file, NULL or "" when none */
    bool interrupted;        /* stopped by a signal */
} SummaryFigures;

/* Write the summary line (with its newline) into out; returns its length. */
size_t summary_format(char *out, size_t len, const SummaryFigures *f);

#endif
