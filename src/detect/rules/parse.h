/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rules/parse.h: one rule's text to a Signature, and rule files to an
 * engine's signature list.
 *
 * Rule grammar (Suricata's):
 *   action proto src_addr src_port (-> | <>) dst_addr dst_port (options)
 * options are `name;` or `name:value;`, value ending at the first ';' not
 * escaped by a backslash. Files: '#' starts a comment line, a trailing
 * backslash continues the rule on the next line, blank lines are skipped.
 *
 * Failures are reported as "FILE:LINE: sid N: reason" (sid 0 when it could
 * not be read), counted, and the rule is skipped.
 */
#ifndef KASBAH_DETECT_RULES_PARSE_H
#define KASBAH_DETECT_RULES_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "detect/keyword.h"
#include "detect/signature.h"

typedef struct RuleError {
    DetectErrKind kind;
    uint32_t sid;       /* best effort; 0 when unknown */
    char msg[300];
} RuleError;

/* Parse one rule (no comment, no continuation). Returns a new Signature, or
 * NULL with *err filled. de supplies the configuration, classification and
 * name tables. file must outlive the signature. */
Signature *rule_parse(struct DetectEngine *de, const char *text, const char *file, uint32_t line,
                      RuleError *err);

/* Load every rule of a file into de (appending to de->sigs, counting
 * de->loaded / de->failed, reporting failures and duplicate sids).
 * Returns 0, or -1 when the file cannot be read (counted as nothing). */
int rule_file_load(struct DetectEngine *de, const char *path);

/* As rule_file_load, from an open stream; path names it in messages. */
int rule_stream_load(struct DetectEngine *de, FILE *f, const char *path);

/* Short text for an error kind ("unknown keyword", ...). */
const char *rule_err_kind_name(DetectErrKind k);

#endif
