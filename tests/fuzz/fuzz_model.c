/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_model.c: libFuzzer target for the anomaly model loader
 * (anomaly/model.h model_parse): arbitrary bytes must give either a KitNET
 * that scores a vector without faults, or a NULL with a message.
 *
 * Most random inputs die at the checksum; to reach the parser behind it,
 * the target also parses the input with its last four bytes replaced by
 * the correct CRC-32, so the fuzzer explores the fields themselves.
 * Seed corpus: a model written by `kasbah --set anomaly.model-save=...`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "anomaly/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_parse(const uint8_t *buf, size_t len)
{
    ModelMeta meta;
    char err[256];
    KitNet *k = model_parse(buf, len, NULL, &meta, err, sizeof(err));
    if (k == NULL)
        return;
    double x[KITNET_MAX_INPUTS];
    for (uint32_t i = 0; i < kitnet_config(k)->n; i++)
        x[i] = (double)i;
    (void)kitnet_process(k, x);
    kitnet_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_parse(data, size);
    if (size < 8 || size > (1u << 24))
        return 0;
    uint8_t *copy = malloc(size);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), copy, (uInt)(size - 4));
    for (int i = 0; i < 4; i++)
        copy[size - 4 + i] = (uint8_t)(crc >> (8 * i));
    try_parse(copy, size);
    free(copy);
    return 0;
}
