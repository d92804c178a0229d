/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/threshold.h: threshold and detection_filter (rule keywords) and
 * the threshold.config entries that set or suppress them.
 *
 *   threshold: type limit|threshold|both|backoff, track by_src|by_dst|
 *              by_rule|by_both|by_flow, count N, seconds N | multiplier M
 *   detection_filter: track ..., count N, seconds N [, unique_on src_port|dst_port]
 *
 * Semantics (Suricata's detect-engine-threshold.c), per tracked key, with a
 * window opened by the first match and reset once `seconds` have passed:
 *   limit      alert on the first `count` matches of a window;
 *   threshold  alert on every `count`-th match of a window;
 *   both       alert once, on the `count`-th match of a window;
 *   backoff    alert on match number count, count*m, count*m^2, ...;
 *   detection_filter  alert on every match after the first `count` of a
 *              window (with unique_on: once more than `count` distinct
 *              port values were seen in it).
 * The rule itself still matched (its flowbits etc. ran); only the alert and
 * its action are suppressed.
 */
#ifndef KASBAH_DETECT_KEYWORDS_THRESHOLD_H
#define KASBAH_DETECT_KEYWORDS_THRESHOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/packet.h"

struct DetectThread;
struct Signature;

typedef enum ThreshType {
    THRESH_LIMIT = 0, THRESH_THRESHOLD, THRESH_BOTH, THRESH_BACKOFF, THRESH_DETECTION_FILTER, THRESH_SUPPRESS,
} ThreshType;

typedef enum ThreshTrack {
    TRACK_SRC = 0, TRACK_DST, TRACK_RULE, TRACK_BOTH, TRACK_FLOW,
} ThreshTrack;

enum { UNIQUE_NONE = 0, UNIQUE_SRC_PORT, UNIQUE_DST_PORT };

typedef struct ThresholdCtx {
    ThreshType type;
    ThreshTrack track;
    uint32_t count;
    uint32_t seconds;
    uint32_t multiplier;
    uint8_t unique_on;
} ThresholdCtx;

/* Parse the argument of threshold (is_df false) or detection_filter. 0 or
 * -1 with a message in err. Exposed for threshold.config and tests. */
int threshold_parse(const char *arg, bool is_df, ThresholdCtx *out, char *err, size_t err_len);

/* Should this match of s (with threshold t) raise its alert? Updates the
 * tracking state of the worker / flow. */
bool threshold_check(struct DetectThread *dt, const struct Signature *s, const ThresholdCtx *t, Packet *p);

/* Free a worker's threshold entries (DetectThread teardown). */
void threshold_thread_fini(struct DetectThread *dt);

/* Free the by_flow entries kept in a flow's detect state. */
struct DetectFlowState;
void threshold_flow_fini(struct DetectFlowState *st);

/* A threshold.config line applied to signatures at load time. */
typedef struct ThresholdRule {
    uint32_t gid, sid;        /* 0 = any */
    bool suppress;
    ThresholdCtx t;           /* threshold / event_filter settings */
    ThreshTrack ip_track;     /* suppress: TRACK_SRC, TRACK_DST or TRACK_BOTH (either) */
    struct AddrSet *ip;       /* suppress ... track by_x, ip X; NULL: suppress always */
} ThresholdRule;

/*
 * Read a threshold.config file (Suricata's format, one entry a line):
 *   threshold gen_id G, sig_id S, type T, track K, count N, seconds N
 *   event_filter ... (same as threshold)
 *   suppress gen_id G, sig_id S[, track by_src|by_dst|by_either, ip ADDR]
 * and apply it to the engine's signatures: a threshold replaces the rule's
 * own, a suppress silences the rule (for the given addresses). rate_filter
 * is reported as unsupported. Bad lines are reported "FILE:LINE: ..." and
 * skipped. Returns entries applied, -1 when the file cannot be read.
 */
struct DetectEngine;
int threshold_config_load(struct DetectEngine *de, const char *path);

/* Is this alert silenced by a suppress entry of s? */
bool threshold_suppressed(const struct Signature *s, const Packet *p);

/* Free the entries (engine teardown). */
void threshold_config_fini(struct DetectEngine *de);

#endif
