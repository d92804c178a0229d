/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ring.c: the SPSC ring and the doorbell (see ring.h for the layout and the
 * memory-order argument).
 *
 * Invariants: p_head and c_tail are multiples of 16; every entry header
 * sits at a 16-byte boundary with at least 16 bytes before the end of the
 * buffer (cap is a multiple of 16), so a wrap marker always fits;
 * tail <= head <= tail + cap.
 */
#include "engine/ring.h"

#include <errno.h>
#include <string.h>

#define HDR 16u
#define KIND_WRAP UINT32_MAX

typedef struct EntryHdr {
    uint32_t len;
    uint32_t kind;
    uint64_t pad;
} EntryHdr;

static size_t round16(size_t n) { return (n + 15u) & ~(size_t)15u; }

/* ---- doorbell ---- */

void doorbell_init(Doorbell *d)
{
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    atomic_init(&d->epoch, 0);
    atomic_init(&d->waiters, 0);
}

void doorbell_fini(Doorbell *d)
{
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
}

uint64_t doorbell_epoch(Doorbell *d) { return atomic_load(&d->epoch); }

/* The waiter announces itself (waiters, seq_cst) before it reads the epoch
 * again; the ringer moves the epoch (seq_cst) before it reads waiters. Of
 * the two, at least one sees the other's write, so a ring is never lost. */
void doorbell_wait(Doorbell *d, uint64_t seen)
{
    pthread_mutex_lock(&d->mu);
    atomic_fetch_add(&d->waiters, 1);
    while (atomic_load(&d->epoch) == seen)
        pthread_cond_wait(&d->cv, &d->mu);
    atomic_fetch_sub(&d->waiters, 1);
    pthread_mutex_unlock(&d->mu);
}

void doorbell_ring(Doorbell *d)
{
    if (d == NULL)
        return;
    atomic_fetch_add(&d->epoch, 1);
    if (atomic_load(&d->waiters) != 0) {
        pthread_mutex_lock(&d->mu);
        pthread_cond_broadcast(&d->cv);
        pthread_mutex_unlock(&d->mu);
    }
}

/* ---- the ring ---- */

int ring_init(Ring *r, size_t cap, MemAccount *acct, Doorbell *wake_consumer,
              Doorbell *wake_producer)
{
    memset(r, 0, sizeof *r);
    cap = round16(cap < 64 ? 64 : cap);
    r->buf = mem_alloc(acct, cap);
    if (r->buf == NULL)
        return -ENOMEM;
    r->cap = cap;
    r->acct = acct;
    r->wake_consumer = wake_consumer;
    r->wake_producer = wake_producer;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return 0;
}

void ring_fini(Ring *r)
{
    if (r->buf != NULL)
        mem_free(r->acct, r->buf);
    r->buf = NULL;
    r->cap = 0;
}

size_t ring_max_payload(const Ring *r) { return r->cap / 2 - HDR; }

void *ring_reserve(Ring *r, size_t len, uint32_t kind)
{
    if (len > ring_max_payload(r))
        return NULL;
    size_t need = HDR + round16(len);
    size_t off = (size_t)(r->p_head % r->cap);
    size_t skip = off + need > r->cap ? r->cap - off : 0; /* wrap marker */
    if (r->p_head + skip + need - r->p_tail_seen > r->cap) {
        r->p_tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (r->p_head + skip + need - r->p_tail_seen > r->cap)
            return NULL;
    }
    if (skip > 0) {
        EntryHdr *w = (EntryHdr *)(void *)(r->buf + off);
        w->len = 0;
        w->kind = KIND_WRAP;
        r->p_head += skip;
        off = 0;
    }
    EntryHdr *h = (EntryHdr *)(void *)(r->buf + off);
    h->len = (uint32_t)len;
    h->kind = kind;
    r->p_pending_size = need;
    return r->buf + off + HDR;
}

void ring_publish(Ring *r)
{
    atomic_store_explicit(&r->head, r->p_head, memory_order_release);
    r->p_unpublished = 0;
    doorbell_ring(r->wake_consumer);
}

void ring_commit(Ring *r)
{
    r->p_head += r->p_pending_size;
    r->p_pending_size = 0;
    if (++r->p_unpublished >= RING_BATCH)
        ring_publish(r);
}

const void *ring_peek(Ring *r, size_t *len, uint32_t *kind)
{
    for (;;) {
        if (r->c_tail == r->c_head_seen) {
            r->c_head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
            if (r->c_tail == r->c_head_seen)
                return NULL;
        }
        size_t off = (size_t)(r->c_tail % r->cap);
        const EntryHdr *h = (const EntryHdr *)(const void *)(r->buf + off);
        if (h->kind == KIND_WRAP) {
            r->c_tail += r->cap - off;
            continue;
        }
        r->c_cur_size = HDR + round16(h->len);
        *len = h->len;
        if (kind != NULL)
            *kind = h->kind;
        return r->buf + off + HDR;
    }
}

void ring_release_publish(Ring *r)
{
    atomic_store_explicit(&r->tail, r->c_tail, memory_order_release);
    r->c_unpublished = 0;
    doorbell_ring(r->wake_producer);
}

void ring_release(Ring *r)
{
    r->c_tail += r->c_cur_size;
    r->c_cur_size = 0;
    if (++r->c_unpublished >= RING_BATCH)
        ring_release_publish(r);
}

bool ring_empty(Ring *r)
{
    return atomic_load_explicit(&r->head, memory_order_acquire) ==
           atomic_load_explicit(&r->tail, memory_order_acquire);
}
