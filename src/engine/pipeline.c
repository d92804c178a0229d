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
#include <unistd.h>

#include "applayer/dns/dns.h"
#include "applayer/http/http.h"
#include "applayer/tls/tls.h"
#include "core/log.h"
#include "engine/threads.h"
#include "output/alert.h"
#include "output/anomaly.h"
#include "output/dns.h"
#include "output/fastlog.h"
#include "output/http.h"
#include "output/tls.h"

#define NS_PER_SEC INT64_C(1000000000)

/* Records between two calls of the tick callback (progress line). */
#define TICK_EVERY 4096u

/* Where a worker's records go: the shared writer, or with threads its own
 * memory writer (the merger moves the lines to the file in packet order). */
static EveWriter *weve(const Worker *w) { return w->eve != NULL ? w->eve : w->pl->eve; }

/* ------------------------------------------------------------------ */
/* Application-layer records (EVE http, dns, tls)                     */
/* ------------------------------------------------------------------ */

/* The records packet p of flow f completes: each HTTP transaction once,
 * when both sides are complete; DNS queries and answers as they arrive;
 * the TLS record once the handshake is done. */
static void app_records(Worker *w, Flow *f, const Packet *p)
{
    EveWriter *eve = weve(w);
    uint64_t n = applayer_tx_count(f);
    switch (f->app_proto) {
    case APP_PROTO_HTTP:
        if (!eve_type_enabled(eve, "http"))
            return;
        for (uint64_t i = 0; i < n; i++) {
            HttpTx *tx = applayer_tx_get(f, i);
            if (tx != NULL && http_tx_complete(tx) && !http_tx_logged(tx))
                eve_write_http(eve, &w->jb, p, tx);
        }
        break;
    case APP_PROTO_DNS:
        if (!eve_type_enabled(eve, "dns"))
            return;
        for (uint64_t i = 0; i < n; i++) {
            DnsTx *tx = applayer_tx_get(f, i);
            if (tx != NULL)
                eve_write_dns(eve, &w->jb, p, tx);
        }
        break;
    case APP_PROTO_TLS: {
        TlsState *s = applayer_flow_state(f);
        if (s != NULL && eve_type_enabled(eve, "tls") && tls_state_handshake_done(s) &&
            !tls_state_logged(s))
            eve_write_tls(eve, &w->jb, p, s);
        break;
    }
    default:
        break;
    }
}

/* The flow ends: write what was never complete enough to log (Suricata
 * logs open transactions at flow end too). */
static void app_records_flow_end(Worker *w, Flow *f)
{
    EveWriter *eve = weve(w);
    uint64_t n = applayer_tx_count(f);
    if (f->app_proto == APP_PROTO_HTTP && eve_type_enabled(eve, "http")) {
        for (uint64_t i = 0; i < n; i++) {
            HttpTx *tx = applayer_tx_get(f, i);
            if (tx != NULL && !http_tx_logged(tx))
                eve_write_http_flow(eve, &w->jb, f, w->now_ns, tx);
        }
    } else if (f->app_proto == APP_PROTO_TLS && eve_type_enabled(eve, "tls")) {
        TlsState *s = applayer_flow_state(f);
        if (s != NULL && !tls_state_logged(s) && tls_client_hello(s) != NULL)
            eve_write_tls_flow(eve, &w->jb, f, w->now_ns, s);
    }
}

/* ------------------------------------------------------------------ */
/* Flow end: stream flush, detect clean-up, then the EVE flow record  */
/* ------------------------------------------------------------------ */

/* Transactions that changed since the last packet of a direction, and
 * stream bytes not inspected yet, get one more inspection on a pseudo
 * packet of that direction (Suricata's flow-end pseudo packets), to server
 * first. */
