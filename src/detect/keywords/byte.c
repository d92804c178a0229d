/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/byte.c: byte_test, byte_jump, byte_extract, byte_math (see
 * byte.h): argument parsing and evaluation.
 */
#include "detect/keywords/byte.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

#define MAX_ARGS 16

/* ------------------------------------------------------------------ */
/* Evaluation                                                          */
/* ------------------------------------------------------------------ */

static unsigned ctz32(uint32_t v)
{
    unsigned n = 0;
    while (v && !(v & 1u)) {
        v >>= 1;
        n++;
    }
    return n;
}

/* Read c->nbytes at pos (already bounds-checked by the caller or here).
 * A string of 0 bytes (byte_test only) is every digit from pos up to the
 * first non-digit or the end of the buffer, as Suricata's strtoull over an
 * unbounded string: `http.content_len; byte_test:0,>,100,0,string,dec`. */
static bool read_value(const ByteCtx *c, const uint8_t *buf, uint32_t len, int64_t pos, uint64_t *out)
{
    if (pos < 0 || pos > (int64_t)len || (int64_t)len - pos < c->nbytes)
        return false;
    const uint8_t *p = buf + pos;
    uint64_t v = 0;
    if (c->flags & BY_STRING) {
        unsigned digits = 0;
        uint32_t n = c->nbytes ? c->nbytes : (uint32_t)((int64_t)len - pos);
        for (uint32_t i = 0; i < n; i++) {
            int d;
            int ch = p[i];
            if (ch >= '0' && ch <= '9')
                d = ch - '0';
            else if (c->base == 16 && isxdigit(ch))
                d = tolower(ch) - 'a' + 10;
            else
                break;
            if (d >= c->base)
                break;
            if (v > (UINT64_MAX - (uint64_t)d) / c->base)
                return false;
            v = v * c->base + (uint64_t)d;
            digits++;
        }
        if (digits == 0)
            return false;
    } else if (c->flags & BY_LITTLE) {
        for (unsigned i = c->nbytes; i > 0; i--)
            v = (v << 8) | p[i - 1];
    } else {
        for (unsigned i = 0; i < c->nbytes; i++)
            v = (v << 8) | p[i];
    }
    if (c->flags & BY_BITMASK) {
        v &= c->bitmask;
        if (c->bitmask)
            v >>= ctz32(c->bitmask);
    }
    *out = v;
    return true;
}

static int64_t offset_of(const ByteCtx *c, const uint64_t *vars)
{
    return (c->flags & BY_OFFSET_VAR) ? (int64_t)vars[c->offset] : (int64_t)c->offset;
}

bool isdataat_eval(const IsdataatCtx *c, uint32_t len, uint32_t cur, const uint64_t *vars)
{
    uint64_t n = (c->flags & BY_NBYTES_VAR) ? vars[c->n] : c->n;
    bool ok;
    if (c->flags & BY_RELATIVE)
        ok = (uint64_t)cur + n <= len;
    else
        ok = n < len;
    return (c->flags & BY_NEGATE) ? !ok : ok;
}

bool byte_test_eval(const ByteCtx *c, const uint8_t *buf, uint32_t len, uint32_t cur, const uint64_t *vars)
{
    int64_t pos = offset_of(c, vars) + ((c->flags & BY_RELATIVE) ? (int64_t)cur : 0);
    uint64_t v;
    if (!read_value(c, buf, len, pos, &v))
        return false;
    uint64_t ref = (c->flags & BY_VALUE_VAR) ? vars[c->value] : c->value;
    bool r;
    switch (c->op) {
    case BYTE_OP_LT: r = v < ref; break;
    case BYTE_OP_GT: r = v > ref; break;
    case BYTE_OP_EQ: r = v == ref; break;
    case BYTE_OP_LE: r = v <= ref; break;
    case BYTE_OP_GE: r = v >= ref; break;
    case BYTE_OP_AND: r = (v & ref) != 0; break;
    case BYTE_OP_XOR: r = (v ^ ref) != 0; break;
    default: r = false; break;
    }
    return (c->flags & BY_NEGATE) ? !r : r;
}

