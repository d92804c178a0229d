/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * main.c: the kasbah program: parse the command line, then run. Everything
 * else is in the library (engine/run.c wires the stages); exit codes are
 * listed in engine/cli.h and in --help.
 */
#include <stdio.h>

#include "core/log.h"
#include "engine/cli.h"
#include "engine/run.h"

int main(int argc, char **argv)
{
    CliOptions o;
    char err[512];
    int rc = cli_parse(&o, argc, argv, NULL, err, sizeof err);
    if (rc != 0) {
        log_error("%s", err);
    } else if (o.help) {
        cli_usage(stdout);
    } else if (o.version) {
        engine_print_version(stdout);
    } else {
        rc = engine_run(&o);
    }
    cli_free(&o, NULL);
    if (fflush(stdout) != 0 && rc == 0)
        rc = ENGINE_EXIT_OUTPUT;
    return rc;
}
