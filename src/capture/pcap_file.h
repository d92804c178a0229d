/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcap_file.h: capture records from a file or a directory of files, through
 * libpcap. First stage of the pipeline: the engine turns each record into a
 * Packet for decode/.
 *
 * Formats: whatever libpcap 1.10 reads offline -- pcap (microsecond and
 * nanosecond magic, either byte order) and pcapng. Every file is opened with
 * nanosecond precision, so a nanosecond capture keeps its digits and a
 * microsecond one is scaled by 1000. A valid pcapng file that libpcap
 * refuses (interfaces with different link types or snapshot lengths) is
 * read by capture/pcapng.c instead; its records may then change link type
 * from one record to the next (CaptureRecord.datalink).
 *
 * A directory is read as one stream: its regular files (names starting with
 * '.' skipped, subdirectories not descended) in byte-wise name order
 * (strcmp), so the order does not depend on the locale or the file system.
 * pcap_cnt counts from 1 across the whole input.
 *
 * Errors, and what happens after them:
 *   - the path is missing or unreadable, or no file of a directory is a
 *     capture: capture_open() fails (one "kasbah: error:" line); the engine
 *     exits with its input error status;
 *   - a file inside a directory that is not a capture: a warning naming the
 *     file and libpcap's reason, the file is skipped;
 *   - a file that ends in the middle of a record, or a record libpcap
 *     rejects: a warning naming the file and the packet number, the rest of
 *     that file is skipped and reading goes on with the next file.
 * Counters (in the caller's Stats): capture.files (opened as captures),
 * capture.files_failed (not a capture), capture.files_truncated (cut short
 * or a record rejected), capture.wirelen_fixed (records whose wire length
 * was smaller than the captured length; it is raised to match).
 *
 * Not thread-safe: one CaptureSource is read by one thread.
 */
#ifndef KASBAH_CAPTURE_PCAP_FILE_H
#define KASBAH_CAPTURE_PCAP_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/stats.h"
#include "lib/alloc.h"

/* capture_open() failures. */
typedef enum CaptureError {
    CAPTURE_OK = 0,
    CAPTURE_ERR_PATH = -1,       /* missing, unreadable, not a file or directory */
    CAPTURE_ERR_NO_CAPTURE = -2, /* nothing in it could be opened as a capture */
    CAPTURE_ERR_NOMEM = -3,
} CaptureError;

/*
 * One record, as read. `data` (caplen bytes) and `file` are borrowed from the
 * source and stay valid until the next capture_next() or capture_close().
 * wirelen >= caplen always holds.
 */
typedef struct CaptureRecord {
    const uint8_t *data;
    uint32_t caplen;
    uint32_t wirelen;     /* original length on the wire (record header) */
    int datalink;         /* DLT_* of the file the record came from */
    int64_t ts_ns;        /* ns since the epoch */
    uint64_t pcap_cnt;    /* 1-based across the whole input */
    const char *file;     /* path of the file it came from */
    bool new_file;        /* first record of this file */
} CaptureRecord;

typedef struct CaptureSource CaptureSource;

/*
 * Open a capture file or a directory of them. Allocations are charged to
 * acct (may be NULL); counters are registered now and counted in *stats
 * (caller-owned, must outlive the source). The first readable capture is
 * opened before returning, so an input with nothing readable fails here.
 * Returns the source, or NULL with *err set after logging one line.
 */
CaptureSource *capture_open(const char *path, MemAccount *acct, Stats *stats, CaptureError *err);

/*
 * Read the next record into *rec. Returns true with a record, false at the
 * end of the input (all files read). Problems inside files are logged and
 * skipped as described above; they never end the input early.
 */
bool capture_next(CaptureSource *cs, CaptureRecord *rec);

/* Share of the input's bytes read so far, 0.0 .. 1.0 (for a progress line). */
double capture_progress(const CaptureSource *cs);

/* Files opened as captures so far; files skipped as not captures; files
 * whose reading stopped early (truncated or a bad record). */
unsigned capture_files_opened(const CaptureSource *cs);
unsigned capture_files_failed(const CaptureSource *cs);
unsigned capture_files_truncated(const CaptureSource *cs);

/* Close the current file and free the source. NULL is a no-op. */
void capture_close(CaptureSource *cs);

#endif
