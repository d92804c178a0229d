/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * run.c: the wiring of one run (see run.h for the order and exit codes).
 *
 * This is the only place that includes every stage. Configuration is read
 * here and handed to each stage as its own struct (DecodeConfig,
 * FlowConfig) or as the read-only Config tree (detect, anomaly, output).
 */
#include "engine/run.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anomaly/anomaly.h"
#include "capture/pcap_file.h"
#include "core/config.h"
#include "core/log.h"
#include "decode/decode.h"
#include "detect/detect.h"
#include "engine/pipeline.h"
#include "engine/summary.h"
#include "engine/version.h"
#include "flow/flow.h"
#include "output/alert.h"
#include "output/eve.h"
#include "output/fastlog.h"

void engine_print_version(FILE *out)
{
    fprintf(out, "kasbah %s (%s)\n", KASBAH_VERSION, pcap_lib_version());
}

/* ------------------------------------------------------------------ */
/* Signals                                                            */
/* ------------------------------------------------------------------ */

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* The first SIGINT/SIGTERM asks for a clean stop; SA_RESETHAND restores the
 * default action, so a second one ends the process at once. */
static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* past a file-size limit, write() then fails with EFBIG and the EVE
     * writer reports it (exit 3) instead of the process being killed */
    signal(SIGXFSZ, SIG_IGN);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                      */
/* ------------------------------------------------------------------ */

/* Keys this file reads (the stages register their own). */
static void register_known_keys(void)
{
    conf_register_known("default-log-dir");
    conf_register_known("defrag");
    conf_register_known("pcap-file");
    conf_register_known("engine");
    conf_register_known("threading");
    conf_register_known("output"); /* output.ordered: threads.h */
}

/* Built-in defaults, then -c, then --set. Returns 0 or an exit code. */
static int load_config(const CliOptions *o, Config **out)
{
    Config *c = conf_new();
    if (c == NULL) {
        log_error("out of memory creating the configuration");
        return ENGINE_EXIT_CONFIG;
    }
    if (o->config_file != NULL && conf_load_file(c, o->config_file) != 0) {
        /* conf_load_file said which line and what was expected */
        conf_free(c);
        return ENGINE_EXIT_CONFIG;
    }
    for (size_t i = 0; i < o->n_sets; i++) {
        if (conf_set(c, o->sets[i]) != 0) { /* conf_set logged why */
            conf_free(c);
            return ENGINE_EXIT_USAGE;
        }
    }
    /* --threads N wins over threading.threads */
    if (o->threads > 0) {
        char kv[64];
        snprintf(kv, sizeof kv, "threading.threads=%u", o->threads);
        if (conf_set(c, kv) != 0) {
            conf_free(c);
            return ENGINE_EXIT_CONFIG;
        }
    }
    /* --simulate-ips reaches detect/ as a configuration key */
    if (o->simulate_ips && conf_set(c, "engine.simulate-ips=yes") != 0) {
        conf_free(c);
        return ENGINE_EXIT_CONFIG;
    }
    register_known_keys();
    *out = c;
    return 0;
}

/* DecodeConfig from `defrag.*`, `pcap-file.checksum-checks` and -k (which
 * wins). Validation is on by default, as `-k all`. */
static void decode_config_load(DecodeConfig *d, const Config *c, const CliOptions *o)
{
    decode_config_defaults(d);
    d->defrag_memcap = conf_get_size(c, "defrag.memcap", d->defrag_memcap);
    int64_t t = conf_get_int(c, "defrag.timeout", d->defrag_timeout_s);
    if (t >= 0 && t <= UINT32_MAX)
        d->defrag_timeout_s = (uint32_t)t;
    int64_t mf = conf_get_int(c, "defrag.max-frags", d->defrag_max_frags);
    if (mf > 0 && mf <= UINT32_MAX)
        d->defrag_max_frags = (uint32_t)mf;
    const char *ck = conf_get_str(c, "pcap-file.checksum-checks", "auto");
    if (strcmp(ck, "no") == 0 || strcmp(ck, "false") == 0 || strcmp(ck, "off") == 0)
        d->checksum_validate = false;
    if (o->checksum == CLI_CHECKSUM_ALL)
        d->checksum_validate = true;
    else if (o->checksum == CLI_CHECKSUM_NONE)
        d->checksum_validate = false;
}

