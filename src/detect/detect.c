/* SPDX-License-Identifier: GPL-2.0-only */
/* detect.c: PLACEHOLDER until the signature engine lands: loads no rules. */
#include "detect/detect.h"

#include <stdlib.h>

struct DetectEngine { uint64_t loaded, failed; };
struct DetectThread { const DetectEngine *de; };

DetectEngine *detect_engine_new(const Config *conf, const char *const *rule_files, size_t n_files)
{
    (void)conf; (void)rule_files; (void)n_files;
    return calloc(1, sizeof(DetectEngine));
}
void detect_engine_free(DetectEngine *de) { free(de); }
uint64_t detect_engine_rules_loaded(const DetectEngine *de) { return de->loaded; }
uint64_t detect_engine_rules_failed(const DetectEngine *de) { return de->failed; }
DetectThread *detect_thread_new(const DetectEngine *de, Stats *stats)
{
    (void)stats;
    DetectThread *dt = calloc(1, sizeof *dt);
    if (dt) dt->de = de;
    return dt;
}
void detect_thread_free(DetectThread *dt) { free(dt); }
void detect_packet(DetectThread *dt, Packet *p, DetectAlerts *out) { (void)dt; (void)p; out->n = 0; out->drop = false; }
void detect_flow_end(DetectThread *dt, Flow *f) { (void)dt; (void)f; }
