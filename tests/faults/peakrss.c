/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * peakrss.c: run a command and write its own peak RSS (wait4 ru_maxrss, KiB)
 * to a file; exit with the command's status (128 + N when signal N ended it).
 *
 * Where: tests/faults, compiled by floods.py next to floodgen. Why a C
 * wrapper: ru_maxrss is the high-water mark of the whole process, exec
 * included, so a command started straight from Python would report at least
 * the Python interpreter's RSS (fork copies it). Forked from this small
 * program, the child starts from a few hundred KiB.
 *
 * Usage: peakrss OUT.txt COMMAND [ARG]...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: peakrss OUT.txt COMMAND [ARG]...\n");
        return 125;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "peakrss: fork: %s\n", strerror(errno));
        return 125;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "peakrss: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "peakrss: wait4: %s\n", strerror(errno));
            return 125;
        }
    }
    FILE *f = fopen(argv[1], "w");
    if (f == NULL || fprintf(f, "%ld\n", ru.ru_maxrss) < 0 || fclose(f) != 0) {
        fprintf(stderr, "peakrss: %s: cannot write\n", argv[1]);
        return 125;
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
