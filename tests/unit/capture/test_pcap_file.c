/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_pcap_file.c: unit tests for capture/pcap_file (files and directories
 * read through libpcap). Every capture is written by the test itself, with
 * libpcap's pcap_dump (pcap) or by hand (pcapng), into a fresh temporary
 * directory that is removed at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/pcap_file.h"
#include "core/stats.h"

static char tmpdir[256];
static Stats stats;

/* ------------------------------------------------------------------ */
/* helpers                                                            */
/* ------------------------------------------------------------------ */

static void path_in(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir, name);
}

typedef struct TestPkt {
    int64_t sec;
    int64_t frac;     /* us or ns, per the file's precision */
    uint32_t caplen, wirelen;
    uint8_t fill;     /* every data byte */
} TestPkt;

/* Write a pcap file with pcap_dump. */
static void write_pcap(const char *path, int dlt, unsigned precision, const TestPkt *pk, size_t n)
{
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, 65535, precision);
    assert_non_null(dead);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    assert_non_null(d);
    for (size_t i = 0; i < n; i++) {
        uint8_t buf[2048];
        assert_true(pk[i].caplen <= sizeof buf);
        memset(buf, pk[i].fill, sizeof buf);
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof h);
        h.ts.tv_sec = (time_t)pk[i].sec;
        h.ts.tv_usec = (suseconds_t)pk[i].frac;
        h.caplen = pk[i].caplen;
        h.len = pk[i].wirelen;
        pcap_dump((u_char *)d, &h, buf);
    }
    pcap_dump_close(d);
    pcap_close(dead);
}

static void write_bytes(const char *path, const void *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n > 0)
        assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
}

static long file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (long)st.st_size;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kasbah-capture-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    memset(&stats, 0, sizeof stats);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(tmpdir);
    return 0;
}

static uint64_t counter(const char *name)
{
    int id = stats_find(name);
    return id >= 0 ? stats.v[id] : 0;
}

/* ------------------------------------------------------------------ */
/* tests                                                              */
/* ------------------------------------------------------------------ */

static void test_micro_precision(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "us.pcap");
    TestPkt pk[] = {
        { 1491603877, 251547, 60, 60, 0xaa },
        { 1491603878, 999999, 100, 100, 0xbb },
        { 1491603879, 0, 0, 0, 0xcc }, /* zero-length record */
    };
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, pk, 3);

    CaptureError err = CAPTURE_ERR_PATH;
    CaptureSource *cs = capture_open(p, NULL, &stats, &err);
    assert_non_null(cs);
    assert_int_equal(err, CAPTURE_OK);

    CaptureRecord r;
    assert_true(capture_next(cs, &r));
    assert_int_equal(r.pcap_cnt, 1);
    assert_int_equal(r.datalink, DLT_EN10MB);
    assert_int_equal(r.caplen, 60);
    assert_int_equal(r.wirelen, 60);
    assert_true(r.ts_ns == INT64_C(1491603877251547000));
    assert_true(r.new_file);
    assert_string_equal(r.file, p);
    assert_int_equal(r.data[0], 0xaa);
    assert_int_equal(r.data[59], 0xaa);

    assert_true(capture_next(cs, &r));
    assert_int_equal(r.pcap_cnt, 2);
    assert_false(r.new_file);
    assert_true(r.ts_ns == INT64_C(1491603878999999000));
    assert_int_equal(r.caplen, 100);
    assert_int_equal(r.data[99], 0xbb);

    assert_true(capture_next(cs, &r));
    assert_int_equal(r.pcap_cnt, 3);
    assert_int_equal(r.caplen, 0);
    assert_int_equal(r.wirelen, 0);

    assert_false(capture_next(cs, &r));
    assert_false(capture_next(cs, &r)); /* stays at the end */
    assert_true(capture_progress(cs) == 1.0);
    assert_int_equal(capture_files_opened(cs), 1);
    assert_int_equal(capture_files_failed(cs), 0);
    assert_int_equal(capture_files_truncated(cs), 0);
    assert_int_equal(counter("capture.files"), 1);
    capture_close(cs);
}

