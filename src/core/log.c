/* SPDX-License-Identifier: GPL-2.0-only */
/* log.c: stderr messages (see log.h). */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static int max_level = LOG_LVL_WARN;

void log_set_level(int level) { max_level = level; }
int log_get_level(void) { return max_level; }

void log_msg(int level, const char *fmt, ...)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    if (level > max_level)
        return;
    char line[2048];
    int n = snprintf(line, sizeof line, "kasbah: %s: ", names[level < 0 ? 0 : level > 3 ? 3 : level]);
    if (n < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
