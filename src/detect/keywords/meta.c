/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/meta.c: the keywords that describe a rule rather than match:
 * msg, sid, rev, gid, classtype, priority, reference, metadata, target.
 */
#include "detect/keyword.h"

#include <ctype.h>
#include <string.h>

#include "detect/detect_int.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

#define MAX_TEXT 4096

static int msg_setup(DetectParse *pc, const char *arg)
{
    char buf[MAX_TEXT];
    if (detect_arg_unquote(arg, buf, sizeof buf) != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad or overlong quoted string");
    mem_free(detect_mem(), pc->s->msg);
    pc->s->msg = mem_strndup(detect_mem(), buf, strlen(buf));
    return pc->s->msg ? 0 : detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
}

static int u32_field(DetectParse *pc, const char *arg, uint32_t *out, uint64_t min)
{
    uint64_t v;
    char buf[32];
    if (detect_arg_unquote(arg, buf, sizeof buf) != 0 || detect_parse_u64(buf, UINT32_MAX, &v) != 0 || v < min)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected a number, got '%.40s'", arg);
    *out = (uint32_t)v;
    return 0;
}

static int sid_setup(DetectParse *pc, const char *arg) { return u32_field(pc, arg, &pc->s->sid, 1); }
static int rev_setup(DetectParse *pc, const char *arg) { return u32_field(pc, arg, &pc->s->rev, 0); }
static int gid_setup(DetectParse *pc, const char *arg) { return u32_field(pc, arg, &pc->s->gid, 0); }

static int priority_setup(DetectParse *pc, const char *arg)
{
    uint32_t v = 0;
    if (u32_field(pc, arg, &v, 1) != 0 || v > 255)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "priority must be 1..255, got '%.40s'", arg);
    pc->s->prio = (int)v;
    pc->s->prio_explicit = true;
    return 0;
}

static int classtype_setup(DetectParse *pc, const char *arg)
{
    char buf[128];
    if (detect_arg_unquote(arg, buf, sizeof buf) != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad classtype '%.40s'", arg);
    const ClassType *c = class_table_find(&pc->de->classes, buf);
    if (!c)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown classtype '%s'", buf);
    pc->s->klass = c;
    return 0;
}

static char *dup_part(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return mem_strndup(detect_mem(), s, n);
}

static int reference_setup(DetectParse *pc, const char *arg)
{
    const char *comma = strchr(arg, ',');
    if (!comma)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected 'system,id', got '%.40s'", arg);
    Signature *s = pc->s;
    char *type = dup_part(arg, (size_t)(comma - arg));
    char *value = dup_part(comma + 1, strlen(comma + 1));
    if (!type || !value || !*type || !*value) {
        mem_free(detect_mem(), type);
        mem_free(detect_mem(), value);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected 'system,id', got '%.40s'", arg);
    }
    if (pc->de->classes.have_refs && !class_table_ref_url(&pc->de->classes, type)) {
        detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown reference system '%s'", type);
        mem_free(detect_mem(), type);
        mem_free(detect_mem(), value);
        return -1;
    }
    SigReference *nr = mem_realloc(detect_mem(), s->refs, (s->n_refs + 1u) * sizeof *nr);
    if (!nr) {
        mem_free(detect_mem(), type);
        mem_free(detect_mem(), value);
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    }
    s->refs = nr;
    s->refs[s->n_refs].type = type;
    s->refs[s->n_refs].value = value;
    s->n_refs++;
    return 0;
}

/* metadata: key value, key value, ...  (a bare word is a key with no value) */
static int metadata_setup(DetectParse *pc, const char *arg)
{
    Signature *s = pc->s;
    const char *p = arg;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *q = p;
        while (q < p + n && isspace((unsigned char)*q))
            q++;
        const char *sp = q;
        while (sp < p + n && !isspace((unsigned char)*sp))
            sp++;
        if (sp > q) {
            char *key = dup_part(q, (size_t)(sp - q));
            char *val = dup_part(sp, (size_t)(p + n - sp));
            SigMetadata *nm = mem_realloc(detect_mem(), s->meta, (s->n_meta + 1u) * sizeof *nm);
            if (!key || !val || !nm) {
                mem_free(detect_mem(), key);
                mem_free(detect_mem(), val);
                if (nm)
                    s->meta = nm;
                return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
            }
            s->meta = nm;
            s->meta[s->n_meta].key = key;
            s->meta[s->n_meta].value = val;
            s->n_meta++;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

static int target_setup(DetectParse *pc, const char *arg)
{
    if (strcmp(arg, "src_ip") == 0)
        pc->s->target = SIG_TARGET_SRC;
    else if (strcmp(arg, "dest_ip") == 0)
        pc->s->target = SIG_TARGET_DST;
    else
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "target must be src_ip or dest_ip, got '%.40s'", arg);
    return 0;
}

static const DetectKeyword kws[] = {
    { .name = "msg", .setup = msg_setup },
    { .name = "sid", .setup = sid_setup },
    { .name = "rev", .setup = rev_setup },
    { .name = "gid", .setup = gid_setup },
    { .name = "priority", .setup = priority_setup },
    { .name = "classtype", .setup = classtype_setup },
    { .name = "reference", .setup = reference_setup },
    { .name = "metadata", .setup = metadata_setup },
    { .name = "target", .setup = target_setup },
};

void kw_meta_register(void)
{
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        detect_keyword_register(&kws[i]);
}