static void test_nano_precision(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "ns.pcap");
    TestPkt pk[] = { { 1700000000, 123456789, 42, 42, 1 }, { 1700000001, 1, 42, 42, 2 } };
    write_pcap(p, DLT_RAW, PCAP_TSTAMP_PRECISION_NANO, pk, 2);

    CaptureSource *cs = capture_open(p, NULL, &stats, NULL);
    assert_non_null(cs);
    CaptureRecord r;
    assert_true(capture_next(cs, &r));
    assert_true(r.ts_ns == INT64_C(1700000000123456789));
    assert_int_equal(r.datalink, DLT_RAW);
    assert_true(capture_next(cs, &r));
    assert_true(r.ts_ns == INT64_C(1700000001000000001));
    assert_false(capture_next(cs, &r));
    capture_close(cs);
}

static void test_snaplen_keeps_wirelen(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "snap.pcap");
    TestPkt pk[] = { { 1, 0, 64, 1514, 7 }, { 2, 0, 1000, 400, 8 } };
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, pk, 2);

    CaptureSource *cs = capture_open(p, NULL, &stats, NULL);
    assert_non_null(cs);
    CaptureRecord r;
    assert_true(capture_next(cs, &r));
    assert_int_equal(r.caplen, 64);
    assert_int_equal(r.wirelen, 1514);
    /* a wire length below the captured length is raised to it, and counted */
    assert_true(capture_next(cs, &r));
    assert_int_equal(r.caplen, 1000);
    assert_int_equal(r.wirelen, 1000);
    assert_int_equal(counter("capture.wirelen_fixed"), 1);
    assert_false(capture_next(cs, &r));
    capture_close(cs);
}

/* A minimal little-endian pcapng: SHB, IDB with if_tsresol = 9 (ns), EPBs. */
static size_t put32(uint8_t *b, size_t o, uint32_t v)
{
    b[o] = (uint8_t)v;
    b[o + 1] = (uint8_t)(v >> 8);
    b[o + 2] = (uint8_t)(v >> 16);
    b[o + 3] = (uint8_t)(v >> 24);
    return o + 4;
}

static size_t put16(uint8_t *b, size_t o, uint16_t v)
{
    b[o] = (uint8_t)v;
    b[o + 1] = (uint8_t)(v >> 8);
    return o + 2;
}

static size_t epb(uint8_t *b, size_t o, uint64_t ts, uint32_t caplen, uint32_t wirelen, uint8_t fill)
{
    uint32_t padded = (caplen + 3u) & ~3u;
    uint32_t total = 32 + padded;
    o = put32(b, o, 6);
    o = put32(b, o, total);
    o = put32(b, o, 0); /* interface 0 */
    o = put32(b, o, (uint32_t)(ts >> 32));
    o = put32(b, o, (uint32_t)ts);
    o = put32(b, o, caplen);
    o = put32(b, o, wirelen);
    for (uint32_t i = 0; i < padded; i++)
        b[o++] = i < caplen ? fill : 0;
    return put32(b, o, total);
}