bool byte_jump_eval(const ByteCtx *c, const uint8_t *buf, uint32_t len, uint32_t *cur, const uint64_t *vars)
{
    int64_t pos = offset_of(c, vars) + ((c->flags & BY_RELATIVE) ? (int64_t)*cur : 0);
    uint64_t v = 0;
    if (c->nbytes > 0) {
        if (!read_value(c, buf, len, pos, &v))
            return false;
    } else if (pos < 0 || pos > (int64_t)len) {
        return false;
    }
    if (v > UINT32_MAX)
        return false;
    int64_t jv = (int64_t)v * (int64_t)c->multiplier;
    if ((c->flags & BY_ALIGN) && (jv % 4) != 0)
        jv += 4 - (jv % 4);
    int64_t target;
    if (c->flags & BY_FROM_BEGINNING)
        target = jv;
    else if (c->flags & BY_FROM_END)
        target = (int64_t)len + jv;
    else
        target = pos + c->nbytes + jv;
    target += c->post_offset;
    if (target < 0)
        target = 0;
    if (target > (int64_t)len)
        return false;
    *cur = (uint32_t)target;
    return true;
}

bool byte_extract_eval(const ByteCtx *c, const uint8_t *buf, uint32_t len, uint32_t *cur, uint64_t *vars)
{
    int64_t pos = offset_of(c, vars) + ((c->flags & BY_RELATIVE) ? (int64_t)*cur : 0);
    uint64_t v;
    if (!read_value(c, buf, len, pos, &v))
        return false;
    v *= c->multiplier;
    if (c->align > 1 && (v % c->align) != 0)
        v += c->align - (v % c->align);
    vars[c->var] = v;
    *cur = (uint32_t)(pos + c->nbytes);
    return true;
}

bool byte_math_eval(const ByteCtx *c, const uint8_t *buf, uint32_t len, uint32_t cur, uint64_t *vars)
{
    int64_t pos = offset_of(c, vars) + ((c->flags & BY_RELATIVE) ? (int64_t)cur : 0);
    uint64_t v;
    if (!read_value(c, buf, len, pos, &v))
        return false;
    uint64_t r = (c->flags & BY_VALUE_VAR) ? vars[c->value] : c->value;
    uint64_t res;
    switch (c->op) {
    case BYTE_OP_ADD: res = v + r; break;
    case BYTE_OP_SUB: res = v - r; break;
    case BYTE_OP_MUL: res = v * r; break;
    case BYTE_OP_DIV:
        if (r == 0)
            return false;
        res = v / r;
        break;
    case BYTE_OP_SHL: res = r >= 64 ? 0 : v << r; break;
    case BYTE_OP_SHR: res = r >= 64 ? 0 : v >> r; break;
    default: return false;
    }
    vars[c->var] = res;
    return true;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

typedef struct Args {
    char buf[512];
    char *v[MAX_ARGS];
    int n;
} Args;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int split_args(const char *arg, Args *a)
{
    size_t len = strlen(arg);
    if (len >= sizeof a->buf)
        return -1;
    memcpy(a->buf, arg, len + 1);
    a->n = 0;
    char *p = a->buf;
    for (;;) {
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        if (a->n >= MAX_ARGS)
            return -1;
        a->v[a->n++] = trim(p);
        if (!c)
            break;
        p = c + 1;
    }
    return 0;
}

/* "word value" split at the first blank; value NULL when none. */
static char *word_value(char *s)
{
    char *sp = s;
    while (*sp && !isspace((unsigned char)*sp))
        sp++;
    if (!*sp)
        return NULL;
    *sp++ = '\0';
    return trim(sp);
}

static int new_var(DetectParse *pc, const char *name)
{
    Signature *s = pc->s;
    if (!isalpha((unsigned char)name[0]) && name[0] != '_')
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad variable name '%.40s'", name);
    if (sig_var_find(s, name) >= 0)
        return sig_var_find(s, name);
    if (s->n_vars >= SIG_MAX_VARS)
        return detect_parse_error(pc, DETECT_ERR_UNSUPPORTED, "more than %d byte variables", SIG_MAX_VARS);
    char *c = mem_strndup(detect_mem(), name, strlen(name));
    if (!c)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    s->var_names[s->n_vars] = c;
    return s->n_vars++;
}

/* A number or an existing variable: sets *var when it is a variable. */
static int num_or_var(DetectParse *pc, const char *s, int64_t min, int64_t max, int64_t *out, bool *var)
{
    *var = false;
    if (detect_parse_i64(s, min, max, out) == 0)
        return 0;
    int idx = sig_var_find(pc->s, s);
    if (idx >= 0) {
        *out = idx;
        *var = true;
        return 0;
    }
    return -1;
}

/* Options common to the byte keywords; 1 when consumed, 0 unknown, -1 bad. */
static int common_opt(DetectParse *pc, ByteCtx *c, char *opt)
{
    char *val = word_value(opt);
    int64_t v;
    if (strcmp(opt, "relative") == 0 && !val)
        c->flags |= BY_RELATIVE;
    else if (strcmp(opt, "big") == 0 && !val)
        c->flags &= ~(uint32_t)BY_LITTLE;
    else if (strcmp(opt, "little") == 0 && !val)
        c->flags |= BY_LITTLE;
    else if (strcmp(opt, "dce") == 0 && !val)
        return detect_parse_error(pc, DETECT_ERR_NEEDS_APPLAYER, "needs app-layer: dce");
    else if (strcmp(opt, "string") == 0 && !val) {
        c->flags |= BY_STRING;
        if (!c->base)
            c->base = 10;
    } else if (strcmp(opt, "string") == 0 && val) { /* byte_math: string dec */
        c->flags |= BY_STRING;
        if (strcmp(val, "hex") == 0)
            c->base = 16;
        else if (strcmp(val, "dec") == 0)
            c->base = 10;
        else if (strcmp(val, "oct") == 0)
            c->base = 8;
        else
            return -1;
    } else if (strcmp(opt, "hex") == 0 && !val)
        c->base = 16;
    else if (strcmp(opt, "dec") == 0 && !val)
        c->base = 10;
    else if (strcmp(opt, "oct") == 0 && !val)
        c->base = 8;
    else if (strcmp(opt, "bitmask") == 0 && val) {
        uint64_t m;
        if (detect_parse_u64(val, UINT32_MAX, &m) != 0)
            return -1;
        c->flags |= BY_BITMASK;
        c->bitmask = (uint32_t)m;
    } else if (strcmp(opt, "multiplier") == 0 && val) {
        if (detect_parse_i64(val, 1, 65535, &v) != 0)
            return -1;
        c->multiplier = (uint32_t)v;
    } else {
        if (val)
            val[-1] = ' '; /* undo the split: the caller parses its own options */
        return 0;
    }
    return 1;
}

static int check_nbytes(DetectParse *pc, const DetectKeyword *kw, ByteCtx *c, const char *s, bool allow_zero)
{
    uint64_t n;
    if (detect_parse_u64(s, 64, &n) != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad byte count '%.40s'", s);
    if ((n == 0 && !allow_zero) || ((c->flags & BY_STRING) ? n > 23 : n > 8))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "byte count %u out of range (%s)", (unsigned)n,
                                  (c->flags & BY_STRING) ? "1..23 for string" : "1..8");
    if (n == 0 && kw->id == DETECT_KW_BYTE_TEST && !(c->flags & BY_STRING))
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "byte count 0 needs 'string'");
    c->nbytes = (uint8_t)n;
    return 0;
}

