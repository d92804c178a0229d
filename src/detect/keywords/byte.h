/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/byte.h: isdataat, byte_test, byte_jump, byte_extract and
 * byte_math: the payload keywords that read numbers or lengths. Parsing in
 * isdataat.c / byte.c; inspect.c calls the *_eval functions with the
 * inspection cursor (`cur`, the end of the previous match, which `relative`
 * offsets start from) and the signature's variables.
 *
 * Semantics follow Suricata (detect-bytetest.c, detect-bytejump.c,
 * detect-byte-extract.c, detect-bytemath.c, detect-isdataat.c):
 *   - values are read big endian unless `little`; `string,<hex|dec|oct>`
 *     reads ASCII digits instead; `bitmask M` masks the value and shifts it
 *     right by M's trailing zero bits;
 *   - byte_test and isdataat never move the cursor; byte_jump moves it to
 *     the jump target (clamped at the buffer start; failing beyond the end);
 *     byte_extract moves it past the bytes read; byte_math does not move it.
 */
#ifndef KASBAH_DETECT_KEYWORDS_BYTE_H
#define KASBAH_DETECT_KEYWORDS_BYTE_H

#include <stdbool.h>
#include <stdint.h>

enum {
    BY_RELATIVE = 1u << 0,
    BY_LITTLE = 1u << 1,
    BY_STRING = 1u << 2,
    BY_NEGATE = 1u << 3,
    BY_ALIGN = 1u << 4,
    BY_FROM_BEGINNING = 1u << 5,
    BY_FROM_END = 1u << 6,
    BY_VALUE_VAR = 1u << 7,     /* value (byte_test) / rvalue (byte_math) is a variable */
    BY_OFFSET_VAR = 1u << 8,    /* offset is a variable */
    BY_BITMASK = 1u << 9,
    BY_DCE = 1u << 10,
    BY_NBYTES_VAR = 1u << 11,   /* byte_test/isdataat: nbytes/value from a variable */
};

typedef enum ByteOp {
    BYTE_OP_LT = 0, BYTE_OP_GT, BYTE_OP_EQ, BYTE_OP_LE, BYTE_OP_GE, BYTE_OP_AND, BYTE_OP_XOR,
    BYTE_OP_ADD, BYTE_OP_SUB, BYTE_OP_MUL, BYTE_OP_DIV, BYTE_OP_SHL, BYTE_OP_SHR,
} ByteOp;

typedef struct ByteCtx {
    uint32_t flags;       /* BY_* */
    uint8_t nbytes;
    uint8_t base;         /* 8, 10 or 16 with BY_STRING */
    ByteOp op;
    int32_t offset;       /* or variable index with BY_OFFSET_VAR */
    uint64_t value;       /* byte_test value / byte_math rvalue, or variable index */
    uint32_t bitmask;
    uint32_t multiplier;  /* byte_jump / byte_extract (1 when unset) */
    int32_t post_offset;  /* byte_jump */
    uint8_t align;        /* byte_extract align 2/4, byte_jump align (4) */
    uint8_t var;          /* byte_extract / byte_math: result variable index */
} ByteCtx;

typedef struct IsdataatCtx {
    uint32_t flags;       /* BY_RELATIVE, BY_NEGATE, BY_NBYTES_VAR */
    uint32_t n;           /* or variable index */
} IsdataatCtx;

bool isdataat_eval(const IsdataatCtx *c, uint32_t len, uint32_t cur, const uint64_t *vars);
bool byte_test_eval(const ByteCtx *c, const uint8_t *buf, uint32_t len, uint32_t cur, const uint64_t *vars);
/* On success *cur is moved to the jump target. */
bool byte_jump_eval(const ByteCtx *c, const uint8_t *buf, uint32_t len, uint32_t *cur, const uint64_t *vars);
/* On success stores the value in vars[c->var] and moves *cur past the bytes. */
bool byte_extract_eval(const ByteCtx *c, const uint8_t *buf, uint32_t len, uint32_t *cur, uint64_t *vars);
bool byte_math_eval(const ByteCtx *c, const uint8_t *buf, uint32_t len, uint32_t cur, uint64_t *vars);

#endif
