/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * float_check.c: how far the default mode's float32 scoring is from float64.
 * A measurement tool for docs/ANOMALY.md, not a test.
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc tests/anomaly/float_check.c BUILD/src/libkasbah.a \
 *      -lpcap -lyaml -lz -lpcre2-8 -lhs -lm -lpthread -o /tmp/float_check
 *   kasbah -r mirai_first38363.pcap -l OUT --set anomaly.enabled=yes \
 *      --set anomaly.fm-grace=5000 --set anomaly.ad-grace=20000 --set anomaly.dump-features=F
 *   /tmp/float_check F 5000 20000 THRESHOLD
 *
 * Two identical KitNETs (default mode: bounded normaliser, table sigmoid in training) learn
 * from the same features; once both execute, the second is switched to the float64 path
 * with libm's exp (kitnet_set_fast false). Every executed packet is scored by both; the
 * tool prints the largest relative score difference and how many packets fall on
 * different sides of THRESHOLD (the threshold kasbah logged for the same run).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/kitnet.h"

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: float_check FEATURES FM AD THRESHOLD\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    double thr = strtod(argv[4], NULL);
    KitNetConfig c;
    kitnet_config_defaults(&c);
    c.fm_grace = strtoull(argv[2], NULL, 10);
    c.ad_grace = strtoull(argv[3], NULL, 10);
    c.norm = KITNET_NORM_BOUNDED;
    c.fast = true;
    KitNet *a = kitnet_new(&c, NULL), *b = kitnet_new(&c, NULL);
    if (a == NULL || b == NULL)
        return 1;
    double x[100], max_rel = 0, sum_rel = 0;
    unsigned long n = 0, n_exec = 0, above_a = 0, above_b = 0, differ = 0;
    while (fread(x, sizeof(double), 100, f) == 100) {
        bool exec = kitnet_phase(a) == KITNET_PHASE_EXECUTE;
        if (exec && kitnet_config(b)->fast)
            kitnet_set_fast(b, false);
        double sa = kitnet_process(a, x), sb = kitnet_process(b, x);
        n++;
        if (!exec)
            continue;
        n_exec++;
        double rel = fabs(sa - sb) / (fabs(sb) > 0 ? fabs(sb) : 1);
        sum_rel += rel;
        if (rel > max_rel)
            max_rel = rel;
        above_a += sa > thr;
        above_b += sb > thr;
        differ += (sa > thr) != (sb > thr);
    }
    fclose(f);
    printf("%lu packets, %lu scored; float32 vs float64 score: max relative difference %.3g, "
           "mean %.3g; above %g: float32 %lu, float64 %lu, on different sides %lu\n", n, n_exec,
           max_rel, n_exec ? sum_rel / (double)n_exec : 0.0, thr, above_a, above_b, differ);
    kitnet_free(a);
    kitnet_free(b);
    return 0;
}
