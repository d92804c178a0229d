/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcapng.h: a small pcapng reader, used by pcap_file.c only where libpcap
 * refuses a pcapng file that is valid: libpcap 1.10 stops at the first
 * interface whose link type or snapshot length differs from the first
 * interface's (captures from several interfaces, merged files). Here each
 * interface keeps its own link type, snapshot length and time resolution,
 * and every record says its link type.
 *
 * Spec: draft-ietf-opsawg-pcapng (the PCAP Next Generation dump file
 * format). Blocks read: Section Header (0x0A0D0D0A; either byte order;
 * several sections per file), Interface Description (1; options
 * if_tsresol 9 and if_tsoffset 14), Enhanced Packet (6), Simple Packet (3),
 * the obsolete Packet block (2). Every other block is skipped.
 *
 *   block:  type u32 | total length u32 | body ... | total length u32
 *   EPB body: interface u32 | ts high u32 | ts low u32 | captured u32 |
 *             original u32 | data (padded to 4) | options
 *
 * Limits: a block of more than PCAPNG_MAX_BLOCK bytes, a length that is not
 * a multiple of 4 or below 12, a packet for an interface not described, or
 * a captured length beyond its block are errors (the rest of the file is
 * skipped by the caller). Link type numbers are the file's LINKTYPE_*
 * values as they are (libpcap maps a few to DLT_* values; decode/ accepts
 * both spellings of the ones it decodes).
 *
 * Bytes from the file are parsed only through lib/reader.h. Not
 * thread-safe: one reader per thread.
 */
#ifndef KASBAH_CAPTURE_PCAPNG_H
#define KASBAH_CAPTURE_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/alloc.h"

/* Largest block accepted (libpcap's limit too): 16 MiB. */
#define PCAPNG_MAX_BLOCK (16u * 1024 * 1024)
/* Interfaces per section we keep track of. */
#define PCAPNG_MAX_IFACES 4096

typedef struct PcapngReader PcapngReader;

typedef struct PcapngRecord {
    const uint8_t *data;  /* valid until the next pcapng_next / pcapng_close */
    uint32_t caplen, wirelen;
    int datalink;         /* LINKTYPE_* of the packet's interface */
    int64_t ts_ns;
} PcapngRecord;

/* Does buf start like a pcapng file (a Section Header Block)? */
bool pcapng_is_pcapng(const uint8_t *buf, size_t len);

/*
 * Start reading fp, positioned at the start of the file. Takes ownership of
 * fp (closed by pcapng_close, or here on failure). Buffers are charged to
 * acct (may be NULL). NULL with a reason in err on failure.
 */
PcapngReader *pcapng_open(FILE *fp, MemAccount *acct, char *err, size_t err_len);

/* The next packet: 1 (rec filled), 0 at the end of the file, -1 on an
 * error (reason in err; stop reading this file). */
int pcapng_next(PcapngReader *r, PcapngRecord *rec, char *err, size_t err_len);

/* The stream, for ftell (progress). */
FILE *pcapng_stream(const PcapngReader *r);

/* Close the file and free. NULL is a no-op. */
void pcapng_close(PcapngReader *r);

#endif
