/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.h: messages for people, on stderr. One line each, prefixed with the
 * level ("kasbah: error: ..."). Errors and warnings always print; info with
 * -v, debug with -vv. Thread-safe (each line is one write).
 */
#ifndef KASBAH_CORE_LOG_H
#define KASBAH_CORE_LOG_H

enum { LOG_LVL_ERROR = 0, LOG_LVL_WARN = 1, LOG_LVL_INFO = 2, LOG_LVL_DEBUG = 3 };

/* Set the most verbose level printed (default LOG_LVL_WARN). */
void log_set_level(int level);
int log_get_level(void);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
