/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reader.h: the bounds-checked byte reader. Every byte that decode/ and
 * applayer/ take from a packet or a stream goes through it.
 *
 * A Reader is a cursor over (buf, len). Reads past the end never touch memory
 * outside the buffer: they return 0 (or NULL for spans), leave the cursor
 * where it was and latch `err`. A parser can therefore read a whole header
 * and test `rd_ok()` once at the end, as tcpdump's GET_* macros allow.
 *
 * Invariant: off <= len at all times. All functions are inline, allocation
 * free and thread-safe on distinct readers.
 */
#ifndef KASBAH_LIB_READER_H
#define KASBAH_LIB_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Reader {
    const uint8_t *buf;
    size_t len;
    size_t off;
    bool err;
} Reader;

/* Start reading buf[0..len). buf may be NULL only when len is 0. */
static inline Reader rd_init(const uint8_t *buf, size_t len)
{
    Reader r = { buf, len, 0, false };
    return r;
}

static inline size_t rd_left(const Reader *r) { return r->len - r->off; }
static inline size_t rd_pos(const Reader *r) { return r->off; }
static inline bool rd_ok(const Reader *r) { return !r->err; }
static inline bool rd_has(const Reader *r, size_t n) { return n <= r->len - r->off; }

/* Pointer to the unread bytes; valid for rd_left() bytes. */
static inline const uint8_t *rd_cur(const Reader *r) { return r->buf + r->off; }

/* Advance by n bytes; false (and err latched) when fewer than n remain. */
static inline bool rd_skip(Reader *r, size_t n)
{
    if (!rd_has(r, n)) {
        r->err = true;
        return false;
    }
    r->off += n;
    return true;
}

/* Move to absolute offset pos (<= len). */
static inline bool rd_seek(Reader *r, size_t pos)
{
    if (pos > r->len) {
        r->err = true;
        return false;
    }
    r->off = pos;
    return true;
}

/* Return a pointer to the next n bytes and advance, or NULL (err latched). */
static inline const uint8_t *rd_span(Reader *r, size_t n)
{
    if (!rd_has(r, n)) {
        r->err = true;
        return NULL;
    }
    const uint8_t *p = r->buf + r->off;
    r->off += n;
    return p;
}

/* A sub-reader over the next n bytes (clamped to what is left; err latched on
 * the parent when clamped). The parent advances past them. */
static inline Reader rd_sub(Reader *r, size_t n)
{
    size_t left = rd_left(r);
    if (n > left) {
        r->err = true;
        n = left;
    }
    Reader s = rd_init(r->buf + r->off, n);
    r->off += n;
    return s;
}

static inline uint8_t rd_u8(Reader *r)
{
    if (!rd_has(r, 1)) {
        r->err = true;
        return 0;
    }
    return r->buf[r->off++];
}

static inline uint16_t rd_be16(Reader *r)
{
    if (!rd_has(r, 2)) {
        r->err = true;
        return 0;
    }
    const uint8_t *p = r->buf + r->off;
    r->off += 2;
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t rd_be24(Reader *r)
{
    if (!rd_has(r, 3)) {
        r->err = true;
        return 0;
    }
    const uint8_t *p = r->buf + r->off;
    r->off += 3;
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

static inline uint32_t rd_be32(Reader *r)
{
    if (!rd_has(r, 4)) {
        r->err = true;
        return 0;
    }
    const uint8_t *p = r->buf + r->off;
    r->off += 4;
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t rd_be64(Reader *r)
{
    uint64_t hi = rd_be32(r);
    uint64_t lo = rd_be32(r);
    return (hi << 32) | lo;
}

static inline uint16_t rd_le16(Reader *r)
{
    if (!rd_has(r, 2)) {
        r->err = true;
        return 0;
    }
    const uint8_t *p = r->buf + r->off;
    r->off += 2;
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t rd_le32(Reader *r)
{
    if (!rd_has(r, 4)) {
        r->err = true;
        return 0;
    }
    const uint8_t *p = r->buf + r->off;
    r->off += 4;
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Copy n bytes out; on short input copies nothing and latches err. */
static inline bool rd_copy(Reader *r, void *dst, size_t n)
{
    const uint8_t *p = rd_span(r, n);
    if (p == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)dst)[i] = p[i];
    return true;
}

/* Peek at absolute offset pos without moving; 0 and err when out of range. */
static inline uint8_t rd_peek_u8(Reader *r, size_t pos)
{
    if (pos >= r->len) {
        r->err = true;
        return 0;
    }
    return r->buf[pos];
}

static inline uint16_t rd_peek_be16(Reader *r, size_t pos)
{
    if (pos >= r->len || r->len - pos < 2) {
        r->err = true;
        return 0;
    }
    return (uint16_t)((r->buf[pos] << 8) | r->buf[pos + 1]);
}

static inline uint32_t rd_peek_be32(Reader *r, size_t pos)
{
    if (pos >= r->len || r->len - pos < 4) {
        r->err = true;
        return 0;
    }
    const uint8_t *p = r->buf + pos;
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#endif
