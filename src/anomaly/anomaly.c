/* SPDX-License-Identifier: GPL-2.0-only */
/* anomaly.c: PLACEHOLDER until the detector lands: always disabled. */
#include "anomaly/anomaly.h"

AnomalyEngine *anomaly_new(const Config *conf, Stats *stats, AnomalyEmitFn emit, void *user, int *err)
{
    (void)conf; (void)stats; (void)emit; (void)user;
    *err = 0;
    return NULL;
}
void anomaly_packet(AnomalyEngine *ae, const Packet *p) { (void)ae; (void)p; }
int anomaly_finish(AnomalyEngine *ae) { (void)ae; return 0; }
void anomaly_free(AnomalyEngine *ae) { (void)ae; }
