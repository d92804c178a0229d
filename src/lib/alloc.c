/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * alloc.c: accounted allocation with caps and fault injection (see alloc.h).
 * Each block is preceded by a 16-byte header holding its size, which keeps
 * the user pointer aligned for any scalar type.
 *
 * Fault injection: mem_fail_after() (unit tests) or the environment variable
 * KASBAH_FAIL_ALLOC=N (whole runs) makes the Nth allocation from then fail,
 * as if malloc had returned NULL; it is counted in the account's `failed`.
 */
#include "lib/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HDR 16u

static _Atomic uint64_t fail_countdown;
static _Atomic uint64_t fail_total;

void mem_account_init(MemAccount *a, const char *name, uint64_t cap)
{
    a->name = name;
    a->cap = cap;
    atomic_store(&a->used, 0);
    atomic_store(&a->peak, 0);
    atomic_store(&a->refused, 0);
    atomic_store(&a->failed, 0);
}

void mem_fail_after(uint64_t n) { atomic_store(&fail_countdown, n); }
uint64_t mem_fail_count(void) { return atomic_load(&fail_total); }

/* KASBAH_FAIL_ALLOC=N in the environment arms the hook for the Nth
 * allocation of the process (tests/faults/allocfail.py sweeps N over whole
 * runs). Read once, at the first allocation; a value that is not a plain
 * positive decimal number is ignored. */
static _Atomic int env_read;

static void read_fail_env(void)
{
    if (atomic_exchange(&env_read, 1) != 0)
        return;
    const char *v = getenv("KASBAH_FAIL_ALLOC");
    if (v == NULL || *v < '1' || *v > '9')
        return;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (*end == '\0')
        atomic_store(&fail_countdown, (uint64_t)n);
}

/* True when the fault hook says this allocation must fail. */
static int injected_failure(void)
{
    if (!atomic_load_explicit(&env_read, memory_order_relaxed))
        read_fail_env();
    uint64_t c = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (c == 0)
        return 0;
    if (atomic_fetch_sub(&fail_countdown, 1) == 1) {
        /* said once, so that a sweep knows the failure happened */
        if (atomic_fetch_add(&fail_total, 1) == 0 && getenv("KASBAH_FAIL_ALLOC") != NULL)
            fputs("kasbah: fault injection: an allocation failed on purpose (KASBAH_FAIL_ALLOC)\n",
                  stderr);
        return 1;
    }
    return 0;
}

/* Charge n bytes; 0 on success, -1 when the cap refuses. */
static int charge(MemAccount *a, size_t n)
{
    if (a == NULL)
        return 0;
    uint64_t now = atomic_fetch_add_explicit(&a->used, n, memory_order_relaxed) + n;
    if (a->cap != 0 && now > a->cap) {
        atomic_fetch_sub_explicit(&a->used, n, memory_order_relaxed);
        atomic_fetch_add_explicit(&a->refused, 1, memory_order_relaxed);
        return -1;
    }
    uint64_t peak = atomic_load_explicit(&a->peak, memory_order_relaxed);
    while (now > peak &&
           !atomic_compare_exchange_weak_explicit(&a->peak, &peak, now, memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
    return 0;
}

static void uncharge(MemAccount *a, size_t n)
{
    if (a != NULL)
        atomic_fetch_sub_explicit(&a->used, n, memory_order_relaxed);
}

void *mem_alloc(MemAccount *a, size_t n)
{
    if (n > SIZE_MAX - HDR)
        return NULL;
    if (charge(a, n) != 0)
        return NULL;
    unsigned char *p = injected_failure() ? NULL : malloc(n + HDR);
    if (p == NULL) {
        uncharge(a, n);
        if (a != NULL)
            atomic_fetch_add_explicit(&a->failed, 1, memory_order_relaxed);
        return NULL;
    }
    memcpy(p, &n, sizeof n);
    return p + HDR;
}

void *mem_calloc(MemAccount *a, size_t nmemb, size_t size)
{
    if (size != 0 && nmemb > SIZE_MAX / size)
        return NULL;
    void *p = mem_alloc(a, nmemb * size);
    if (p != NULL)
        memset(p, 0, nmemb * size);
    return p;
}

void *mem_realloc(MemAccount *a, void *p, size_t n)
{
    if (p == NULL)
        return mem_alloc(a, n);
    if (n > SIZE_MAX - HDR)
        return NULL;
    unsigned char *base = (unsigned char *)p - HDR;
    size_t old;
    memcpy(&old, base, sizeof old);
    if (n > old && charge(a, n - old) != 0)
        return NULL;
    unsigned char *q = injected_failure() ? NULL : realloc(base, n + HDR);
    if (q == NULL) {
        if (n > old)
            uncharge(a, n - old);
        if (a != NULL)
            atomic_fetch_add_explicit(&a->failed, 1, memory_order_relaxed);
        return NULL;
    }
    if (n < old)
        uncharge(a, old - n);
    memcpy(q, &n, sizeof n);
    return q + HDR;
}

void mem_free(MemAccount *a, void *p)
{
    if (p == NULL)
        return;
    unsigned char *base = (unsigned char *)p - HDR;
    size_t n;
    memcpy(&n, base, sizeof n);
    uncharge(a, n);
    free(base);
}

char *mem_strndup(MemAccount *a, const char *s, size_t len)
{
    char *d = mem_alloc(a, len + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

int mem_would_fit(const MemAccount *a, size_t n)
{
    if (a == NULL || a->cap == 0)
        return 1;
    return atomic_load_explicit(&a->used, memory_order_relaxed) + n <= a->cap;
}
