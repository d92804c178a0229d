/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * threads.c: the reader, the workers and the merger (see threads.h for the
 * design, dispatch.h for how frames are spread, ring.h for the hand-off).
 *
 * Invariants:
 *   - message numbers (seq) start at 1 and follow the capture order; the
 *     order queue lists, for each message in that order, which worker has
 *     it (or "all" for a broadcast), and the merger consumes it strictly in
 *     that order;
 *   - a worker handles its messages in ring order and ends each with
 *     exactly one DONE entry, so the merger always knows where a message's
 *     output stops;
 *   - nothing blocks without first publishing both sides of every ring it
 *     owns (ring.h), so a full or empty ring never deadlocks: the oldest
 *     unmerged message's worker can always make progress;
 *   - only the main thread writes eve.json and touches the anomaly engine
 *     while the threads run (workers write their own memory EveWriter).
 */
#include "engine/threads.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "anomaly/anomaly.h"
#include "core/log.h"
#include "engine/dispatch.h"
#include "engine/ring.h"
#include "output/eve.h"
#include "output/fastlog.h"

#define NS_PER_SEC INT64_C(1000000000)

/* Packet pool per worker: the input ring. 8 MiB holds thousands of full
 * frames, enough to ride out a worker's slow packet without stalling the
 * reader; the cap bounds memory at N x 8 MiB ("threads" account). */
#define IN_RING_BYTES ((size_t)8 << 20)
/* Records and anomaly packets coming back; bigger record groups go on the
 * heap (rare: a flush of a worker with many flows uses many entries). */
#define OUT_RING_BYTES ((size_t)4 << 20)
/* Messages between the reader and the merger (4 bytes each). */
#define ORDER_CAP ((uint64_t)1 << 18)
#define ORDER_BCAST UINT32_MAX
#define TICK_EVERY 4096u

enum { MSG_PACKET = 1, MSG_TICK, MSG_FLUSH };
enum { OUT_REC = 1, OUT_ANOM, OUT_DONE };
enum { PH_PACKET = 0, PH_TICK, PH_FLUSH };

/* A frame or broadcast for a worker; the frame's bytes follow. */
typedef struct InMsg {
    uint64_t seq;
    int64_t now_ns;
    int64_t ts_ns;
    int64_t flow_now_ns; /* highest time of an IP frame so far (INT64_MIN: none) */
    uint64_t pcap_cnt;
    uint32_t caplen, wirelen;
    int32_t datalink;
    uint32_t pad;
} InMsg;

/* Order of flow-end groups within a broadcast (compared field by field). */
typedef struct UnitKey {
    int64_t deadline;
    uint32_t created;   /* Flow.engine_seq: low 32 bits of the creating message */
    uint32_t pad;
    uint64_t local;     /* the table's creation number */
} UnitKey;

/* Complete EVE lines (len bytes), then fast.log lines (fast_len bytes);
 * they follow the header unless `heap` holds them. */
typedef struct OutRec {
    UnitKey key;
    uint64_t n_lines;
    uint64_t len;
    char *heap;         /* owned by the merger once committed */
    uint64_t fast_len;
} OutRec;

/* A packet for the anomaly detector (no byte pointers). */
typedef struct OutAnom {
    Packet p;
    uint64_t flow_id;
    uint64_t has_flow;
} OutAnom;

typedef struct Threads Threads;

struct WorkerThread {
    Worker *w;
    Threads *t;
    pthread_t tid;
    bool started;
    Ring in, out;
    Doorbell bell;      /* the worker sleeps here: input, or output space */
    char *fast;         /* fast.log lines not yet handed on */
    size_t fast_len, fast_cap;
    int phase;
    UnitKey key;        /* of the records being made */
};

