/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_cli.c: unit tests for engine/cli (command-line parsing) and
 * engine/summary (the human-readable figures).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli.h"
#include "engine/summary.h"

static CliOptions o;
static char err[256];

/* Parse a NULL-terminated list of words after the program name. */
static int parse(const char *first, ...)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"kasbah";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 63; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    cli_free(&o, NULL);
    return cli_parse(&o, argc, argv, NULL, err, sizeof err);
}

static int teardown(void **state)
{
    (void)state;
    cli_free(&o, NULL);
    return 0;
}

/* ---- accepted command lines ---- */

static void test_minimal(void **state)
{
    (void)state;
    assert_int_equal(parse("-r", "x.pcap", NULL), 0);
    assert_string_equal(o.read_path, "x.pcap");
    assert_null(o.log_dir);
    assert_null(o.config_file);
    assert_int_equal(o.checksum, CLI_CHECKSUM_DEFAULT);
    assert_int_equal(o.n_rule_files, 0);
    assert_int_equal(o.n_sets, 0);
    assert_int_equal(o.verbose, 0);
    assert_false(o.test_config);
    assert_string_equal(err, "");
}

static void test_everything(void **state)
{
    (void)state;
    assert_int_equal(parse("-r", "dir/", "-S", "a.rules", "-S", "b.rules", "-l", "/tmp", "-c",
                           "k.yaml", "-k", "none", "--set", "flow.memcap=1mb", "--set=a.b=c=d",
                           "-vv", "-v", "--simulate-ips", "--init-errors-fatal", NULL),
                     0);
    assert_string_equal(o.read_path, "dir/");
    assert_int_equal(o.n_rule_files, 2);
    assert_string_equal(o.rule_files[0], "a.rules");
    assert_string_equal(o.rule_files[1], "b.rules");
    assert_string_equal(o.log_dir, "/tmp");
    assert_string_equal(o.config_file, "k.yaml");
    assert_int_equal(o.checksum, CLI_CHECKSUM_NONE);
    assert_int_equal(o.n_sets, 2);
    assert_string_equal(o.sets[0], "flow.memcap=1mb");
    assert_string_equal(o.sets[1], "a.b=c=d"); /* only the first '=' splits --set=... */
    assert_int_equal(o.verbose, 3);
    assert_true(o.simulate_ips);
    assert_true(o.init_errors_fatal);
}

static void test_attached_values_and_groups(void **state)
{
    (void)state;
    assert_int_equal(parse("-rfile.pcap", "-Srules", "-kall", "-Tv", NULL), 0);
    assert_string_equal(o.read_path, "file.pcap");
    assert_string_equal(o.rule_files[0], "rules");
    assert_int_equal(o.checksum, CLI_CHECKSUM_ALL);
    assert_true(o.test_config);
    assert_int_equal(o.verbose, 1);
    /* an option taking a value ends a group: the rest is its value */
    assert_int_equal(parse("-vr", "x", NULL), 0);
    assert_string_equal(o.read_path, "x");
    assert_int_equal(o.verbose, 1);
    assert_int_equal(parse("-vrx", NULL), 0);
    assert_string_equal(o.read_path, "x");
}

static void test_dash_values(void **state)
{
    (void)state;
    /* the word after an option that needs a value is taken as it is */
    assert_int_equal(parse("-r", "-weird-name.pcap", NULL), 0);
    assert_string_equal(o.read_path, "-weird-name.pcap");
}

static void test_test_mode_needs_no_input(void **state)
{
    (void)state;
    assert_int_equal(parse("-T", "-S", "x.rules", NULL), 0);
    assert_true(o.test_config);
    assert_null(o.read_path);
}

static void test_help_and_version(void **state)
{
    (void)state;
    assert_int_equal(parse("--help", NULL), 0);
    assert_true(o.help);
    assert_int_equal(parse("-h", NULL), 0);
    assert_true(o.help);
    assert_int_equal(parse("--version", NULL), 0);
    assert_true(o.version);
    assert_int_equal(parse("-V", NULL), 0);
    assert_true(o.version);
    /* help wins over a missing -r */
    assert_int_equal(parse("-v", "--help", NULL), 0);
}

static void test_double_dash(void **state)
{
    (void)state;
    assert_int_equal(parse("-r", "x", "--", NULL), 0);
    assert_int_equal(parse("-r", "x", "--", "extra", NULL), ENGINE_EXIT_USAGE);
    assert_non_null(strstr(err, "extra"));
}

/* ---- refused command lines: exit 1 and one line naming the problem ---- */

static void expect_usage(const char *needle)
{
    assert_non_null(strstr(err, needle));
    assert_null(strchr(err, '\n'));
}

static void test_unknown_options(void **state)
{
    (void)state;
    assert_int_equal(parse("-r", "x", "-x", NULL), ENGINE_EXIT_USAGE);
    expect_usage("unknown option '-x'");
    assert_int_equal(parse("-r", "x", "--frobnicate", NULL), ENGINE_EXIT_USAGE);
    expect_usage("unknown option '--frobnicate'");
    assert_int_equal(parse("-r", "x", "--frob=1", NULL), ENGINE_EXIT_USAGE);
    expect_usage("unknown option '--frob'");
    /* a long option's letter is not a short option */
    assert_int_equal(parse("-r", "x", "-i", NULL), ENGINE_EXIT_USAGE);
    expect_usage("'-i'");
    /* a prefix of a long option is not accepted */
    assert_int_equal(parse("-r", "x", "--se", "a=b", NULL), ENGINE_EXIT_USAGE);
    expect_usage("--se");
}

