/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.c: command-line parsing (see cli.h).
 *
 * A small hand-written parser rather than getopt_long: getopt keeps global
 * state (optind), prints its own messages and permutes argv, none of which
 * suits a parser that is unit-tested and must say exactly one line on error.
 */
#include "engine/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Short options that take an argument. */
static bool short_takes_arg(char c) { return strchr("rSlck", c) != NULL; }

static int fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t len, const char *fmt, ...)
{
    if (err != NULL && len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, len, fmt, ap);
        va_end(ap);
    }
    return ENGINE_EXIT_USAGE;
}

/* Store `val` for option `name` (as the user wrote it). */
static int apply_value(CliOptions *o, const char *name, char c, const char *val, char *err, size_t len)
{
    switch (c) {
    case 'r':
        if (o->read_path != NULL)
            return fail(err, len, "option %s given twice (a directory reads many files)", name);
        if (val[0] == '\0')
            return fail(err, len, "option %s needs a file or directory, not an empty string", name);
        o->read_path = val;
        return 0;
    case 'S':
        if (val[0] == '\0')
            return fail(err, len, "option %s needs a rule file, not an empty string", name);
        o->rule_files[o->n_rule_files++] = val;
        return 0;
    case 'l':
        if (o->log_dir != NULL)
            return fail(err, len, "option %s given twice", name);
        if (val[0] == '\0')
            return fail(err, len, "option %s needs a directory, not an empty string", name);
        o->log_dir = val;
        return 0;
    case 'c':
        if (o->config_file != NULL)
            return fail(err, len, "option %s given twice", name);
        if (val[0] == '\0')
            return fail(err, len, "option %s needs a file, not an empty string", name);
        o->config_file = val;
        return 0;
    case 'k':
        if (strcmp(val, "all") == 0)
            o->checksum = CLI_CHECKSUM_ALL;
        else if (strcmp(val, "none") == 0)
            o->checksum = CLI_CHECKSUM_NONE;
        else
            return fail(err, len, "option %s expects 'all' or 'none', not '%s'", name, val);
        return 0;
    case 't': { /* --threads */
        char *end = NULL;
        errno = 0;
        unsigned long n = strtoul(val, &end, 10);
        if (val[0] < '0' || val[0] > '9' || end == NULL || *end != '\0' || errno != 0 || n < 1 ||
            n > 256)
            return fail(err, len, "option %s expects a thread count from 1 to 256, not '%s'", name, val);
        o->threads = (unsigned)n;
        return 0;
    }
    case 's': /* --set */
    {
        const char *eq = strchr(val, '=');
        if (eq == NULL || eq == val)
            return fail(err, len, "option %s expects key=value, not '%s'", name, val);
        o->sets[o->n_sets++] = val;
        return 0;
    }
    default:
        return fail(err, len, "internal: unhandled option %s", name);
    }
}

/* Long options: name, the short letter they stand for ('s' = --set), and
 * whether they take a value. Flags carry their letter too. */
typedef struct LongOpt {
    const char *name;
    char c;
    bool arg;
} LongOpt;

static const LongOpt long_opts[] = {
    { "help", 'h', false },
    { "version", 'V', false },
    { "set", 's', true },
    { "simulate-ips", 'i', false },
    { "init-errors-fatal", 'f', false },
    { "threads", 't', true },
};

static int apply_flag(CliOptions *o, char c)
{
    switch (c) {
    case 'v': o->verbose++; return 0;
    case 'T': o->test_config = true; return 0;
    case 'h': o->help = true; return 0;
    case 'V': o->version = true; return 0;
    case 'i': o->simulate_ips = true; return 0;
    case 'f': o->init_errors_fatal = true; return 0;
    default: return -1;
    }
}