static void test_pcapng_nanoseconds(void **state)
{
    (void)state;
    uint8_t b[1024];
    size_t o = 0;
    o = put32(b, o, 0x0A0D0D0A); /* SHB */
    o = put32(b, o, 28);
    o = put32(b, o, 0x1A2B3C4D);
    o = put16(b, o, 1);
    o = put16(b, o, 0);
    o = put32(b, o, 0xffffffff);
    o = put32(b, o, 0xffffffff);
    o = put32(b, o, 28);
    o = put32(b, o, 1); /* IDB */
    o = put32(b, o, 32);
    o = put16(b, o, DLT_EN10MB);
    o = put16(b, o, 0);
    o = put32(b, o, 0);
    o = put16(b, o, 9); /* if_tsresol */
    o = put16(b, o, 1);
    b[o++] = 9;
    b[o++] = 0;
    b[o++] = 0;
    b[o++] = 0;
    o = put32(b, o, 0); /* opt_endofopt */
    o = put32(b, o, 32);
    o = epb(b, o, UINT64_C(1600000000987654321), 30, 90, 0x11);
    o = epb(b, o, UINT64_C(1600000002000000005), 5, 5, 0x22);
    char p[512];
    path_in(p, sizeof p, "ng.pcapng");
    write_bytes(p, b, o);

    CaptureSource *cs = capture_open(p, NULL, &stats, NULL);
    assert_non_null(cs);
    CaptureRecord r;
    assert_true(capture_next(cs, &r));
    assert_true(r.ts_ns == INT64_C(1600000000987654321));
    assert_int_equal(r.caplen, 30);
    assert_int_equal(r.wirelen, 90);
    assert_int_equal(r.datalink, DLT_EN10MB);
    assert_int_equal(r.data[29], 0x11);
    assert_true(capture_next(cs, &r));
    assert_true(r.ts_ns == INT64_C(1600000002000000005));
    assert_int_equal(r.pcap_cnt, 2);
    assert_false(capture_next(cs, &r));
    capture_close(cs);
}

/* pcapng writers: a section header, an interface description with options,
 * and packet blocks, little- or big-endian. */
typedef struct Ng {
    uint8_t b[4096];
    size_t o;
    bool big;
} Ng;

static void ng32(Ng *g, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        g->b[g->o + (size_t)i] = (uint8_t)(g->big ? v >> (24 - 8 * i) : v >> (8 * i));
    g->o += 4;
}

static void ng16(Ng *g, uint16_t v)
{
    g->b[g->o] = (uint8_t)(g->big ? v >> 8 : v);
    g->b[g->o + 1] = (uint8_t)(g->big ? v : v >> 8);
    g->o += 2;
}

static void ng_shb(Ng *g)
{
    ng32(g, 0x0A0D0D0A);
    ng32(g, 28);
    ng32(g, 0x1A2B3C4D);
    ng16(g, 1);
    ng16(g, 0);
    ng32(g, 0xffffffff);
    ng32(g, 0xffffffff);
    ng32(g, 28);
}

/* tsresol < 0: no option; tsoffset 0: no option */
static void ng_idb(Ng *g, uint16_t linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
    uint32_t total = 20 + (tsresol >= 0 ? 8 : 0) + (tsoffset != 0 ? 12 : 0) + 4;
    ng32(g, 1);
    ng32(g, total);
    ng16(g, linktype);
    ng16(g, 0);
    ng32(g, snaplen);
    if (tsresol >= 0) {
        ng16(g, 9);
        ng16(g, 1);
        g->b[g->o] = (uint8_t)tsresol;
        memset(g->b + g->o + 1, 0, 3);
        g->o += 4;
    }
    if (tsoffset != 0) {
        ng16(g, 14);
        ng16(g, 8);
        uint64_t u = (uint64_t)tsoffset;
        if (g->big) {
            ng32(g, (uint32_t)(u >> 32));
            ng32(g, (uint32_t)u);
        } else {
            ng32(g, (uint32_t)u);
            ng32(g, (uint32_t)(u >> 32));
        }
    }
    ng32(g, 0); /* opt_endofopt */
    ng32(g, total);
}

static void ng_epb(Ng *g, uint32_t iface, uint64_t ts, uint32_t caplen, uint32_t wirelen, uint8_t fill)
{
    uint32_t padded = (caplen + 3u) & ~3u;
    uint32_t total = 32 + padded;
    ng32(g, 6);
    ng32(g, total);
    ng32(g, iface);
    ng32(g, (uint32_t)(ts >> 32));
    ng32(g, (uint32_t)ts);
    ng32(g, caplen);
    ng32(g, wirelen);
    for (uint32_t i = 0; i < padded; i++)
        g->b[g->o++] = i < caplen ? fill : 0;
    ng32(g, total);
}

