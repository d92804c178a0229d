/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pipeline.h: the packet path, from a capture record to every stage, and the
 * state it runs on.
 *
 *   capture record -> Packet -> decode_packet -> for the packet and each
 *   pseudo packet decoding produced: flow_table_handle -> detect_packet
 *   (-> EVE alert records and fast.log) -> anomaly_packet; then the pseudo packets are freed.
 *   As capture time advances (once per second of capture time):
 *   flow_table_timeout and decode_defrag_timeout. Flows that end (timeout,
 *   eviction, flush) go through pipeline_flow_end: detect_flow_end, then the
 *   EVE flow record.
 *
 * A Worker holds everything one packet-processing thread owns (decoder,
 * flow table, detect scratch, counters, JSON scratch). With one worker
 * (`--threads 1`) everything runs on the main thread as described above.
 * With several (threading.threads / --threads N > 1), engine/threads.c
 * runs each worker on its own thread, fed the frames of its address pairs
 * (engine/dispatch.h) by the capture reader, so nothing in a Worker is
 * shared and the packet path takes no locks; the records come back in
 * packet order through a merger on the main thread, which also runs the
 * anomaly detector (see threads.h). The Pipeline holds what is shared: the
 * configuration, the compiled rules (read-only), the anomaly engine and the
 * EVE writer (which locks internally).
 *
 * Not thread-safe beyond that split; configuration-time functions
 * (pipeline_init/fini) run on the main thread.
 */
#ifndef KASBAH_ENGINE_PIPELINE_H
#define KASBAH_ENGINE_PIPELINE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "anomaly/anomaly.h"
#include "applayer/applayer.h"
#include "capture/pcap_file.h"
#include "core/config.h"
#include "core/stats.h"
#include "decode/decode.h"
#include "detect/detect.h"
#include "flow/flow.h"
#include "lib/alloc.h"
#include "lib/json.h"
#include "output/eve.h"
#include "stream/stream.h"

struct Pipeline;
struct WorkerThread;

typedef struct Worker {
    unsigned id;
    struct Pipeline *pl;       /* the shared part (borrowed) */
    Stats stats;               /* this worker's counters */
    MemAccount flow_acct;      /* "flow": the flow table */
    MemAccount detect_flow_acct; /* "detect_flow": per-flow detect state (uncapped, as before) */
    MemAccount eve_acct;       /* "eve": JSON scratch buffers */
    DecodeCtx *decode;
    FlowTable *flows;
    StreamCtx *stream;         /* TCP sessions and reassembly */
    AppLayerCtx *app;          /* protocol detection and parsers */
    DetectThread *detect;
    DetectAlerts alerts;       /* detect_packet's output for the current packet */
    JsonBuf jb;                /* scratch for this worker's EVE records */

    int64_t now_ns;            /* highest capture time seen (the worker's clock) */
    int64_t next_tick_ns;      /* when timeouts next run */
    bool clock_set, ticked;    /* now_ns / next_tick_ns hold a value */
    uint64_t n_flows;          /* flows ended (= flow records attempted) */
    uint64_t n_alerts;         /* alerts handed to the writer */

    /* with threads (NULL / 0 with one worker) */
    EveWriter *eve;            /* this worker's memory writer; NULL: pl->eve */
    struct WorkerThread *th;   /* threads.c's part of this worker */
    uint64_t cur_seq;          /* number of the message being processed (1-based) */
} Worker;