static void flow_end_detect(Worker *w, Flow *f)
{
    if (f->key.proto != 6 && f->key.proto != 17)
        return;
    for (unsigned d = 0; d < 2; d++) {
        /* flushed bytes count as arriving now */
        if (!detect_flow_end_pending(f, d) && !applayer_flow_updated(f, 0) &&
            !applayer_flow_updated(f, 1))
            continue;
        Packet p;
        memset(&p, 0, sizeof p);
        p.flags = PKT_IS_PSEUDO | (f->key.ip_ver == 4 ? PKT_HAS_IPV4 : PKT_HAS_IPV6) |
                  (f->key.proto == 6 ? PKT_HAS_TCP : PKT_HAS_UDP);
        p.ts_ns = w->now_ns;
        p.ip_ver = f->key.ip_ver;
        p.ip_proto = f->key.proto;
        p.src = f->key.addr[d];
        p.dst = f->key.addr[1 - d];
        p.sp = f->key.port[d];
        p.dp = f->key.port[1 - d];
        p.flow = f;
        p.to_server = d == 0;
        p.tunnel_depth = f->key.tunnel;
        detect_flow_end_packet(w->detect, &p, &w->alerts);
        if (w->alerts.n > 0) {
            w->n_alerts += w->alerts.n;
            f->alerted = true;
            eve_write_alerts(weve(w), &w->jb, &p, &w->alerts);
            if (w->pl->fastlog != NULL && w->th != NULL)
                threads_worker_fastlog(w, &p, &w->alerts);
            else if (w->pl->fastlog != NULL)
                fastlog_write(w->pl->fastlog, &p, &w->alerts);
        }
    }
}

static void flow_end(Flow *f, FlowEndReason reason, void *user)
{
    Worker *w = user;
    if (w->th != NULL)
        threads_worker_unit_begin(w, f);
    /* the last held bytes reach the parsers before anything is logged */
    applayer_packet_begin(f);
    stream_flow_flush(w->stream, f, applayer_stream_deliver, w->app);
    flow_end_detect(w, f);
    detect_flow_end(w->detect, f);
    app_records_flow_end(w, f);
    eve_write_flow(weve(w), &w->jb, f, reason, w->now_ns, applayer_flow_proto_name(f));
    applayer_flow_end(w->app, f);
    stream_flow_free(w->stream, f);
    w->n_flows++;
    if (w->th != NULL)
        threads_worker_unit_end(w);
}

/* stream/'s hook: the session moved f to another TCP state. */
static void on_tcp_state(Flow *f, FlowTcpState old_state, void *user)
{
    (void)old_state;
    Worker *w = user;
    flow_table_tcp_state_changed(w->flows, f);
}

/* ------------------------------------------------------------------ */
/* Set-up and tear-down                                               */
/* ------------------------------------------------------------------ */

/* A configured memcap is for the whole engine (as in Suricata): each of n
 * workers gets an nth, worker 0 the remainder, so the caps add up to the
 * configured value. 0 (unlimited) stays 0. */
static uint64_t cap_share(uint64_t cap, unsigned n, unsigned id)
{
    return cap / n + (id == 0 ? cap % n : 0);
}

static int worker_init(Worker *w, Pipeline *pl, unsigned id)
{
    memset(w, 0, sizeof *w);
    w->id = id;
    w->pl = pl;
    unsigned n = pl->n_workers;
    FlowConfig fcfg = pl->fcfg;
    DecodeConfig dcfg = pl->dcfg;
    StreamConfig scfg = pl->scfg;
    fcfg.memcap = cap_share(fcfg.memcap, n, id);
    dcfg.defrag_memcap = cap_share(dcfg.defrag_memcap, n, id);
    scfg.memcap = cap_share(scfg.memcap, n, id);
    scfg.reassembly_memcap = cap_share(scfg.reassembly_memcap, n, id);
    mem_account_init(&w->flow_acct, "flow", fcfg.memcap);
    mem_account_init(&w->eve_acct, "eve", 0);
    json_init(&w->jb, &w->eve_acct);
    w->decode = decode_ctx_new(&dcfg, &w->stats);
    if (w->decode == NULL) {
        log_error("out of memory creating the decoder");
        return -1;
    }
    w->flows = flow_table_new(&fcfg, &w->flow_acct, &w->stats, flow_end, w);
    if (w->flows == NULL) {
        log_error("cannot create the flow table (out of memory, or see above)");
        return -1;
    }
    w->stream = stream_ctx_new(&scfg, &w->stats);
    if (w->stream == NULL) {
        log_error("out of memory creating the stream engine");
        return -1;
    }
    stream_ctx_set_state_hook(w->stream, on_tcp_state, w);
    /* lookback 0 (detect.c inspects each stream byte once), so nothing
     * needs keeping behind the raw progress */
    stream_ctx_set_raw(w->stream, detect_engine_inspects_stream(pl->de), 0);
    w->app = applayer_ctx_new(pl->conf, &w->stats);
    if (w->app == NULL) {
        log_error("out of memory creating the application layer");
        return -1;
    }
    w->detect = detect_thread_new(pl->de, &w->stats);
    if (w->detect == NULL) {
        log_error("out of memory creating the detection state");
        return -1;
    }
    mem_account_init(&w->detect_flow_acct, "detect_flow", 0);
    detect_thread_set_flow_account(w->detect, &w->detect_flow_acct);
    return 0;
}

