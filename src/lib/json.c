/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json.c: the JSON writer (see json.h for the escaping rules and why).
 *
 * Invariants: buf[0..len) is always a valid prefix of a JSON text; every
 * write first reserves its worst case, so the emitters below never check
 * room byte by byte; once `failed` is set nothing more is written.
 */
#include "lib/json.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HEX[] = "0123456789abcdef";

/* Escape class per byte: 0 copy, 'u' as \u00xx, else the letter after '\'. */
static const uint8_t ESC[256] = {
    ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
    [0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u',
    [0x06] = 'u', [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u', [0x10] = 'u',
    [0x11] = 'u', [0x12] = 'u', [0x13] = 'u', [0x14] = 'u', [0x15] = 'u', [0x16] = 'u',
    [0x17] = 'u', [0x18] = 'u', [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u',
    [0x1d] = 'u', [0x1e] = 'u', [0x1f] = 'u', ['"'] = '"', ['\\'] = '\\',
};

/* ---- buffer ---- */

void json_init(JsonBuf *j, MemAccount *acct)
{
    memset(j, 0, sizeof *j);
    j->acct = acct;
}

void json_fini(JsonBuf *j)
{
    mem_free(j->acct, j->buf);
    MemAccount *a = j->acct;
    memset(j, 0, sizeof *j);
    j->acct = a;
}

void json_reset(JsonBuf *j)
{
    j->len = 0;
    j->failed = false;
    j->after_key = false;
    j->depth = 0;
}

/* Make room for n more bytes (+1 for json_cstr's NUL). false after failing. */
static bool reserve(JsonBuf *j, size_t n)
{
    if (j->failed)
        return false;
    if (n <= j->cap - j->len && j->cap - j->len - n >= 1)
        return true;
    if (n > SIZE_MAX / 2 - j->len) {
        j->failed = true;
        return false;
    }
    size_t need = j->len + n + 1;
    size_t cap = j->cap ? j->cap : 256;
    while (cap < need)
        cap *= 2;
    char *nb = mem_realloc(j->acct, j->buf, cap);
    if (nb == NULL) {
        j->failed = true;
        return false;
    }
    j->buf = nb;
    j->cap = cap;
    return true;
}

static inline void put(JsonBuf *j, const char *s, size_t n)
{
    memcpy(j->buf + j->len, s, n);
    j->len += n;
}

const char *json_cstr(JsonBuf *j)
{
    if (j->failed || j->buf == NULL)
        return "";
    j->buf[j->len] = '\0'; /* reserve() always keeps one spare byte */
    return j->buf;
}

/* ---- nesting ---- */

/* Prepare for a value: a comma between array members, nothing after a key.
 * extra is the value's worst-case length. false when the value is not
 * allowed here (inside an object without a key) or room is lacking. */
static bool value_start(JsonBuf *j, size_t extra)
{
    if (j->failed)
        return false;
    if (!reserve(j, extra + 1))
        return false;
    if (j->after_key) {
        j->after_key = false;
        return true;
    }
    if (j->depth == 0) {
        if (j->len != 0) { /* a second top-level value */
            j->failed = true;
            return false;
        }
        return true;
    }
    if (j->kind[j->depth - 1] != '[') { /* a value in an object needs a key */
        j->failed = true;
        return false;
    }
    if (j->n_items[j->depth - 1])
        j->buf[j->len++] = ',';
    j->n_items[j->depth - 1] = 1;
    return true;
}

static void open_container(JsonBuf *j, char kind)
{
    if (j->depth >= JSON_MAX_DEPTH) {
        j->failed = true;
        return;
    }
    if (!value_start(j, 1))
        return;
    j->buf[j->len++] = kind;
    j->kind[j->depth] = (uint8_t)kind;
    j->n_items[j->depth] = 0;
    j->depth++;
}

static void close_container(JsonBuf *j, char kind)
{
    if (j->failed)
        return;
    if (j->depth == 0 || j->after_key || j->kind[j->depth - 1] != (uint8_t)kind) {
        j->failed = true;
        return;
    }
    if (!reserve(j, 1))
        return;
    j->buf[j->len++] = kind == '{' ? '}' : ']';
    j->depth--;
}

void json_object_begin(JsonBuf *j) { open_container(j, '{'); }
void json_object_end(JsonBuf *j) { close_container(j, '{'); }
void json_array_begin(JsonBuf *j) { open_container(j, '['); }
void json_array_end(JsonBuf *j) { close_container(j, '['); }

/* ---- strings ---- */

/* RFC 3629 validation (the same set Rust's str::from_utf8 accepts). */
static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0)
                lo = 0xa0; /* no overlongs */
            else if (c == 0xed)
                hi = 0x9f; /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0)
                lo = 0x90;
            else if (c == 0xf4)
                hi = 0x8f; /* nothing above U+10FFFF */
        } else {
            return false;
        }
        if (n - i - 1 < need)
            return false;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
        i += need + 1;
    }
    return true;
}

