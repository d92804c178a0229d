/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * threads.h: the pipeline on several threads (threading.threads > 1).
 *
 *   main thread: capture reader + merger        worker threads 0..N-1
 *   capture_next -> dispatch_hash % N --ring--> decode, flow, stream,
 *                                               app-layer, detect; records
 *   merger: records in message order <--ring--  into a memory EveWriter
 *           -> eve.json; anomaly detector
 *
 * Messages: every capture record becomes one numbered message (its bytes
 * copied into the worker's input ring, which is the preallocated packet
 * pool: nothing is allocated per packet). The reader keeps the clock (the
 * highest capture time, as the single-threaded loop does) and sends it with
 * each frame; when it crosses a second it BROADCASTS a tick message to
 * every worker, at the same place in the packet order as the single thread
 * runs its timeouts; at the end (or on SIGINT/SIGTERM) it broadcasts a
 * flush. A full ring makes the reader wait (it merges meanwhile): nothing
 * is dropped.
 *
 * Output: each message gives, in the worker's output ring, its records
 * (complete EVE lines), the packets the anomaly detector must see, and a
 * DONE mark. The merger follows the reader's list of messages in order:
 * for a frame it copies that worker's lines to eve.json and feeds the
 * anomaly detector at the same point as the single thread does (so the
 * detector, which keeps per-host state across all flows, sees every packet
 * in capture order and gives the same scores at any N); for a broadcast it
 * merges the workers' flow-end groups by the key the single-threaded table
 * would have used: (deadline, creating message, creation number) for
 * timeouts, (creating message, creation number) for the flush. So the file
 * has the same bytes as with one thread (output.ordered is therefore always
 * in effect), except for what follows.
 *
 * Known differences from one thread:
 *   - threshold / detection_filter state lives in each worker's
 *     DetectThread, so rules tracked by_src, by_dst or by_rule count per
 *     worker: a source talking to destinations on several workers can
 *     alert more often (by_flow and by_both are exact: one address pair is
 *     one worker; the engine warns when such rules are loaded). Making
 *     them exact needs the decision in packet order on the merger (a shared
 *     table would not be deterministic);
 *   - the stats record's memory figures: memcap.* and *.memuse are sums
 *     over the workers' own tables and pools (the flow, defrag, stream and
 *     reassembly caps are split so that they add up to the configured
 *     value; the app-layer cap is per worker);
 *   - when a memcap refuses, which flows lose data depends on how flows
 *     are spread, so the records can differ under memory pressure;
 *   - the workers' flow-table clocks follow the highest time of frames with
 *     an IP header, where the single table follows frames that got a flow:
 *     a capture whose time goes backwards, with a non-flow IP frame carrying
 *     the newest time, can give other timeout deadlines;
 *   - flows of one timeout class with the same last-packet time on two
 *     workers are merged by creation, where the single table ends them in
 *     the order they were last touched;
 *   - creation numbers are compared as 32-bit serial numbers: flows created
 *     more than 2^31 frames apart that end in the same tick may swap.
 *
 * fast.log lines travel with the EVE lines of their record group, so
 * fast.log is in the same order as with one thread too.
 */
#ifndef KASBAH_ENGINE_THREADS_H
#define KASBAH_ENGINE_THREADS_H

#include "capture/pcap_file.h"
#include "decode/packet.h"
#include "engine/pipeline.h"
#include "flow/flow.h"

/*
 * Run the input through pl->n_workers worker threads until the end or
 * *pl->stop, then flush every worker's flows and write all their records.
 * pl->eve must be set. 0, or -1 after logging (rings or threads could not
 * be made; nothing was read then).
 */
int threads_run(Pipeline *pl, CaptureSource *cs, void (*on_tick)(void *user), void *tick_user);

/* Worker side, called by pipeline.c on a worker thread (w->th set): */

/* The anomaly detector's turn for p: hand the records so far, then p
 * (without its byte pointers), to the merger. */
void threads_worker_anomaly(Worker *w, const Packet *p);
/* fast.log lines of these alerts, kept with the worker's EVE lines so
 * that the merger writes them in the same order. */
void threads_worker_fastlog(Worker *w, const Packet *p, const DetectAlerts *as);
/* A flow starts ending: the records from here to unit_end belong to it and
 * are ordered by its key. */
void threads_worker_unit_begin(Worker *w, const Flow *f);
void threads_worker_unit_end(Worker *w);

#endif
