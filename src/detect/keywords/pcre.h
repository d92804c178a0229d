/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/pcre.h: the pcre keyword through PCRE2 with JIT.
 *
 * `pcre:[!]"/regex/flags"`; flags i s m x A E G map to PCRE2 options, R
 * makes the match relative to the previous payload keyword, O and B are
 * accepted (limits, rawbytes); the HTTP buffer flags (U I P Q H D M C S Y V
 * W Z) put the pcre on the matching app-layer buffer. A match moves the
 * inspection cursor to the end of the match (Suricata's semantics); a
 * negated pcre succeeds when there is no match and never moves it.
 *
 * Compiled patterns are shared read-only; each worker uses its own match
 * data (pcre_thread_new).
 */
#ifndef KASBAH_DETECT_KEYWORDS_PCRE_H
#define KASBAH_DETECT_KEYWORDS_PCRE_H

#include <stdbool.h>
#include <stdint.h>

enum {
    PC_RELATIVE = 1u << 0,
    PC_NEGATED = 1u << 1,
    PC_RAWBYTES = 1u << 2,
};

typedef struct PcreCtx {
    void *re;          /* pcre2_code */
    uint32_t flags;    /* PC_* */
} PcreCtx;

/* Per-thread match state (match data + match context with limits). */
typedef struct PcreThread PcreThread;
PcreThread *pcre_thread_new(void);
void pcre_thread_free(PcreThread *t);

/* Run the regex on buf[0..len) starting at start. 1 with the match span
 * in mstart and mend, 0 when no match (or a match-limit hit, counted as
 * none). */
int pcre_match_at(const PcreCtx *c, PcreThread *t, const uint8_t *buf, uint32_t len, uint32_t start,
                  uint32_t *mstart, uint32_t *mend);

#endif