/* Bytes copied unchanged whatever the string: printable ASCII but '"' and '\\'. */
static bool plain(uint8_t c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

/* Write s as a quoted, escaped JSON string; room must already be reserved
 * for the worst case (6 per byte + 2). Runs of plain bytes are copied with
 * memcpy; the UTF-8 check runs only when a byte >= 0x80 shows up. */
static void put_escaped(JsonBuf *j, const uint8_t *s, size_t n)
{
    int hexhigh = -1; /* unknown until a high byte is seen */
    char *o = j->buf + j->len;
    *o++ = '"';
    size_t i = 0;
    for (;;) {
        size_t run = i;
        while (run < n && plain(s[run]))
            run++;
        memcpy(o, s + i, run - i);
        o += run - i;
        i = run;
        if (i == n)
            break;
        uint8_t c = s[i++];
        uint8_t e = ESC[c];
        if (e == 0) { /* c >= 0x80 */
            if (hexhigh < 0)
                hexhigh = !utf8_valid(s, n);
            if (hexhigh) {
                /* Suricata's "\xNN" text, whose backslash JSON escapes. */
                *o++ = '\\';
                *o++ = '\\';
                *o++ = 'x';
                *o++ = HEX[c >> 4];
                *o++ = HEX[c & 0xf];
            } else {
                *o++ = (char)c;
            }
        } else if (e == 'u') {
            *o++ = '\\';
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = HEX[c >> 4];
            *o++ = HEX[c & 0xf];
        } else {
            *o++ = '\\';
            *o++ = (char)e;
        }
    }
    *o++ = '"';
    j->len = (size_t)(o - j->buf);
}

static bool room_for_string(size_t n, size_t *out)
{
    if (n > (SIZE_MAX - 8) / 6)
        return false;
    *out = n * 6 + 2;
    return true;
}

void json_bytes(JsonBuf *j, const uint8_t *buf, size_t len)
{
    size_t need;
    if (!room_for_string(len, &need)) {
        j->failed = true;
        return;
    }
    if (!value_start(j, need))
        return;
    put_escaped(j, buf, len);
}

void json_strn(JsonBuf *j, const char *s, size_t len) { json_bytes(j, (const uint8_t *)s, len); }

void json_str(JsonBuf *j, const char *s)
{
    if (s == NULL)
        json_null(j);
    else
        json_bytes(j, (const uint8_t *)s, strlen(s));
}

void json_key(JsonBuf *j, const char *key)
{
    if (j->failed)
        return;
    if (j->depth == 0 || j->kind[j->depth - 1] != '{' || j->after_key) {
        j->failed = true;
        return;
    }
    size_t n = strlen(key), need;
    if (!room_for_string(n, &need) || !reserve(j, need + 2)) {
        j->failed = true;
        return;
    }
    if (j->n_items[j->depth - 1])
        j->buf[j->len++] = ',';
    j->n_items[j->depth - 1] = 1;
    put_escaped(j, (const uint8_t *)key, n);
    j->buf[j->len++] = ':';
    j->after_key = true;
}

void json_hex(JsonBuf *j, const uint8_t *buf, size_t len)
{
    if (len > (SIZE_MAX - 8) / 2) {
        j->failed = true;
        return;
    }
    if (!value_start(j, len * 2 + 2))
        return;
    char *o = j->buf + j->len;
    *o++ = '"';
    for (size_t i = 0; i < len; i++) {
        *o++ = HEX[buf[i] >> 4];
        *o++ = HEX[buf[i] & 0xf];
    }
    *o++ = '"';
    j->len = (size_t)(o - j->buf);
}

void json_base64(JsonBuf *j, const uint8_t *buf, size_t len)
{
    static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (len > (SIZE_MAX - 16) / 4 * 3 - 3) {
        j->failed = true;
        return;
    }
    if (!value_start(j, (len + 2) / 3 * 4 + 2))
        return;
    char *o = j->buf + j->len;
    *o++ = '"';
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)buf[i] << 16 | (uint32_t)buf[i + 1] << 8 | buf[i + 2];
        *o++ = B64[v >> 18];
        *o++ = B64[(v >> 12) & 63];
        *o++ = B64[(v >> 6) & 63];
        *o++ = B64[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)buf[i] << 16;
        *o++ = B64[v >> 18];
        *o++ = B64[(v >> 12) & 63];
        *o++ = '=';
        *o++ = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)buf[i] << 16 | (uint32_t)buf[i + 1] << 8;
        *o++ = B64[v >> 18];
        *o++ = B64[(v >> 12) & 63];
        *o++ = B64[(v >> 6) & 63];
        *o++ = '=';
    }
    *o++ = '"';
    j->len = (size_t)(o - j->buf);
}

