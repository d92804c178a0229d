/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json.h: a streaming JSON writer into a growable buffer (JsonBuf).
 *
 * Where it sits: lib/ leaf; output/ builds every EVE record with it (one
 * JsonBuf per record, reused: json_reset() keeps the memory). Spec: RFC 8259.
 *
 * The writer keeps a nesting stack, so commas and colons are automatic:
 *
 *     json_object_begin(j);
 *     json_kv_str(j, "event_type", "flow");
 *     json_kv_object_begin(j, "flow");      // == json_key + json_object_begin
 *     json_kv_u64(j, "pkts_toserver", 3);
 *     json_object_end(j);
 *     json_object_end(j);                   // {"event_type":"flow","flow":{"pkts_toserver":3}}
 *
 * Strings are escaped the way Suricata's EVE writer (rust/src/jsonbuilder.rs)
 * escapes them, so values compare equal byte for byte:
 *   - `"` and `\` become `\"` and `\\`; 0x08 0x09 0x0a 0x0c 0x0d become
 *     `\b \t \n \f \r`; every other byte below 0x20 becomes `\u00xx`
 *     (lowercase hex). 0x7f is written as is.
 *   - If the whole string is valid UTF-8 (RFC 3629: no overlongs, no
 *     surrogates, nothing above U+10FFFF) its bytes >= 0x80 are copied
 *     unchanged.
 *   - Otherwise every byte >= 0x80 of the string (valid sequences included,
 *     as Suricata does) is written as the four characters `\xNN` (lowercase
 *     hex), which in JSON text reads `\\xNN`. The output is always valid
 *     UTF-8 JSON.
 *
 * Numbers: integers in decimal; doubles in the shortest form that reads back
 * to the same double ("%.15g", else 16, else 17 significant digits), never
 * locale-dependent; NaN and infinities are written as null (as Suricata).
 *
 * Errors are sticky: when an allocation fails (the MemAccount cap, or
 * malloc) or the calls are unbalanced (value where a key is needed, end
 * without begin, nesting deeper than JSON_MAX_DEPTH), json_ok() turns false
 * and further calls are ignored; the caller drops the record. No call aborts.
 *
 * Ownership: the JsonBuf is caller-provided storage (json_init/json_fini);
 * its buffer is charged to the account given to json_init (NULL: uncharged).
 * Strings passed in are borrowed. Not thread-safe: one JsonBuf per thread.
 */
#ifndef KASBAH_LIB_JSON_H
#define KASBAH_LIB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/alloc.h"

/* Nesting limit; EVE records are at most ~6 deep. */
#define JSON_MAX_DEPTH 32

typedef struct JsonBuf {
    char *buf;                       /* text so far (not NUL-terminated; see json_cstr) */
    size_t len, cap;
    MemAccount *acct;
    bool failed;                     /* sticky: OOM or misuse */
    bool after_key;                  /* a key was written; its value comes next */
    uint8_t depth;                   /* open containers */
    uint8_t kind[JSON_MAX_DEPTH];    /* '{' or '[' per open container */
    uint8_t n_items[JSON_MAX_DEPTH]; /* 0 until the container has a member (saturates at 1) */
} JsonBuf;

/* Initialise empty storage; no allocation until the first write. */
void json_init(JsonBuf *j, MemAccount *acct);
/* Release the buffer. The JsonBuf may be json_init'ed again. */
void json_fini(JsonBuf *j);
/* Empty the text and the nesting state, clear the error; keep the memory. */
void json_reset(JsonBuf *j);

/* True when no error happened since the last reset. */
static inline bool json_ok(const JsonBuf *j) { return !j->failed; }
/* True when every container is closed and no error happened. */
static inline bool json_complete(const JsonBuf *j) { return !j->failed && j->depth == 0 && !j->after_key && j->len > 0; }
static inline const char *json_data(const JsonBuf *j) { return j->buf; }
static inline size_t json_len(const JsonBuf *j) { return j->len; }
/* The text NUL-terminated (adds a NUL after the end, not counted in len);
 * "" when empty or failed. Valid until the next write. */
const char *json_cstr(JsonBuf *j);

/* Containers. */
void json_object_begin(JsonBuf *j);
void json_object_end(JsonBuf *j);
void json_array_begin(JsonBuf *j);
void json_array_end(JsonBuf *j);

/* A member name inside an object (escaped like a string value). */
void json_key(JsonBuf *j, const char *key);

/* Values: in an array, or after json_key. */
void json_str(JsonBuf *j, const char *s);              /* NUL-terminated; NULL writes null */
void json_strn(JsonBuf *j, const char *s, size_t len); /* may contain NULs */
void json_bytes(JsonBuf *j, const uint8_t *buf, size_t len); /* same escaping as json_strn */
void json_hex(JsonBuf *j, const uint8_t *buf, size_t len);   /* "0a1b..", lowercase */
void json_base64(JsonBuf *j, const uint8_t *buf, size_t len);/* RFC 4648 with padding */
void json_u64(JsonBuf *j, uint64_t v);
void json_i64(JsonBuf *j, int64_t v);
void json_double(JsonBuf *j, double v);
void json_bool(JsonBuf *j, bool v);
void json_null(JsonBuf *j);
/* A value that is already JSON text (the caller vouches for it). */
void json_raw(JsonBuf *j, const char *text, size_t len);

/* Key + value shorthands, for the common case inside an object. */
void json_kv_str(JsonBuf *j, const char *key, const char *s);
void json_kv_strn(JsonBuf *j, const char *key, const char *s, size_t len);
void json_kv_bytes(JsonBuf *j, const char *key, const uint8_t *buf, size_t len);
void json_kv_u64(JsonBuf *j, const char *key, uint64_t v);
void json_kv_i64(JsonBuf *j, const char *key, int64_t v);
void json_kv_double(JsonBuf *j, const char *key, double v);
void json_kv_bool(JsonBuf *j, const char *key, bool v);
void json_kv_object_begin(JsonBuf *j, const char *key);
void json_kv_array_begin(JsonBuf *j, const char *key);

/* Format v as json_double does into out (>= 32 bytes); returns the length. */
size_t json_format_double(char *out, size_t size, double v);

#endif
