/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h: the command line, in Suricata's conventions, and the exit codes.
 *
 *   kasbah -r FILE|DIR [-S RULES]... [-l LOGDIR] [-c CONFIG.yaml] [-k all|none]
 *          [--set key=value]... [-v]... [-T] [--simulate-ips]
 *          [--init-errors-fatal] [--threads N] [--help] [--version]
 *
 * Short options may be grouped ("-vv", "-Tv") and take their argument
 * attached or as the next word ("-rfile", "-r file"); long options take
 * "--set k=v" or "--set=k=v". "--" ends the options. Positional arguments
 * are refused (Suricata reads them as a BPF filter, which kasbah has not).
 *
 * Parsing does not print, allocate through anything but the given account,
 * or touch global state, so it is unit-tested directly.
 */
#ifndef KASBAH_ENGINE_CLI_H
#define KASBAH_ENGINE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/alloc.h"

/*
 * Exit codes (also in --help):
 *   0  success (also after SIGINT/SIGTERM: the output is complete up to there)
 *   1  bad usage: unknown option, missing or bad argument
 *   2  input error: a missing or unreadable file or directory, nothing in it
 *      could be opened as a capture
 *   3  output error: the log directory is missing or not writable, a write
 *      failed (disk full)
 *   4  configuration or rule-load fatal error: a bad -c file, an anomaly
 *      model that cannot be loaded, rules that failed to load under -T or
 *      --init-errors-fatal
 */
typedef enum EngineExit {
    ENGINE_EXIT_OK = 0,
    ENGINE_EXIT_USAGE = 1,
    ENGINE_EXIT_INPUT = 2,
    ENGINE_EXIT_OUTPUT = 3,
    ENGINE_EXIT_CONFIG = 4,
} EngineExit;

/* -k: checksum validation. Default (no -k) validates, as `-k all`. */
typedef enum CliChecksum {
    CLI_CHECKSUM_DEFAULT = 0,
    CLI_CHECKSUM_ALL,
    CLI_CHECKSUM_NONE,
} CliChecksum;

typedef struct CliOptions {
    const char *read_path;        /* -r; NULL when absent */
    const char **rule_files;      /* -S, in order given (n_rule_files) */
    size_t n_rule_files;
    const char *log_dir;          /* -l; NULL = config default-log-dir */
    const char *config_file;      /* -c; NULL = built-in defaults */
    CliChecksum checksum;         /* -k */
    const char **sets;            /* --set key=value, in order (n_sets) */
    size_t n_sets;
    int verbose;                  /* number of -v */
    bool test_config;             /* -T */
    bool simulate_ips;            /* --simulate-ips */
    bool init_errors_fatal;       /* --init-errors-fatal */
    unsigned threads;             /* --threads N (1..256); 0 = not given */
    bool help;                    /* -h / --help */
    bool version;                 /* -V / --version */
} CliOptions;

/*
 * Parse argv[1..argc). All strings point into argv (borrowed); the two
 * arrays are allocated from acct (may be NULL) and freed by cli_free.
 * Returns 0, or ENGINE_EXIT_USAGE with a one-line reason in err (no
 * "kasbah: error:" prefix, no newline). Checks only the syntax: that -r is
 * given (unless -T, --help or --version) is checked here too; whether files
 * exist is not.
 */
int cli_parse(CliOptions *o, int argc, char *const argv[], MemAccount *acct, char *err, size_t err_len);

/* Release the arrays of o (not the strings). Safe on a zeroed struct. */
void cli_free(CliOptions *o, MemAccount *acct);

/* The --help text, including the exit codes. */
void cli_usage(FILE *out);

#endif
