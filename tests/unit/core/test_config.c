/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_config.c: unit tests for core/config: built-in defaults (Suricata's
 * stock variables), YAML loading (%YAML header, maps, sequences, anchors,
 * include), merge rules, errors naming FILE:LINE, --set, typed getters with
 * size suffixes, and unknown-key warnings given once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/log.h"

/* ---- stderr capture (log.c writes lines with write(2)) ---- */

static int saved_stderr = -1;
static int capture_fd = -1;
static char captured[65536];

static void capture_begin(void)
{
    char tmpl[] = "/tmp/kasbah-test-XXXXXX";
    capture_fd = mkstemp(tmpl);
    assert_true(capture_fd >= 0);
    unlink(tmpl);
    saved_stderr = dup(STDERR_FILENO);
    dup2(capture_fd, STDERR_FILENO);
}

/* Stop capturing; the text is in `captured`. */
static const char *capture_end(void)
{
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    off_t n = lseek(capture_fd, 0, SEEK_CUR);
    lseek(capture_fd, 0, SEEK_SET);
    ssize_t r = read(capture_fd, captured, n < (off_t)sizeof captured - 1 ? (size_t)n : sizeof captured - 1);
    captured[r > 0 ? r : 0] = '\0';
    close(capture_fd);
    return captured;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static char tmpdir[64];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kasbah-conf-XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---- tests ---- */

static void test_defaults(void **state)
{
    (void)state;
    Config *c = conf_new();
    assert_non_null(c);
    assert_string_equal(conf_get_str(c, "default-log-dir", NULL), ".");
    assert_string_equal(conf_get_str(c, "vars.address-groups.HOME_NET", NULL),
                        "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]");
    assert_string_equal(conf_get_str(c, "vars.address-groups.EXTERNAL_NET", NULL), "!$HOME_NET");
    assert_string_equal(conf_get_str(c, "vars.address-groups.AIM_SERVERS", NULL), "$EXTERNAL_NET");
    static const char *const home[] = { "HTTP_SERVERS", "SMTP_SERVERS", "SQL_SERVERS",
                                        "DNS_SERVERS", "TELNET_SERVERS", "DC_SERVERS",
                                        "DNP3_SERVER", "DNP3_CLIENT", "MODBUS_CLIENT",
                                        "MODBUS_SERVER", "ENIP_CLIENT", "ENIP_SERVER" };
    for (size_t i = 0; i < sizeof home / sizeof home[0]; i++) {
        char path[80];
        snprintf(path, sizeof path, "vars.address-groups.%s", home[i]);
        assert_string_equal(conf_get_str(c, path, NULL), "$HOME_NET");
    }
    assert_string_equal(conf_get_str(c, "vars.port-groups.HTTP_PORTS", NULL), "80");
    assert_string_equal(conf_get_str(c, "vars.port-groups.SHELLCODE_PORTS", NULL), "!80");
    assert_string_equal(conf_get_str(c, "vars.port-groups.FILE_DATA_PORTS", NULL),
                        "[$HTTP_PORTS,110,143]");
    assert_int_equal(conf_get_int(c, "vars.port-groups.ORACLE_PORTS", 0), 1521);
    assert_int_equal(conf_get_int(c, "vars.port-groups.SSH_PORTS", 0), 22);
    assert_int_equal(conf_get_int(c, "vars.port-groups.DNP3_PORTS", 0), 20000);
    assert_int_equal(conf_get_int(c, "vars.port-groups.MODBUS_PORTS", 0), 502);
    assert_int_equal(conf_get_int(c, "vars.port-groups.FTP_PORTS", 0), 21);
    assert_int_equal(conf_get_int(c, "vars.port-groups.GENEVE_PORTS", 0), 6081);
    assert_int_equal(conf_get_int(c, "vars.port-groups.VXLAN_PORTS", 0), 4789);
    assert_int_equal(conf_get_int(c, "vars.port-groups.TEREDO_PORTS", 0), 3544);

    /* iteration over a map, in file order */
    const ConfNode *pg = conf_node(c, "vars.port-groups");
    assert_non_null(pg);
    assert_false(conf_node_is_seq(pg));
    assert_null(conf_node_value(pg));
    int n = 0;
    for (const ConfNode *k = conf_node_first(pg); k != NULL; k = conf_node_next(k))
        n++;
    assert_int_equal(n, 11);
    assert_string_equal(conf_node_name(conf_node_first(pg)), "HTTP_PORTS");

    /* missing keys give the default */
    assert_null(conf_node(c, "no.such.key"));
    assert_string_equal(conf_get_str(c, "no.such", "dflt"), "dflt");
    assert_int_equal(conf_get_size(c, "flow.memcap", 42), 42);
    assert_true(conf_get_bool(c, "x.y", true));
    conf_free(c);
    conf_free(NULL);
}

static const char SURICATA_YAML[] =
    "%YAML 1.1\n"
    "---\n"
    "\n"
    "# a comment\n"
    "vars:\n"
    "  address-groups:\n"
    "    HOME_NET: \"[10.0.0.0/8]\"\n"
    "outputs:\n"
    "  - fast:\n"
    "      enabled: yes\n"
    "  - eve-log:\n"
    "      enabled: yes\n"
    "      filename: eve.json\n"
    "      types:\n"
    "        - alert:\n"
    "            payload: no\n"
    "        - flow\n"
    "flow:\n"
    "  memcap: 64mb\n"
    "  hash-size: 65536\n"
    "defaults: &dflt\n"
    "  new: 30\n"
    "  established: 300\n"
    "flow-timeouts:\n"
    "  tcp: *dflt\n"
    "  udp:\n"
    "    <<: 1\n"
    "rule-files:\n"
    "  - a.rules\n"
    "  - b.rules\n";

static void test_load_string(void **state)
{
    (void)state;
    Config *c = conf_new();
    assert_int_equal(conf_load_string(c, SURICATA_YAML, "suricata.yaml"), 0);
    /* a merged map keeps the siblings it did not set */
    assert_string_equal(conf_get_str(c, "vars.address-groups.HOME_NET", NULL), "[10.0.0.0/8]");
    assert_string_equal(conf_get_str(c, "vars.address-groups.EXTERNAL_NET", NULL), "!$HOME_NET");
    assert_string_equal(conf_get_str(c, "vars.port-groups.HTTP_PORTS", NULL), "80");
    /* sequences: children named 0, 1, ... */
    const ConfNode *outs = conf_node(c, "outputs");
    assert_true(conf_node_is_seq(outs));
    assert_string_equal(conf_node_name(conf_node_first(outs)), "0");
    assert_true(conf_get_bool(c, "outputs.1.eve-log.enabled", false));
    assert_string_equal(conf_get_str(c, "outputs.1.eve-log.filename", NULL), "eve.json");
    assert_false(conf_get_bool(c, "outputs.1.eve-log.types.0.alert.payload", true));
    assert_string_equal(conf_get_str(c, "outputs.1.eve-log.types.1", NULL), "flow");
    assert_string_equal(conf_get_str(c, "rule-files.1", NULL), "b.rules");
    assert_int_equal(conf_get_size(c, "flow.memcap", 0), 64u << 20);
    /* anchor and alias */
    assert_int_equal(conf_get_int(c, "flow-timeouts.tcp.new", 0), 30);
    assert_int_equal(conf_get_int(c, "flow-timeouts.tcp.established", 0), 300);
    /* a sequence loaded later replaces the earlier one */
    assert_int_equal(conf_load_string(c, "rule-files: [c.rules]\n", "second"), 0);
    assert_string_equal(conf_get_str(c, "rule-files.0", NULL), "c.rules");
    assert_null(conf_node(c, "rule-files.1"));
    /* a scalar replaces a map, a map replaces a scalar */
    assert_int_equal(conf_load_string(c, "flow: off\nrule-files:\n  x: 1\n", "third"), 0);
    assert_string_equal(conf_get_str(c, "flow", NULL), "off");
    assert_null(conf_node(c, "flow.memcap"));
    assert_false(conf_node_is_seq(conf_node(c, "rule-files")));
    assert_int_equal(conf_get_int(c, "rule-files.x", 0), 1);
    /* several documents in one stream; an empty document */
    assert_int_equal(conf_load_string(c, "---\na: 1\n---\nb: 2\n...\n", "docs"), 0);
    assert_int_equal(conf_get_int(c, "a", 0), 1);
    assert_int_equal(conf_get_int(c, "b", 0), 2);
    assert_int_equal(conf_load_string(c, "", "empty"), 0);
    conf_free(c);
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    Config *c = conf_new();
    char path[256];
    write_file("bad.yaml", "%YAML 1.1\n---\nflow:\n  memcap: 1mb\n   bad: [1, 2\nx: 1\n", path,
               sizeof path);
    capture_begin();
    int r = conf_load_file(c, path);
    const char *err = capture_end();
    assert_int_equal(r, -1);
    char want[300];
    snprintf(want, sizeof want, "%s:5:", path);
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, "kasbah: error: "));
    /* nothing of the broken file was merged */
    assert_null(conf_node(c, "flow.memcap"));

    /* a list at the top level */
    capture_begin();
    r = conf_load_string(c, "- a\n- b\n", "list.yaml");
    err = capture_end();
    assert_int_equal(r, -1);
    assert_non_null(strstr(err, "list.yaml:1: expected a map"));

    /* a map used as a key */
    capture_begin();
    r = conf_load_string(c, "ok: 1\n? {a: 1}\n: 2\n", "key.yaml");
    err = capture_end();
    assert_int_equal(r, -1);
    assert_non_null(strstr(err, "key.yaml:2: expected a key"));
    assert_null(conf_node(c, "ok"));

    /* an unknown alias */
    capture_begin();
    r = conf_load_string(c, "a: *nope\n", "alias.yaml");
    err = capture_end();
    assert_int_equal(r, -1);
    assert_non_null(strstr(err, "alias.yaml:1: unknown alias '*nope'"));

    /* a missing file */
    snprintf(path, sizeof path, "%s/missing.yaml", tmpdir);
    capture_begin();
    r = conf_load_file(c, path);
    err = capture_end();
    assert_int_equal(r, -1);
    assert_non_null(strstr(err, "missing.yaml: cannot open"));
    conf_free(c);
}

