/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/asn1.h: `asn1:<option>[, <option>...]` -- BER sanity checks on
 * the inspected buffer, as Suricata's asn1 keyword (and Snort's before it).
 *
 * Options:
 *   bitstring_overflow   a universal BIT STRING (tag 3) whose first content
 *                        byte, the count of unused bits, exceeds 7
 *   double_overflow      a universal REAL (tag 9) in decimal encoding (first
 *                        content byte's top two bits 00) longer than 256 bytes
 *   oversize_length <n>  a node whose declared length exceeds n
 *   absolute_offset <n>  decoding starts n bytes into the buffer
 *   relative_offset <n>  decoding starts n bytes (may be negative) after the
 *                        cursor (the end of the previous match)
 * Without an offset decoding starts at byte 0. The keyword matches when any
 * node satisfies any of the checks given.
 *
 * BER as walked here (X.690 section 8.1): identifier octets (class:2
 * constructed:1 tag:5, tag 31 = high-tag-number form, 7 bits per octet with
 * bit 8 as "more"), length octets (short form < 0x80; long form 0x81..0x84
 * then that many big-endian octets; 0x80 indefinite, constructed only, runs
 * to the end of the enclosing content), then the content. A constructed
 * node's content is walked as nodes; a primitive one is skipped. The walk
 * stops at ASN1_MAX_NODES nodes, ASN1_MAX_DEPTH levels, or the first node
 * that does not parse within the buffer (a declared length beyond the buffer
 * is still checked against oversize_length first: that is what the check is
 * for). Every byte is read through lib/reader.h.
 */
#ifndef KASBAH_DETECT_KEYWORDS_ASN1_H
#define KASBAH_DETECT_KEYWORDS_ASN1_H

#include <stdbool.h>
#include <stdint.h>

/* Suricata's default max frames is 30 per decode; a larger cap keeps long
 * SEQUENCE OF lists checked while bounding the work per packet. */
#define ASN1_MAX_NODES 256
#define ASN1_MAX_DEPTH 32

enum {
    ASN1_BITSTRING_OVF = 1u << 0,
    ASN1_DOUBLE_OVF = 1u << 1,
    ASN1_OVERSIZE_LEN = 1u << 2,
    ASN1_ABSOLUTE = 1u << 3,
    ASN1_RELATIVE = 1u << 4,
};

typedef struct Asn1Ctx {
    uint32_t flags;         /* ASN1_* */
    uint32_t oversize;      /* oversize_length */
    int32_t offset;         /* absolute_offset / relative_offset */
} Asn1Ctx;

/* Does the BER data at the keyword's start offset in buf trip a check?
 * cur is the cursor for relative_offset. Thread-safe. */
bool asn1_eval(const Asn1Ctx *c, const uint8_t *buf, uint32_t len, uint32_t cur);

#endif
