/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * eve.c: the EVE JSON sink and the common record parts (see eve.h).
 *
 * Where it sits: output/, read by the engine at the end of each stage.
 * Spec: Suricata 7's EVE format (output-json.c, output-json-flow.c,
 * output-json-stats.c), described field by field in eve.h.
 *
 * Invariants: the file on disk always ends with a complete line; `file_len`
 * is its length; the buffer holds only complete lines; once `error` is set
 * nothing more is written.
 */
#include "output/eve.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

#define EVE_DEFAULT_BUFFER (1u << 20)
#define EVE_MAX_TYPES 64

struct EveWriter {
    pthread_mutex_t lock;
    int fd;                 /* -1 when disabled */
    char *path;
    bool enabled;
    bool all_types;         /* no `types` list: everything on */
    bool stats_off;         /* global `stats.enabled: no` (Suricata: no stats records) */
    size_t n_types;
    char *types[EVE_MAX_TYPES];
    char *buf;
    size_t buf_len, buf_cap;
    uint64_t file_len;      /* bytes of complete lines on disk */
    uint64_t pending;       /* lines in buf */
    uint64_t written, dropped;
    bool error;
    bool memory;            /* eve_open_memory: lines stay in buf (grown on demand) */
};

/* ---- formatting ---- */

static char *put_uint(char *o, uint64_t v, int min_digits)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n < min_digits)
        tmp[n++] = '0';
    while (n > 0)
        *o++ = tmp[--n];
    return o;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
 * civil_from_days), so no libc time call (and no TZ) is involved. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static char *put2(char *o, unsigned v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
    return o + 2;
}

size_t eve_format_time(char out[EVE_TIME_LEN], int64_t ts_ns)
{
    int64_t sec = ts_ns / 1000000000;
    int64_t ns = ts_ns % 1000000000;
    if (ns < 0) {
        ns += 1000000000;
        sec -= 1;
    }
    int64_t days = sec / 86400;
    int64_t rem = sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int64_t y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    if (y < 0 || y > 9999) /* outside what the format can say */
        y = y < 0 ? 0 : 9999;
    unsigned us = (unsigned)(ns / 1000);
    unsigned r = (unsigned)rem;
    char *o = out;
    o = put2(o, (unsigned)(y / 100));
    o = put2(o, (unsigned)(y % 100));
    *o++ = '-';
    o = put2(o, mo);
    *o++ = '-';
    o = put2(o, d);
    *o++ = 'T';
    o = put2(o, r / 3600);
    *o++ = ':';
    o = put2(o, r / 60 % 60);
    *o++ = ':';
    o = put2(o, r % 60);
    *o++ = '.';
    o = put2(o, us / 10000);
    o = put2(o, us / 100 % 100);
    o = put2(o, us % 100);
    memcpy(o, "+0000", 6);
    o += 5;
    return (size_t)(o - out);
}

size_t eve_format_ip(char out[EVE_IP_LEN], const IpAddr *a, uint8_t ver)
{
    static const char HEX[] = "0123456789abcdef";
    char *o = out;
    if (ver == 4) {
        for (int i = 0; i < 4; i++) {
            if (i)
                *o++ = '.';
            o = put_uint(o, a->b[i], 1);
        }
    } else if (ver == 6) {
        /* Suricata prints every group with four digits and never compresses. */
        for (int i = 0; i < 16; i += 2) {
            if (i)
                *o++ = ':';
            *o++ = HEX[a->b[i] >> 4];
            *o++ = HEX[a->b[i] & 0xf];
            *o++ = HEX[a->b[i + 1] >> 4];
            *o++ = HEX[a->b[i + 1] & 0xf];
        }
    }
    *o = '\0';
    return (size_t)(o - out);
}