typedef struct Pipeline {
    /* shared, read-only while packets flow */
    const Config *conf;
    const DetectEngine *de;
    DecodeConfig dcfg;
    FlowConfig fcfg;
    StreamConfig scfg;
    bool stream_on;            /* stream.enabled (default yes); no: TCP gets flows only */

    /* shared, internally locked or used by one thread at a time */
    EveWriter *eve;
    struct FastLog *fastlog;   /* fast.log, NULL when disabled */
    AnomalyEngine *anomaly;    /* NULL when anomaly.enabled is off */
    JsonBuf anomaly_jb;        /* scratch for anomaly records */

    Worker *workers;
    unsigned n_workers;        /* threading.threads (1: no threads at all) */
    Stats main_stats;          /* counters of the main thread's stages when
                                  threaded (the anomaly detector) */

    /* the input as a whole (reader side) */
    const Stats *capture_stats;/* capture.* counters, kept by the source (borrowed; may be NULL) */
    uint64_t n_packets;        /* records read */
    uint64_t n_bytes;          /* their wire bytes */
    int64_t first_ts_ns, last_ts_ns;
    bool have_ts;
    uint64_t n_anomalies;      /* anomaly events emitted */
    int cur_datalink;          /* link type of the last record */
    int seen_datalinks[16];    /* link types already reported as not decoded */
    unsigned n_seen_datalinks;

    volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM: stop reading */
    bool interrupted;          /* the loop ended because of *stop */
} Pipeline;

/*
 * Build the workers (decoder, flow table, detect scratch): as many as
 * `threading.threads` says (default: the online cores; a value that is not
 * 1..PIPELINE_MAX_THREADS is an error). conf, de, eve and anomaly (may be
 * NULL) are borrowed and must outlive the pipeline; dcfg/fcfg are copied.
 * Returns 0, or -1 after logging (OOM, a flow configuration the table
 * refuses, a bad thread count).
 */
#define PIPELINE_MAX_THREADS 256
int pipeline_init(Pipeline *pl, const Config *conf, const DecodeConfig *dcfg,
                  const FlowConfig *fcfg, const DetectEngine *de, EveWriter *eve,
                  volatile sig_atomic_t *stop);

/* The AnomalyEmitFn to give anomaly_new (user = the Pipeline). */
void pipeline_anomaly_emit(const AnomalyEvent *ev, void *user);

/* The Stats block to give anomaly_new: worker 0's with one worker, the
 * main thread's (main_stats) with several. */
Stats *pipeline_anomaly_stats(Pipeline *pl);

/* Process one capture record through every stage. */
void pipeline_packet(Pipeline *pl, const CaptureRecord *rec);

/*
 * Read cs to its end (or until *stop), calling pipeline_packet for each
 * record; `on_tick` (may be NULL) is called every few thousand packets with
 * `tick_user`, for the progress line. With several workers, runs the
 * threads instead (threads_run) and returns with every flow already
 * flushed and its records written. 0, or -1 after logging (threads could
 * not be started).
 */
int pipeline_run(Pipeline *pl, CaptureSource *cs, void (*on_tick)(void *user), void *tick_user);

/* ---- for engine/threads.c ---- */

/* The reader's bookkeeping of a record (counts, first/last time, link
 * types not decoded); main thread. */
void pipeline_reader_account(Pipeline *pl, const CaptureRecord *rec);

/* One worker's side of a message: */

/* Decode and process one frame (rec's bytes are valid for the call) at the
 * reader's clock now_ns; flow_now_ns (INT64_MIN: none yet) is the highest
 * time of the IP frames so far, what the one flow table of a single thread
 * would have as its clock. */
void pipeline_worker_packet(Worker *w, const CaptureRecord *rec, int64_t now_ns,
                            int64_t flow_now_ns);
/* The time-driven work at the reader's clock now_ns (flow timeouts, defrag). */
void pipeline_worker_tick(Worker *w, int64_t now_ns);
/* End of input: end every flow of this worker (reason shutdown) at now_ns. */
void pipeline_worker_flush(Worker *w, int64_t now_ns);

/*
 * End of input: flush every flow (reason shutdown), finish the anomaly
 * engine, write the stats record. Returns 0, or -1 when anomaly_finish
 * failed (logged).
 */
int pipeline_finish(Pipeline *pl);

/* Sum of every worker's counters and the capture counters into *out. */
void pipeline_stats(const Pipeline *pl, Stats *out);

/* Totals for the summary. */
uint64_t pipeline_flows(const Pipeline *pl);
uint64_t pipeline_alerts(const Pipeline *pl);

/* Free the workers (not the borrowed parts). Safe after a failed init. */
void pipeline_fini(Pipeline *pl);

#endif
