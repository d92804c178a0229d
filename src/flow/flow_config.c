/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flow_config.c: FlowConfig from the configuration tree, with Suricata's
 * key names:
 *
 *   flow:
 *     memcap: 128mb            # size suffixes kb/mb/gb
 *     hash-size: 65536         # buckets
 *   flow-timeouts:
 *     default|tcp|udp|icmp:
 *       new / established / closed /
 *       emergency-new / emergency-established / emergency-closed: seconds
 *
 * Where it sits: the engine calls it once after loading the configuration,
 * before creating the flow tables. Missing keys keep the value in cfg.
 */
#include "flow/flow.h"

#include <stdio.h>

#include "core/log.h"

static const char *const proto_names[4] = {"default", "tcp", "udp", "icmp"};

/* Read one timeout (seconds) into *v when present and in range. */
static void timeout_get(const Config *conf, const char *proto, const char *key, uint32_t *v)
{
    char path[96];
    int n = snprintf(path, sizeof path, "flow-timeouts.%s.%s", proto, key);
    if (n < 0 || (size_t)n >= sizeof path)
        return;
    int64_t x = conf_get_int(conf, path, (int64_t)*v);
    if (x < 0 || x > (int64_t)UINT32_MAX) {
        log_warn("config: %s: %lld is not a timeout in seconds (0 .. %u); keeping %u", path,
                 (long long)x, UINT32_MAX, *v);
        return;
    }
    *v = (uint32_t)x;
}

void flow_config_load(FlowConfig *cfg, const Config *conf)
{
    cfg->memcap = conf_get_size(conf, "flow.memcap", cfg->memcap);

    int64_t hs = conf_get_int(conf, "flow.hash-size", (int64_t)cfg->hash_size);
    if (hs < 1 || hs > (int64_t)(1u << 28))
        log_warn("config: flow.hash-size: %lld is out of range (1 .. %u); keeping %u",
                 (long long)hs, 1u << 28, cfg->hash_size);
    else
        cfg->hash_size = (uint32_t)hs;

    for (unsigned i = 0; i < 4; i++) {
        const char *p = proto_names[i];
        timeout_get(conf, p, "new", &cfg->timeout_new[i]);
        timeout_get(conf, p, "established", &cfg->timeout_est[i]);
        timeout_get(conf, p, "closed", &cfg->timeout_closed[i]);
        timeout_get(conf, p, "emergency-new", &cfg->emerg_new[i]);
        timeout_get(conf, p, "emergency-established", &cfg->emerg_est[i]);
        timeout_get(conf, p, "emergency-closed", &cfg->emerg_closed[i]);
    }
}