struct Threads {
    Pipeline *pl;
    unsigned n;
    struct WorkerThread *wt;
    Doorbell bell;      /* the main thread sleeps here */
    MemAccount acct;    /* "threads": the rings */
    uint32_t *order;
    uint64_t o_head, o_tail;
    bool *bdone;        /* per worker: DONE seen for the current broadcast */
    uint64_t seq;
    int64_t now_ns, next_tick_ns;
    int64_t flow_now_ns;   /* see InMsg */
    bool clock_set, ticked;
    Flow stub;          /* carries a flow_id to the anomaly detector */
};

static const UnitKey STRAY = { INT64_MIN, 0, 0, 0 };

/* ------------------------------------------------------------------ */
/* Worker side                                                        */
/* ------------------------------------------------------------------ */

/* Room in the output ring, waiting for the merger when it is full. */
static void *out_reserve(struct WorkerThread *wt, size_t len, uint32_t kind)
{
    for (;;) {
        void *m = ring_reserve(&wt->out, len, kind);
        if (m != NULL)
            return m;
        uint64_t e = doorbell_epoch(&wt->bell);
        ring_publish(&wt->out);
        ring_release_publish(&wt->in);
        m = ring_reserve(&wt->out, len, kind);
        if (m != NULL)
            return m;
        doorbell_wait(&wt->bell, e);
    }
}

/* Move the lines made so far into the output ring under `key`. */
static void emit_records(struct WorkerThread *wt, UnitKey key)
{
    size_t len;
    uint64_t n;
    const char *lines = eve_memory_lines(wt->w->eve, &len, &n);
    size_t fl = wt->fast_len;
    if (len == 0 && fl == 0)
        return;
    bool big = sizeof(OutRec) + len + fl > ring_max_payload(&wt->out);
    char *heap = NULL;
    if (big) {
        heap = mem_alloc(NULL, len + fl);
        if (heap == NULL) {
            log_error("threads: out of memory passing %llu EVE records on; they are lost",
                      (unsigned long long)n);
            eve_memory_clear(wt->w->eve);
            wt->fast_len = 0;
            return;
        }
    }
    OutRec *r = out_reserve(wt, sizeof *r + (big ? 0 : len + fl), OUT_REC);
    r->key = key;
    r->n_lines = n;
    r->len = len;
    r->heap = heap;
    r->fast_len = fl;
    char *dst = big ? heap : (char *)(r + 1);
    if (len > 0)
        memcpy(dst, lines, len);
    if (fl > 0)
        memcpy(dst + len, wt->fast, fl);
    ring_commit(&wt->out);
    eve_memory_clear(wt->w->eve);
    wt->fast_len = 0;
}

void threads_worker_fastlog(Worker *w, const Packet *p, const DetectAlerts *as)
{
    struct WorkerThread *wt = w->th;
    for (unsigned i = 0; i < as->n; i++) {
        /* fastlog.c formats into 2 KiB lines */
        if (wt->fast_cap - wt->fast_len < 2048) {
            size_t cap = wt->fast_cap != 0 ? wt->fast_cap * 2 : 8192;
            char *nb = mem_realloc(NULL, wt->fast, cap);
            if (nb == NULL) {
                log_error("threads: out of memory keeping a fast.log line; it is lost");
                return;
            }
            wt->fast = nb;
            wt->fast_cap = cap;
        }
        wt->fast_len += fastlog_format(wt->fast + wt->fast_len, wt->fast_cap - wt->fast_len, p,
                                       &as->a[i], as->a[i].blocked);
    }
}

void threads_worker_anomaly(Worker *w, const Packet *p)
{
    if (w->pl->anomaly == NULL)
        return;
    struct WorkerThread *wt = w->th;
    emit_records(wt, wt->key);
    OutAnom *a = out_reserve(wt, sizeof *a, OUT_ANOM);
    a->p = *p;
    a->p.data = NULL;
    a->p.payload = NULL;
    a->p.owned = NULL;
    a->p.next = NULL;
    a->p.flow = NULL;
    a->flow_id = p->flow != NULL ? p->flow->flow_id : 0;
    a->has_flow = p->flow != NULL;
    ring_commit(&wt->out);
}

