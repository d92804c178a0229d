/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pipeline.c: the packet loop (see pipeline.h for the order of the stages).
 *
 * Invariants:
 *   - a capture record's bytes are valid until the next capture_next(), so
 *     every packet, and the pseudo packets decoding made from it, is fully
 *     processed and the chain freed before the next record is read;
 *   - a worker's clock (now_ns) only moves forward, even when a capture's
 *     timestamps go backwards, so timeouts and record timestamps made from
 *     it are monotonic;
 *   - nothing here reads the wall clock: the EVE output depends only on the
 *     input and the options (determinism).
 */
#include "engine/pipeline.h"

#include <pcap/pcap.h>
#include <string.h>

#include "core/log.h"
#include "output/alert.h"
#include "output/anomaly.h"
#include "output/fastlog.h"

#define NS_PER_SEC INT64_C(1000000000)

/* Records between two calls of the tick callback (progress line). */
#define TICK_EVERY 4096u

/* ------------------------------------------------------------------ */
/* Flow end: detect clean-up, then the EVE flow record                */
/* ------------------------------------------------------------------ */

static void flow_end(Flow *f, FlowEndReason reason, void *user)
{
    Worker *w = user;
    detect_flow_end(w->detect, f);
    /* app_proto: NULL until applayer/ (issue #4) names f->app_proto here */
    eve_write_flow(w->pl->eve, &w->jb, f, reason, w->now_ns, NULL);
    w->n_flows++;
}

/* ------------------------------------------------------------------ */
/* Set-up and tear-down                                               */
/* ------------------------------------------------------------------ */

static int worker_init(Worker *w, Pipeline *pl, unsigned id)
{
    memset(w, 0, sizeof *w);
    w->id = id;
    w->pl = pl;
    mem_account_init(&w->flow_acct, "flow", pl->fcfg.memcap);
    mem_account_init(&w->eve_acct, "eve", 0);
    json_init(&w->jb, &w->eve_acct);
    w->decode = decode_ctx_new(&pl->dcfg, &w->stats);
    if (w->decode == NULL) {
        log_error("out of memory creating the decoder");
        return -1;
    }
    w->flows = flow_table_new(&pl->fcfg, &w->flow_acct, &w->stats, flow_end, w);
    if (w->flows == NULL) {
        log_error("cannot create the flow table (out of memory, or see above)");
        return -1;
    }
    w->detect = detect_thread_new(pl->de, &w->stats);
    if (w->detect == NULL) {
        log_error("out of memory creating the detection state");
        return -1;
    }
    return 0;
}

static void worker_fini(Worker *w)
{
    flow_table_free(w->flows);
    detect_thread_free(w->detect);
    decode_ctx_free(w->decode);
    json_fini(&w->jb);
    w->flows = NULL;
    w->detect = NULL;
    w->decode = NULL;
}

int pipeline_init(Pipeline *pl, const Config *conf, const DecodeConfig *dcfg,
                  const FlowConfig *fcfg, const DetectEngine *de, EveWriter *eve,
                  volatile sig_atomic_t *stop)
{
    memset(pl, 0, sizeof *pl);
    pl->conf = conf;
    pl->de = de;
    pl->dcfg = *dcfg;
    pl->fcfg = *fcfg;
    pl->eve = eve;
    pl->stop = stop;
    json_init(&pl->anomaly_jb, NULL);
    pl->n_workers = 1;
    pl->workers = mem_calloc(NULL, pl->n_workers, sizeof *pl->workers);
    if (pl->workers == NULL) {
        log_error("out of memory creating the workers");
        pl->n_workers = 0;
        return -1;
    }
    for (unsigned i = 0; i < pl->n_workers; i++)
        if (worker_init(&pl->workers[i], pl, i) != 0)
            return -1;
    return 0;
}

void pipeline_fini(Pipeline *pl)
{
    for (unsigned i = 0; i < pl->n_workers; i++)
        worker_fini(&pl->workers[i]);
    mem_free(NULL, pl->workers);
    pl->workers = NULL;
    pl->n_workers = 0;
    json_fini(&pl->anomaly_jb);
}

