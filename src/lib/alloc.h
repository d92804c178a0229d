/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * alloc.h: the accounted allocator. Every heap allocation in kasbah goes
 * through one MemAccount per subsystem (flow, stream, applayer, detect,
 * anomaly, defrag, ...). An account has a cap, a running total, a peak and a
 * count of refusals; EVE `stats` reports them under `memcap.<name>`.
 *
 * Reaching a cap is not a crash: mem_alloc() returns NULL, counts a refusal,
 * and the caller applies its named policy (evict, drop the state, ...).
 * A test hook fails the Nth allocation on purpose (mem_fail_after), so that
 * out-of-memory paths are exercised (see tests/unit/test_alloc.c).
 *
 * Blocks carry a small header with their size, so mem_free() needs no size.
 * Counters are updated with relaxed atomics: accounts may be shared between
 * worker threads. A cap of 0 means unlimited.
 */
#ifndef KASBAH_LIB_ALLOC_H
#define KASBAH_LIB_ALLOC_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct MemAccount {
    const char *name;          /* e.g. "flow"; static storage */
    uint64_t cap;              /* bytes; 0 = unlimited */
    _Atomic uint64_t used;     /* bytes currently allocated */
    _Atomic uint64_t peak;     /* highest `used` seen */
    _Atomic uint64_t refused;  /* allocations refused by the cap */
    _Atomic uint64_t failed;   /* allocations the system (or the fault hook) refused */
} MemAccount;

/* Initialise caller-provided storage. name must outlive the account. */
void mem_account_init(MemAccount *a, const char *name, uint64_t cap);

/* Allocate n bytes charged to a (may be NULL: uncharged). NULL when the cap
 * would be exceeded (refused++) or malloc fails (failed++). n == 0 allocates
 * a minimal block. Thread-safe. */
void *mem_alloc(MemAccount *a, size_t n);

/* As mem_alloc, zero-filled; checks nmemb * size for overflow. */
void *mem_calloc(MemAccount *a, size_t nmemb, size_t size);

/* Resize p (NULL allocates). On failure returns NULL and leaves p valid. */
void *mem_realloc(MemAccount *a, void *p, size_t n);

/* Free a block from mem_alloc/calloc/realloc with the same account. NULL is a no-op. */
void mem_free(MemAccount *a, void *p);

/* Duplicate a string (len bytes + NUL). */
char *mem_strndup(MemAccount *a, const char *s, size_t len);

/* Would n more bytes fit under the cap? (A hint: another thread may race.) */
int mem_would_fit(const MemAccount *a, size_t n);

/* Test hook: make the Nth allocation from now fail (1 = the next one), across
 * all accounts; 0 disables. mem_fail_count() says how many were failed.
 * For a whole run, KASBAH_FAIL_ALLOC=N in the environment does the same for
 * the process's Nth allocation (read at the first allocation), and the first
 * failure it injects prints one line on stderr saying so. */
void mem_fail_after(uint64_t n);
uint64_t mem_fail_count(void);

#endif
