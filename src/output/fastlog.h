/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/fastlog.h: fast.log, Suricata's one-line alert format
 * (alert-fastlog.c):
 *
 *   MM/DD/YYYY-HH:MM:SS.uuuuuu  [**] [gid:sid:rev] msg [**] \
 *   [Classification: text] [Priority: N] {PROTO} src:sp -> dst:dp
 *
 * with "[Drop] " before "[**]" for a drop in IPS mode and "[wDrop] " for a
 * drop rule in IDS mode; ICMP shows type and code in the port places; a
 * rule without classtype shows "(null)" as Suricata does.
 *
 * Configuration: the first `fast` entry of `outputs` (enabled, filename
 * default "fast.log", append default no). Without an `outputs` list the
 * file is written (Suricata's stock configuration enables it).
 * Thread-safe: one mutex per log.
 */
#ifndef KASBAH_OUTPUT_FASTLOG_H
#define KASBAH_OUTPUT_FASTLOG_H

#include <stddef.h>

#include "core/config.h"
#include "detect/detect.h"

typedef struct FastLog FastLog;

/* Open per configuration; NULL when disabled or (after logging) when the
 * file cannot be created. *failed tells the two apart (may be NULL). */
FastLog *fastlog_open(const Config *cfg, const char *logdir, int *failed);

/* Write the packet's alerts. 0, or -1 on a write error (logged once). */
int fastlog_write(FastLog *fl, const Packet *p, const DetectAlerts *as);

/* Format one line into out (for tests); returns its length (truncated to
 * cap - 1). ips: --simulate-ips. */
size_t fastlog_format(char *out, size_t cap, const Packet *p, const DetectAlert *a, bool ips);

/* Close; 0 or -1 when a write failed. NULL is a no-op. */
int fastlog_close(FastLog *fl);

/* Append complete lines made by fastlog_format (data[0..len)), as they
 * are: the engine's merger writes the lines of worker threads in packet
 * order. 0, or -1 on a write error (logged once). Thread-safe. fl may be
 * NULL (nothing to do). */
int fastlog_write_lines(FastLog *fl, const char *data, size_t len);

#endif
