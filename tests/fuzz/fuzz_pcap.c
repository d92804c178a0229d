/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_pcap.c: libFuzzer target for src/capture/ -- capture files as the
 * engine opens them (capture_open/capture_next: libpcap for pcap and
 * pcapng, kasbah's own pcapng reader where libpcap refuses a file, gzip
 * through zlib), and every record decoded with its link type, as the
 * packet loop does.
 *
 * Input layout:
 *   byte 0      bit 0: directory mode; otherwise one file
 *   byte 1      directory mode: where to split the rest into two files
 *               (at (b * rest) / 256)
 *   the rest    the file's bytes (directory mode: the two files, read in
 *               name order, plus a dot-file that must be skipped)
 * Files are written under a private temporary directory made once per
 * process ($TMPDIR, else /tmp). Each record's bytes are read end to end
 * (ASan sees reads past caplen), and the record invariants of
 * pcap_file.h (wirelen >= caplen, pcap_cnt counting from 1) are checked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/pcap_file.h"
#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];
static char file_a[300], file_b[300], file_dot[300];
static Stats stats;
static DecodeCtx *dctx;

static void cleanup(void)
{
    unlink(file_a);
    unlink(file_b);
    unlink(file_dot);
    rmdir(dir);
}

static int setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/kasbah-fuzz-pcap-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(file_a, sizeof file_a, "%s/a.pcap", dir);
    snprintf(file_b, sizeof file_b, "%s/b.pcap", dir);
    snprintf(file_dot, sizeof file_dot, "%s/.hidden", dir);
    atexit(cleanup);
    DecodeConfig cfg;
    decode_config_defaults(&cfg);
    cfg.defrag_memcap = 65536;
    dctx = decode_ctx_new(&cfg, &stats);
    return dctx != NULL ? 0 : -1;
}

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (fp == NULL)
        return -1;
    size_t n = len ? fwrite(buf, 1, len, fp) : 0;
    return (fclose(fp) == 0 && n == len) ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        if (setup() != 0) {
            fprintf(stderr, "fuzz_pcap: cannot make a temporary directory\n");
            abort();
        }
        ready = true;
    }
    if (size < 2)
        return 0;
    bool dirmode = (data[0] & 1) != 0;
    const uint8_t *rest = data + 2;
    size_t n = size - 2;
    const char *path = file_a;
    unlink(file_b);
    unlink(file_dot);
    if (dirmode) {
        size_t cut = (size_t)data[1] * n / 256;
        if (write_file(file_a, rest, cut) != 0 || write_file(file_b, rest + cut, n - cut) != 0 ||
            write_file(file_dot, (const uint8_t *)"not a capture", 13) != 0)
            abort();
        path = dir;
    } else if (write_file(file_a, rest, n) != 0) {
        abort();
    }

    CaptureError err;
    CaptureSource *cs = capture_open(path, NULL, &stats, &err);
    if (cs == NULL)
        return 0;
    CaptureRecord rec;
    uint64_t expect_cnt = 1;
    volatile unsigned sink = 0;
    while (capture_next(cs, &rec)) {
        if (rec.wirelen < rec.caplen || rec.pcap_cnt != expect_cnt) {
            fprintf(stderr, "fuzz_pcap: record %llu: caplen %u wirelen %u pcap_cnt %llu\n",
                    (unsigned long long)expect_cnt, rec.caplen, rec.wirelen,
                    (unsigned long long)rec.pcap_cnt);
            abort();
        }
        expect_cnt++;
        for (uint32_t i = 0; i < rec.caplen; i++)
            sink += rec.data[i];
        for (const char *f = rec.file; f && *f; f++)
            sink += (unsigned char)*f;
        (void)capture_progress(cs);
        Packet p;
        memset(&p, 0, sizeof p);
        p.data = rec.data;
        p.caplen = rec.caplen;
        p.wirelen = rec.wirelen;
        p.datalink = rec.datalink;
        p.ts_ns = rec.ts_ns;
        p.pcap_cnt = rec.pcap_cnt;
        Packet *chain = decode_packet(dctx, &p);
        decode_packet_free(dctx, chain);
    }
    (void)sink;
    capture_close(cs);
    decode_defrag_timeout(dctx, INT64_MAX);
    return 0;
}
