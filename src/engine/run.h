/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * run.h: one run of kasbah from parsed options to an exit status: the
 * configuration, the rules, the input, the output, the packet loop, the
 * end-of-input records, the summary. main() is parse + engine_run.
 *
 * Order (each step's failure is one line on stderr and an EngineExit code):
 *   1. configuration: built-in defaults, -c FILE, --set, unknown keys warned
 *      (4 on a bad file);
 *   2. -T: load the rules, print "N rules loaded, M failed" as the last line
 *      on stdout, exit 0 when M == 0 and 4 otherwise (Suricata's -T makes
 *      initialisation failures fatal in the same way);
 *   3. the log directory must exist and be writable (3);
 *   4. the input is opened before anything is written (2), so a bad input
 *      leaves no eve.json behind;
 *   5. rules (4 when the engine cannot be built; with --init-errors-fatal
 *      also when any rule failed), the anomaly engine (4), eve.json and
 *      fast.log when enabled (3);
 *   6. the packet loop until the end of the input or SIGINT/SIGTERM;
 *   7. all flows flushed (reason "shutdown"), anomaly_finish, the stats
 *      record, eve.json and fast.log closed (3 if a write failed), the
 *      summary.
 */
#ifndef KASBAH_ENGINE_RUN_H
#define KASBAH_ENGINE_RUN_H

#include <stdio.h>

#include "engine/cli.h"

/* Run as the options say; returns the process exit status (EngineExit). */
int engine_run(const CliOptions *o);

/* "kasbah X.Y.Z (libpcap ...)" and a newline. */
void engine_print_version(FILE *out);

#endif