static void ng_spb(Ng *g, uint32_t wirelen, uint32_t data_len, uint8_t fill)
{
    uint32_t padded = (data_len + 3u) & ~3u;
    uint32_t total = 16 + padded;
    ng32(g, 3);
    ng32(g, total);
    ng32(g, wirelen);
    for (uint32_t i = 0; i < padded; i++)
        g->b[g->o++] = i < data_len ? fill : 0;
    ng32(g, total);
}

/* Interfaces of different link types, which libpcap 1.10 refuses after the
 * first packet: the records keep coming, each with its interface's link
 * type and time resolution, in both byte orders, across two sections. */
static void test_pcapng_mixed_interfaces(void **state)
{
    (void)state;
    for (int big = 0; big <= 1; big++) {
        Ng g;
        memset(&g, 0, sizeof g);
        g.big = big;
        ng_shb(&g);
        ng_idb(&g, DLT_EN10MB, 65535, -1, 0);           /* microseconds */
        ng_epb(&g, 0, UINT64_C(1500000000123456), 20, 20, 1);
        ng_idb(&g, 113, 262144, 9, 0);                   /* SLL, ns */
        ng_epb(&g, 1, UINT64_C(1500000001000000007), 30, 60, 2);
        ng_idb(&g, 101, 100, 0x80 | 10, 1000);           /* raw, 2^-10 s, +1000 s */
        ng_epb(&g, 2, (UINT64_C(1500000002) << 10) | 512, 10, 10, 3);
        ng_spb(&g, 300, 40, 4);                          /* iface 0: no time stamp */
        ng_shb(&g);                                      /* new section: interfaces reset */
        ng_idb(&g, 101, 0, 3, 0);                        /* milliseconds */
        ng_epb(&g, 0, UINT64_C(1500000003250), 8, 8, 5);
        char p[512];
        path_in(p, sizeof p, big ? "mixed-be.pcapng" : "mixed-le.pcapng");
        write_bytes(p, g.b, g.o);

        CaptureSource *cs = capture_open(p, NULL, &stats, NULL);
        assert_non_null(cs);
        CaptureRecord r;
        assert_true(capture_next(cs, &r));
        assert_int_equal(r.datalink, DLT_EN10MB);
        assert_true(r.ts_ns == INT64_C(1500000000123456000));
        assert_int_equal(r.data[0], 1);
        assert_true(capture_next(cs, &r));
        assert_int_equal(r.datalink, 113);
        assert_true(r.ts_ns == INT64_C(1500000001000000007));
        assert_int_equal(r.caplen, 30);
        assert_int_equal(r.wirelen, 60);
        assert_int_equal(r.data[29], 2);
        assert_int_equal(r.pcap_cnt, 2);
        assert_true(capture_next(cs, &r));
        assert_int_equal(r.datalink, 101);
        assert_true(r.ts_ns == INT64_C(1500001002500000000));
        assert_true(capture_next(cs, &r));
        assert_int_equal(r.datalink, DLT_EN10MB);  /* a simple packet is interface 0's */
        assert_int_equal(r.caplen, 40);
        assert_int_equal(r.wirelen, 300);
        assert_int_equal(r.data[0], 4);
        assert_true(capture_next(cs, &r));
        assert_int_equal(r.datalink, 101);
        assert_true(r.ts_ns == INT64_C(1500000003250000000));
        assert_int_equal(r.pcap_cnt, 5);
        assert_false(capture_next(cs, &r));
        assert_int_equal(capture_files_truncated(cs), 0);
        assert_true(capture_progress(cs) == 1.0);
        capture_close(cs);
    }
}

/* Broken pcapng read by the fallback reader: a packet for an interface never
 * described, a block length that is not a multiple of 4, a file cut inside
 * a block. Each stops the file after the good records, with a warning. */