const char *eve_proto_name(uint8_t proto)
{
    /* IANA protocol keywords as Suricata spells them (util-proto-name.c);
     * the ones seen in practice. Others are written as their number. */
    switch (proto) {
    case 0: return "HOPOPT";
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 4: return "IP-in-IP";
    case 6: return "TCP";
    case 8: return "EGP";
    case 17: return "UDP";
    case 33: return "DCCP";
    case 41: return "IPv6";
    case 43: return "IPv6-Route";
    case 44: return "IPv6-Frag";
    case 46: return "RSVP";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "IPv6-ICMP";
    case 59: return "IPv6-NoNxt";
    case 60: return "IPv6-Opts";
    case 88: return "EIGRP";
    case 89: return "OSPF";
    case 94: return "OS";
    case 97: return "ETHERIP";
    case 103: return "PIM";
    case 108: return "IPComp";
    case 112: return "VRRP";
    case 115: return "L2TP";
    case 124: return "IS-IS";
    case 132: return "SCTP";
    case 135: return "Mobility";
    case 136: return "UDPLite";
    case 137: return "MPLS-in-IP";
    default: return NULL;
    }
}

static void kv_proto(JsonBuf *j, uint8_t proto)
{
    const char *name = eve_proto_name(proto);
    if (name != NULL) {
        json_kv_str(j, "proto", name);
    } else {
        char num[4];
        char *e = put_uint(num, proto, 1);
        json_kv_strn(j, "proto", num, (size_t)(e - num));
    }
}

static void kv_time(JsonBuf *j, const char *key, int64_t ts_ns)
{
    char t[EVE_TIME_LEN];
    size_t n = eve_format_time(t, ts_ns);
    json_kv_strn(j, key, t, n);
}

static bool has_ports(uint8_t proto) { return proto == 6 || proto == 17 || proto == 132; }

static void kv_ip(JsonBuf *j, const char *key, const IpAddr *a, uint8_t ver)
{
    char s[EVE_IP_LEN];
    size_t n = eve_format_ip(s, a, ver);
    json_kv_strn(j, key, s, n);
}

static void kv_vlan(JsonBuf *j, const uint16_t *ids, uint8_t n)
{
    if (n == 0)
        return;
    if (n > PKT_MAX_VLAN)
        n = PKT_MAX_VLAN;
    json_kv_array_begin(j, "vlan");
    for (uint8_t i = 0; i < n; i++)
        json_u64(j, ids[i]);
    json_array_end(j);
}

/* ---- record headers ---- */

void eve_header_packet(JsonBuf *j, const Packet *p, const char *event_type, EveDir dir)
{
    json_reset(j);
    json_object_begin(j);
    kv_time(j, "timestamp", p->ts_ns);
    if (p->flow != NULL)
        json_kv_u64(j, "flow_id", p->flow->flow_id);
    if (p->pcap_cnt > 0)
        json_kv_u64(j, "pcap_cnt", p->pcap_cnt);
    json_kv_str(j, "event_type", event_type);
    kv_vlan(j, p->vlan_id, p->n_vlan);

    if (pkt_has(p, PKT_HAS_IPV4 | PKT_HAS_IPV6) && (p->ip_ver == 4 || p->ip_ver == 6)) {
        const IpAddr *src = &p->src, *dst = &p->dst;
        uint16_t sp = p->sp, dp = p->dp;
        if (dir == EVE_DIR_FLOW && p->flow != NULL && !p->to_server) {
            src = &p->dst;
            dst = &p->src;
            sp = p->dp;
            dp = p->sp;
        }
        bool ports = has_ports(p->ip_proto);
        kv_ip(j, "src_ip", src, p->ip_ver);
        if (ports)
            json_kv_u64(j, "src_port", sp);
        kv_ip(j, "dest_ip", dst, p->ip_ver);
        if (ports)
            json_kv_u64(j, "dest_port", dp);
        kv_proto(j, p->ip_proto);
        if (pkt_has(p, PKT_HAS_ICMPV4 | PKT_HAS_ICMPV6)) {
            json_kv_u64(j, "icmp_type", p->icmp_type);
            json_kv_u64(j, "icmp_code", p->icmp_code);
        }
    }
    const char *src_kind = "wire/pcap";
    if (pkt_has(p, PKT_IS_REASSEMBLED))
        src_kind = "defrag";
    else if (pkt_has(p, PKT_IS_PSEUDO))
        src_kind = "stream (flow timeout)";
    json_kv_str(j, "pkt_src", src_kind);
}

