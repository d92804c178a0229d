/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_anomaly.c: speed of the anomaly detector's packet path (features +
 * KitNET scoring) in the default mode, on synthesized decoded packets, so
 * that decode and capture costs are excluded. A benchmark, not a test.
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc tests/anomaly/bench_anomaly.c \
 *      build/src/libkasbah.a -lpcap -lyaml -lz -lpcre2-8 -lhs -lm -lpthread -o /tmp/bench_anomaly
 *   /tmp/bench_anomaly HOSTS [PACKETS]
 *
 * HOSTS distinct source addresses send UDP to 16 servers, 1 us apart, with
 * varying sizes and ports. The detector trains first (fm-grace 5000,
 * ad-grace 50000, not timed); then PACKETS (default 2,000,000) are timed in
 * the execute phase. Prints packets per CPU-second (the process CPU clock, so
 * a loaded machine does not skew it) and the memory account's peak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anomaly/anomaly.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void make(Packet *p, uint32_t hosts, int64_t t)
{
    uint64_t r = next();
    uint32_t h = (uint32_t)(r % hosts);
    memset(p, 0, sizeof(*p));
    p->flags = PKT_HAS_ETH | PKT_HAS_IPV4 | PKT_HAS_UDP;
    p->ip_ver = 4;
    p->ip_proto = 17;
    p->src.b[0] = 10, p->src.b[1] = (uint8_t)(h >> 16), p->src.b[2] = (uint8_t)(h >> 8),
    p->src.b[3] = (uint8_t)h;
    p->dst.b[0] = 192, p->dst.b[1] = 168, p->dst.b[3] = (uint8_t)((r >> 32) & 15);
    memcpy(p->eth_src, p->src.b, 4);
    p->eth_dst[0] = 2;
    p->sp = (uint16_t)(1024 + ((r >> 40) & 3));
    p->dp = 53;
    p->wirelen = p->caplen = (uint32_t)(60 + ((r >> 20) & 511));
    p->ts_ns = t;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    uint32_t hosts = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000;
    uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000000;
    if (hosts == 0)
        hosts = 1;
    static Stats st;
    AnomalySettings s;
    anomaly_settings_defaults(&s);
    s.enabled = true;
    int err;
    AnomalyEngine *ae = anomaly_new_settings(&s, &st, NULL, NULL, &err);
    if (ae == NULL)
        return 1;
    Packet p;
    int64_t t = 1700000000000000000;
    for (uint64_t i = 0; i < s.fm_grace + s.ad_grace + 1; i++) {
        make(&p, hosts, t += 1000);
        anomaly_packet(ae, &p);
    }
    double t0 = now();
    for (uint64_t i = 0; i < n; i++) {
        make(&p, hosts, t += 1000);
        anomaly_packet(ae, &p);
    }
    double dt = now() - t0;
    anomaly_finish(ae);
    MemAccount *a = anomaly_account(ae);
    printf("hosts %u: %llu packets in %.3f s = %.0f packets/s (%.0f ns/packet); "
           "memory peak %.1f MiB (cap %.0f MiB)\n", hosts, (unsigned long long)n, dt, (double)n / dt,
           dt / (double)n * 1e9, (double)a->peak / 1048576.0, (double)a->cap / 1048576.0);
    anomaly_free(ae);
    return 0;
}