static void test_pcapng_broken(void **state)
{
    (void)state;
    for (int kind = 0; kind < 3; kind++) {
        Ng g;
        memset(&g, 0, sizeof g);
        ng_shb(&g);
        ng_idb(&g, DLT_EN10MB, 65535, -1, 0);
        ng_epb(&g, 0, 1, 20, 20, 1);
        ng_idb(&g, 113, 65535, -1, 0); /* forces the fallback reader */
        ng_epb(&g, 1, 2, 20, 20, 2);
        size_t cut = g.o;
        if (kind == 0) {
            ng_epb(&g, 7, 3, 20, 20, 3);
        } else if (kind == 1) {
            ng_epb(&g, 0, 3, 20, 20, 3);
            g.b[cut + 4] = 50; /* total length 50 */
        } else {
            ng_epb(&g, 0, 3, 20, 20, 3);
            g.o -= 9;
        }
        char p[512];
        path_in(p, sizeof p, "broken.pcapng");
        write_bytes(p, g.b, g.o);
        CaptureSource *cs = capture_open(p, NULL, &stats, NULL);
        assert_non_null(cs);
        CaptureRecord r;
        assert_true(capture_next(cs, &r));
        assert_true(capture_next(cs, &r));
        assert_int_equal(r.data[0], 2);
        assert_false(capture_next(cs, &r));
        assert_int_equal(capture_files_truncated(cs), 1);
        capture_close(cs);
    }
}

static void test_directory_in_name_order(void **state)
{
    (void)state;
    char dir[512], p[600];
    path_in(dir, sizeof dir, "dir");
    assert_int_equal(mkdir(dir, 0700), 0);
    /* written out of order; fill byte says which file a record came from */
    TestPkt b[] = { { 20, 0, 10, 10, 'b' }, { 21, 0, 10, 10, 'b' } };
    TestPkt a[] = { { 30, 0, 10, 10, 'a' } };   /* later time, earlier name */
    TestPkt c[] = { { 10, 0, 10, 10, 'c' } };
    snprintf(p, sizeof p, "%s/b.pcap", dir);
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, b, 2);
    snprintf(p, sizeof p, "%s/a.pcap", dir);
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, a, 1);
    snprintf(p, sizeof p, "%s/c.pcap", dir);
    write_pcap(p, DLT_RAW, PCAP_TSTAMP_PRECISION_NANO, c, 1);
    snprintf(p, sizeof p, "%s/.hidden.pcap", dir);
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, a, 1);
    snprintf(p, sizeof p, "%s/bb-notes.txt", dir);     /* between b and c */
    write_bytes(p, "not a capture\n", 14);
    snprintf(p, sizeof p, "%s/sub", dir);
    assert_int_equal(mkdir(p, 0700), 0);

    CaptureSource *cs = capture_open(dir, NULL, &stats, NULL);
    assert_non_null(cs);
    const char want[] = { 'a', 'b', 'b', 'c' };
    const bool first[] = { true, true, false, true };
    CaptureRecord r;
    for (size_t i = 0; i < sizeof want; i++) {
        assert_true(capture_next(cs, &r));
        assert_int_equal(r.data[0], want[i]);
        assert_int_equal(r.pcap_cnt, i + 1);
        assert_int_equal(r.new_file, first[i]);
        assert_non_null(strstr(r.file, want[i] == 'a' ? "/a.pcap" : want[i] == 'b' ? "/b.pcap" : "/c.pcap"));
    }
    assert_int_equal(r.datalink, DLT_RAW);
    assert_false(capture_next(cs, &r));
    assert_int_equal(capture_files_opened(cs), 3);
    assert_int_equal(capture_files_failed(cs), 1); /* bb-notes.txt */
    assert_true(capture_progress(cs) == 1.0);
    capture_close(cs);
}