void eve_header_flow(JsonBuf *j, const Flow *f, int64_t ts_ns, const char *event_type)
{
    const FlowKey *k = &f->key;
    json_reset(j);
    json_object_begin(j);
    kv_time(j, "timestamp", ts_ns);
    json_kv_u64(j, "flow_id", f->flow_id);
    json_kv_str(j, "event_type", event_type);
    kv_vlan(j, k->vlan_id, k->n_vlan);
    bool ports = has_ports(k->proto);
    kv_ip(j, "src_ip", &k->addr[0], k->ip_ver);
    if (ports)
        json_kv_u64(j, "src_port", k->port[0]);
    kv_ip(j, "dest_ip", &k->addr[1], k->ip_ver);
    if (ports)
        json_kv_u64(j, "dest_port", k->port[1]);
    kv_proto(j, k->proto);
    if (k->proto == 1 || k->proto == 58) {
        json_kv_u64(j, "icmp_type", f->icmp_type[0]);
        json_kv_u64(j, "icmp_code", f->icmp_code[0]);
        if (f->pkts[1] > 0) {
            json_kv_u64(j, "response_icmp_type", f->icmp_type[1]);
            json_kv_u64(j, "response_icmp_code", f->icmp_code[1]);
        }
    }
}

/* ---- flow record ---- */

/* EVE's names for the flow enums, kept here (not in flow/) because they are
 * EVE's vocabulary: Suricata's StreamTcpStateAsString and flow end flags. */
static const char *tcp_state_name(FlowTcpState s)
{
    switch (s) {
    case FLOW_TCP_NONE: return "none";
    case FLOW_TCP_SYN_SENT: return "syn_sent";
    case FLOW_TCP_SYN_RECV: return "syn_recv";
    case FLOW_TCP_ESTABLISHED: return "established";
    case FLOW_TCP_FIN_WAIT1: return "fin_wait1";
    case FLOW_TCP_FIN_WAIT2: return "fin_wait2";
    case FLOW_TCP_TIME_WAIT: return "time_wait";
    case FLOW_TCP_LAST_ACK: return "last_ack";
    case FLOW_TCP_CLOSE_WAIT: return "close_wait";
    case FLOW_TCP_CLOSING: return "closing";
    case FLOW_TCP_CLOSED: return "closed";
    }
    return "none";
}

static const char *flow_state_str(FlowState s)
{
    switch (s) {
    case FLOW_STATE_NEW: return "new";
    case FLOW_STATE_ESTABLISHED: return "established";
    case FLOW_STATE_CLOSED: return "closed";
    }
    return "new";
}

static const char *end_reason_str(FlowEndReason r)
{
    switch (r) {
    case FLOW_END_TIMEOUT: return "timeout";
    case FLOW_END_FORCED: return "forced";
    case FLOW_END_SHUTDOWN: return "shutdown";
    }
    return "unknown";
}

static void kv_hex8(JsonBuf *j, const char *key, uint8_t v)
{
    static const char HEX[] = "0123456789abcdef";
    char s[2] = { HEX[v >> 4], HEX[v & 0xf] };
    json_kv_strn(j, key, s, 2);
}

/* Whole seconds between two capture times, as Suricata's
 * lastts.tv_sec - startts.tv_sec. */
static int64_t sec_floor(int64_t ns)
{
    int64_t s = ns / 1000000000;
    if (ns % 1000000000 < 0)
        s--;
    return s;
}