int cli_parse(CliOptions *o, int argc, char *const argv[], MemAccount *acct, char *err, size_t err_len)
{
    memset(o, 0, sizeof *o);
    if (err != NULL && err_len > 0)
        err[0] = '\0';
    size_t n = argc > 0 ? (size_t)argc : 1;
    o->rule_files = mem_calloc(acct, n, sizeof *o->rule_files);
    o->sets = mem_calloc(acct, n, sizeof *o->sets);
    if (o->rule_files == NULL || o->sets == NULL)
        return fail(err, err_len, "out of memory parsing the command line");

    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] == '-' && a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
            const LongOpt *lo = NULL;
            for (size_t k = 0; k < sizeof long_opts / sizeof long_opts[0]; k++)
                if (strlen(long_opts[k].name) == nlen && strncmp(long_opts[k].name, name, nlen) == 0)
                    lo = &long_opts[k];
            if (lo == NULL)
                return fail(err, err_len, "unknown option '%.*s' (see --help)", (int)(nlen + 2), a);
            if (!lo->arg) {
                if (eq != NULL)
                    return fail(err, err_len, "option '--%s' takes no value", lo->name);
                apply_flag(o, lo->c);
                continue;
            }
            const char *val = eq ? eq + 1 : NULL;
            if (val == NULL) {
                if (i + 1 >= argc)
                    return fail(err, err_len, "option '--%s' needs an argument", lo->name);
                val = argv[++i];
            }
            char shown[64];
            snprintf(shown, sizeof shown, "'--%s'", lo->name);
            int rc = apply_value(o, shown, lo->c, val, err, err_len);
            if (rc != 0)
                return rc;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            /* one or more grouped short options */
            for (size_t j = 1; a[j] != '\0'; j++) {
                char c = a[j];
                char shown[8];
                snprintf(shown, sizeof shown, "'-%c'", c);
                if (short_takes_arg(c)) {
                    const char *val;
                    if (a[j + 1] != '\0')
                        val = a + j + 1;
                    else if (i + 1 < argc)
                        val = argv[++i];
                    else
                        return fail(err, err_len, "option %s needs an argument", shown);
                    int rc = apply_value(o, shown, c, val, err, err_len);
                    if (rc != 0)
                        return rc;
                    break;
                }
                /* letters that only have a long form are not short options */
                if (strchr("vThV", c) == NULL || apply_flag(o, c) != 0)
                    return fail(err, err_len, "unknown option '-%c' (see --help)", c);
            }
            continue;
        }
        return fail(err, err_len, "unexpected argument '%s' (options start with '-'; see --help)", a);
    }
    if (i < argc)
        return fail(err, err_len, "unexpected argument '%s' after '--'", argv[i]);

    if (o->help || o->version)
        return 0;
    if (o->read_path == NULL && !o->test_config)
        return fail(err, err_len, "no input: give -r FILE|DIR (see --help)");
    return 0;
}

void cli_free(CliOptions *o, MemAccount *acct)
{
    mem_free(acct, o->rule_files);
    mem_free(acct, o->sets);
    o->rule_files = NULL;
    o->sets = NULL;
    o->n_rule_files = 0;
    o->n_sets = 0;
}

void cli_usage(FILE *out)
{
    fputs("Usage: kasbah -r FILE|DIR [options]\n"
          "       kasbah -T [-S RULES]... [-c CONFIG.yaml] [--set key=value]...\n"
          "\n"
          "Reads captures, decodes them, tracks flows, runs Suricata-language rules and an\n"
          "anomaly detector, and writes Suricata-compatible EVE JSON to LOGDIR/eve.json.\n"
          "\n"
          "Options:\n"
          "  -r FILE|DIR          read a pcap/pcapng file, or every file of a directory\n"
          "                       in name order as one stream\n"
          "  -S RULES             load rules from this file (repeatable)\n"
          "  -l LOGDIR            write output here (default: config default-log-dir, \".\");\n"
          "                       the directory must exist and be writable\n"
          "  -c CONFIG.yaml       load a Suricata-style YAML configuration\n"
          "  -k all|none          validate checksums (all, the default) or not (none)\n"
          "  --set key=value      override a configuration key (repeatable)\n"
          "  -v                   more messages on stderr (-vv for debug)\n"
          "  -T                   load the configuration and rules, print\n"
          "                       \"N rules loaded, M failed\" and exit (4 if M > 0)\n"
          "  --simulate-ips       treat drop/reject rules as in IPS mode (\"blocked\")\n"
          "  --init-errors-fatal  a rule that fails to load is a fatal error\n"
          "  --threads N          worker threads (default: threading.threads, else the\n"
          "                       online cores); 1 runs everything on one thread\n"
          "  -h, --help           this text\n"
          "  -V, --version        print the version\n"
          "\n"
          "Exit status:\n"
          "  0  success (also when stopped by SIGINT/SIGTERM: output is complete)\n"
          "  1  bad usage: unknown option, missing or bad argument\n"
          "  2  input error: missing or unreadable file or directory, no capture in it\n"
          "  3  output error: log directory missing or not writable, write failure\n"
          "  4  configuration or rule-load error (bad -c file; failed rules with -T\n"
          "     or --init-errors-fatal)\n",
          out);
}