static void test_include(void **state)
{
    (void)state;
    char inc[256], tagged[256], main_path[256], loop[256];
    write_file("inc.yaml", "%YAML 1.1\n---\nflow:\n  hash-size: 1024\nextra: yes\n", inc, sizeof inc);
    write_file("tagged.yaml", "HOME_NET: \"[1.2.3.0/24]\"\n", tagged, sizeof tagged);
    write_file("main.yaml",
               "flow:\n  memcap: 2mb\ninclude: inc.yaml\n"
               "vars:\n  address-groups: !include tagged.yaml\n",
               main_path, sizeof main_path);
    Config *c = conf_new();
    assert_int_equal(conf_load_file(c, main_path), 0);
    assert_int_equal(conf_get_size(c, "flow.memcap", 0), 2u << 20);
    assert_int_equal(conf_get_int(c, "flow.hash-size", 0), 1024);
    assert_true(conf_get_bool(c, "extra", false));
    assert_string_equal(conf_get_str(c, "vars.address-groups.HOME_NET", NULL), "[1.2.3.0/24]");

    /* include as a list */
    char text[400];
    snprintf(text, sizeof text, "x:\n  include: [%s]\n", tagged);
    assert_int_equal(conf_load_string(c, text, "list"), 0);
    assert_string_equal(conf_get_str(c, "x.HOME_NET", NULL), "[1.2.3.0/24]");

    /* a file that includes itself stops with a message */
    write_file("loop.yaml", "include: loop.yaml\n", loop, sizeof loop);
    capture_begin();
    int r = conf_load_file(c, loop);
    const char *err = capture_end();
    assert_int_equal(r, -1);
    assert_non_null(strstr(err, "nested too deeply"));

    /* a missing include names the including file and line */
    char miss[256];
    write_file("miss.yaml", "a: 1\ninclude: nothere.yaml\n", miss, sizeof miss);
    capture_begin();
    r = conf_load_file(c, miss);
    err = capture_end();
    assert_int_equal(r, -1);
    char want[300];
    snprintf(want, sizeof want, "%s:2: cannot open included file", miss);
    assert_non_null(strstr(err, want));
    conf_free(c);
}