int eve_write_flow(EveWriter *w, JsonBuf *j, const Flow *f, FlowEndReason reason,
                   int64_t ts_ns, const char *app_proto)
{
    if (!eve_type_enabled(w, "flow"))
        return 0;
    eve_header_flow(j, f, ts_ns, "flow");
    if (app_proto != NULL && app_proto[0] != '\0')
        json_kv_str(j, "app_proto", app_proto);

    json_kv_object_begin(j, "flow");
    json_kv_u64(j, "pkts_toserver", f->pkts[0]);
    json_kv_u64(j, "pkts_toclient", f->pkts[1]);
    json_kv_u64(j, "bytes_toserver", f->bytes[0]);
    json_kv_u64(j, "bytes_toclient", f->bytes[1]);
    kv_time(j, "start", f->start_ns);
    kv_time(j, "end", f->last_ns);
    int64_t age = sec_floor(f->last_ns) - sec_floor(f->start_ns);
    json_kv_u64(j, "age", age > 0 ? (uint64_t)age : 0);
    json_kv_str(j, "state", flow_state_str(f->state));
    json_kv_str(j, "reason", end_reason_str(reason));
    json_kv_bool(j, "alerted", f->alerted);
    json_object_end(j);

    if (f->key.proto == 6) {
        /* Suricata reports flags from its TCP session; a flow that never got
         * one (no SYN seen, no midstream) shows "00" and no state. */
        bool ssn = f->tcp_state != FLOW_TCP_NONE;
        uint8_t ts = ssn ? f->tcp_flags[0] : 0, tc = ssn ? f->tcp_flags[1] : 0;
        uint8_t all = ts | tc;
        json_kv_object_begin(j, "tcp");
        kv_hex8(j, "tcp_flags", all);
        kv_hex8(j, "tcp_flags_ts", ts);
        kv_hex8(j, "tcp_flags_tc", tc);
        static const struct {
            uint8_t bit;
            const char *name;
        } FLAGS[] = { { TCP_SYN, "syn" }, { TCP_FIN, "fin" }, { TCP_RST, "rst" },
                      { TCP_PSH, "psh" }, { TCP_ACK, "ack" }, { TCP_URG, "urg" },
                      { TCP_ECE, "ecn" }, { TCP_CWR, "cwr" } };
        for (size_t i = 0; i < sizeof FLAGS / sizeof FLAGS[0]; i++)
            if (all & FLAGS[i].bit)
                json_kv_bool(j, FLAGS[i].name, true);
        if (ssn)
            json_kv_str(j, "state", tcp_state_name(f->tcp_state));
        json_object_end(j);
    }
    return eve_commit(w, j);
}

/* ---- stats record ---- */

enum { ENT_COUNTER = 0, ENT_ENGINES };

typedef struct StatEntry {
    const char *name;
    uint64_t v;
    int kind;
} StatEntry;

/* Order names component by component: '.' sorts before every other byte,
 * so each prefix's members are contiguous and objects come out sorted. */
static int name_cmp(const void *a, const void *b)
{
    const unsigned char *x = (const unsigned char *)((const StatEntry *)a)->name;
    const unsigned char *y = (const unsigned char *)((const StatEntry *)b)->name;
    for (;; x++, y++) {
        unsigned cx = *x == '.' ? 1u : *x, cy = *y == '.' ? 1u : *y;
        if (cx != cy)
            return cx < cy ? -1 : 1;
        if (cx == 0)
            return 0;
    }
}

#define STATS_MAX_DEPTH 16

/* Emit sorted entries as nested objects. `open` holds the components of
 * the objects currently open below "stats". */
static void emit_nested(JsonBuf *j, const StatEntry *e, size_t n, const EveStatsExtra *x)
{
    const char *open_ptr[STATS_MAX_DEPTH];
    size_t open_len[STATS_MAX_DEPTH];
    size_t depth = 0;
    char key[128];

    for (size_t i = 0; i < n; i++) {
        const char *name = e[i].name;
        /* "a.b" followed by "a.b.c": "b" cannot be a number and an object. */
        if (i + 1 < n) {
            size_t nl = strlen(name);
            if (strncmp(e[i + 1].name, name, nl) == 0 && e[i + 1].name[nl] == '.') {
                log_warn("stats: counter '%s' is also a group name; not reported", name);
                continue;
            }
        }
        /* split into components */
        const char *comp[STATS_MAX_DEPTH];
        size_t clen[STATS_MAX_DEPTH];
        size_t nc = 0;
        const char *s = name;
        while (nc < STATS_MAX_DEPTH) {
            const char *dot = strchr(s, '.');
            comp[nc] = s;
            clen[nc] = dot ? (size_t)(dot - s) : strlen(s);
            nc++;
            if (dot == NULL)
                break;
            s = dot + 1;
        }
        size_t common = 0;
        while (common < depth && common + 1 < nc && open_len[common] == clen[common] &&
               memcmp(open_ptr[common], comp[common], clen[common]) == 0)
            common++;
        while (depth > common) {
            json_object_end(j);
            depth--;
        }
        for (size_t c = depth; c + 1 < nc; c++) {
            size_t l = clen[c] < sizeof key - 1 ? clen[c] : sizeof key - 1;
            memcpy(key, comp[c], l);
            key[l] = '\0';
            json_kv_object_begin(j, key);
            open_ptr[depth] = comp[c];
            open_len[depth] = clen[c];
            depth++;
        }
        size_t l = clen[nc - 1] < sizeof key - 1 ? clen[nc - 1] : sizeof key - 1;
        memcpy(key, comp[nc - 1], l);
        key[l] = '\0';
        if (e[i].kind == ENT_ENGINES) {
            json_kv_array_begin(j, key);
            json_object_begin(j);
            json_kv_u64(j, "id", 0);
            kv_time(j, "last_reload", x->last_reload_ns);
            json_kv_u64(j, "rules_loaded", x->rules_loaded);
            json_kv_u64(j, "rules_failed", x->rules_failed);
            json_object_end(j);
            json_array_end(j);
        } else {
            json_kv_u64(j, key, e[i].v);
        }
    }
    while (depth > 0) {
        json_object_end(j);
        depth--;
    }
}

