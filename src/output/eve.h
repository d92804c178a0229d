/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * eve.h: the EVE JSON sink (LOGDIR/eve.json) and the building blocks every
 * EVE record writer uses (output/alert.c, output/anomaly.c, ... are built on
 * these; each record type lives in its own file in output/).
 *
 * Format: one JSON object per line, Suricata's field names, order and
 * types (Suricata 7 output-json.c / output-json-flow.c / output-json-stats.c).
 *   - timestamps: capture time, "2017-04-07T22:24:37.251547+0000", always
 *     UTC, microseconds (truncated, as Suricata). No wall clock anywhere:
 *     the same input gives a byte-identical file.
 *   - addresses: IPv4 dotted quad; IPv6 in Suricata's full form, eight
 *     4-digit lowercase groups, no "::" compression
 *     ("2001:0db8:0000:0000:0000:0000:0000:0001"; util-print.c PrintInet).
 *   - proto: "TCP", "UDP", "ICMP", "IPv6-ICMP", "SCTP", ... (IANA keyword,
 *     Suricata's known_proto table) else the decimal number as a string.
 *   - ports only for TCP, UDP and SCTP; icmp_type/icmp_code for ICMP(v6).
 *
 * How a record writer works (alerts, anomalies):
 *
 *     JsonBuf *j = &my_thread_buf;          // json_init once, reuse
 *     eve_header_packet(j, p, "alert", EVE_DIR_PACKET); // opens the object
 *     json_kv_object_begin(j, "alert"); ...; json_object_end(j);
 *     eve_commit(w, j);                      // closes it, writes one line, resets j
 *
 * The writer buffers lines (1 MiB) and writes whole lines with write(2).
 * A write error (ENOSPC, EFBIG, EIO, ...) logs ONE error naming the file
 * and the error; the file is cut back (ftruncate) to the end of the last
 * complete line, later records are dropped and counted, and eve_close()
 * returns -1. A record that failed to build (JsonBuf error) is dropped and
 * counted, never written in part.
 *
 * Configuration (Suricata's `outputs` list, first `eve-log` entry):
 *   enabled (default yes), filename (default "eve.json"; relative to LOGDIR
 *   unless absolute), append (default no: kasbah truncates so that reruns
 *   are identical; Suricata's default is yes), types (list of names, each a
 *   scalar `- flow` or a map `- alert: {...}`; `enabled: no` inside the map
 *   turns it off). With no `outputs` config, or no `types` list, every type
 *   is enabled. A global `stats.enabled: no` turns "stats" off, as in
 *   Suricata. Other eve-log settings (filetype, community-id, ...) are not
 *   read: the sink is always a regular file.
 *
 * Thread-safety: eve_commit / eve_write_* lock the writer (one mutex), so
 * workers may share one writer; each thread builds in its own JsonBuf.
 * Header builders are pure functions of their arguments.
 */
#ifndef KASBAH_OUTPUT_EVE_H
#define KASBAH_OUTPUT_EVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/stats.h"
#include "decode/packet.h"
#include "flow/flow.h"
#include "lib/alloc.h"
#include "lib/json.h"

typedef struct EveWriter EveWriter;

/* Direction of the 5-tuple in a packet-triggered record. */
typedef enum EveDir {
    EVE_DIR_PACKET = 0, /* src/dest as in the packet (Suricata's alerts and anomalies) */
    EVE_DIR_FLOW,       /* src = the flow's client (Suricata's LOG_DIR_FLOW: http, dns, tls) */
} EveDir;

/* ---- the sink ---- */

/*
 * Open the EVE file per cfg (may be NULL: defaults) under logdir (NULL or
 * "" = "."). When eve-log is disabled, returns a writer that writes nothing
 * (eve_type_enabled() is false for every type). NULL after logging an error
 * naming the path when the file cannot be created, or on OOM.
 */
EveWriter *eve_open(const Config *cfg, const char *logdir);

/* Flush, close and free. 0, or -1 when any write failed (the message was
 * already logged) or the final flush/close failed. NULL is a no-op (0). */
int eve_close(EveWriter *w);

/* Write the buffered lines now (0, or -1 on a write error). Thread-safe. */
int eve_flush(EveWriter *w);

/* Is this event type ("alert", "flow", "stats", "anomaly", "http", ...)
 * enabled by the configuration? false for a NULL or disabled writer. */
bool eve_type_enabled(const EveWriter *w, const char *type);

/* The file's path ("" for a disabled writer); records written and dropped. */
const char *eve_path(const EveWriter *w);
uint64_t eve_records_written(const EveWriter *w);
uint64_t eve_records_dropped(const EveWriter *w);

/* Set the output buffer size in bytes (tests; default 1 MiB, minimum 1).
 * Call before the first record. */
void eve_set_buffer_size(EveWriter *w, size_t size);

/*
 * Close the record open in j (every open container), append it and a
 * newline as one line, and reset j for the next record. A JsonBuf in error
 * is dropped (counted). 0, or -1 when the record was dropped or the writer
 * is in error. Thread-safe. w may be NULL (the record is discarded).
 */
int eve_commit(EveWriter *w, JsonBuf *j);

/* ---- memory writers (engine threads) ---- */

/*
 * A writer that keeps its lines in memory instead of a file, with the same
 * enabled types as `like` (so the same records are built). A worker thread
 * writes its records there; the merger moves them into the file in packet
 * order with eve_write_lines. Owned by one thread at a time. NULL on OOM
 * (logged). Freed with eve_close (which writes nothing).
 */
EveWriter *eve_open_memory(const EveWriter *like);

/* The complete lines collected since the last eve_memory_clear: *len bytes
 * (each ending in a newline) and *n_lines lines. Valid until the next
 * record or clear. NULL with *len == 0 when none. */
const char *eve_memory_lines(const EveWriter *w, size_t *len, uint64_t *n_lines);
void eve_memory_clear(EveWriter *w);

/* Records a memory writer could not keep (out of memory); 0 for others. */
uint64_t eve_memory_dropped(const EveWriter *w);

/*
 * Append `n_lines` complete lines (data[0..len), every one ending in a
 * newline) as they are, e.g. what eve_memory_lines gave. Returns as
 * eve_commit. Thread-safe.
 */
int eve_write_lines(EveWriter *w, const char *data, size_t len, uint64_t n_lines);

/* ---- record headers (open the record object in j, after json_reset) ---- */

/*
 * Packet-triggered header, Suricata's CreateEveHeader order:
 * timestamp (p->ts_ns), flow_id (when p->flow), pcap_cnt (when > 0),
 * event_type, vlan (array, when tagged), src_ip, src_port, dest_ip,
 * dest_port, proto, icmp_type, icmp_code, pkt_src ("wire/pcap"; "defrag"
 * for reassembled packets; "stream (flow timeout)" for pseudo packets).
 * Non-IP packets get no address, port or proto fields.
 * With EVE_DIR_FLOW and a packet going to the client, src/dest are swapped
 * so that src is the flow's client.
 */
void eve_header_packet(JsonBuf *j, const Packet *p, const char *event_type, EveDir dir);

/*
 * Flow-triggered header (no packet), Suricata's CreateEveHeaderFromFlow
 * order: timestamp (ts_ns: the capture time at which the record is made,
 * e.g. the packet that expired the flow or the last packet of the input),
 * flow_id, event_type, vlan, src_ip (client), src_port, dest_ip, dest_port,
 * proto, icmp_type, icmp_code, response_icmp_type, response_icmp_code.
 */
void eve_header_flow(JsonBuf *j, const Flow *f, int64_t ts_ns, const char *event_type);

/* ---- complete records ---- */

/*
 * The `event_type: "flow"` record for a flow that ends now, with
 * app_proto (NULL or "" when unknown), flow{pkts_toserver, pkts_toclient,
 * bytes_toserver, bytes_toclient, start, end, age, state, reason, alerted}
 * and, for TCP, tcp{tcp_flags, tcp_flags_ts, tcp_flags_tc, syn, fin, rst,
 * psh, ack, urg, ecn, cwr (only those seen), state}. Nothing when the "flow"
 * type is disabled. j is the caller's scratch buffer (reset here).
 * Returns as eve_commit (0 also when disabled).
 */
int eve_write_flow(EveWriter *w, JsonBuf *j, const Flow *f, FlowEndReason reason,
                   int64_t ts_ns, const char *app_proto);

/* Extra values for the stats record that are not Stats counters. */
typedef struct EveStatsExtra {
    uint64_t uptime;            /* seconds of capture time covered (last - first packet) */
    bool has_detect;            /* write detect.engines[0] */
    int64_t last_reload_ns;     /* detect.engines[0].last_reload (capture time of the load;
                                   first packet time keeps it deterministic) */
    uint64_t rules_loaded, rules_failed;
    MemAccount *const *accounts;/* written as memcap.<name>.{used,peak,cap,refused,failed} */
    size_t n_accounts;
} EveStatsExtra;

/*
 * The final `event_type: "stats"` record: {"timestamp":..,"event_type":"stats",
 * "stats":{"uptime":N, ...}} where "..." is every registered core/stats
 * counter (values from s; NULL counts as zeros) nested by its dotted name,
 * together with "detect.engines" = [{"id":0,"last_reload":..,
 * "rules_loaded":N,"rules_failed":M}] (when has_detect) and
 * "memcap.<account>.{cap,failed,peak,refused,used}", all sorted by name
 * component by component (so "detect":{"alert":..,"engines":[..]}).
 * Deterministic: same counters, same text.
 * A counter whose name is also the prefix of another ("a.b" and "a.b.c")
 * cannot be both a number and an object: the number is skipped with a
 * warning, so keep counter names unambiguous.
 * Nothing when the "stats" type is disabled. Returns as eve_commit.
 */
int eve_write_stats(EveWriter *w, JsonBuf *j, int64_t ts_ns, const Stats *s,
                    const EveStatsExtra *extra);

/* ---- formatting helpers (also for fast.log and tests) ---- */

#define EVE_TIME_LEN 32 /* "2017-04-07T22:24:37.251547+0000" + NUL, with room */
#define EVE_IP_LEN 40   /* 39 characters of full IPv6 + NUL */

/* Suricata's EVE timestamp of capture time ts_ns; returns the length. */
size_t eve_format_time(char out[EVE_TIME_LEN], int64_t ts_ns);
/* An address as EVE writes it (ver 4 or 6); returns the length (0 for other ver). */
size_t eve_format_ip(char out[EVE_IP_LEN], const IpAddr *a, uint8_t ver);
/* Suricata's name of IP protocol proto ("TCP", ...), or NULL when it has none. */
const char *eve_proto_name(uint8_t proto);

#endif
