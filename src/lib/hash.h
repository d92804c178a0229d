/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hash.h: MD5 (RFC 1321), SHA-1 (RFC 3174 / FIPS 180-4) and SHA-256
 * (FIPS 180-4) message digests, incremental and one-shot.
 *
 * Where it sits: lib/ leaf. Used by applayer/tls (certificate fingerprints,
 * JA3/JA3S/JA4) and by detect transforms (to_md5, to_sha256).
 * Not for security: they reproduce the fingerprints other tools print.
 *
 * Invariants: a context is caller storage, no allocation; update() may be
 * called with any split of the input; final() writes the digest and leaves
 * the context unusable until init(). Thread-safe on distinct contexts.
 */
#ifndef KASBAH_LIB_HASH_H
#define KASBAH_LIB_HASH_H

#include <stddef.h>
#include <stdint.h>

#define MD5_LEN 16
#define SHA1_LEN 20
#define SHA256_LEN 32

typedef struct HashCtx {
    uint32_t h[8];
    uint64_t total;     /* bytes hashed so far */
    uint8_t block[64];
    size_t fill;        /* bytes waiting in block */
} HashCtx;

void md5_init(HashCtx *c);
void md5_update(HashCtx *c, const uint8_t *buf, size_t len);
void md5_final(HashCtx *c, uint8_t out[MD5_LEN]);
void md5_buf(const uint8_t *buf, size_t len, uint8_t out[MD5_LEN]);

void sha1_init(HashCtx *c);
void sha1_update(HashCtx *c, const uint8_t *buf, size_t len);
void sha1_final(HashCtx *c, uint8_t out[SHA1_LEN]);
void sha1_buf(const uint8_t *buf, size_t len, uint8_t out[SHA1_LEN]);

void sha256_init(HashCtx *c);
void sha256_update(HashCtx *c, const uint8_t *buf, size_t len);
void sha256_final(HashCtx *c, uint8_t out[SHA256_LEN]);
void sha256_buf(const uint8_t *buf, size_t len, uint8_t out[SHA256_LEN]);

/* Write len bytes as lowercase hex into out (2*len+1 bytes, NUL-terminated). */
void hash_hex(const uint8_t *buf, size_t len, char *out);

#endif
