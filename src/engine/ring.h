/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ring.h: the hand-off between two threads -- a lock-free single-producer /
 * single-consumer ring of variable-length entries, and a doorbell to sleep
 * on when a ring is empty or full.
 *
 * Where it sits: engine/threads.c carries packets from the capture reader to
 * each worker, and each worker's records back to the merger, through one
 * Ring per direction and worker.
 *
 * Layout: one buffer of `cap` bytes (a multiple of 16), allocated once from
 * the caller's MemAccount, so the packet path never allocates. An entry is
 * a 16-byte header (payload length, a kind chosen by the caller) followed by
 * the payload rounded up to 16 bytes; an entry never wraps -- when it does
 * not fit before the end, a wrap marker fills the rest and the entry starts
 * again at offset 0. `head` (producer) and `tail` (consumer) are byte
 * positions that only grow; used = head - tail <= cap.
 *
 * Memory order: the producer writes the entry, then stores head with
 * release; the consumer loads head with acquire before reading the entry.
 * Symmetrically, the consumer stores tail with release once it is done with
 * the bytes, and the producer loads tail with acquire before reusing them.
 * Each side keeps a private copy of its own position and a cached copy of
 * the other's, so the shared indexes are touched once per batch, not per
 * entry: ring_commit / ring_release publish every RING_BATCH entries, and
 * ring_publish / ring_release_publish publish at once. A thread MUST publish
 * both its rings' sides before it sleeps, or its peer may wait for ever.
 *
 * Doorbell: an event count (epoch + waiters + mutex/condvar) that a waiter
 * reads, re-checks its condition, and sleeps on only if the epoch has not
 * moved; ringing costs one atomic add and one load unless someone sleeps.
 * The mutex is taken only on that slow path, so the packet path takes no
 * lock while rings are neither empty nor full.
 *
 * Thread-safety: exactly one producer thread and one consumer thread per
 * ring; the doorbell is for any number of threads.
 */
#ifndef KASBAH_ENGINE_RING_H
#define KASBAH_ENGINE_RING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/alloc.h"

/* Entries between two automatic publications of head or tail. */
#define RING_BATCH 32u

typedef struct Doorbell {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    _Atomic uint64_t epoch;
    _Atomic unsigned waiters;
} Doorbell;

void doorbell_init(Doorbell *d);
void doorbell_fini(Doorbell *d);
/* The current epoch: read it, re-check the condition, then doorbell_wait. */
uint64_t doorbell_epoch(Doorbell *d);
/* Sleep until the epoch differs from `seen` (returns at once if it does). */
void doorbell_wait(Doorbell *d, uint64_t seen);
/* Move the epoch on and wake every sleeper. */
void doorbell_ring(Doorbell *d);

typedef struct Ring {
    uint8_t *buf;
    size_t cap;                 /* bytes, a multiple of 16 */
    MemAccount *acct;
    Doorbell *wake_consumer;    /* rung when head is published (may be NULL) */
    Doorbell *wake_producer;    /* rung when tail is published (may be NULL) */

    /* Each group below sits at least a cache line (64 bytes) from the next,
     * so the two threads do not write to one line. Padding, not alignas: a
     * Ring lives in heap blocks that are only 16-byte aligned. */
    char pad0[64];
    _Atomic uint64_t head;     /* shared: bytes produced */
    char pad1[64];
    _Atomic uint64_t tail;     /* shared: bytes consumed */
    char pad2[64];

    /* producer's private state */
    uint64_t p_head, p_tail_seen, p_pending_size;
    unsigned p_unpublished;
    char pad3[64];

    /* consumer's private state */
    uint64_t c_tail, c_head_seen, c_cur_size;
    unsigned c_unpublished;
} Ring;

/*
 * Allocate a ring of `cap` bytes (rounded up to 16; at least 64) from acct
 * (may be NULL). The doorbells are borrowed and may be NULL. 0, or -ENOMEM
 * (acct refused or the system did).
 */
int ring_init(Ring *r, size_t cap, MemAccount *acct, Doorbell *wake_consumer,
              Doorbell *wake_producer);
/* Free the buffer. Safe on a zeroed or failed ring. */
void ring_fini(Ring *r);

/* The largest payload ring_reserve can ever accept (cap/2 - 16): the caller
 * keeps bigger things elsewhere. */
size_t ring_max_payload(const Ring *r);

/*
 * Producer: room for `len` payload bytes tagged `kind`; NULL when the ring
 * is full right now (or len > ring_max_payload). The pointer is 16-byte
 * aligned and valid until ring_commit, which makes the entry part of the
 * ring (visible to the consumer at the next publication). At most one
 * reservation is open at a time.
 */
void *ring_reserve(Ring *r, size_t len, uint32_t kind);
void ring_commit(Ring *r);
/* Producer: make every committed entry visible now and ring wake_consumer. */
void ring_publish(Ring *r);

/*
 * Consumer: the oldest entry (its payload; *len and *kind filled), or NULL
 * when none is visible. The same entry is returned until ring_release,
 * which gives its bytes back to the producer (at the next publication).
 */
const void *ring_peek(Ring *r, size_t *len, uint32_t *kind);
void ring_release(Ring *r);
/* Consumer: give every released byte back now and ring wake_producer. */
void ring_release_publish(Ring *r);

/* Entries are visible to the consumer but not yet released (a snapshot;
 * either thread). */
bool ring_empty(Ring *r);

#endif