int eve_write_stats(EveWriter *w, JsonBuf *j, int64_t ts_ns, const Stats *s,
                    const EveStatsExtra *extra)
{
    if (!eve_type_enabled(w, "stats"))
        return 0;
    static const EveStatsExtra none;
    const EveStatsExtra *x = extra != NULL ? extra : &none;

    int nc = stats_count();
    size_t cap = (size_t)nc + 1 + x->n_accounts * 5;
    StatEntry *e = mem_calloc(NULL, cap, sizeof *e);
    /* memcap names live in one block: "memcap." + name + ".refused" */
    char *names = NULL;
    size_t names_cap = 0;
    for (size_t a = 0; a < x->n_accounts; a++)
        names_cap += 5 * (strlen(x->accounts[a]->name ? x->accounts[a]->name : "?") + 24);
    if (names_cap > 0)
        names = mem_alloc(NULL, names_cap);
    if (e == NULL || (names_cap > 0 && names == NULL)) {
        mem_free(NULL, e);
        mem_free(NULL, names);
        log_error("%s: out of memory writing the stats record", eve_path(w));
        return -1;
    }

    size_t n = 0;
    for (int id = 0; id < nc; id++) {
        const char *name = stats_name(id);
        if (name == NULL || name[0] == '\0')
            continue;
        e[n++] = (StatEntry){ name, s != NULL ? s->v[id] : 0, ENT_COUNTER };
    }
    if (x->has_detect)
        e[n++] = (StatEntry){ "detect.engines", 0, ENT_ENGINES };
    size_t used = 0;
    for (size_t a = 0; a < x->n_accounts; a++) {
        MemAccount *m = x->accounts[a];
        const char *an = m->name ? m->name : "?";
        static const char *const FIELD[] = { "used", "peak", "cap", "refused", "failed" };
        uint64_t val[5] = { atomic_load(&m->used), atomic_load(&m->peak), m->cap,
                            atomic_load(&m->refused), atomic_load(&m->failed) };
        for (int f = 0; f < 5; f++) {
            int k = snprintf(names + used, names_cap - used, "memcap.%s.%s", an, FIELD[f]);
            if (k < 0 || (size_t)k >= names_cap - used)
                break;
            e[n++] = (StatEntry){ names + used, val[f], ENT_COUNTER };
            used += (size_t)k + 1;
        }
    }
    qsort(e, n, sizeof *e, name_cmp);

    json_reset(j);
    json_object_begin(j);
    kv_time(j, "timestamp", ts_ns);
    json_kv_str(j, "event_type", "stats");
    json_kv_object_begin(j, "stats");
    json_kv_u64(j, "uptime", x->uptime);
    emit_nested(j, e, n, x);
    json_object_end(j);
    mem_free(NULL, e);
    mem_free(NULL, names);
    return eve_commit(w, j);
}

/* ---- the writer ---- */

static char *dup_str(const char *s)
{
    return mem_strndup(NULL, s, strlen(s));
}