/* The log directory must exist, be a directory and be writable. */
static int check_log_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        log_error("%s: log directory %s", dir,
                  errno == ENOENT ? "does not exist" : strerror(errno));
        return ENGINE_EXIT_OUTPUT;
    }
    if (!S_ISDIR(st.st_mode)) {
        log_error("%s: not a directory (-l needs an existing directory)", dir);
        return ENGINE_EXIT_OUTPUT;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        log_error("%s: log directory is not writable (%s)", dir, strerror(errno));
        return ENGINE_EXIT_OUTPUT;
    }
    return 0;
}

/* Build the rule engine; 0 or an exit code. */
static int load_rules(const CliOptions *o, const Config *c, DetectEngine **out)
{
    DetectEngine *de = detect_engine_new(c, o->rule_files, o->n_rule_files);
    if (de == NULL) {
        log_error("cannot build the detection engine (out of memory or see above)");
        return ENGINE_EXIT_CONFIG;
    }
    *out = de;
    return 0;
}

/* -T: load, report on stdout, exit status per run.h. */
static int test_config(const CliOptions *o, const Config *c)
{
    /* the anomaly.* values are checked too (without loading a model) */
    AnomalySettings as;
    anomaly_settings_defaults(&as);
    if (anomaly_settings_from_conf(c, &as) != 0)
        return ENGINE_EXIT_CONFIG;
    DetectEngine *de = NULL;
    int rc = load_rules(o, c, &de);
    if (rc != 0)
        return rc;
    uint64_t loaded = detect_engine_rules_loaded(de);
    uint64_t failed = detect_engine_rules_failed(de);
    uint64_t files_failed = detect_engine_files_failed(de);
    detect_engine_free(de);
    fflush(stderr);
    printf("%llu rules loaded, %llu failed\n", (unsigned long long)loaded, (unsigned long long)failed);
    if (fflush(stdout) != 0) {
        log_error("stdout: %s", strerror(errno));
        return ENGINE_EXIT_OUTPUT;
    }
    /* an unreadable rule file is a failure too (Suricata's -T is fatal on it) */
    return failed == 0 && files_failed == 0 ? ENGINE_EXIT_OK : ENGINE_EXIT_CONFIG;
}

/* ------------------------------------------------------------------ */
/* The run                                                            */
/* ------------------------------------------------------------------ */

typedef struct TickCtx {
    Progress *pr;
    const CaptureSource *cs;
    const Pipeline *pl;
} TickCtx;

static void on_tick(void *user)
{
    TickCtx *t = user;
    progress_update(t->pr, capture_progress(t->cs), t->pl->n_packets);
}

