/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_main.c: the engine's unit-test program (unit-engine): the command
 * line and summary figures (test_cli.c), then whole runs in-process
 * (test_run.c), the threads' ring and dispatch hash (test_threads.c).
 * Fails when any group fails.
 */
int test_cli_group(void);
int test_run_group(void);
int test_threads_group(void);

int main(void)
{
    int failed = test_cli_group();
    failed += test_run_group();
    failed += test_threads_group();
    return failed != 0;
}