void threads_worker_unit_begin(Worker *w, const Flow *f)
{
    struct WorkerThread *wt = w->th;
    emit_records(wt, wt->key);
    if (wt->phase == PH_TICK)
        wt->key = (UnitKey){ flow_table_deadline(w->flows, f), f->engine_seq, 0, f->seq };
    else if (wt->phase == PH_FLUSH)
        wt->key = (UnitKey){ 0, f->engine_seq, 0, f->seq };
}

void threads_worker_unit_end(Worker *w)
{
    struct WorkerThread *wt = w->th;
    emit_records(wt, wt->key);
    wt->key = STRAY;
}

static void *worker_main(void *arg)
{
    struct WorkerThread *wt = arg;
    Worker *w = wt->w;
    for (bool last = false; !last;) {
        size_t len;
        uint32_t kind;
        const void *m = ring_peek(&wt->in, &len, &kind);
        if (m == NULL) {
            uint64_t e = doorbell_epoch(&wt->bell);
            ring_publish(&wt->out);
            ring_release_publish(&wt->in);
            m = ring_peek(&wt->in, &len, &kind);
            if (m == NULL) {
                doorbell_wait(&wt->bell, e);
                continue;
            }
        }
        const InMsg *im = m;
        w->cur_seq = im->seq;
        wt->key = STRAY;
        switch (kind) {
        case MSG_PACKET: {
            CaptureRecord rec;
            memset(&rec, 0, sizeof rec);
            rec.data = (const uint8_t *)(im + 1);
            rec.caplen = im->caplen;
            rec.wirelen = im->wirelen;
            rec.datalink = im->datalink;
            rec.ts_ns = im->ts_ns;
            rec.pcap_cnt = im->pcap_cnt;
            wt->phase = PH_PACKET;
            pipeline_worker_packet(w, &rec, im->now_ns, im->flow_now_ns);
            break;
        }
        case MSG_TICK:
            wt->phase = PH_TICK;
            pipeline_worker_tick(w, im->now_ns);
            break;
        default: /* MSG_FLUSH: the last message */
            wt->phase = PH_FLUSH;
            pipeline_worker_flush(w, im->now_ns);
            last = true;
            break;
        }
        emit_records(wt, wt->key);
        ring_release(&wt->in);
        (void)out_reserve(wt, 0, OUT_DONE);
        ring_commit(&wt->out);
    }
    ring_publish(&wt->out);
    ring_release_publish(&wt->in);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Merger (main thread)                                               */
/* ------------------------------------------------------------------ */

static bool key_less(const UnitKey *a, const UnitKey *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    /* serial-number order (RFC 1982 style): right while the flows compared
     * were created fewer than 2^31 messages apart */
    if (a->created != b->created)
        return (int32_t)(a->created - b->created) < 0;
    return a->local < b->local;
}

static void write_rec(Threads *t, const OutRec *r)
{
    const char *lines = r->heap != NULL ? r->heap : (const char *)(r + 1);
    /* a write error is logged and remembered by the writer (eve_close) */
    (void)eve_write_lines(t->pl->eve, lines, (size_t)r->len, r->n_lines);
    if (r->fast_len > 0)
        (void)fastlog_write_lines(t->pl->fastlog, lines + r->len, (size_t)r->fast_len);
    if (r->heap != NULL)
        mem_free(NULL, r->heap);
}

static void feed_anomaly(Threads *t, const OutAnom *a)
{
    Packet p = a->p;
    t->stub.flow_id = a->flow_id;
    p.flow = a->has_flow ? &t->stub : NULL;
    anomaly_packet(t->pl->anomaly, &p);
}

/* Merge what is ready of the oldest message; true when anything moved. */
static bool merge_step(Threads *t)
{
    if (t->o_head == t->o_tail)
        return false;
    uint32_t who = t->order[t->o_tail % ORDER_CAP];
    bool progress = false;
    size_t len;
    uint32_t kind;
    if (who != ORDER_BCAST) {
        Ring *r = &t->wt[who].out;
        for (;;) {
            const void *e = ring_peek(r, &len, &kind);
            if (e == NULL)
                return progress;
            progress = true;
            if (kind == OUT_REC)
                write_rec(t, e);
            else if (kind == OUT_ANOM)
                feed_anomaly(t, e);
            ring_release(r);
            if (kind == OUT_DONE) {
                t->o_tail++;
                return true;
            }
        }
    }
    /* a broadcast: each worker's groups are in key order; merge them */
    for (;;) {
        int best = -1;
        const OutRec *best_r = NULL;
        for (unsigned i = 0; i < t->n; i++) {
            if (t->bdone[i])
                continue;
            Ring *r = &t->wt[i].out;
            const void *e = ring_peek(r, &len, &kind);
            while (e != NULL && kind != OUT_REC) {
                /* DONE; (OUT_ANOM cannot happen outside a frame) */
                ring_release(r);
                progress = true;
                if (kind == OUT_DONE) {
                    t->bdone[i] = true;
                    e = NULL;
                    break;
                }
                e = ring_peek(r, &len, &kind);
            }
            if (t->bdone[i])
                continue;
            if (e == NULL)
                return progress; /* this worker has not said yet */
            const OutRec *rec = e;
            if (best < 0 || key_less(&rec->key, &best_r->key)) {
                best = (int)i;
                best_r = rec;
            }
        }
        if (best < 0) {
            memset(t->bdone, 0, t->n * sizeof *t->bdone);
            t->o_tail++;
            return true;
        }
        write_rec(t, best_r);
        ring_release(&t->wt[best].out);
        progress = true;
    }
}

/* Everything the main thread holds back, made visible before it sleeps. */
static void publish_all(Threads *t)
{
    for (unsigned i = 0; i < t->n; i++) {
        ring_publish(&t->wt[i].in);
        ring_release_publish(&t->wt[i].out);
    }
}

/* Merge until something moved, sleeping when nothing can. */
static void merge_wait(Threads *t)
{
    for (;;) {
        if (merge_step(t))
            return;
        uint64_t e = doorbell_epoch(&t->bell);
        publish_all(t);
        if (merge_step(t))
            return;
        doorbell_wait(&t->bell, e);
    }
}

/* ------------------------------------------------------------------ */
/* Reader (main thread)                                               */
/* ------------------------------------------------------------------ */

static void *in_reserve(Threads *t, unsigned i, size_t len, uint32_t kind)
{
    for (;;) {
        void *m = ring_reserve(&t->wt[i].in, len, kind);
        if (m != NULL)
            return m;
        if (merge_step(t))
            continue;
        uint64_t e = doorbell_epoch(&t->bell);
        publish_all(t);
        m = ring_reserve(&t->wt[i].in, len, kind);
        if (m != NULL)
            return m;
        if (merge_step(t))
            continue;
        doorbell_wait(&t->bell, e);
    }
}

static void order_room(Threads *t)
{
    while (t->o_head - t->o_tail >= ORDER_CAP)
        merge_wait(t);
}

static void broadcast(Threads *t, uint32_t kind)
{
    order_room(t);
    t->seq++;
    for (unsigned i = 0; i < t->n; i++) {
        InMsg *m = in_reserve(t, i, sizeof *m, kind);
        memset(m, 0, sizeof *m);
        m->seq = t->seq;
        m->now_ns = t->now_ns;
        ring_commit(&t->wt[i].in);
    }
    t->order[t->o_head++ % ORDER_CAP] = ORDER_BCAST;
}

/* A frame too big for a ring (bigger than the 4 MiB a ring entry may
 * hold) cannot be passed on; pcap caps frames at 256 KiB, so this is a
 * capture that lies about its lengths. */
static void dispatch(Threads *t, const CaptureRecord *rec)
{
    uint32_t h = dispatch_hash(rec->data, rec->caplen, rec->datalink);
    unsigned i = h % t->n;
    /* the single thread's flow table clock moves with the frames that get
     * a flow; frames with an IP header are the reader's best guess of them */
    if (h != 0 && rec->ts_ns > t->flow_now_ns)
        t->flow_now_ns = rec->ts_ns;
    size_t caplen = rec->caplen;
    if (sizeof(InMsg) + caplen > ring_max_payload(&t->wt[i].in)) {
        log_warn("%s: record %llu of %zu bytes is too big to hand to a worker; cut to %zu",
                 rec->file != NULL ? rec->file : "input", (unsigned long long)rec->pcap_cnt,
                 caplen, ring_max_payload(&t->wt[i].in) - sizeof(InMsg));
        caplen = ring_max_payload(&t->wt[i].in) - sizeof(InMsg);
    }
    order_room(t);
    t->seq++;
    InMsg *m = in_reserve(t, i, sizeof *m + caplen, MSG_PACKET);
    m->seq = t->seq;
    m->now_ns = t->now_ns;
    m->ts_ns = rec->ts_ns;
    m->flow_now_ns = t->flow_now_ns;
    m->pcap_cnt = rec->pcap_cnt;
    m->caplen = (uint32_t)caplen;
    m->wirelen = rec->wirelen;
    m->datalink = rec->datalink;
    m->pad = 0;
    if (caplen > 0)
        memcpy(m + 1, rec->data, caplen);
    ring_commit(&t->wt[i].in);
    t->order[t->o_head++ % ORDER_CAP] = i;
}

/* The single-threaded loop's clock and tick (pipeline.c tick()), on the
 * reader: the same packets trigger the same timeouts. */
static void clock_record(Threads *t, int64_t ts_ns)
{
    if (ts_ns > t->now_ns || !t->clock_set) {
        t->now_ns = ts_ns;
        t->clock_set = true;
    }
    if (t->ticked && t->now_ns < t->next_tick_ns)
        return;
    t->ticked = true;
    broadcast(t, MSG_TICK);
    int64_t sec = t->now_ns / NS_PER_SEC;
    if (t->now_ns < 0 && t->now_ns % NS_PER_SEC != 0)
        sec--;
    t->next_tick_ns = (sec + 1) * NS_PER_SEC;
}

/* ------------------------------------------------------------------ */
/* Set-up and tear-down                                               */
/* ------------------------------------------------------------------ */

static void threads_free(Threads *t)
{
    for (unsigned i = 0; t->wt != NULL && i < t->n; i++) {
        struct WorkerThread *wt = &t->wt[i];
        ring_fini(&wt->in);
        ring_fini(&wt->out);
        mem_free(NULL, wt->fast);
        doorbell_fini(&wt->bell);
        if (wt->w != NULL) {
            if (eve_memory_dropped(wt->w->eve) > 0)
                log_error("threads: worker %u lost %llu EVE records (out of memory)", i,
                          (unsigned long long)eve_memory_dropped(wt->w->eve));
            eve_close(wt->w->eve);
            wt->w->eve = NULL;
            wt->w->th = NULL;
        }
    }
    mem_free(NULL, t->wt);
    mem_free(NULL, t->order);
    mem_free(NULL, t->bdone);
    doorbell_fini(&t->bell);
}

static int threads_setup(Threads *t, Pipeline *pl)
{
    memset(t, 0, sizeof *t);
    t->pl = pl;
    t->n = pl->n_workers;
    t->flow_now_ns = INT64_MIN;
    doorbell_init(&t->bell);
    mem_account_init(&t->acct, "threads", 0);
    t->wt = mem_calloc(NULL, t->n, sizeof *t->wt);
    t->order = mem_calloc(NULL, ORDER_CAP, sizeof *t->order);
    t->bdone = mem_calloc(NULL, t->n, sizeof *t->bdone);
    if (t->wt == NULL || t->order == NULL || t->bdone == NULL) {
        t->n = 0; /* nothing to take down in threads_free */
        return -1;
    }
    for (unsigned i = 0; i < t->n; i++)
        doorbell_init(&t->wt[i].bell);
    for (unsigned i = 0; i < t->n; i++) {
        struct WorkerThread *wt = &t->wt[i];
        wt->t = t;
        if (ring_init(&wt->in, IN_RING_BYTES, &t->acct, &wt->bell, &t->bell) != 0 ||
            ring_init(&wt->out, OUT_RING_BYTES, &t->acct, &t->bell, &wt->bell) != 0)
            return -1;
        Worker *w = &pl->workers[i];
        w->eve = eve_open_memory(pl->eve);
        if (w->eve == NULL)
            return -1;
        wt->w = w;
        w->th = wt;
        wt->key = STRAY;
    }
    return 0;
}

int threads_run(Pipeline *pl, CaptureSource *cs, void (*on_tick)(void *user), void *tick_user)
{
    static Threads t; /* one run per process; keeps the Flow stub off the stack */
    if (threads_setup(&t, pl) != 0) {
        log_error("out of memory setting up %u worker threads", pl->n_workers);
        threads_free(&t);
        return -1;
    }

    /* SIGINT/SIGTERM go to the main thread (the reader), which stops reading */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    unsigned started = 0;
    for (; started < t.n; started++) {
        int err = pthread_create(&t.wt[started].tid, NULL, worker_main, &t.wt[started]);
        if (err != 0) {
            log_error("cannot start worker thread %u of %u: %s", started + 1, t.n, strerror(err));
            break;
        }
        t.wt[started].started = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    if (started == t.n) {
        CaptureRecord rec;
        unsigned since_tick = 0;
        for (;;) {
            if (pl->stop != NULL && *pl->stop) {
                pl->interrupted = true;
                break;
            }
            if (!capture_next(cs, &rec))
                break;
            pipeline_reader_account(pl, &rec);
            clock_record(&t, rec.ts_ns);
            dispatch(&t, &rec);
            while (merge_step(&t)) {
            }
            if (++since_tick >= TICK_EVERY) {
                since_tick = 0;
                if (on_tick != NULL)
                    on_tick(tick_user);
            }
        }
    }
    /* the flush message also ends every started worker; then drain */
    if (pl->have_ts && pl->last_ts_ns > t.now_ns)
        t.now_ns = pl->last_ts_ns;
    if (started == t.n) {
        broadcast(&t, MSG_FLUSH);
        while (t.o_tail != t.o_head)
            merge_wait(&t);
    } else {
        /* the started ones wait for input: give each a flush, discard output */
        t.seq++;
        for (unsigned i = 0; i < started; i++) {
            InMsg *m = ring_reserve(&t.wt[i].in, sizeof *m, MSG_FLUSH);
            if (m != NULL) {
                memset(m, 0, sizeof *m);
                m->seq = t.seq;
                ring_commit(&t.wt[i].in);
            }
            ring_publish(&t.wt[i].in);
        }
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(t.wt[i].tid, NULL);
    /* entries left unmerged (failed start) may own heap lines */
    for (unsigned i = 0; i < t.n; i++) {
        size_t len;
        uint32_t kind;
        const void *e;
        while ((e = ring_peek(&t.wt[i].out, &len, &kind)) != NULL) {
            if (kind == OUT_REC && ((const OutRec *)e)->heap != NULL)
                mem_free(NULL, ((const OutRec *)e)->heap);
            ring_release(&t.wt[i].out);
        }
    }
    int rc = started == t.n ? 0 : -1;
    threads_free(&t);
    return rc;
}