int engine_run(const CliOptions *o)
{
    log_set_level(o->verbose <= 0 ? LOG_LVL_WARN : o->verbose == 1 ? LOG_LVL_INFO : LOG_LVL_DEBUG);

    Config *conf = NULL;
    int rc = load_config(o, &conf);
    if (rc != 0)
        return rc;
    conf_warn_unknown(conf);

    if (o->test_config) {
        rc = test_config(o, conf);
        conf_free(conf);
        return rc;
    }

    Progress pr;
    progress_init(&pr, stderr, isatty(STDERR_FILENO) == 1);

    const char *log_dir = o->log_dir != NULL ? o->log_dir : conf_get_str(conf, "default-log-dir", ".");
    CaptureSource *cs = NULL;
    DetectEngine *de = NULL;
    AnomalyEngine *ae = NULL;
    EveWriter *eve = NULL;
    FastLog *fastlog = NULL;
    Pipeline pl;
    bool pl_ready = false;
    MemAccount capture_acct;
    mem_account_init(&capture_acct, "capture", 0);
    static Stats capture_stats; /* static: 8 KiB off the stack; one run per process */
    memset(&capture_stats, 0, sizeof capture_stats);

    rc = check_log_dir(log_dir);
    if (rc != 0)
        goto out;

    /* open the input first, so that a bad input is reported before rules
     * load and before any output is made */
    CaptureError cerr = CAPTURE_OK;
    cs = capture_open(o->read_path, &capture_acct, &capture_stats, &cerr);
    if (cs == NULL) {
        rc = ENGINE_EXIT_INPUT;
        goto out;
    }

    rc = load_rules(o, conf, &de);
    if (rc != 0)
        goto out;
    uint64_t failed = detect_engine_rules_failed(de);
    if (detect_engine_files_failed(de) > 0 && o->init_errors_fatal) {
        log_error("%llu rule file(s) could not be read (--init-errors-fatal)",
                  (unsigned long long)detect_engine_files_failed(de));
        rc = ENGINE_EXIT_CONFIG;
        goto out;
    }
    if (failed > 0 && o->init_errors_fatal) {
        log_error("%llu of %llu rules failed to load (--init-errors-fatal)", (unsigned long long)failed,
                  (unsigned long long)(failed + detect_engine_rules_loaded(de)));
        rc = ENGINE_EXIT_CONFIG;
        goto out;
    }

    DecodeConfig dcfg;
    decode_config_load(&dcfg, conf, o);
    FlowConfig fcfg;
    flow_config_defaults(&fcfg);
    flow_config_load(&fcfg, conf);

    /* everything that can fail on configuration comes before eve.json is
     * created, so that such a failure leaves no output behind */
    stop_requested = 0;
    if (pipeline_init(&pl, conf, &dcfg, &fcfg, de, NULL, &stop_requested) != 0) {
        pipeline_fini(&pl);
        rc = ENGINE_EXIT_CONFIG;
        goto out;
    }
    pl_ready = true;
    pl.capture_stats = &capture_stats;

    /* one detector for the whole input (it needs every packet in capture
     * order): it counts in worker 0's block, or the main thread's */
    int aerr = 0;
    ae = anomaly_new(conf, pipeline_anomaly_stats(&pl), pipeline_anomaly_emit, &pl, &aerr);
    if (ae == NULL && aerr < 0) {
        rc = ENGINE_EXIT_CONFIG;
        goto out;
    }
    pl.anomaly = ae;

    AlertOutputOptions aopt;
    eve_alert_options_read(conf, &aopt);
    eve_alert_configure(&aopt);
    eve = eve_open(conf, log_dir);
    if (eve == NULL) {
        rc = ENGINE_EXIT_OUTPUT;
        goto out;
    }
    pl.eve = eve;
    int fl_failed = 0;
    fastlog = fastlog_open(conf, log_dir, &fl_failed);
    if (fastlog == NULL && fl_failed) {
        rc = ENGINE_EXIT_OUTPUT;
        goto out;
    }
    pl.fastlog = fastlog;

    install_signals();
    TickCtx tc = { &pr, cs, &pl };
    int prc = pipeline_run(&pl, cs, on_tick, &tc);
    progress_clear(&pr);
    if (pl.interrupted)
        log_warn("interrupted: flushing flows and closing the output");

    int frc = pipeline_finish(&pl);
    char where[4096];
    snprintf(where, sizeof where, "%s", eve_path(eve));
    int erc = eve_close(eve);
    eve = NULL;
    if (fastlog_close(fastlog) != 0)
        erc = -1;
    fastlog = NULL;

    SummaryFigures sf;
    memset(&sf, 0, sizeof sf);
    sf.packets = pl.n_packets;
    sf.bytes = pl.n_bytes;
    sf.flows = pipeline_flows(&pl);
    sf.alerts = pipeline_alerts(&pl);
    sf.anomalies = pl.n_anomalies;
    sf.elapsed_s = progress_elapsed(&pr);
    sf.interrupted = pl.interrupted;
    sf.output = where;
    rc = erc != 0 || frc != 0 ? ENGINE_EXIT_OUTPUT : ENGINE_EXIT_OK;
    if (prc != 0)
        rc = ENGINE_EXIT_CONFIG;
    char line[8192];
    size_t n = summary_format(line, sizeof line, &sf);
    fwrite(line, 1, n, stderr);

out:
    if (pl_ready)
        pipeline_fini(&pl);
    anomaly_free(ae);
    eve_close(eve);
    fastlog_close(fastlog);
    detect_engine_free(de);
    capture_close(cs);
    conf_free(conf);
    return rc;
}
