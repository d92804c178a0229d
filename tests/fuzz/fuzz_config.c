/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_config.c: libFuzzer target for the configuration loader
 * (src/core/config.c: YAML through libyaml, anchors and aliases, merges,
 * `include:` and `!include`, `--set` overrides) and for the code that reads
 * the loaded tree: every getter on every node, the flow, stream, HTTP,
 * anomaly and EVE alert settings, and the address and port groups as rules
 * use them ($HOME_NET, $HTTP_PORTS, ...).
 *
 * Input layout:
 *   byte 0      where to split the rest, at (b * rest) / 256
 *   first part  main.yaml, loaded with conf_load_file()
 *   second part inc.yaml, next to it (so `include: inc.yaml` and a
 *               self-include of main.yaml both resolve); each of its lines
 *               holding '=' is also applied with conf_set() afterwards
 * Files are written under a private temporary directory made once per
 * process ($TMPDIR, else /tmp). NUL bytes stay in the files (libyaml must
 * refuse them, not read past them).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anomaly/anomaly.h"
#include "applayer/http/http.h"
#include "core/config.h"
#include "core/log.h"
#include "detect/rules/address.h"
#include "flow/flow.h"
#include "output/alert.h"
#include "stream/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];
static char main_path[300], inc_path[300];

static void cleanup(void)
{
    unlink(main_path);
    unlink(inc_path);
    rmdir(dir);
}

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (fp == NULL)
        return -1;
    size_t n = len ? fwrite(buf, 1, len, fp) : 0;
    return (fclose(fp) == 0 && n == len) ? 0 : -1;
}

/* Call every getter on every node under n (path is its dotted name). */
static unsigned walk(const Config *c, const ConfNode *n, char *path, size_t plen, size_t cap, int depth,
                     bool dotted)
{
    unsigned s = 0;
    if (n == NULL || depth > 64)
        return 0;
    for (const ConfNode *k = conf_node_first(n); k != NULL; k = conf_node_next(k)) {
        const char *name = conf_node_name(k);
        size_t nl = name ? strlen(name) : 0;
        if (plen + nl + 2 > cap)
            continue;
        size_t l = plen;
        if (l)
            path[l++] = '.';
        memcpy(path + l, name ? name : "", nl);
        path[l + nl] = '\0';
        const char *v = conf_node_value(k);
        s += v ? (unsigned)strlen(v) : 0;
        s += (unsigned)conf_node_is_seq(k);
        s += (unsigned)conf_get_bool(c, path, false);
        s += (unsigned)conf_get_size(c, path, 1);
        s += (unsigned)conf_get_int(c, path, -1);
        s += (unsigned)(conf_get_double(c, path, 0.5) > 1.0);
        const char *str = conf_get_str(c, path, "");
        s += str ? (unsigned)strlen(str) : 0;
        bool dot = dotted || (name != NULL && strchr(name, '.') != NULL);
        if (!dot && conf_node(c, path) == NULL) {
            fprintf(stderr, "fuzz_config: node '%s' not found by its own path\n", path);
            abort();
        }
        s += walk(c, k, path, l + nl, cap, depth + 1, dot);
        path[plen] = '\0';
    }
    return s;
}

/* Parse every variable of a vars.* group as a rule would use it. */
static void groups(const Config *c, const char *group, bool ports)
{
    const ConfNode *g = conf_node(c, group);
    if (g == NULL)
        return;
    for (const ConfNode *k = conf_node_first(g); k != NULL; k = conf_node_next(k)) {
        char list[200], one[200];
        char err[256];
        snprintf(list, sizeof list, "[$%s, !$%s]", conf_node_name(k), conf_node_name(k));
        snprintf(one, sizeof one, "$%s", conf_node_name(k));
        for (int pass = 0; pass < 2; pass++) {
            const char *t = pass ? one : list;
            if (ports) {
                PortSet *ps = NULL;
                if (port_set_parse(c, t, &ps, err, sizeof err) == 0) {
                    (void)port_set_match(ps, 80);
                    port_set_free(ps);
                }
            } else {
                AddrSet *as = NULL;
                if (addr_set_parse(c, t, &as, err, sizeof err) == 0) {
                    IpAddr a;
                    memset(&a, 0, sizeof a);
                    a.b[0] = 10;
                    (void)addr_set_match(as, 4, &a);
                    addr_set_free(as);
                }
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/kasbah-fuzz-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (mkdtemp(dir) == NULL)
            abort();
        snprintf(main_path, sizeof main_path, "%s/main.yaml", dir);
        snprintf(inc_path, sizeof inc_path, "%s/inc.yaml", dir);
        atexit(cleanup);
        ready = true;
    }
    if (size < 1)
        return 0;
    size_t n = size - 1;
    size_t cut = (size_t)data[0] * n / 256;
    const uint8_t *a = data + 1, *b = data + 1 + cut;
    size_t blen = n - cut;
    if (write_file(main_path, a, cut) != 0 || write_file(inc_path, b, blen) != 0)
        abort();

    Config *c = conf_new();
    if (c == NULL)
        return 0;
    (void)conf_load_file(c, main_path);

    /* --set lines from the second part */
    size_t i = 0;
    while (i < blen) {
        size_t e = i;
        while (e < blen && b[e] != '\n')
            e++;
        if (memchr(b + i, '=', e - i) != NULL && e - i < 512) {
            char line[512];
            memcpy(line, b + i, e - i);
            line[e - i] = '\0';
            (void)conf_set(c, line);
        }
        i = e + 1;
    }

    /* Walk the top-level keys the text names, and the known sections. */
    static const char *const known[] = { "vars", "flow", "stream", "app-layer", "outputs", "anomaly",
                                         "detect", "defrag", "decoder", "include", "threading" };
    static char path[4096];
    volatile unsigned sink = 0;
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        snprintf(path, sizeof path, "%s", known[k]);
        sink += walk(c, conf_node(c, path), path, strlen(path), sizeof path, 0, false);
    }
    i = 0;
    while (i < cut) {
        size_t e = i;
        while (e < cut && a[e] != '\n')
            e++;
        const uint8_t *colon = memchr(a + i, ':', e - i);
        if (colon != NULL && a[i] != ' ' && a[i] != '-' && (size_t)(colon - (a + i)) < 100) {
            size_t kl = (size_t)(colon - (a + i));
            memcpy(path, a + i, kl);
            path[kl] = '\0';
            if (strlen(path) == kl)
                sink += walk(c, conf_node(c, path), path, kl, sizeof path, 0, strchr(path, '.') != NULL);
        }
        i = e + 1;
    }

    FlowConfig fc;
    flow_config_defaults(&fc);
    flow_config_load(&fc, c);
    StreamConfig sc;
    stream_config_defaults(&sc);
    stream_config_load(&sc, c);
    HttpConfig hc;
    http_config_defaults(&hc);
    http_config_load(&hc, c);
    AnomalySettings as;
    anomaly_settings_defaults(&as);
    (void)anomaly_settings_from_conf(c, &as);
    AlertOutputOptions ao;
    eve_alert_options_read(c, &ao);
    groups(c, "vars.address-groups", false);
    groups(c, "vars.port-groups", true);
    conf_warn_unknown(c);
    (void)sink;
    conf_free(c);
    return 0;
}