static void test_set(void **state)
{
    (void)state;
    Config *c = conf_new();
    assert_int_equal(conf_set(c, "stream.inline=true"), 0);
    assert_true(conf_get_bool(c, "stream.inline", false));
    assert_int_equal(conf_set(c, "vars.address-groups.HOME_NET=[10.0.0.0/8]"), 0);
    assert_string_equal(conf_get_str(c, "vars.address-groups.HOME_NET", NULL), "[10.0.0.0/8]");
    assert_string_equal(conf_get_str(c, "vars.address-groups.EXTERNAL_NET", NULL), "!$HOME_NET");
    /* the value replaces a subtree */
    assert_int_equal(conf_set(c, "vars.port-groups=none"), 0);
    assert_string_equal(conf_get_str(c, "vars.port-groups", NULL), "none");
    assert_null(conf_node(c, "vars.port-groups.HTTP_PORTS"));
    /* blanks trimmed, '=' in the value kept, empty value allowed */
    assert_int_equal(conf_set(c, "a.b = x=y "), 0);
    assert_string_equal(conf_get_str(c, "a.b", NULL), "x=y");
    assert_int_equal(conf_set(c, "a.c="), 0);
    assert_string_equal(conf_get_str(c, "a.c", NULL), "");
    /* into a sequence element */
    assert_int_equal(conf_load_string(c,
                                      "outputs:\n  - eve-log:\n      enabled: yes\n"
                                      "      filename: e.json\n  - fast: {}\n",
                                      "o"),
                     0);
    assert_int_equal(conf_set(c, "outputs.0.eve-log.enabled=no"), 0);
    assert_false(conf_get_bool(c, "outputs.0.eve-log.enabled", true));
    assert_true(conf_node_is_seq(conf_node(c, "outputs")));
    assert_string_equal(conf_get_str(c, "outputs.0.eve-log.filename", NULL), "e.json");
    assert_non_null(conf_node(c, "outputs.1.fast"));
    /* through a scalar: it becomes a map */
    assert_int_equal(conf_set(c, "a.b.deeper=1"), 0);
    assert_int_equal(conf_get_int(c, "a.b.deeper", 0), 1);
    assert_string_equal(conf_get_str(c, "a.c", "gone"), "");
    /* malformed */
    capture_begin();
    assert_int_equal(conf_set(c, "no-equals-sign"), -1);
    assert_int_equal(conf_set(c, "=x"), -1);
    assert_int_equal(conf_set(c, "a..b=1"), -1);
    const char *err = capture_end();
    assert_non_null(strstr(err, "--set no-equals-sign: expected key=value"));
    /* a later file overrides --set only when loaded later (caller's order) */
    assert_int_equal(conf_set(c, "anomaly.mode=kitsune"), 0);
    assert_string_equal(conf_get_str(c, "anomaly.mode", NULL), "kitsune");
    conf_free(c);
}

