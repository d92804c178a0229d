/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/base64.h: `base64_decode:[bytes <n>][, offset <n>][, relative]`
 * and the sticky buffer `base64_data`, as Suricata's detect-base64-decode.c
 * and detect-base64-data.c.
 *
 * base64_decode sits in a buffer list (payload or a sticky buffer) and is
 * run by inspect.c: it decodes base64 text starting at `offset` (from the
 * buffer start, or from the cursor with `relative`), at most `bytes` input
 * bytes (default: the rest of the buffer), RFC 4648 alphabet, stopping at
 * the first byte outside it or at padding, into at most BASE64_DECODE_MAX
 * bytes. It matches when something was decoded. When the rule has a
 * base64_data list, that list is then inspected over the decoded bytes and
 * decides the match: like Suricata, base64_data is a terminal list (what
 * follows base64_decode in the outer list is not evaluated after it).
 * Without base64_data the outer list goes on after base64_decode.
 * base64_data is only valid after a base64_decode in the same rule.
 */
#ifndef KASBAH_DETECT_KEYWORDS_BASE64_H
#define KASBAH_DETECT_KEYWORDS_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Suricata's BASE64_DECODE_MAX: decoded bytes kept per inspection. */
#define BASE64_DECODE_MAX 65535u

typedef struct Base64Ctx {
    uint32_t bytes;     /* input bytes to decode at most; 0 = the rest of the buffer */
    uint32_t offset;
    bool relative;
} Base64Ctx;

/* Decode RFC 4648 base64 from in[0..len) into out (cap bytes): 4-character
 * groups until a byte outside the alphabet, '=' or the end; a final group
 * of 2 or 3 characters gives 1 or 2 bytes. Returns the bytes written.
 * Thread-safe. */
size_t base64_decode_rfc4648(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* Run base64_decode c over buf with the cursor at cur: decoded bytes into
 * out (cap), their count into *out_len. True when at least one byte was
 * decoded. Thread-safe. */
bool base64_decode_eval(const Base64Ctx *c, const uint8_t *buf, uint32_t len, uint32_t cur, uint8_t *out,
                        uint32_t cap, uint32_t *out_len);

/* Buffer id of base64_data (registered by kw_base64_register; -1 before). */
int base64_data_buffer_id(void);

#endif
