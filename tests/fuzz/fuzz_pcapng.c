/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_pcapng.c: libFuzzer target for kasbah's own pcapng reader
 * (src/capture/pcapng.c), fed directly. Through capture_open() it is only
 * reached when libpcap refuses a pcapng file (fuzz_pcap covers that way
 * in); here every input goes to it, read from memory with fmemopen().
 *
 * Input layout: the file's bytes, as they are.
 * Checked: pcapng_is_pcapng() agrees with pcapng_open() about a file that
 * does not start with a Section Header Block (it must be refused); each
 * record's bytes are read end to end (ASan sees reads past caplen); the
 * reader's own memory account is back to zero after pcapng_close().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcapng.h"
#include "lib/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* fmemopen wants a writable buffer even for reading */
    uint8_t *copy = malloc(size);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    FILE *fp = fmemopen(copy, size, "rb");
    if (fp == NULL) {
        free(copy);
        return 0;
    }
    bool looks = pcapng_is_pcapng(data, size);
    MemAccount acct;
    mem_account_init(&acct, "fuzz-pcapng", 64u * 1024 * 1024);
    char err[256];
    err[0] = '\0';
    PcapngReader *r = pcapng_open(fp, &acct, err, sizeof err); /* takes fp */
    if (r != NULL && !looks) {
        fprintf(stderr, "fuzz_pcapng: opened a file that does not start with a section header\n");
        abort();
    }
    volatile unsigned sink = 0;
    if (r != NULL) {
        PcapngRecord rec;
        int rc;
        while ((rc = pcapng_next(r, &rec, err, sizeof err)) == 1) {
            for (uint32_t i = 0; i < rec.caplen; i++)
                sink += rec.data[i];
            sink += (unsigned)rec.datalink + rec.wirelen;
        }
        if (rc == -1 && err[0] == '\0') {
            fprintf(stderr, "fuzz_pcapng: an error without a reason\n");
            abort();
        }
        pcapng_close(r);
    }
    if (atomic_load(&acct.used) != 0) {
        fprintf(stderr, "fuzz_pcapng: %llu bytes still charged after close\n",
                (unsigned long long)atomic_load(&acct.used));
        abort();
    }
    (void)sink;
    free(copy);
    return 0;
}