static bool parse_bool_text(const char *v, bool dflt)
{
    if (v == NULL)
        return dflt;
    static const char *const YES[] = { "yes", "true", "on", "1" };
    static const char *const NO[] = { "no", "false", "off", "0" };
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, YES[i]) == 0)
            return true;
        if (strcasecmp(v, NO[i]) == 0)
            return false;
    }
    return dflt;
}

/* Read the `types` list: `- flow` or `- alert: {...}` (a map whose only
 * key is the type; `enabled: no` inside it turns the type off). */
static void read_types(EveWriter *w, const ConfNode *types)
{
    w->all_types = false;
    for (const ConfNode *it = conf_node_first(types); it != NULL; it = conf_node_next(it)) {
        const char *name = conf_node_value(it);
        if (name == NULL) {
            const ConfNode *sub = conf_node_first(it);
            if (sub == NULL)
                continue;
            name = conf_node_name(sub);
            const ConfNode *en = conf_node_child(sub, "enabled");
            if (en != NULL && !parse_bool_text(conf_node_value(en), true))
                continue;
        }
        if (name == NULL || w->n_types >= EVE_MAX_TYPES)
            continue;
        char *copy = dup_str(name);
        if (copy != NULL)
            w->types[w->n_types++] = copy;
    }
}

static void writer_free(EveWriter *w)
{
    for (size_t i = 0; i < w->n_types; i++)
        mem_free(NULL, w->types[i]);
    mem_free(NULL, w->buf);
    mem_free(NULL, w->path);
    pthread_mutex_destroy(&w->lock);
    mem_free(NULL, w);
}

EveWriter *eve_open(const Config *cfg, const char *logdir)
{
    EveWriter *w = mem_calloc(NULL, 1, sizeof *w);
    if (w == NULL) {
        log_error("eve: out of memory");
        return NULL;
    }
    pthread_mutex_init(&w->lock, NULL);
    w->fd = -1;
    w->enabled = true;
    w->all_types = true;
    w->buf_cap = EVE_DEFAULT_BUFFER;

    /* the first `eve-log` entry of `outputs` */
    const char *filename = "eve.json";
    bool append = false;
    const ConfNode *outs = cfg != NULL ? conf_node(cfg, "outputs") : NULL;
    for (const ConfNode *it = conf_node_first(outs); it != NULL; it = conf_node_next(it)) {
        const ConfNode *eve = conf_node_child(it, "eve-log");
        if (eve == NULL)
            continue;
        const ConfNode *n = conf_node_child(eve, "enabled");
        if (n != NULL)
            w->enabled = parse_bool_text(conf_node_value(n), true);
        n = conf_node_child(eve, "filename");
        if (n != NULL && conf_node_value(n) != NULL && conf_node_value(n)[0] != '\0')
            filename = conf_node_value(n);
        n = conf_node_child(eve, "append");
        if (n != NULL)
            append = parse_bool_text(conf_node_value(n), false);
        n = conf_node_child(eve, "types");
        if (n != NULL)
            read_types(w, n);
        break;
    }

    if (cfg != NULL && conf_node(cfg, "stats.enabled") != NULL)
        w->stats_off = !conf_get_bool(cfg, "stats.enabled", true);

    if (!w->enabled) {
        w->path = dup_str("");
        if (w->path == NULL) {
            writer_free(w);
            return NULL;
        }
        return w;
    }

    if (logdir == NULL || logdir[0] == '\0')
        logdir = ".";
    size_t plen = strlen(logdir) + strlen(filename) + 2;
    w->path = mem_alloc(NULL, plen);
    w->buf = mem_alloc(NULL, w->buf_cap);
    if (w->path == NULL || w->buf == NULL) {
        log_error("eve: out of memory");
        writer_free(w);
        return NULL;
    }
    if (filename[0] == '/')
        snprintf(w->path, plen, "%s", filename);
    else
        snprintf(w->path, plen, "%s/%s", logdir, filename);

    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    w->fd = open(w->path, flags, 0644);
    if (w->fd < 0) {
        log_error("%s: cannot create the EVE log: %s", w->path, strerror(errno));
        writer_free(w);
        return NULL;
    }
    if (append) {
        struct stat st;
        if (fstat(w->fd, &st) == 0)
            w->file_len = (uint64_t)st.st_size;
    }
    return w;
}