static void byte_free(void *p) { mem_free(detect_mem(), p); }

static const DetectKeyword kw_test, kw_jump, kw_extract, kw_math;

static ByteCtx *new_ctx(DetectParse *pc)
{
    ByteCtx *c = mem_calloc(detect_mem(), 1, sizeof *c);
    if (!c)
        detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    else
        c->multiplier = 1;
    return c;
}

static int finish_ctx(DetectParse *pc, const DetectKeyword *kw, ByteCtx *c, const char *nb, bool allow_zero)
{
    if (c->base == 0)
        c->base = 10;
    if ((c->flags & BY_STRING) && (c->flags & BY_LITTLE)) {
        mem_free(detect_mem(), c);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "string and little cannot be combined");
    }
    if (check_nbytes(pc, kw, c, nb, allow_zero) != 0) {
        mem_free(detect_mem(), c);
        return -1;
    }
    /* relative to the previous content: that content's buffer (see isdataat.c) */
    if ((c->flags & BY_RELATIVE) && pc->last_pm_buf >= 0 && pc->last_pm_buf != pc->cur_buf) {
        int cur = pc->cur_buf;
        pc->cur_buf = pc->last_pm_buf;
        int rc = detect_sm_add_buffer(pc, kw, c);
        pc->cur_buf = cur;
        return rc;
    }
    return detect_sm_add_buffer(pc, kw, c);
}