static void test_typed_getters(void **state)
{
    (void)state;
    Config *c = conf_new();
    assert_int_equal(conf_load_string(c,
                                      "s:\n  a: 100\n  b: 1kb\n  c: 64MB\n  d: 2 gb\n  e: 1.5kb\n"
                                      "  f: 3KiB\n  g: 1t\n  h: 10xb\n  i: abc\n  j: 7b\n"
                                      "  k: 99999999999999999999\n"
                                      "b:\n  y1: yes\n  y2: TRUE\n  y3: on\n  y4: 1\n"
                                      "  n1: No\n  n2: false\n  n3: OFF\n  n4: 0\n  bad: maybe\n"
                                      "i:\n  a: -5\n  b: 0x10\n  c: 12abc\n  d: \" 42 \"\n"
                                      "d:\n  a: 0.25\n  b: 1e3\n  c: x1\n",
                                      "types.yaml"),
                     0);
    assert_int_equal(conf_get_size(c, "s.a", 0), 100);
    assert_int_equal(conf_get_size(c, "s.b", 0), 1024);
    assert_int_equal(conf_get_size(c, "s.c", 0), 64ull << 20);
    assert_int_equal(conf_get_size(c, "s.d", 0), 2ull << 30);
    assert_int_equal(conf_get_size(c, "s.e", 0), 1536);
    assert_int_equal(conf_get_size(c, "s.f", 0), 3072);
    assert_int_equal(conf_get_size(c, "s.g", 0), 1ull << 40);
    assert_int_equal(conf_get_size(c, "s.j", 0), 7);
    capture_begin();
    assert_int_equal(conf_get_size(c, "s.h", 5), 5);
    assert_int_equal(conf_get_size(c, "s.i", 6), 6);
    assert_int_equal(conf_get_size(c, "s.i", 6), 6); /* second time: no second warning */
    assert_int_equal(conf_get_size(c, "s.k", 7), 7); /* overflow */
    assert_int_equal(conf_get_size(c, "s", 8), 8);   /* a map */
    const char *err = capture_end();
    assert_int_equal(count_of(err, "types.yaml:10: s.i: expected a size"), 1);
    assert_non_null(strstr(err, "types.yaml:9: s.h:"));
    assert_non_null(strstr(err, "s.k:"));

    assert_true(conf_get_bool(c, "b.y1", false));
    assert_true(conf_get_bool(c, "b.y2", false));
    assert_true(conf_get_bool(c, "b.y3", false));
    assert_true(conf_get_bool(c, "b.y4", false));
    assert_false(conf_get_bool(c, "b.n1", true));
    assert_false(conf_get_bool(c, "b.n2", true));
    assert_false(conf_get_bool(c, "b.n3", true));
    assert_false(conf_get_bool(c, "b.n4", true));
    capture_begin();
    assert_true(conf_get_bool(c, "b.bad", true));
    assert_false(conf_get_bool(c, "b.bad", false));
    err = capture_end();
    assert_int_equal(count_of(err, "b.bad: expected yes or no, found 'maybe'"), 1);

    assert_int_equal(conf_get_int(c, "i.a", 0), -5);
    assert_int_equal(conf_get_int(c, "i.b", 0), 16);
    assert_int_equal(conf_get_int(c, "i.d", 0), 42);
    capture_begin();
    assert_int_equal(conf_get_int(c, "i.c", 9), 9);
    assert_true(conf_get_double(c, "d.c", 2.5) == 2.5);
    err = capture_end();
    assert_non_null(strstr(err, "i.c: expected an integer, found '12abc'"));
    assert_non_null(strstr(err, "d.c: expected a number"));
    assert_true(conf_get_double(c, "d.a", 0) == 0.25);
    assert_true(conf_get_double(c, "d.b", 0) == 1000.0);
    conf_free(c);
}

