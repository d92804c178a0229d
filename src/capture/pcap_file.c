/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcap_file.c: offline capture input through libpcap (see pcap_file.h).
 *
 * A source is a list of files (one, or a directory's, sorted by name) and
 * at most one open pcap_t. Files are opened lazily, one after the other;
 * capture_open() opens the first readable one so that an input with nothing
 * to read fails before any output is created.
 *
 * Each file is opened with fopen() and handed to libpcap, so that "cannot
 * open" (errno) and "not a capture" (libpcap's reason) give different
 * messages, and so that ftell() on the stream gives the progress.
 *
 * pcapng files that libpcap refuses though they are valid (libpcap 1.10
 * wants every interface to have the first one's link type and snapshot
 * length) are read by capture/pcapng.c instead: at open, or from the record
 * where libpcap stopped (the records it already gave are skipped, so none is
 * seen twice).
 *
 * gzip-compressed captures (".pcap.gz", recognised by their magic, not the
 * name) are read through zlib: a stdio stream made with fopencookie() hands
 * libpcap the decompressed bytes; progress counts compressed bytes.
 *
 * Reading: the stream of a file opened by open_file() reads through one
 * CAPTURE_IOBUF_SIZE buffer (stdio's default is the file system's block,
 * 4 KiB, i.e. one read() system call per 4 KiB, which cost about a fifth of
 * kasbah's time on a large capture in a virtual machine: docs/PERFORMANCE.md).
 *
 * Invariants: at most one of `pc` and `ng` is set, reading files[cur];
 * done_bytes is the sum of the sizes of the files before files[cur]; iobuf
 * is the buffer of at most one open stream and outlives it.
 */
#include "capture/pcap_file.h"

#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/pcapng.h"
#include "core/log.h"

/* The stdio buffer of a capture file's stream: large enough that system
 * calls vanish from the profile, small enough not to matter for memory. */
#define CAPTURE_IOBUF_SIZE (1u << 20)

typedef struct InputFile {
    char *path;
    uint64_t size;   /* bytes at listing time; 0 when unknown (a pipe) */
} InputFile;

struct CaptureSource {
    MemAccount *acct;
    Stats *stats;
    int id_files, id_failed, id_truncated, id_wirelen_fixed;

    InputFile *files;
    size_t n_files;
    size_t next;          /* next file to open */
    size_t cur;           /* file `pc` reads (valid when pc != NULL) */

    pcap_t *pc;
    PcapngReader *ng;     /* instead of pc, where libpcap refused a pcapng file */
    gzFile gz;            /* the current file is gzip-compressed: its stream (progress) */
    bool is_pcapng;       /* the current file starts like a pcapng file */
    int datalink;
    uint64_t file_records;/* records read from the current file */
    bool at_file_start;

    uint64_t total_bytes; /* sum of the files' sizes */
    uint64_t done_bytes;  /* sizes of the files finished */
    uint64_t pcap_cnt;

    unsigned n_opened, n_failed, n_truncated;
    char *iobuf;          /* CAPTURE_IOBUF_SIZE bytes or NULL (stdio's own) */
};

/* ------------------------------------------------------------------ */
/* Building the file list                                             */
/* ------------------------------------------------------------------ */

static int add_file(CaptureSource *cs, size_t *cap, const char *path, uint64_t size)
{
    if (cs->n_files == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        InputFile *nf = mem_realloc(cs->acct, cs->files, ncap * sizeof *nf);
        if (nf == NULL)
            return -1;
        cs->files = nf;
        *cap = ncap;
    }
    char *copy = mem_strndup(cs->acct, path, strlen(path));
    if (copy == NULL)
        return -1;
    cs->files[cs->n_files].path = copy;
    cs->files[cs->n_files].size = size;
    cs->n_files++;
    cs->total_bytes += size;
    return 0;
}

static int cmp_files(const void *a, const void *b)
{
    const InputFile *x = a, *y = b;
    return strcmp(x->path, y->path);
}

/* List the regular files of dir into cs->files, sorted by name. Returns 0,
 * CAPTURE_ERR_PATH (logged) or CAPTURE_ERR_NOMEM. */
static CaptureError list_directory(CaptureSource *cs, const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        log_error("%s: cannot read directory (%s)", dir, strerror(errno));
        return CAPTURE_ERR_PATH;
    }
    size_t dlen = strlen(dir);
    bool slash = dlen > 0 && dir[dlen - 1] == '/';
    size_t cap = 0;
    CaptureError rc = CAPTURE_OK;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        size_t need = dlen + 1 + strlen(de->d_name) + 1;
        char *path = mem_alloc(cs->acct, need);
        if (path == NULL) {
            rc = CAPTURE_ERR_NOMEM;
            break;
        }
        snprintf(path, need, "%s%s%s", dir, slash ? "" : "/", de->d_name);
        struct stat st;
        if (stat(path, &st) != 0) {
            log_warn("%s: %s; skipped", path, strerror(errno));
        } else if (S_ISREG(st.st_mode)) {
            if (add_file(cs, &cap, path, (uint64_t)st.st_size) != 0)
                rc = CAPTURE_ERR_NOMEM;
        } else {
            log_info("%s: not a regular file; skipped", path);
        }
        mem_free(cs->acct, path);
        if (rc != CAPTURE_OK)
            break;
        errno = 0;
    }
    if (rc == CAPTURE_OK && errno != 0) {
        log_error("%s: cannot read directory (%s)", dir, strerror(errno));
        rc = CAPTURE_ERR_PATH;
    }
    closedir(d);
    if (rc == CAPTURE_OK && cs->n_files > 1)
        qsort(cs->files, cs->n_files, sizeof cs->files[0], cmp_files);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Opening and closing files                                          */
/* ------------------------------------------------------------------ */

/* ---- gzip through a stdio cookie ---- */

static ssize_t gz_cookie_read(void *c, char *buf, size_t n)
{
    unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
    int got = gzread((gzFile)c, buf, chunk);
    return got < 0 ? -1 : (ssize_t)got;
}

/* Only what stdio needs here: rewind (libpcap and the magic check) and
 * position queries. */
static int gz_cookie_seek(void *c, off64_t *pos, int whence)
{
    gzFile gz = c;
    z_off_t r;
    if (whence == SEEK_SET && *pos == 0)
        r = gzrewind(gz) == 0 ? 0 : -1;
    else
        r = gzseek(gz, (z_off_t)*pos, whence);
    if (r < 0)
        return -1;
    *pos = (off64_t)gztell(gz);
    return 0;
}

static int gz_cookie_close(void *c) { return gzclose_r((gzFile)c) == Z_OK ? 0 : -1; }

/* Open path for reading as a stdio stream, decompressing gzip. *gz_out is
 * the zlib stream when it is compressed (owned by the returned FILE).
 * iobuf (CAPTURE_IOBUF_SIZE bytes, or NULL for stdio's default) becomes the
 * stream's buffer: the caller keeps it until the stream is closed and gives
 * it to no other stream meanwhile. NULL with errno set on failure. */
static FILE *open_stream(const char *path, gzFile *gz_out, char *iobuf)
{
    *gz_out = NULL;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    if (iobuf != NULL)
        (void)setvbuf(fp, iobuf, _IOFBF, CAPTURE_IOBUF_SIZE); /* before any read */
    uint8_t m[2] = { 0, 0 };
    size_t n = fread(m, 1, 2, fp);
    if (n < 2 || m[0] != 0x1f || m[1] != 0x8b) {
        rewind(fp);
        return fp;
    }
    /* the duplicate shares the offset stdio moved: back to the start */
    int fd = dup(fileno(fp));
    fclose(fp);
    if (fd < 0)
        return NULL;
    if (lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return NULL;
    }
    gzFile gz = gzdopen(fd, "rb");
    if (gz == NULL) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    cookie_io_functions_t io = { gz_cookie_read, NULL, gz_cookie_seek, gz_cookie_close };
    FILE *cf = fopencookie(gz, "rb", io);
    if (cf == NULL) {
        gzclose_r(gz);
        return NULL;
    }
    if (iobuf != NULL)
        (void)setvbuf(cf, iobuf, _IOFBF, CAPTURE_IOBUF_SIZE);
    *gz_out = gz;
    return cf;
}

/* Try to open files[idx] as a capture. A failure is logged at `level`
 * (error for a lone file, warning for one of a directory's). Returns 0,
 * CAPTURE_ERR_PATH (cannot open) or CAPTURE_ERR_NO_CAPTURE. */
static CaptureError open_file(CaptureSource *cs, size_t idx, int level)
{
    const char *path = cs->files[idx].path;
    const char *skipped = level == LOG_LVL_ERROR ? "" : "; skipped";
    gzFile gz = NULL;
    /* no stream is open here (open_next), so the buffer is free; without
     * it (out of memory) stdio's default buffer does */
    if (cs->iobuf == NULL)
        cs->iobuf = mem_alloc(cs->acct, CAPTURE_IOBUF_SIZE);
    FILE *fp = open_stream(path, &gz, cs->iobuf);
    if (fp == NULL) {
        log_msg(level, "%s: cannot open (%s)%s", path, strerror(errno), skipped);
        return CAPTURE_ERR_PATH;
    }
    struct stat st;
    if (gz == NULL && fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
        log_msg(level, "%s: not a capture file (empty)%s", path, skipped);
        fclose(fp);
        return CAPTURE_ERR_NO_CAPTURE;
    }
    uint8_t magic[4] = { 0 };
    size_t n_magic = fread(magic, 1, sizeof magic, fp);
    rewind(fp);
    if (gz != NULL && n_magic == 0) {
        fclose(fp);
        log_msg(level, "%s: not a capture file (empty once decompressed)%s", path, skipped);
        return CAPTURE_ERR_NO_CAPTURE;
    }
    cs->is_pcapng = pcapng_is_pcapng(magic, n_magic);
    char errbuf[PCAP_ERRBUF_SIZE];
    errbuf[0] = '\0';
    pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (pc == NULL) {
        /* libpcap leaves the stream to us when it refuses it */
        PcapngReader *ng = NULL;
        if (cs->is_pcapng) {
            rewind(fp);
            char ngerr[256];
            ng = pcapng_open(fp, cs->acct, ngerr, sizeof ngerr); /* takes fp */
            if (ng != NULL)
                log_info("%s: libpcap: %s; read with kasbah's pcapng reader", path, errbuf);
        } else {
            fclose(fp);
        }
        if (ng == NULL) {
            log_msg(level, "%s: not a capture file (%s)%s", path, errbuf, skipped);
            return CAPTURE_ERR_NO_CAPTURE;
        }
        cs->ng = ng;
    }
    cs->pc = pc;
    cs->gz = gz;
    cs->cur = idx;
    cs->datalink = pc != NULL ? pcap_datalink(pc) : -1;
    cs->file_records = 0;
    cs->at_file_start = true;
    cs->n_opened++;
    stats_inc(cs->stats, cs->id_files);
    if (pc != NULL)
        log_info("%s: reading (link type %d, %s)", path, cs->datalink,
                 pcap_datalink_val_to_name(cs->datalink) ? pcap_datalink_val_to_name(cs->datalink) : "unnamed");
    return CAPTURE_OK;
}

/* Open the next file that is a capture; false when none is left. */
static bool open_next(CaptureSource *cs, int level)
{
    while (cs->next < cs->n_files) {
        size_t idx = cs->next++;
        if (open_file(cs, idx, level) == CAPTURE_OK)
            return true;
        cs->done_bytes += cs->files[idx].size;
        cs->n_failed++;
        stats_inc(cs->stats, cs->id_failed);
    }
    return false;
}

static void close_current(CaptureSource *cs)
{
    if (cs->pc == NULL && cs->ng == NULL)
        return;
    if (cs->pc != NULL)
        pcap_close(cs->pc); /* closes the stream too */
    pcapng_close(cs->ng);
    cs->pc = NULL;
    cs->ng = NULL;
    cs->gz = NULL; /* closed with its stream */
    cs->done_bytes += cs->files[cs->cur].size;
}

/* libpcap stopped inside a pcapng file: reopen it with our reader and skip
 * the records libpcap already gave. true when reading can go on. */
static bool switch_to_pcapng(CaptureSource *cs, const char *pcap_err)
{
    const char *path = cs->files[cs->cur].path;
    gzFile gz = NULL;
    /* the stream libpcap reads still holds iobuf: stdio's buffer here */
    FILE *fp = open_stream(path, &gz, NULL);
    if (fp == NULL)
        return false;
    char err[256];
    PcapngReader *ng = pcapng_open(fp, cs->acct, err, sizeof err);
    if (ng == NULL)
        return false;
    PcapngRecord r;
    for (uint64_t i = 0; i < cs->file_records; i++) {
        if (pcapng_next(ng, &r, err, sizeof err) != 1) {
            pcapng_close(ng);
            return false;
        }
    }
    log_info("%s: libpcap stopped after packet %llu (%s); reading on with kasbah's pcapng reader",
             path, (unsigned long long)cs->file_records, pcap_err);
    pcap_close(cs->pc);
    cs->pc = NULL;
    cs->ng = ng;
    cs->gz = gz;
    return true;
}

/* The next record from the pcapng reader: 1, 0 at the end, -1 after
 * logging an error. */
static int next_pcapng(CaptureSource *cs, CaptureRecord *rec)
{
    char err[256];
    PcapngRecord r;
    int rc = pcapng_next(cs->ng, &r, err, sizeof err);
    if (rc < 0) {
        bool last = cs->next >= cs->n_files;
        log_warn("%s: after packet %llu of the file (pcap_cnt %llu): %s; %s", cs->files[cs->cur].path,
                 (unsigned long long)cs->file_records, (unsigned long long)cs->pcap_cnt, err,
                 last ? "the rest of the file is skipped" : "going on with the next file");
        cs->n_truncated++;
        stats_inc(cs->stats, cs->id_truncated);
        return -1;
    }
    if (rc == 0)
        return 0;
    rec->data = r.data;
    rec->caplen = r.caplen;
    rec->wirelen = r.wirelen;
    rec->datalink = r.datalink;
    rec->ts_ns = r.ts_ns;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Public interface                                                   */
/* ------------------------------------------------------------------ */

CaptureSource *capture_open(const char *path, MemAccount *acct, Stats *stats, CaptureError *err)
{
    CaptureError dummy;
    if (err == NULL)
        err = &dummy;
    *err = CAPTURE_OK;

    struct stat st;
    if (stat(path, &st) != 0) {
        log_error("%s: %s", path, strerror(errno));
        *err = CAPTURE_ERR_PATH;
        return NULL;
    }

    CaptureSource *cs = mem_calloc(acct, 1, sizeof *cs);
    if (cs == NULL) {
        log_error("%s: out of memory opening the input", path);
        *err = CAPTURE_ERR_NOMEM;
        return NULL;
    }
    cs->acct = acct;
    cs->stats = stats;
    cs->id_files = stats_register("capture.files");
    cs->id_failed = stats_register("capture.files_failed");
    cs->id_truncated = stats_register("capture.files_truncated");
    cs->id_wirelen_fixed = stats_register("capture.wirelen_fixed");

    bool is_dir = S_ISDIR(st.st_mode);
    CaptureError rc;
    if (is_dir) {
        rc = list_directory(cs, path);
        if (rc == CAPTURE_OK && cs->n_files == 0) {
            log_error("%s: no files to read in this directory", path);
            rc = CAPTURE_ERR_NO_CAPTURE;
        }
    } else {
        size_t cap = 0;
        rc = add_file(cs, &cap, path, S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0) == 0
                 ? CAPTURE_OK : CAPTURE_ERR_NOMEM;
    }
    if (rc == CAPTURE_ERR_NOMEM)
        log_error("%s: out of memory listing the input", path);

    if (rc == CAPTURE_OK) {
        if (is_dir) {
            if (!open_next(cs, LOG_LVL_WARN)) {
                log_error("%s: none of its %zu files is a capture file", path, cs->n_files);
                rc = CAPTURE_ERR_NO_CAPTURE;
            }
        } else {
            cs->next = 1;
            rc = open_file(cs, 0, LOG_LVL_ERROR);
            if (rc != CAPTURE_OK) {
                cs->n_failed++;
                stats_inc(cs->stats, cs->id_failed);
            }
        }
    }
    if (rc != CAPTURE_OK) {
        *err = rc;
        capture_close(cs);
        return NULL;
    }
    return cs;
}

/* ts from libpcap (opened with nanosecond precision: tv_usec holds ns) to
 * ns since the epoch, clamped instead of overflowing on absurd seconds. */
static int64_t ts_to_ns(const struct timeval *tv)
{
    const int64_t lim = INT64_MAX / 1000000000 - 8;
    int64_t sec = (int64_t)tv->tv_sec;
    int64_t frac = (int64_t)tv->tv_usec;
    if (sec > lim)
        sec = lim;
    if (sec < -lim)
        sec = -lim;
    /* a corrupt fraction field can exceed one second; keep it in range */
    if (frac < 0 || frac >= 1000000000) {
        sec += frac / 1000000000;
        frac %= 1000000000;
        if (frac < 0) {
            frac += 1000000000;
            sec -= 1;
        }
    }
    return sec * 1000000000 + frac;
}

bool capture_next(CaptureSource *cs, CaptureRecord *rec)
{
    for (;;) {
        if (cs->pc == NULL && cs->ng == NULL && !open_next(cs, LOG_LVL_WARN))
            return false;

        int got = 0;
        if (cs->ng != NULL) {
            got = next_pcapng(cs, rec);
        } else {
            struct pcap_pkthdr *hdr = NULL;
            const u_char *data = NULL;
            int rc = pcap_next_ex(cs->pc, &hdr, &data);
            if (rc == 1) {
                rec->data = data;
                rec->caplen = hdr->caplen;
                rec->wirelen = hdr->len;
                rec->datalink = cs->datalink;
                rec->ts_ns = ts_to_ns(&hdr->ts);
                got = 1;
            } else if (rc == PCAP_ERROR) {
                char perr[PCAP_ERRBUF_SIZE];
                snprintf(perr, sizeof perr, "%s", pcap_geterr(cs->pc));
                if (cs->is_pcapng && switch_to_pcapng(cs, perr))
                    continue;
                bool last = cs->next >= cs->n_files;
                log_warn("%s: packet %llu of the file (pcap_cnt %llu): %s; %s",
                         cs->files[cs->cur].path, (unsigned long long)cs->file_records + 1,
                         (unsigned long long)cs->pcap_cnt + 1, perr,
                         last ? "the rest of the file is skipped" : "going on with the next file");
                cs->n_truncated++;
                stats_inc(cs->stats, cs->id_truncated);
            }
            /* PCAP_ERROR_BREAK is the end of the file; 0 cannot happen offline */
        }
        if (got != 1) {
            close_current(cs);
            continue;
        }
        cs->file_records++;
        cs->pcap_cnt++;
        if (rec->wirelen < rec->caplen) {
            rec->wirelen = rec->caplen;
            stats_inc(cs->stats, cs->id_wirelen_fixed);
        }
        rec->pcap_cnt = cs->pcap_cnt;
        rec->file = cs->files[cs->cur].path;
        rec->new_file = cs->at_file_start;
        cs->at_file_start = false;
        return true;
    }
}

double capture_progress(const CaptureSource *cs)
{
    if (cs == NULL || cs->total_bytes == 0)
        return 0.0;
    uint64_t pos = cs->done_bytes;
    if (cs->pc != NULL || cs->ng != NULL) {
        FILE *fp = cs->pc != NULL ? pcap_file(cs->pc) : pcapng_stream(cs->ng);
        /* compressed files: bytes of the file consumed, not decompressed */
        long off = cs->gz != NULL ? (long)gzoffset(cs->gz) : fp ? ftell(fp) : -1;
        if (off > 0)
            pos += (uint64_t)off;
    }
    double share = (double)pos / (double)cs->total_bytes;
    return share > 1.0 ? 1.0 : share;
}

unsigned capture_files_opened(const CaptureSource *cs) { return cs->n_opened; }
unsigned capture_files_failed(const CaptureSource *cs) { return cs->n_failed; }
unsigned capture_files_truncated(const CaptureSource *cs) { return cs->n_truncated; }

void capture_close(CaptureSource *cs)
{
    if (cs == NULL)
        return;
    close_current(cs);  /* the stream using iobuf is closed first */
    mem_free(cs->acct, cs->iobuf);
    for (size_t i = 0; i < cs->n_files; i++)
        mem_free(cs->acct, cs->files[i].path);
    mem_free(cs->acct, cs->files);
    mem_free(cs->acct, cs);
}