static int offset_arg(DetectParse *pc, ByteCtx *c, const char *s)
{
    int64_t v;
    bool var;
    if (num_or_var(pc, s, -65535, 65535, &v, &var) != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad offset '%.40s'", s);
    c->offset = (int32_t)v;
    if (var)
        c->flags |= BY_OFFSET_VAR;
    return 0;
}

static int byte_test_setup(DetectParse *pc, const char *arg)
{
    Args a;
    if (split_args(arg, &a) != 0 || a.n < 4)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected 'bytes, op, value, offset[, ...]'");
    ByteCtx *c = new_ctx(pc);
    if (!c)
        return -1;
    const char *op = a.v[1];
    if (*op == '!') {
        c->flags |= BY_NEGATE;
        op = trim((char *)op + 1);
    }
    static const struct { const char *s; ByteOp op; } ops[] = {
        { "<", BYTE_OP_LT }, { ">", BYTE_OP_GT }, { "=", BYTE_OP_EQ }, { "<=", BYTE_OP_LE },
        { ">=", BYTE_OP_GE }, { "&", BYTE_OP_AND }, { "^", BYTE_OP_XOR },
    };
    bool found = false;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i].s) == 0) {
            c->op = ops[i].op;
            found = true;
        }
    int64_t v;
    bool var;
    if (!found) {
        mem_free(detect_mem(), c);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad operator '%.10s'", a.v[1]);
    }
    uint64_t uv;
    if (detect_parse_u64(a.v[2], UINT64_MAX, &uv) == 0) {
        c->value = uv;
    } else if (num_or_var(pc, a.v[2], 0, INT64_MAX, &v, &var) == 0 && var) {
        c->value = (uint64_t)v;
        c->flags |= BY_VALUE_VAR;
    } else {
        mem_free(detect_mem(), c);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad value '%.40s'", a.v[2]);
    }
    if (offset_arg(pc, c, a.v[3]) != 0) {
        mem_free(detect_mem(), c);
        return -1;
    }
    for (int i = 4; i < a.n; i++) {
        int r = common_opt(pc, c, a.v[i]);
        if (r <= 0) {
            mem_free(detect_mem(), c);
            return r < 0 && pc->err[0] ? -1
                                       : detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown option '%.40s'", a.v[i]);
        }
    }
    /* 0 bytes: the string form's "all digits" (checked in check_nbytes) */
    return finish_ctx(pc, &kw_test, c, a.v[0], (c->flags & BY_STRING) != 0);
}

static int byte_jump_setup(DetectParse *pc, const char *arg)
{
    Args a;
    if (split_args(arg, &a) != 0 || a.n < 2)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected 'bytes, offset[, ...]'");
    ByteCtx *c = new_ctx(pc);
    if (!c)
        return -1;
    if (offset_arg(pc, c, a.v[1]) != 0) {
        mem_free(detect_mem(), c);
        return -1;
    }
    for (int i = 2; i < a.n; i++) {
        int r = common_opt(pc, c, a.v[i]);
        if (r < 0) {
            mem_free(detect_mem(), c);
            return pc->err[0] ? -1 : detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad option '%.40s'", a.v[i]);
        }
        if (r == 1)
            continue;
        char *o = a.v[i];
        char *val = word_value(o);
        int64_t v;
        if (strcmp(o, "align") == 0 && !val)
            c->flags |= BY_ALIGN;
        else if (strcmp(o, "from_beginning") == 0 && !val)
            c->flags |= BY_FROM_BEGINNING;
        else if (strcmp(o, "from_end") == 0 && !val)
            c->flags |= BY_FROM_END;
        else if (strcmp(o, "post_offset") == 0 && val && detect_parse_i64(val, -65535, 65535, &v) == 0)
            c->post_offset = (int32_t)v;
        else {
            mem_free(detect_mem(), c);
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown option '%.40s'", o);
        }
    }
    if ((c->flags & BY_FROM_BEGINNING) && (c->flags & BY_FROM_END)) {
        mem_free(detect_mem(), c);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "from_beginning and from_end cannot be combined");
    }
    return finish_ctx(pc, &kw_jump, c, a.v[0], true);
}