/* Files several times the capture stream's 1 MiB buffer (pcap_file.c), two
 * of them in a directory so the buffer serves one stream after the other:
 * every record arrives whole and in order, across every refill. */
static void test_larger_than_buffer(void **state)
{
    (void)state;
    char dir[512], p[600];
    path_in(dir, sizeof dir, "big");
    assert_int_equal(mkdir(dir, 0700), 0);
    enum { N = 2500 };
    static TestPkt pk[N];
    for (size_t i = 0; i < N; i++) {
        pk[i].sec = 100 + (int64_t)i;
        pk[i].frac = 0;
        pk[i].caplen = pk[i].wirelen = 600 + (uint32_t)(i * 7 % 1400); /* ~3.2 MB a file */
        pk[i].fill = (uint8_t)i;
    }
    snprintf(p, sizeof p, "%s/1.pcap", dir);
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, pk, N);
    assert_true(file_size(p) > 3 * (1l << 20));
    snprintf(p, sizeof p, "%s/2.pcap", dir);
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, pk, N);

    CaptureSource *cs = capture_open(dir, NULL, &stats, NULL);
    assert_non_null(cs);
    CaptureRecord r;
    for (size_t k = 0; k < 2 * N; k++) {
        size_t i = k % N;
        assert_true(capture_next(cs, &r));
        assert_int_equal(r.caplen, pk[i].caplen);
        assert_int_equal(r.data[0], pk[i].fill);
        assert_int_equal(r.data[r.caplen - 1], pk[i].fill);
        assert_int_equal(r.ts_ns, pk[i].sec * 1000000000ll);
        assert_int_equal(r.new_file, i == 0);
    }
    assert_false(capture_next(cs, &r));
    assert_int_equal(capture_files_opened(cs), 2);
    capture_close(cs);
}

/* gzip a file in place (path -> path.gz, the original removed). */
static void gzip_file(const char *path, char *out, size_t out_len, size_t keep)
{
    snprintf(out, out_len, "%s.gz", path);
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    gzFile gz = gzopen(out, "wb");
    assert_non_null(gz);
    uint8_t buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(gzwrite(gz, buf, (unsigned)n), (int)n);
    fclose(in);
    gzclose(gz);
    unlink(path);
    if (keep > 0)
        assert_int_equal(truncate(out, (off_t)keep), 0);
}

/* A gzip-compressed capture reads like the plain one; a cut one stops with
 * a warning after the records that decompress. */
static void test_gzip(void **state)
{
    (void)state;
    char p[512], gzp[600];
    path_in(p, sizeof p, "z.pcap");
    TestPkt pk[200];
    for (int i = 0; i < 200; i++)
        pk[i] = (TestPkt){ 1700000000 + i, i, 100, 200, (uint8_t)i };
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, pk, 200);
    gzip_file(p, gzp, sizeof gzp, 0);

    CaptureSource *cs = capture_open(gzp, NULL, &stats, NULL);
    assert_non_null(cs);
    CaptureRecord r;
    for (int i = 0; i < 200; i++) {
        assert_true(capture_next(cs, &r));
        assert_int_equal(r.data[0], (uint8_t)i);
        assert_int_equal(r.wirelen, 200);
        assert_true(r.ts_ns == (int64_t)(1700000000 + i) * 1000000000 + i * 1000);
        if (i == 100) {
            double mid = capture_progress(cs);
            assert_true(mid > 0.0 && mid <= 1.0);
        }
    }
    assert_false(capture_next(cs, &r));
    assert_true(capture_progress(cs) == 1.0);
    assert_int_equal(capture_files_truncated(cs), 0);
    capture_close(cs);

    /* the same, cut: fewer records, one warning, no crash */
    path_in(p, sizeof p, "zc.pcap");
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, pk, 200);
    gzip_file(p, gzp, sizeof gzp, 300);
    cs = capture_open(gzp, NULL, &stats, NULL);
    assert_non_null(cs); /* 300 compressed bytes hold the header and some records */
    int n = 0;
    while (capture_next(cs, &r))
        n++;
    assert_true(n > 0 && n < 200);
    assert_int_equal(capture_files_truncated(cs), 1);
    capture_close(cs);

    /* gzip of nothing */
    path_in(p, sizeof p, "ze.pcap");
    write_bytes(p, "", 0);
    gzip_file(p, gzp, sizeof gzp, 0);
    CaptureError err = CAPTURE_OK;
    assert_null(capture_open(gzp, NULL, &stats, &err));
    assert_int_equal(err, CAPTURE_ERR_NO_CAPTURE);
}