/* ------------------------------------------------------------------ */
/* Anomaly events                                                     */
/* ------------------------------------------------------------------ */

void pipeline_anomaly_emit(const AnomalyEvent *ev, void *user)
{
    Pipeline *pl = user;
    pl->n_anomalies++;
    eve_write_anomaly(pl->eve, &pl->anomaly_jb, ev);
}

/* ------------------------------------------------------------------ */
/* The packet path                                                    */
/* ------------------------------------------------------------------ */

/* Every stage after decode, for a wire packet or a pseudo packet. */
static void process(Worker *w, Packet *p)
{
    Pipeline *pl = w->pl;
    flow_table_handle(w->flows, p);

    /* (stream/ and applayer/ will run here: issue #4) */

    detect_packet(w->detect, p, &w->alerts);
    if (w->alerts.n > 0) {
        w->n_alerts += w->alerts.n;
        if (p->flow != NULL)
            p->flow->alerted = true;
        /* in the order detect_packet gave them; w->alerts.drop (IPS mode)
         * changes only what is logged, since kasbah reads files */
        eve_write_alerts(pl->eve, &w->jb, p, &w->alerts);
        if (pl->fastlog != NULL)
            fastlog_write(pl->fastlog, p, &w->alerts);
    }

    if (pl->anomaly != NULL)
        anomaly_packet(pl->anomaly, p);
}

/* Run the time-driven work when the worker's clock crossed a tick. */
static void tick(Worker *w)
{
    if (w->ticked && w->now_ns < w->next_tick_ns)
        return;
    w->ticked = true;
    flow_table_timeout(w->flows, w->now_ns);
    decode_defrag_timeout(w->decode, w->now_ns);
    int64_t sec = w->now_ns / NS_PER_SEC;
    if (w->now_ns < 0 && w->now_ns % NS_PER_SEC != 0)
        sec--; /* floor, for the odd capture from before 1970 */
    w->next_tick_ns = (sec + 1) * NS_PER_SEC;
}

/* Report once per link type that decode/ does not decode. */
static void check_datalink(Pipeline *pl, const CaptureRecord *rec)
{
    if (decode_datalink_supported(rec->datalink))
        return;
    for (unsigned i = 0; i < pl->n_seen_datalinks; i++)
        if (pl->seen_datalinks[i] == rec->datalink)
            return;
    if (pl->n_seen_datalinks < sizeof pl->seen_datalinks / sizeof pl->seen_datalinks[0])
        pl->seen_datalinks[pl->n_seen_datalinks++] = rec->datalink;
    const char *name = pcap_datalink_val_to_name(rec->datalink);
    log_warn("%s: link type %d (%s) is not decoded; its packets are only counted "
             "(decoder.unknown_datalink)", rec->file, rec->datalink, name ? name : "unnamed");
}

void pipeline_packet(Pipeline *pl, const CaptureRecord *rec)
{
    /* one worker today; with several, flow_hash_packet picks it after decode */
    Worker *w = &pl->workers[0];

    if (rec->new_file || rec->datalink != pl->cur_datalink) {
        pl->cur_datalink = rec->datalink;
        check_datalink(pl, rec);
    }

    pl->n_packets++;
    pl->n_bytes += rec->wirelen;
    if (!pl->have_ts) {
        pl->first_ts_ns = rec->ts_ns;
        pl->have_ts = true;
    }
    /* clocks never go backwards (see the file comment) */
    if (rec->ts_ns > pl->last_ts_ns || pl->n_packets == 1)
        pl->last_ts_ns = rec->ts_ns;
    if (rec->ts_ns > w->now_ns || !w->clock_set) {
        w->now_ns = rec->ts_ns;
        w->clock_set = true;
    }
    tick(w);

    Packet p;
    memset(&p, 0, sizeof p);
    p.data = rec->data;
    p.caplen = rec->caplen;
    p.wirelen = rec->wirelen;
    p.datalink = rec->datalink;
    p.ts_ns = rec->ts_ns;
    p.pcap_cnt = rec->pcap_cnt;

    Packet *chain = decode_packet(w->decode, &p);
    process(w, &p);
    for (Packet *q = chain; q != NULL; q = q->next)
        process(w, q);
    decode_packet_free(w->decode, chain);
}

