/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/fastlog.c: fast.log (see fastlog.h).
 */
#include "output/fastlog.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "lib/alloc.h"
#include "output/eve.h"

struct FastLog {
    FILE *f;
    char path[4096];
    pthread_mutex_t mu;
    bool failed;
};

/* The `fast` entry of outputs, or NULL. *have_outputs says whether an
 * outputs list exists at all. */
static const ConfNode *fast_node(const Config *cfg, bool *have_outputs)
{
    *have_outputs = false;
    const ConfNode *outs = cfg ? conf_node(cfg, "outputs") : NULL;
    if (!outs)
        return NULL;
    *have_outputs = true;
    for (const ConfNode *c = conf_node_first(outs); c; c = conf_node_next(c)) {
        const ConfNode *f = conf_node_child(c, "fast");
        if (f)
            return f;
    }
    return NULL;
}

static bool node_bool(const ConfNode *n, const char *key, bool dflt)
{
    const ConfNode *c = n ? conf_node_child(n, key) : NULL;
    const char *v = c ? conf_node_value(c) : NULL;
    if (!v)
        return dflt;
    return !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1");
}

FastLog *fastlog_open(const Config *cfg, const char *logdir, int *failed)
{
    if (failed)
        *failed = 0;
    bool have_outputs;
    const ConfNode *n = fast_node(cfg, &have_outputs);
    if (have_outputs && (!n || !node_bool(n, "enabled", true)))
        return NULL;
    const ConfNode *fn = n ? conf_node_child(n, "filename") : NULL;
    const char *name = fn && conf_node_value(fn) ? conf_node_value(fn) : "fast.log";
    bool append = node_bool(n, "append", false);
    FastLog *fl = mem_calloc(NULL, 1, sizeof *fl);
    if (!fl) {
        log_error("%s: out of memory opening %s", logdir && *logdir ? logdir : ".", name);
        if (failed)
            *failed = 1;
        return NULL;
    }
    if (name[0] == '/' || !logdir || !*logdir)
        snprintf(fl->path, sizeof fl->path, "%s", name);
    else
        snprintf(fl->path, sizeof fl->path, "%s/%s", logdir, name);
    fl->f = fopen(fl->path, append ? "a" : "w");
    if (!fl->f) {
        log_error("%s: cannot open fast.log: %s", fl->path, strerror(errno));
        mem_free(NULL, fl);
        if (failed)
            *failed = 1;
        return NULL;
    }
    pthread_mutex_init(&fl->mu, NULL);
    return fl;
}

static size_t fmt_time(char *out, size_t cap, int64_t ts_ns)
{
    time_t secs = (time_t)(ts_ns / 1000000000);
    long usec = (long)((ts_ns % 1000000000) / 1000);
    if (ts_ns < 0 && usec != 0) {
        secs--;
        usec += 1000000;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    int n = snprintf(out, cap, "%02d/%02d/%04d-%02d:%02d:%02d.%06ld", tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
    return n > 0 ? (size_t)n : 0;
}

size_t fastlog_format(char *out, size_t cap, const Packet *p, const DetectAlert *a, bool ips)
{
    char ts[48], src[EVE_IP_LEN], dst[EVE_IP_LEN], protobuf[8];
    fmt_time(ts, sizeof ts, p->ts_ns);
    eve_format_ip(src, &p->src, p->ip_ver);
    eve_format_ip(dst, &p->dst, p->ip_ver);
    const char *proto = eve_proto_name(p->ip_proto);
    if (!proto) {
        snprintf(protobuf, sizeof protobuf, "%u", p->ip_proto);
        proto = protobuf;
    }
    bool drop = a->action != DETECT_ACTION_ALERT && a->action != DETECT_ACTION_PASS;
    const char *act = drop ? (ips ? "[Drop] " : "[wDrop] ") : "";
    unsigned sp = p->sp, dp = p->dp;
    if (pkt_has(p, PKT_HAS_ICMPV4 | PKT_HAS_ICMPV6)) {
        sp = p->icmp_type;
        dp = p->icmp_code;
    }
    int n = snprintf(out, cap,
                     "%s  %s[**] [%" PRIu32 ":%" PRIu32 ":%" PRIu32 "] %s [**] [Classification: %s] "
                     "[Priority: %d] {%s} %s:%u -> %s:%u\n",
                     ts, act, a->gid, a->sid, a->rev, a->msg ? a->msg : "", a->category ? a->category : "(null)",
                     a->severity, proto, src, sp, dst, dp);
    if (n < 0)
        return 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

int fastlog_write(FastLog *fl, const Packet *p, const DetectAlerts *as)
{
    if (!fl || as->n == 0)
        return 0;
    char line[2048];
    int rc = 0;
    pthread_mutex_lock(&fl->mu);
    for (unsigned i = 0; i < as->n; i++) {
        size_t n = fastlog_format(line, sizeof line, p, &as->a[i], as->a[i].blocked);
        if (!fl->failed && fwrite(line, 1, n, fl->f) != n) {
            log_error("%s: write failed: %s", fl->path, strerror(errno));
            fl->failed = true;
        }
        if (fl->failed)
            rc = -1;
    }
    pthread_mutex_unlock(&fl->mu);
    return rc;
}

int fastlog_write_lines(FastLog *fl, const char *data, size_t len)
{
    if (!fl || len == 0)
        return 0;
    pthread_mutex_lock(&fl->mu);
    if (!fl->failed && fwrite(data, 1, len, fl->f) != len) {
        log_error("%s: write failed: %s", fl->path, strerror(errno));
        fl->failed = true;
    }
    int rc = fl->failed ? -1 : 0;
    pthread_mutex_unlock(&fl->mu);
    return rc;
}

int fastlog_close(FastLog *fl)
{
    if (!fl)
        return 0;
    int rc = fl->failed ? -1 : 0;
    if (fclose(fl->f) != 0)
        rc = -1;
    pthread_mutex_destroy(&fl->mu);
    mem_free(NULL, fl);
    return rc;
}