void eve_set_buffer_size(EveWriter *w, size_t size)
{
    if (w == NULL || w->fd < 0 || size == 0)
        return;
    pthread_mutex_lock(&w->lock);
    if (w->buf_len == 0) {
        char *nb = mem_realloc(NULL, w->buf, size);
        if (nb != NULL) {
            w->buf = nb;
            w->buf_cap = size;
        }
    }
    pthread_mutex_unlock(&w->lock);
}

static uint64_t count_lines(const char *p, size_t n)
{
    uint64_t c = 0;
    for (const char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        c++;
    return c;
}

/* Write data[0..len) (complete lines) at the end of the file. On failure,
 * cut the file back to its last complete line, say so once, and stop. */
static int write_lines(EveWriter *w, const char *data, size_t len, uint64_t lines)
{
    if (w->error) {
        w->dropped += lines;
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t k = write(w->fd, data + off, len - off);
        if (k > 0) {
            off += (size_t)k;
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        int err = k < 0 ? errno : ENOSPC;
        size_t keep = off;
        while (keep > 0 && data[keep - 1] != '\n')
            keep--;
        if (keep != off && ftruncate(w->fd, (off_t)(w->file_len + keep)) != 0)
            log_error("%s: cannot remove a partly written line: %s", w->path, strerror(errno));
        w->file_len += keep;
        uint64_t lost = count_lines(data + keep, len - keep);
        w->written += lines - lost;
        w->dropped += lost;
        w->error = true;
        log_error("%s: write failed: %s; this and later EVE records are lost "
                  "(the file ends at its last complete record)",
                  w->path, strerror(err));
        return -1;
    }
    w->file_len += len;
    w->written += lines;
    return 0;
}

static int flush_locked(EveWriter *w)
{
    if (w->buf_len == 0)
        return w->error ? -1 : 0;
    int r = write_lines(w, w->buf, w->buf_len, w->pending);
    w->buf_len = 0;
    w->pending = 0;
    return r;
}

int eve_flush(EveWriter *w)
{
    if (w == NULL || w->fd < 0)
        return 0;
    pthread_mutex_lock(&w->lock);
    int r = flush_locked(w);
    pthread_mutex_unlock(&w->lock);
    return r;
}

/* A memory writer's commit: append the line, growing the buffer (only
 * its owner thread touches it, so no lock). */
static int memory_commit(EveWriter *w, JsonBuf *j, bool ok)
{
    int r = -1;
    if (ok) {
        json_cstr(j);
        j->buf[j->len] = '\n';
        size_t n = j->len + 1;
        if (n > w->buf_cap - w->buf_len) {
            size_t cap = w->buf_cap != 0 ? w->buf_cap : 4096;
            while (cap - w->buf_len < n && cap < SIZE_MAX / 2)
                cap *= 2;
            char *nb = mem_realloc(NULL, w->buf, cap);
            if (nb != NULL) {
                w->buf = nb;
                w->buf_cap = cap;
            }
        }
        if (n <= w->buf_cap - w->buf_len) {
            memcpy(w->buf + w->buf_len, j->buf, n);
            w->buf_len += n;
            w->pending++;
            r = 0;
        }
    }
    if (r != 0)
        w->dropped++;
    json_reset(j);
    return r;
}

int eve_commit(EveWriter *w, JsonBuf *j)
{
    /* close what the record writer left open */
    while (j->depth > 0 && !j->failed) {
        if (j->kind[j->depth - 1] == '{')
            json_object_end(j);
        else
            json_array_end(j);
    }
    bool ok = json_complete(j);
    int r = 0;
    if (w != NULL && w->memory)
        return memory_commit(w, j, ok);
    if (w == NULL || w->fd < 0) {
        json_reset(j);
        return ok ? 0 : -1;
    }
    pthread_mutex_lock(&w->lock);
    if (!ok) {
        w->dropped++;
        r = -1;
    } else if (w->error) {
        w->dropped++;
        r = -1;
    } else {
        /* json reserves one spare byte past the end: room for the newline */
        json_cstr(j);
        j->buf[j->len] = '\n';
        size_t n = j->len + 1;
        if (n > w->buf_cap - w->buf_len)
            r = flush_locked(w);
        if (r == 0) {
            if (n > w->buf_cap) {
                r = write_lines(w, j->buf, n, 1);
            } else {
                memcpy(w->buf + w->buf_len, j->buf, n);
                w->buf_len += n;
                w->pending++;
            }
        }
    }
    pthread_mutex_unlock(&w->lock);
    json_reset(j);
    return r;
}

EveWriter *eve_open_memory(const EveWriter *like)
{
    EveWriter *w = mem_calloc(NULL, 1, sizeof *w);
    if (w == NULL) {
        log_error("eve: out of memory");
        return NULL;
    }
    pthread_mutex_init(&w->lock, NULL);
    w->fd = -1;
    w->memory = true;
    w->enabled = like != NULL && like->enabled;
    w->all_types = like != NULL && like->all_types;
    w->stats_off = like != NULL && like->stats_off;
    w->path = dup_str("");
    bool failed = w->path == NULL;
    for (size_t i = 0; like != NULL && i < like->n_types && !failed; i++) {
        w->types[i] = dup_str(like->types[i]);
        failed = w->types[i] == NULL;
        if (!failed)
            w->n_types++;
    }
    if (failed) {
        log_error("eve: out of memory");
        writer_free(w);
        return NULL;
    }
    return w;
}

const char *eve_memory_lines(const EveWriter *w, size_t *len, uint64_t *n_lines)
{
    if (w == NULL || !w->memory || w->buf_len == 0) {
        *len = 0;
        *n_lines = 0;
        return NULL;
    }
    *len = w->buf_len;
    *n_lines = w->pending;
    return w->buf;
}

void eve_memory_clear(EveWriter *w)
{
    if (w != NULL && w->memory) {
        w->buf_len = 0;
        w->pending = 0;
    }
}

uint64_t eve_memory_dropped(const EveWriter *w)
{
    return w != NULL && w->memory ? w->dropped : 0;
}

int eve_write_lines(EveWriter *w, const char *data, size_t len, uint64_t n_lines)
{
    if (w == NULL || w->fd < 0 || len == 0)
        return 0;
    int r = 0;
    pthread_mutex_lock(&w->lock);
    if (w->error) {
        w->dropped += n_lines;
        r = -1;
    } else if (len > w->buf_cap - w->buf_len) {
        r = flush_locked(w);
        if (r == 0) {
            if (len > w->buf_cap) {
                r = write_lines(w, data, len, n_lines);
            } else {
                memcpy(w->buf + w->buf_len, data, len);
                w->buf_len += len;
                w->pending += n_lines;
            }
        }
    } else {
        memcpy(w->buf + w->buf_len, data, len);
        w->buf_len += len;
        w->pending += n_lines;
    }
    pthread_mutex_unlock(&w->lock);
    return r;
}

int eve_close(EveWriter *w)
{
    if (w == NULL)
        return 0;
    int r = 0;
    if (w->fd >= 0) {
        pthread_mutex_lock(&w->lock);
        if (flush_locked(w) != 0)
            r = -1;
        pthread_mutex_unlock(&w->lock);
        if (close(w->fd) != 0 && !w->error) {
            log_error("%s: close failed: %s", w->path, strerror(errno));
            r = -1;
        }
        if (w->error)
            r = -1;
    }
    writer_free(w);
    return r;
}

bool eve_type_enabled(const EveWriter *w, const char *type)
{
    if (w == NULL || !w->enabled)
        return false;
    if (w->stats_off && strcmp(type, "stats") == 0)
        return false;
    if (w->all_types)
        return true;
    for (size_t i = 0; i < w->n_types; i++)
        if (strcmp(w->types[i], type) == 0)
            return true;
    return false;
}

const char *eve_path(const EveWriter *w) { return w != NULL && w->path != NULL ? w->path : ""; }
uint64_t eve_records_written(const EveWriter *w) { return w != NULL ? w->written : 0; }
uint64_t eve_records_dropped(const EveWriter *w) { return w != NULL ? w->dropped : 0; }