static void test_unknown_keys(void **state)
{
    (void)state;
    Config *c = conf_new();
    assert_int_equal(conf_load_string(c,
                                      "vars:\n  address-groups:\n    HOME_NET: any\n"
                                      "  bogus-vars: 1\n"
                                      "frobnicate: 1\n"
                                      "af-packet:\n  - interface: eth0\n"
                                      "flow:\n  memcap: 1mb\n  prune: 5\n"
                                      "mything:\n  a: 1\n",
                                      "u.yaml"),
                     0);
    conf_register_known("mything");
    int old = log_get_level();
    log_set_level(LOG_LVL_WARN);
    capture_begin();
    conf_warn_unknown(c);
    conf_warn_unknown(c); /* once only */
    const char *err = capture_end();
    assert_int_equal(count_of(err, "u.yaml:5: unknown key 'frobnicate'"), 1);
    assert_int_equal(count_of(err, "u.yaml:4: unknown key 'vars.bogus-vars'"), 0); /* Suricata section */
    assert_null(strstr(err, "HOME_NET"));
    assert_null(strstr(err, "mything"));
    assert_null(strstr(err, "af-packet")); /* info level only */
    assert_null(strstr(err, "flow.memcap"));

    /* at -v the Suricata keys kasbah ignores are listed, once */
    Config *c2 = conf_new();
    assert_int_equal(conf_load_string(c2, "af-packet:\n  - interface: eth0\nflow:\n  prune: 5\n",
                                      "v.yaml"),
                     0);
    log_set_level(LOG_LVL_INFO);
    capture_begin();
    conf_warn_unknown(c2);
    conf_warn_unknown(c2);
    err = capture_end();
    assert_int_equal(count_of(err, "v.yaml:1: 'af-packet' is a Suricata setting"), 1);
    assert_int_equal(count_of(err, "v.yaml:4: 'flow.prune' is a Suricata setting"), 1);
    /* --set keys are checked too */
    assert_int_equal(conf_set(c2, "nonsense.key=1"), 0);
    capture_begin();
    conf_warn_unknown(c2);
    err = capture_end();
    assert_int_equal(count_of(err, "--set: unknown key 'nonsense'"), 1);
    log_set_level(old);
    conf_free(c2);
    conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_load_string),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_include),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_typed_getters),
        cmocka_unit_test(test_unknown_keys),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