void pipeline_run(Pipeline *pl, CaptureSource *cs, void (*on_tick)(void *user), void *tick_user)
{
    CaptureRecord rec;
    unsigned since_tick = 0;
    for (;;) {
        if (pl->stop != NULL && *pl->stop) {
            pl->interrupted = true;
            break;
        }
        if (!capture_next(cs, &rec))
            break;
        pipeline_packet(pl, &rec);
        if (++since_tick >= TICK_EVERY) {
            since_tick = 0;
            if (on_tick != NULL)
                on_tick(tick_user);
        }
    }
}

/* ------------------------------------------------------------------ */
/* End of input                                                       */
/* ------------------------------------------------------------------ */

void pipeline_stats(const Pipeline *pl, Stats *out)
{
    memset(out, 0, sizeof *out);
    if (pl->capture_stats != NULL)
        stats_merge(out, pl->capture_stats);
    for (unsigned i = 0; i < pl->n_workers; i++)
        stats_merge(out, &pl->workers[i].stats);
}

uint64_t pipeline_flows(const Pipeline *pl)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < pl->n_workers; i++)
        n += pl->workers[i].n_flows;
    return n;
}

uint64_t pipeline_alerts(const Pipeline *pl)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < pl->n_workers; i++)
        n += pl->workers[i].n_alerts;
    return n;
}

int pipeline_finish(Pipeline *pl)
{
    int rc = 0;
    for (unsigned i = 0; i < pl->n_workers; i++) {
        Worker *w = &pl->workers[i];
        /* flows end at the time of the last packet, as Suricata's shutdown */
        if (pl->have_ts && pl->last_ts_ns > w->now_ns)
            w->now_ns = pl->last_ts_ns;
        flow_table_flush(w->flows, FLOW_END_SHUTDOWN);
    }
    if (pl->anomaly != NULL && anomaly_finish(pl->anomaly) != 0)
        rc = -1;

    /* Stats: the memory accounts of worker 0 (one worker today; with
     * several they are summed per name by the threads issue). */
    Worker *w0 = &pl->workers[0];
    MemAccount *accts[5];
    size_t n_accts = 0;
    accts[n_accts++] = &w0->flow_acct;
    /* decode/ exposes its accounts read-only; the stats writer only reads */
    accts[n_accts++] = (MemAccount *)decode_ctx_defrag_account(w0->decode);
    accts[n_accts++] = (MemAccount *)decode_ctx_pseudo_account(w0->decode);
    accts[n_accts++] = &w0->eve_acct;
    if (pl->anomaly != NULL && anomaly_account(pl->anomaly) != NULL)
        accts[n_accts++] = anomaly_account(pl->anomaly);

    Stats total;
    pipeline_stats(pl, &total);
    EveStatsExtra x;
    memset(&x, 0, sizeof x);
    int64_t span = pl->have_ts ? pl->last_ts_ns - pl->first_ts_ns : 0;
    x.uptime = span > 0 ? (uint64_t)(span / NS_PER_SEC) : 0;
    x.has_detect = pl->de != NULL;
    x.last_reload_ns = pl->have_ts ? pl->first_ts_ns : 0;
    x.rules_loaded = pl->de != NULL ? detect_engine_rules_loaded(pl->de) : 0;
    x.rules_failed = pl->de != NULL ? detect_engine_rules_failed(pl->de) : 0;
    x.accounts = accts;
    x.n_accounts = n_accts;
    eve_write_stats(pl->eve, &w0->jb, pl->have_ts ? pl->last_ts_ns : 0, &total, &x);
    return rc;
}