static void test_missing_arguments(void **state)
{
    (void)state;
    const char *opts[] = { "-r", "-S", "-l", "-c", "-k" };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        assert_int_equal(parse(opts[i], NULL), ENGINE_EXIT_USAGE);
        expect_usage("needs an argument");
        assert_non_null(strstr(err, opts[i]));
    }
    assert_int_equal(parse("-r", "x", "--set", NULL), ENGINE_EXIT_USAGE);
    expect_usage("'--set' needs an argument");
    assert_int_equal(parse("-r", "", NULL), ENGINE_EXIT_USAGE);
    expect_usage("empty");
}

static void test_bad_values(void **state)
{
    (void)state;
    assert_int_equal(parse("-r", "x", "-k", "auto", NULL), ENGINE_EXIT_USAGE);
    expect_usage("'all' or 'none'");
    assert_int_equal(parse("-r", "x", "--set", "novalue", NULL), ENGINE_EXIT_USAGE);
    expect_usage("key=value");
    assert_int_equal(parse("-r", "x", "--set", "=v", NULL), ENGINE_EXIT_USAGE);
    expect_usage("key=value");
    assert_int_equal(parse("-r", "x", "--help=yes", NULL), ENGINE_EXIT_USAGE);
    expect_usage("takes no value");
}

static void test_no_input_and_extras(void **state)
{
    (void)state;
    assert_int_equal(parse(NULL), ENGINE_EXIT_USAGE);
    expect_usage("no input");
    assert_int_equal(parse("-v", "-S", "r", NULL), ENGINE_EXIT_USAGE);
    expect_usage("-r");
    assert_int_equal(parse("-r", "x", "port", "80", NULL), ENGINE_EXIT_USAGE);
    expect_usage("unexpected argument 'port'");
    assert_int_equal(parse("-r", "x", "-r", "y", NULL), ENGINE_EXIT_USAGE);
    expect_usage("twice");
    assert_int_equal(parse("-r", "x", "-l", "a", "-l", "b", NULL), ENGINE_EXIT_USAGE);
    expect_usage("twice");
}

static void test_usage_mentions_exit_codes(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    cli_usage(f);
    fclose(f);
    assert_non_null(strstr(buf, "Exit status"));
    assert_non_null(strstr(buf, "  2  input error"));
    assert_non_null(strstr(buf, "  3  output error"));
    assert_non_null(strstr(buf, "  4  configuration"));
    assert_non_null(strstr(buf, "--set key=value"));
    free(buf);
}

/* ---- summary figures ---- */

static void test_format_bytes(void **state)
{
    (void)state;
    char b[32];
    summary_format_bytes(b, sizeof b, 0);
    assert_string_equal(b, "0 B");
    summary_format_bytes(b, sizeof b, 999);
    assert_string_equal(b, "999 B");
    summary_format_bytes(b, sizeof b, 1000);
    assert_string_equal(b, "1.0 kB");
    summary_format_bytes(b, sizeof b, 3800000);
    assert_string_equal(b, "3.8 MB");
    summary_format_bytes(b, sizeof b, 999999);
    assert_string_equal(b, "1.0 MB"); /* not "1000.0 kB" */
    summary_format_bytes(b, sizeof b, UINT64_MAX);
    assert_string_equal(b, "18446.7 PB");
}

static void test_format_rate(void **state)
{
    (void)state;
    char b[32];
    summary_format_rate(b, sizeof b, 0.0);
    assert_string_equal(b, "0");
    summary_format_rate(b, sizeof b, 950.0);
    assert_string_equal(b, "950");
    summary_format_rate(b, sizeof b, 182345.0);
    assert_string_equal(b, "182k");
    summary_format_rate(b, sizeof b, 3.44e6);
    assert_string_equal(b, "3.4M");
    summary_format_rate(b, sizeof b, -5.0);
    assert_string_equal(b, "0");
}

static void test_summary_line(void **state)
{
    (void)state;
    SummaryFigures f = { 38363, 3800000, 1234, 2, 1, 0.21, "./eve.json", false };
    char line[512];
    size_t n = summary_format(line, sizeof line, &f);
    assert_string_equal(line, "kasbah: 38363 packets (3.8 MB), 1234 flows, 2 alerts, 1 anomalies "
                              "in 0.21 s (183k pkt/s); output in ./eve.json\n");
    assert_int_equal(n, strlen(line));
    f.interrupted = true;
    f.output = NULL;
    summary_format(line, sizeof line, &f);
    assert_non_null(strstr(line, "interrupted after 38363 packets"));
    assert_non_null(strstr(line, "no EVE output"));
    /* a short buffer is cut, never overrun */
    char small[16];
    n = summary_format(small, sizeof small, &f);
    assert_int_equal(n, sizeof small - 1);
    assert_int_equal(strlen(small), sizeof small - 1);
}

int test_cli_group(void);

int test_cli_group(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_minimal, teardown),
        cmocka_unit_test_teardown(test_everything, teardown),
        cmocka_unit_test_teardown(test_attached_values_and_groups, teardown),
        cmocka_unit_test_teardown(test_dash_values, teardown),
        cmocka_unit_test_teardown(test_test_mode_needs_no_input, teardown),
        cmocka_unit_test_teardown(test_help_and_version, teardown),
        cmocka_unit_test_teardown(test_double_dash, teardown),
        cmocka_unit_test_teardown(test_unknown_options, teardown),
        cmocka_unit_test_teardown(test_missing_arguments, teardown),
        cmocka_unit_test_teardown(test_bad_values, teardown),
        cmocka_unit_test_teardown(test_no_input_and_extras, teardown),
        cmocka_unit_test(test_usage_mentions_exit_codes),
        cmocka_unit_test(test_format_bytes),
        cmocka_unit_test(test_format_rate),
        cmocka_unit_test(test_summary_line),
    };
    return cmocka_run_group_tests_name("test_cli", tests, NULL, NULL);
}
