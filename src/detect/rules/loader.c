/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rules/loader.c: reading rule files (comments, continuation lines) into
 * an engine, with failure reports and duplicate-sid detection.
 */
#include "detect/rules/parse.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "detect/detect_int.h"
#include "lib/alloc.h"

#define MAX_RULE_LEN (1u << 20) /* a rule longer than 1 MiB is abuse, not a rule */

static uint32_t key_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (uint32_t)k;
}

static int sid_grow(DetectEngine *de)
{
    uint32_t nc = de->sid_cap ? de->sid_cap * 2 : 1024;
    uint64_t *keys = mem_calloc(detect_mem(), nc, sizeof *keys);
    uint32_t *idx = mem_calloc(detect_mem(), nc, sizeof *idx);
    if (!keys || !idx) {
        mem_free(detect_mem(), keys);
        mem_free(detect_mem(), idx);
        return -1;
    }
    for (uint32_t i = 0; i < de->sid_cap; i++) {
        if (!de->sid_keys[i])
            continue;
        uint32_t h = key_hash(de->sid_keys[i]) & (nc - 1);
        while (keys[h])
            h = (h + 1) & (nc - 1);
        keys[h] = de->sid_keys[i];
        idx[h] = de->sid_idx[i];
    }
    mem_free(detect_mem(), de->sid_keys);
    mem_free(detect_mem(), de->sid_idx);
    de->sid_keys = keys;
    de->sid_idx = idx;
    de->sid_cap = nc;
    return 0;
}

/* Find the slot of (gid, sid); *found says whether it is taken. */
static uint32_t sid_slot(const DetectEngine *de, uint32_t gid, uint32_t sid, bool *found)
{
    uint64_t k = (((uint64_t)gid << 32) | sid) + 1;
    uint32_t h = key_hash(k) & (de->sid_cap - 1);
    while (de->sid_keys[h] && de->sid_keys[h] != k)
        h = (h + 1) & (de->sid_cap - 1);
    *found = de->sid_keys[h] == k;
    return h;
}

static int add_sig(DetectEngine *de, Signature *s)
{
    if ((de->sid_n + 1) * 2 > de->sid_cap && sid_grow(de) != 0)
        return -1;
    bool found;
    uint32_t slot = sid_slot(de, s->gid, s->sid, &found);
    if (found) {
        const Signature *o = de->sigs[de->sid_idx[slot]];
        log_error("%s:%u: sid %u: duplicate signature (gid %u sid %u already loaded at %s:%u)", s->file, s->line,
                  s->sid, s->gid, s->sid, o->file, o->line);
        de->failed++;
        sig_free(s);
        return 0;
    }
    if (de->n_sigs == de->cap_sigs) {
        uint32_t nc = de->cap_sigs ? de->cap_sigs * 2 : 256;
        Signature **ns = mem_realloc(detect_mem(), de->sigs, nc * sizeof *ns);
        if (!ns)
            return -1;
        de->sigs = ns;
        de->cap_sigs = nc;
    }
    de->sid_keys[slot] = (((uint64_t)s->gid << 32) | s->sid) + 1;
    de->sid_idx[slot] = de->n_sigs;
    de->sid_n++;
    de->sigs[de->n_sigs++] = s;
    de->loaded++;
    return 0;
}

static const char *intern_file(DetectEngine *de, const char *path)
{
    for (uint32_t i = 0; i < de->n_files; i++)
        if (strcmp(de->files[i], path) == 0)
            return de->files[i];
    char **nf = mem_realloc(detect_mem(), de->files, (de->n_files + 1) * sizeof *nf);
    if (!nf)
        return NULL;
    de->files = nf;
    char *c = mem_strndup(detect_mem(), path, strlen(path));
    if (!c)
        return NULL;
    de->files[de->n_files++] = c;
    return c;
}

/* Append src[0..n) to the growing rule text. */
static int text_append(char **buf, size_t *len, size_t *cap, const char *src, size_t n)
{
    if (*len + n + 1 > MAX_RULE_LEN)
        return -1;
    if (*len + n + 1 > *cap) {
        size_t nc = *cap ? *cap : 256;
        while (nc < *len + n + 1)
            nc *= 2;
        char *nb = mem_realloc(detect_mem(), *buf, nc);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, src, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

static void handle_rule(DetectEngine *de, const char *file, uint32_t line, const char *text)
{
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#')
        return;
    RuleError err;
    Signature *s = rule_parse(de, p, file, line, &err);
    if (!s) {
        log_error("%s:%u: sid %u: %s", file, line, err.sid, err.msg);
        de->failed++;
        return;
    }
    if (add_sig(de, s) != 0) {
        log_error("%s:%u: sid %u: out of memory", file, line, s->sid);
        de->failed++;
        sig_free(s);
    }
}

int rule_file_load(DetectEngine *de, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        log_error("%s: cannot open rule file: %s", path, strerror(errno));
        de->files_failed++;
        return -1;
    }
    int rc = rule_stream_load(de, f, path);
    fclose(f);
    return rc;
}

int rule_stream_load(DetectEngine *de, FILE *f, const char *path)
{
    const char *file = intern_file(de, path);
    if (!file)
        return -1;
    char *rule = NULL;
    size_t rlen = 0, rcap = 0;
    uint32_t lineno = 0, start_line = 0;
    bool too_long = false;
    char chunk[8192];
    char *line = NULL;
    size_t llen = 0, lcap = 0;
    for (;;) {
        /* read one physical line of any length */
        llen = 0;
        bool got = false, eol = false;
        while (fgets(chunk, sizeof chunk, f)) {
            got = true;
            size_t n = strlen(chunk);
            if (text_append(&line, &llen, &lcap, chunk, n) != 0)
                too_long = true;
            if (n > 0 && chunk[n - 1] == '\n') {
                eol = true;
                break;
            }
        }
        if (!got)
            break;
        (void)eol;
        lineno++;
        if (line == NULL)
            continue;
        while (llen > 0 && (line[llen - 1] == '\n' || line[llen - 1] == '\r'))
            line[--llen] = '\0';
        if (rlen == 0)
            start_line = lineno;
        bool cont = llen > 0 && line[llen - 1] == '\\';
        if (cont)
            line[--llen] = '\0';
        if (text_append(&rule, &rlen, &rcap, line, llen) != 0)
            too_long = true;
        if (cont)
            continue;
        if (too_long) {
            log_error("%s:%u: sid 0: rule longer than %u bytes", file, start_line, MAX_RULE_LEN);
            de->failed++;
            too_long = false;
        } else if (rule) {
            handle_rule(de, file, start_line, rule);
        }
        rlen = 0;
        if (rule)
            rule[0] = '\0';
    }
    if (rlen > 0 && !too_long)
        handle_rule(de, file, start_line, rule);
    mem_free(detect_mem(), rule);
    mem_free(detect_mem(), line);
    return 0;
}