/* ---- numbers and literals ---- */

static const char DIGIT_PAIRS[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Decimal digits of v into the end of tmp[20], two at a time; returns the start. */
static char *u64_digits(char tmp[20], uint64_t v)
{
    char *p = tmp + 20;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, DIGIT_PAIRS + 2 * r, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, DIGIT_PAIRS + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    return p;
}

void json_u64(JsonBuf *j, uint64_t v)
{
    if (!value_start(j, 20))
        return;
    char tmp[20];
    char *p = u64_digits(tmp, v);
    put(j, p, (size_t)(tmp + 20 - p));
}

void json_i64(JsonBuf *j, int64_t v)
{
    if (!value_start(j, 21))
        return;
    uint64_t u = (uint64_t)v;
    if (v < 0) {
        j->buf[j->len++] = '-';
        u = 0 - u; /* well defined for INT64_MIN too */
    }
    char tmp[20];
    char *p = u64_digits(tmp, u);
    put(j, p, (size_t)(tmp + 20 - p));
}

/* printf's decimal point follows LC_NUMERIC; kasbah never calls setlocale,
 * but a library might: force '.' so the output never depends on it. */
static void fix_radix(char *s)
{
    for (; *s; s++)
        if (*s == ',')
            *s = '.';
}

size_t json_format_double(char *out, size_t size, double v)
{
    if (size < 32) {
        if (size > 0)
            out[0] = '\0';
        return 0;
    }
    if (isnan(v) || isinf(v)) {
        memcpy(out, "null", 5);
        return 4;
    }
    /* For a normal double whose shortest form has <= 15 digits, %.15g
     * rounds to exactly that form (half an ulp, 2^-53 relative, is below
     * half a unit of the 15th digit), and %g strips the trailing zeros; so
     * the first precision from 15 up that reads back is the shortest. */
    /* Subnormals carry fewer digits, so the search starts at 1 for them. */
    int n = 0;
    for (int prec = fabs(v) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
        n = snprintf(out, size, "%.*g", prec, v);
        if (n < 0 || (size_t)n >= size) {
            out[0] = '\0';
            return 0;
        }
        if (strtod(out, NULL) == v) /* same locale both ways */
            break;
    }
    fix_radix(out);
    return (size_t)n;
}

void json_double(JsonBuf *j, double v)
{
    char tmp[40];
    size_t n = json_format_double(tmp, sizeof tmp, v);
    if (!value_start(j, n))
        return;
    put(j, tmp, n);
}

void json_bool(JsonBuf *j, bool v)
{
    if (!value_start(j, 5))
        return;
    if (v)
        put(j, "true", 4);
    else
        put(j, "false", 5);
}

void json_null(JsonBuf *j)
{
    if (!value_start(j, 4))
        return;
    put(j, "null", 4);
}

void json_raw(JsonBuf *j, const char *text, size_t len)
{
    if (!value_start(j, len))
        return;
    put(j, text, len);
}

/* ---- key + value ---- */

void json_kv_str(JsonBuf *j, const char *key, const char *s)
{
    json_key(j, key);
    json_str(j, s);
}
void json_kv_strn(JsonBuf *j, const char *key, const char *s, size_t len)
{
    json_key(j, key);
    json_strn(j, s, len);
}
void json_kv_bytes(JsonBuf *j, const char *key, const uint8_t *buf, size_t len)
{
    json_key(j, key);
    json_bytes(j, buf, len);
}
void json_kv_u64(JsonBuf *j, const char *key, uint64_t v)
{
    json_key(j, key);
    json_u64(j, v);
}
void json_kv_i64(JsonBuf *j, const char *key, int64_t v)
{
    json_key(j, key);
    json_i64(j, v);
}
void json_kv_double(JsonBuf *j, const char *key, double v)
{
    json_key(j, key);
    json_double(j, v);
}
void json_kv_bool(JsonBuf *j, const char *key, bool v)
{
    json_key(j, key);
    json_bool(j, v);
}
void json_kv_object_begin(JsonBuf *j, const char *key)
{
    json_key(j, key);
    json_object_begin(j);
}
void json_kv_array_begin(JsonBuf *j, const char *key)
{
    json_key(j, key);
    json_array_begin(j);
}
