/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_rules.c: libFuzzer target for the rule parser and the inspection
 * engine. The input is rule text (any bytes); the rules that load are then
 * run over one TCP packet whose payload is the same input, so that content,
 * pcre and byte_* evaluation see hostile arguments and hostile data.
 *
 * Build: meson setup -Dfuzzing=true with CC=clang (tests/fuzz/meson.build);
 * seeds in tests/fuzz/corpus/rules/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/config.h"
#include "core/log.h"
#include "detect/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static Config *conf;
    if (!conf) {
        log_set_level(-1); /* rule errors are expected: keep the output quiet */
        conf = conf_new();
        if (!conf)
            return 0;
    }
    if (size > 1 << 16)
        return 0;
    DetectEngine *de = detect_engine_new_from_text(conf, (const char *)data, size, "fuzz.rules");
    if (!de)
        return 0;
    Stats st;
    memset(&st, 0, sizeof st);
    DetectThread *dt = detect_thread_new(de, &st);
    if (dt) {
        Packet p;
        memset(&p, 0, sizeof p);
        p.flags = PKT_HAS_IPV4 | PKT_HAS_TCP;
        p.ip_ver = 4;
        p.ip_proto = 6;
        p.src.b[0] = 10;
        p.dst.b[0] = 192;
        p.dst.b[1] = 168;
        p.sp = 1234;
        p.dp = 80;
        p.tcp_flags = 0x18;
        p.payload = data;
        p.payload_len = (uint32_t)size;
        DetectAlerts out;
        detect_packet(dt, &p, &out);
        detect_thread_free(dt);
    }
    detect_engine_free(de);
    return 0;
}