static void test_progress_moves(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "prog.pcap");
    TestPkt pk[4];
    for (int i = 0; i < 4; i++)
        pk[i] = (TestPkt){ i, 0, 1000, 1000, 0 };
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, pk, 4);
    CaptureSource *cs = capture_open(p, NULL, &stats, NULL);
    assert_non_null(cs);
    double before = capture_progress(cs);
    assert_true(before >= 0.0 && before < 1.0);
    CaptureRecord r;
    while (capture_next(cs, &r))
        ;
    assert_true(capture_progress(cs) == 1.0);
    capture_close(cs);
}

static void test_missing_path(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "does-not-exist.pcap");
    CaptureError err = CAPTURE_OK;
    assert_null(capture_open(p, NULL, &stats, &err));
    assert_int_equal(err, CAPTURE_ERR_PATH);
}

static void test_empty_file(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "empty.pcap");
    write_bytes(p, "", 0);
    CaptureError err = CAPTURE_OK;
    assert_null(capture_open(p, NULL, &stats, &err));
    assert_int_equal(err, CAPTURE_ERR_NO_CAPTURE);
}

static void test_garbage_file(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "garbage.pcap");
    const char text[] = "GET / HTTP/1.1\r\nHost: example\r\n\r\n and some more text";
    write_bytes(p, text, sizeof text);
    CaptureError err = CAPTURE_OK;
    assert_null(capture_open(p, NULL, &stats, &err));
    assert_int_equal(err, CAPTURE_ERR_NO_CAPTURE);
}

static void test_unreadable_file(void **state)
{
    (void)state;
    if (geteuid() == 0)
        skip(); /* root reads anything */
    char p[512];
    path_in(p, sizeof p, "noperm.pcap");
    TestPkt pk[] = { { 1, 0, 10, 10, 0 } };
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, pk, 1);
    assert_int_equal(chmod(p, 0), 0);
    CaptureError err = CAPTURE_OK;
    assert_null(capture_open(p, NULL, &stats, &err));
    assert_int_equal(err, CAPTURE_ERR_PATH);
}

static void test_empty_directory(void **state)
{
    (void)state;
    char dir[512];
    path_in(dir, sizeof dir, "emptydir");
    assert_int_equal(mkdir(dir, 0700), 0);
    CaptureError err = CAPTURE_OK;
    assert_null(capture_open(dir, NULL, &stats, &err));
    assert_int_equal(err, CAPTURE_ERR_NO_CAPTURE);
}

static void test_directory_without_captures(void **state)
{
    (void)state;
    char dir[512], p[600];
    path_in(dir, sizeof dir, "junkdir");
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(p, sizeof p, "%s/one", dir);
    write_bytes(p, "x", 1);
    snprintf(p, sizeof p, "%s/two", dir);
    write_bytes(p, "", 0);
    CaptureError err = CAPTURE_OK;
    assert_null(capture_open(dir, NULL, &stats, &err));
    assert_int_equal(err, CAPTURE_ERR_NO_CAPTURE);
}

/* A file cut in the middle of its third record: two records, a warning,
 * then the next file of the directory. */