static void worker_fini(Worker *w)
{
    flow_table_free(w->flows);
    /* every flow ended (flush) before this, so no session or app state is left */
    applayer_ctx_free(w->app);
    stream_ctx_free(w->stream);
    detect_thread_free(w->detect);
    decode_ctx_free(w->decode);
    json_fini(&w->jb);
    w->flows = NULL;
    w->app = NULL;
    w->stream = NULL;
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

    /* stream and app-layer configuration, and the parser registry: all
     * before any worker context is made (applayer.h) */
    stream_config_defaults(&pl->scfg);
    stream_config_load(&pl->scfg, conf);
    /* kasbah's own switch (Suricata has none): no TCP session tracking or
     * reassembly, hence no TCP app-layer; flows keep their TCP state from
     * the flags (flow/state.c). For measuring decode + flows alone. */
    pl->stream_on = conf_get_bool(conf, "stream.enabled", true);
    applayer_registry_init();
    http_counters_register();
    HttpConfig hc;
    http_config_defaults(&hc);
    http_config_load(&hc, conf);
    /* -EEXIST when a second pipeline registers again: harmless */
    (void)http_parser_register(&hc);
    (void)dns_parser_register();
    (void)tls_parser_register();

    /* threading.threads: default the online cores */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int64_t n = conf_get_int(conf, "threading.threads", cores > 0 ? cores : 1);
    if (n < 1 || n > PIPELINE_MAX_THREADS) {
        log_error("threading.threads: %lld is not a thread count (1 to %d)", (long long)n,
                  PIPELINE_MAX_THREADS);
        return -1;
    }
    pl->n_workers = (unsigned)n;
    uint64_t nx = detect_engine_cross_flow_thresholds(de);
    if (pl->n_workers > 1 && nx > 0)
        log_warn("%llu rule(s) have a threshold or detection_filter tracked by_src, by_dst or "
                 "by_rule: with %u threads each worker counts the matches of its own flows, so "
                 "they may alert more often than with --threads 1 (engine/threads.h)",
                 (unsigned long long)nx, pl->n_workers);
    /* a high-water mark: the largest frame of any worker, not their sum */
    stats_mark_max(stats_register("decoder.max_pkt_size"));
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
    EveWriter *eve = weve(w);
    Flow *f = flow_table_handle(w->flows, p);
    if (f != NULL && f->engine_seq == 0)
        f->engine_seq = (uint32_t)w->cur_seq; /* serial number (threads.c) */

    if (f != NULL) {
        applayer_packet_begin(f);
        if (f->key.proto == 6 && pl->stream_on)
            stream_packet(w->stream, f, p, applayer_stream_deliver, w->app);
        else if (f->key.proto == 17)
            applayer_udp_packet(w->app, f, p);
    }

    if (f != NULL && applayer_packet_dropped(f))
        w->alerts.n = 0; /* app-layer.error-policy took it out of inspection */
    else
        detect_packet(w->detect, p, &w->alerts);
    if (w->alerts.n > 0) {
        w->n_alerts += w->alerts.n;
        if (p->flow != NULL)
            p->flow->alerted = true;
        /* in the order detect_packet gave them; w->alerts.drop (IPS mode)
         * changes only what is logged, since kasbah reads files */
        eve_write_alerts(eve, &w->jb, p, &w->alerts);
        if (pl->fastlog != NULL && w->th != NULL)
            threads_worker_fastlog(w, p, &w->alerts);
        else if (pl->fastlog != NULL)
            fastlog_write(pl->fastlog, p, &w->alerts);
    }

    if (f != NULL && f->app_proto != APP_PROTO_UNKNOWN) {
        app_records(w, f, p);
        /* transactions every consumer is done with go (applayer.h) */
        applayer_flow_tx_release(f, detect_flow_tx_inspected(w->detect, f),
                                 eve_type_enabled(pl->eve, applayer_flow_proto_name(f)));
    }

    /* with threads the detector runs on the merger, in packet order */
    if (w->th != NULL)
        threads_worker_anomaly(w, p);
    else if (pl->anomaly != NULL)
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

static void decode_record(Worker *w, const CaptureRecord *rec);

void pipeline_reader_account(Pipeline *pl, const CaptureRecord *rec)
{
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
}

void pipeline_packet(Pipeline *pl, const CaptureRecord *rec)
{
    /* the single worker (with several, threads.c dispatches instead) */
    Worker *w = &pl->workers[0];
    pipeline_reader_account(pl, rec);
    if (rec->ts_ns > w->now_ns || !w->clock_set) {
        w->now_ns = rec->ts_ns;
        w->clock_set = true;
    }
    tick(w);
    decode_record(w, rec);
}

/* Decode a record and run every stage on it and its pseudo packets. */
static void decode_record(Worker *w, const CaptureRecord *rec)
{
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

void pipeline_worker_packet(Worker *w, const CaptureRecord *rec, int64_t now_ns,
                            int64_t flow_now_ns)
{
    w->now_ns = now_ns;
    w->clock_set = true;
    if (flow_now_ns != INT64_MIN)
        flow_table_clock_raise(w->flows, flow_now_ns);
    decode_record(w, rec);
}

void pipeline_worker_tick(Worker *w, int64_t now_ns)
{
    w->now_ns = now_ns;
    w->clock_set = true;
    flow_table_timeout(w->flows, w->now_ns);
    decode_defrag_timeout(w->decode, w->now_ns);
}

void pipeline_worker_flush(Worker *w, int64_t now_ns)
{
    if (now_ns > w->now_ns)
        w->now_ns = now_ns;
    flow_table_flush(w->flows, FLOW_END_SHUTDOWN);
}

Stats *pipeline_anomaly_stats(Pipeline *pl)
{
    return pl->n_workers > 1 ? &pl->main_stats : &pl->workers[0].stats;
}

int pipeline_run(Pipeline *pl, CaptureSource *cs, void (*on_tick)(void *user), void *tick_user)
{
    if (pl->n_workers > 1)
        return threads_run(pl, cs, on_tick, tick_user);
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
    return 0;
}

/* ------------------------------------------------------------------ */
/* End of input                                                       */
/* ------------------------------------------------------------------ */

void pipeline_stats(const Pipeline *pl, Stats *out)
{
    memset(out, 0, sizeof *out);
    if (pl->capture_stats != NULL)
        stats_merge(out, pl->capture_stats);
    stats_merge(out, &pl->main_stats);
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

/* A worker's memory accounts, in the order of the stats record. */
#define WORKER_ACCOUNTS 8
static const MemAccount *worker_account(const Worker *w, size_t k)
{
    switch (k) {
    case 0: return &w->flow_acct;
    case 1: return decode_ctx_defrag_account(w->decode);
    case 2: return decode_ctx_pseudo_account(w->decode);
    case 3: return &w->eve_acct;
    case 4: return stream_ctx_session_account(w->stream);
    case 5: return stream_ctx_reassembly_account(w->stream);
    case 6: return &w->detect_flow_acct;
    default: return applayer_ctx_account(w->app);
    }
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

    /* Stats: the memory accounts, each summed over the workers (with one
     * worker, its own values). Caps are per worker, so the sum is the total
     * the workers may use; a peak sum is an upper bound of the real peak. */
    Worker *w0 = &pl->workers[0];
    MemAccount sums[WORKER_ACCOUNTS];
    MemAccount *accts[WORKER_ACCOUNTS + 2]; /* + anomaly, + detect */
    size_t n_accts = 0;
    for (size_t k = 0; k < WORKER_ACCOUNTS; k++) {
        const MemAccount *a0 = worker_account(w0, k);
        uint64_t cap = 0, used = 0, peak = 0, refused = 0, failed = 0;
        for (unsigned i = 0; i < pl->n_workers; i++) {
            const MemAccount *a = worker_account(&pl->workers[i], k);
            cap += a->cap;
            used += atomic_load(&a->used);
            peak += atomic_load(&a->peak);
            refused += atomic_load(&a->refused);
            failed += atomic_load(&a->failed);
        }
        mem_account_init(&sums[k], a0->name, cap);
        atomic_store(&sums[k].used, used);
        atomic_store(&sums[k].peak, peak);
        atomic_store(&sums[k].refused, refused);
        atomic_store(&sums[k].failed, failed);
        accts[n_accts++] = &sums[k];
    }
    if (pl->anomaly != NULL && anomaly_account(pl->anomaly) != NULL)
        accts[n_accts++] = anomaly_account(pl->anomaly);
    /* rules, prefilter databases and the per-flow detect state: uncapped,
     * but its peak belongs beside the others (tests/suites/floods) */
    if (pl->de != NULL)
        accts[n_accts++] = detect_memory_account();

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
