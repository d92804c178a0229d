/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rules/classification.h: classification.config (classtype -> text and
 * priority) and reference.config (reference system -> URL prefix).
 *
 * File format (Snort/Suricata), one entry a line, '#' comments:
 *   config classification: shortname,short description,priority
 *   config reference: system url_prefix
 * A bad line is reported as "FILE:LINE: ..." and skipped.
 *
 * When no classification file is found, the table holds the classes of
 * Suricata's stock classification.config (built in), so that rules written
 * against the stock file load. Tables are read-only after loading.
 */
#ifndef KASBAH_DETECT_RULES_CLASSIFICATION_H
#define KASBAH_DETECT_RULES_CLASSIFICATION_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ClassType {
    char *name;
    char *desc;
    int prio;
} ClassType;

typedef struct ClassTable {
    ClassType *v;
    size_t n, cap;
    char **ref_sys;     /* reference.config: system names */
    char **ref_url;     /* and their URL prefixes */
    size_t n_ref, cap_ref;
    bool have_refs;     /* a reference.config was loaded */
} ClassTable;

/* Load a classification.config, replacing entries of the same name. Returns
 * the number of entries read, or -1 when the file cannot be opened. */
int class_table_load(ClassTable *t, const char *path);

/* Load the built-in stock classes. 0 or -1 (OOM). */
int class_table_load_defaults(ClassTable *t);

/* Load a reference.config. Entries read, or -1 when it cannot be opened. */
int class_table_load_refs(ClassTable *t, const char *path);

/* Parse one classification line's text after "config classification:"
 * (exposed for tests). 0 or -1. */
int class_table_add_line(ClassTable *t, const char *text);

const ClassType *class_table_find(const ClassTable *t, const char *name);
/* URL prefix of a reference system, NULL when unknown. */
const char *class_table_ref_url(const ClassTable *t, const char *sys);

void class_table_fini(ClassTable *t);

#endif