static void test_truncated_then_next_file(void **state)
{
    (void)state;
    char dir[512], p[600];
    path_in(dir, sizeof dir, "truncdir");
    assert_int_equal(mkdir(dir, 0700), 0);
    TestPkt pk[] = { { 1, 0, 100, 100, 1 }, { 2, 0, 100, 100, 2 }, { 3, 0, 100, 100, 3 } };
    snprintf(p, sizeof p, "%s/1.pcap", dir);
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, pk, 3);
    assert_int_equal(truncate(p, file_size(p) - 10), 0);
    TestPkt nx[] = { { 4, 0, 50, 50, 9 } };
    snprintf(p, sizeof p, "%s/2.pcap", dir);
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, nx, 1);

    CaptureSource *cs = capture_open(dir, NULL, &stats, NULL);
    assert_non_null(cs);
    CaptureRecord r;
    assert_true(capture_next(cs, &r));
    assert_int_equal(r.data[0], 1);
    assert_true(capture_next(cs, &r));
    assert_int_equal(r.data[0], 2);
    assert_true(capture_next(cs, &r));
    assert_int_equal(r.data[0], 9);
    assert_int_equal(r.pcap_cnt, 3);
    assert_true(r.new_file);
    assert_false(capture_next(cs, &r));
    assert_int_equal(capture_files_truncated(cs), 1);
    assert_int_equal(counter("capture.files_truncated"), 1);
    capture_close(cs);
}

/* Cut inside a record header (not the data) of a lone file. */
static void test_truncated_header(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "trunchdr.pcap");
    TestPkt pk[] = { { 1, 0, 20, 20, 1 }, { 2, 0, 20, 20, 2 } };
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, pk, 2);
    /* keep the first record and 7 of the second's 16 header bytes */
    assert_int_equal(truncate(p, 24 + 16 + 20 + 7), 0);
    CaptureSource *cs = capture_open(p, NULL, &stats, NULL);
    assert_non_null(cs);
    CaptureRecord r;
    assert_true(capture_next(cs, &r));
    assert_false(capture_next(cs, &r));
    assert_int_equal(capture_files_truncated(cs), 1);
    capture_close(cs);
}

/* Only the 24-byte file header: a valid, empty capture. */
static void test_header_only(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "hdronly.pcap");
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, NULL, 0);
    CaptureSource *cs = capture_open(p, NULL, &stats, NULL);
    assert_non_null(cs);
    CaptureRecord r;
    assert_false(capture_next(cs, &r));
    assert_int_equal(capture_files_truncated(cs), 0);
    capture_close(cs);
}

/* A record header claiming more than libpcap accepts is rejected as a record
 * error (not a crash), and the records before it are delivered. */
static void test_oversized_record(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "huge.pcap");
    TestPkt pk[] = { { 1, 0, 20, 20, 1 } };
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, pk, 1);
    uint8_t rec[16 + 8];
    memset(rec, 0, sizeof rec);
    put32(rec, 0, 2);
    put32(rec, 8, 0x7fffffff);   /* caplen */
    put32(rec, 12, 0x7fffffff);  /* len */
    FILE *f = fopen(p, "ab");
    assert_non_null(f);
    assert_int_equal(fwrite(rec, 1, sizeof rec, f), sizeof rec);
    fclose(f);
    CaptureSource *cs = capture_open(p, NULL, &stats, NULL);
    assert_non_null(cs);
    CaptureRecord r;
    assert_true(capture_next(cs, &r));
    assert_false(capture_next(cs, &r));
    assert_int_equal(capture_files_truncated(cs), 1);
    capture_close(cs);
}

static void test_close_null(void **state)
{
    (void)state;
    capture_close(NULL);
    assert_true(capture_progress(NULL) == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_micro_precision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nano_precision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snaplen_keeps_wirelen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pcapng_nanoseconds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pcapng_mixed_interfaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pcapng_broken, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_in_name_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress_moves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_without_captures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_then_next_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversized_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_larger_than_buffer, setup, teardown),
        cmocka_unit_test(test_close_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