static int byte_extract_setup(DetectParse *pc, const char *arg)
{
    Args a;
    if (split_args(arg, &a) != 0 || a.n < 3)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "expected 'bytes, offset, name[, ...]'");
    ByteCtx *c = new_ctx(pc);
    if (!c)
        return -1;
    if (offset_arg(pc, c, a.v[1]) != 0) {
        mem_free(detect_mem(), c);
        return -1;
    }
    for (int i = 3; i < a.n; i++) {
        int r = common_opt(pc, c, a.v[i]);
        if (r < 0) {
            mem_free(detect_mem(), c);
            return pc->err[0] ? -1 : detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad option '%.40s'", a.v[i]);
        }
        if (r == 1)
            continue;
        char *o = a.v[i];
        char *val = word_value(o);
        int64_t v;
        if (strcmp(o, "align") == 0 && val && detect_parse_i64(val, 2, 4, &v) == 0 && v != 3)
            c->align = (uint8_t)v;
        else {
            mem_free(detect_mem(), c);
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown option '%.40s'", o);
        }
    }
    int var = new_var(pc, a.v[2]);
    if (var < 0) {
        mem_free(detect_mem(), c);
        return -1;
    }
    c->var = (uint8_t)var;
    return finish_ctx(pc, &kw_extract, c, a.v[0], false);
}

static int byte_math_setup(DetectParse *pc, const char *arg)
{
    Args a;
    if (split_args(arg, &a) != 0)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "too many options");
    ByteCtx *c = new_ctx(pc);
    if (!c)
        return -1;
    const char *nb = NULL, *result = NULL;
    bool have_off = false, have_op = false, have_rv = false;
    for (int i = 0; i < a.n; i++) {
        char *o = a.v[i];
        char *val = word_value(o);
        int64_t v;
        bool var;
        if (strcmp(o, "bytes") == 0 && val) {
            nb = val;
        } else if (strcmp(o, "offset") == 0 && val) {
            if (offset_arg(pc, c, val) != 0)
                goto fail;
            have_off = true;
        } else if (strcmp(o, "oper") == 0 && val) {
            static const struct { const char *s; ByteOp op; } ops[] = {
                { "+", BYTE_OP_ADD }, { "-", BYTE_OP_SUB }, { "*", BYTE_OP_MUL },
                { "/", BYTE_OP_DIV }, { "<<", BYTE_OP_SHL }, { ">>", BYTE_OP_SHR },
            };
            for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
                if (strcmp(val, ops[k].s) == 0) {
                    c->op = ops[k].op;
                    have_op = true;
                }
            if (!have_op) {
                detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad oper '%.10s'", val);
                goto fail;
            }
        } else if (strcmp(o, "rvalue") == 0 && val) {
            if (num_or_var(pc, val, 0, UINT32_MAX, &v, &var) != 0) {
                detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad rvalue '%.40s'", val);
                goto fail;
            }
            c->value = (uint64_t)v;
            if (var)
                c->flags |= BY_VALUE_VAR;
            have_rv = true;
        } else if (strcmp(o, "result") == 0 && val) {
            result = val;
        } else if (strcmp(o, "endian") == 0 && val) {
            if (strcmp(val, "little") == 0)
                c->flags |= BY_LITTLE;
            else if (strcmp(val, "big") != 0) {
                detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad endian '%.10s'", val);
                goto fail;
            }
        } else {
            if (val)
                val[-1] = ' ';
            int r = common_opt(pc, c, o);
            if (r <= 0) {
                if (!pc->err[0])
                    detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "unknown option '%.40s'", o);
                goto fail;
            }
        }
    }
    if (!nb || !have_off || !have_op || !have_rv || !result) {
        detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "needs bytes, offset, oper, rvalue and result");
        goto fail;
    }
    int var = new_var(pc, result);
    if (var < 0)
        goto fail;
    c->var = (uint8_t)var;
    return finish_ctx(pc, &kw_math, c, nb, false);
fail:
    mem_free(detect_mem(), c);
    return -1;
}

static const DetectKeyword kw_test = {
    .name = "byte_test", .id = DETECT_KW_BYTE_TEST, .setup = byte_test_setup, .free = byte_free,
};
static const DetectKeyword kw_jump = {
    .name = "byte_jump", .id = DETECT_KW_BYTE_JUMP, .setup = byte_jump_setup, .free = byte_free,
};
static const DetectKeyword kw_extract = {
    .name = "byte_extract", .id = DETECT_KW_BYTE_EXTRACT, .setup = byte_extract_setup, .free = byte_free,
};
static const DetectKeyword kw_math = {
    .name = "byte_math", .id = DETECT_KW_BYTE_MATH, .setup = byte_math_setup, .free = byte_free,
};

void kw_byte_register(void)
{
    detect_keyword_register(&kw_test);
    detect_keyword_register(&kw_jump);
    detect_keyword_register(&kw_extract);
    detect_keyword_register(&kw_math);
}
