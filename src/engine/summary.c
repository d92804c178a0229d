/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * summary.c: the progress line and the end-of-run summary (see summary.h).
 */
#include "engine/summary.h"

#include <string.h>
#include <time.h>

#define DRAW_INTERVAL_S 0.25
#define SHOW_AFTER_S 1.0

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(Progress *pr, FILE *out, bool enabled)
{
    memset(pr, 0, sizeof *pr);
    pr->out = out;
    pr->enabled = enabled && out != NULL;
    pr->start_s = mono_now();
}

double progress_elapsed(const Progress *pr) { return mono_now() - pr->start_s; }

void progress_update(Progress *pr, double share, uint64_t packets)
{
    if (!pr->enabled)
        return;
    double now = mono_now();
    double el = now - pr->start_s;
    if (el < SHOW_AFTER_S || now - pr->last_draw_s < DRAW_INTERVAL_S)
        return;
    pr->last_draw_s = now;
    char rate[32];
    summary_format_rate(rate, sizeof rate, (double)packets / el);
    if (share < 0.0)
        share = 0.0;
    if (share > 1.0)
        share = 1.0;
    /* \r and "erase to end of line": the line is redrawn in place */
    fprintf(pr->out, "\rkasbah: %.0f%% read, %llu packets, %s pkt/s\033[K", share * 100.0,
            (unsigned long long)packets, rate);
    fflush(pr->out);
    pr->shown = true;
}

void progress_clear(Progress *pr)
{
    if (!pr->shown)
        return;
    fputs("\r\033[K", pr->out);
    fflush(pr->out);
    pr->shown = false;
}

void summary_format_bytes(char *out, size_t len, uint64_t bytes)
{
    static const char *const unit[] = { "kB", "MB", "GB", "TB", "PB" };
    if (bytes < 1000) {
        snprintf(out, len, "%llu B", (unsigned long long)bytes);
        return;
    }
    double v = (double)bytes / 1000.0;
    size_t u = 0;
    while (v >= 999.95 && u + 1 < sizeof unit / sizeof unit[0]) {
        v /= 1000.0;
        u++;
    }
    snprintf(out, len, "%.1f %s", v, unit[u]);
}

void summary_format_rate(char *out, size_t len, double per_s)
{
    if (!(per_s >= 0.0)) /* also NaN */
        per_s = 0.0;
    if (per_s < 999.5)
        snprintf(out, len, "%.0f", per_s);
    else if (per_s < 999.5e3)
        snprintf(out, len, "%.0fk", per_s / 1e3);
    else if (per_s < 999.5e6)
        snprintf(out, len, "%.1fM", per_s / 1e6);
    else
        snprintf(out, len, "%.1fG", per_s / 1e9);
}

size_t summary_format(char *out, size_t len, const SummaryFigures *f)
{
    char bytes[32], rate[32];
    summary_format_bytes(bytes, sizeof bytes, f->bytes);
    double el = f->elapsed_s > 0.0 ? f->elapsed_s : 0.0;
    summary_format_rate(rate, sizeof rate, el > 0.0 ? (double)f->packets / el : 0.0);
    const char *where = f->output != NULL && f->output[0] != '\0' ? f->output : NULL;
    int n = snprintf(out, len,
                     "kasbah: %s%llu packets (%s), %llu flows, %llu alerts, %llu anomalies "
                     "in %.2f s (%s pkt/s); %s%s\n",
                     f->interrupted ? "interrupted after " : "",
                     (unsigned long long)f->packets, bytes, (unsigned long long)f->flows,
                     (unsigned long long)f->alerts, (unsigned long long)f->anomalies, el, rate,
                     where ? "output in " : "no EVE output (eve-log disabled)", where ? where : "");
    if (n < 0)
        return 0;
    return (size_t)n < len ? (size_t)n : (len > 0 ? len - 1 : 0);
}
