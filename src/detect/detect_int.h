/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * detect_int.h: the inside of DetectEngine and DetectThread, shared by the
 * files of src/detect/ (never included from outside detect/).
 *
 * Engine build (detect.c): rules/loader.c parses every file into
 * `sigs`; detect.c sorts them into Suricata's order (action, flowbits
 * role, priority, load order) and numbers them (Signature.num = index), then
 * builds one SigGroup per transport bucket: the signatures whose fast
 * pattern goes to the group's Vectorscan database, and the "non-mpm"
 * signatures that are tried on every packet of the bucket after cheap
 * header checks.
 *
 * Per worker (DetectThread): Vectorscan scratch, the candidate bitmap,
 * the threshold tables for by_src/by_dst/by_rule/by_both tracking; per flow
 * (DetectFlowState, hung on Flow.detect): flowbits, flowints, by_flow
 * thresholds and the flow's pass/drop verdict.
 */
#ifndef KASBAH_DETECT_DETECT_INT_H
#define KASBAH_DETECT_DETECT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/detect.h"
#include "applayer/applayer.h"
#include "stream/stream.h"
#include "detect/keyword.h"
#include "detect/mpm/mpm.h"
#include "detect/rules/classification.h"
#include "detect/signature.h"
#include "lib/alloc.h"

/* Transport buckets a packet is inspected in. */
enum { DETECT_BUCKET_TCP = 0, DETECT_BUCKET_UDP, DETECT_BUCKET_ICMP, DETECT_BUCKET_OTHER, DETECT_BUCKET_N };

/* A sorted list of signature nums. */
typedef struct SigList {
    uint32_t *v;
    uint32_t n;
} SigList;

/* The signatures filed under one port interval (group.c), by packet
 * direction [0 to server, 1 to client]. */
typedef struct PortGroup {
    SigList non[2];                 /* packet rules without a prefilter pattern */
    SigList tx[2][APP_PROTO_MAX];   /* transaction rules by AppProto */
} PortGroup;

/* Port -> group of one port side (destination or source). */
typedef struct PortIndex {
    uint16_t *of_port;        /* 65,536 entries; NULL when no rule is filed on this side */
    PortGroup *g;
    uint32_t n;
} PortIndex;

/* A transaction prefilter: the tx_fp patterns of one buffer. */
typedef struct TxMpm {
    int buffer_id;
    Mpm *mpm;                 /* pattern id = signature num */
} TxMpm;

/* The signatures of one transport bucket (see group.c for the grouping). */
typedef struct SigGroup {
    Mpm *mpm;                 /* payload fast patterns; pattern id = signature num; NULL when none */
    uint32_t n_mpm;
    TxMpm *txm[APP_PROTO_MAX]; /* transaction prefilters by AppProto, one per buffer */
    uint32_t n_txm[APP_PROTO_MAX];
    uint32_t n_txfp;          /* transaction rules entering them */
    uint32_t n_nonmpm, n_iponly, n_txsig; /* counts, for the log line */
    /* shared lists (any ports or `<>`), by packet direction */
    SigList first[2];         /* first packet of a flow direction: IP-only rules too */
    SigList rest[2];          /* later packets */
    SigList tx[2][APP_PROTO_MAX]; /* transaction rules: candidates only on packets of flows of
                                     that protocol whose transactions changed */
    PortIndex by_dp, by_sp;   /* port-restricted rules (TCP and UDP buckets) */
} SigGroup;

/* group.c: file the signatures nums[0..n) (sorted; not in the prefilter)
 * of a bucket into g's lists; `ports`: the bucket's packets have ports.
 * 0 or -1 (OOM). Free g's lists. The group of a port for side 1
 * (destination) or 2 (source), NULL when that side has no index. */
int sig_group_build_lists(const DetectEngine *de, SigGroup *g, const uint32_t *nums, uint32_t n, bool ports);
void sig_group_fini(SigGroup *g);
const PortGroup *sig_group_port(const SigGroup *g, int side, uint16_t port);

/* A name table (flowbits, flowints): index = id. */
typedef struct NameTable {
    char **v;
    uint32_t n, cap;
} NameTable;

/* Return the id of name, adding it when new; -1 on OOM. */
int detect_name_id(NameTable *t, const char *name);

/* The fields of a Signature the packet loop tests before anything else,
 * packed in an array by signature num (DetectEngine.hot): most candidates
 * are rejected without touching their Signature (a cache miss each). */
typedef struct SigHot {
    uint32_t flags;           /* Signature.flags, plus SIG_HOT_TX */
    uint32_t src_set, dst_set; /* Signature.src_set / dst_set */
    uint16_t app_proto;       /* Signature.proto.app_proto */
    uint8_t ip_ver_mask;      /* Signature.proto.ip_ver_mask */
} SigHot;

#define SIG_HOT_TX (1u << 31) /* Signature.tx_sig */

struct ThresholdRule;

struct DetectEngine {
    const Config *conf;
    Signature **sigs;         /* sorted; sigs[i]->num == i after build */
    uint32_t n_sigs, cap_sigs;
    uint64_t loaded, failed;
    uint64_t files_failed;    /* rule files that could not be opened */
    ClassTable classes;
    bool classes_loaded;      /* a classification file was read */
    NameTable flowbits;
    NameTable flowints;
    NameTable xbits;          /* xbits / hostbits names (keywords/xbits.c) */
    SigGroup groups[DETECT_BUCKET_N];
    unsigned alert_max;       /* packet-alert-max */
    bool ips;                 /* --simulate-ips / inline: drop blocks */
    bool midstream;           /* stream.midstream: TCP flows picked up mid-session count as established */
    struct ThresholdRule *trules; /* threshold.config entries */
    uint32_t n_trules;
    int ctr_alert;            /* stats id of detect.alert */
    /* duplicate detection while loading: open addressing over (gid, sid) */
    uint64_t *sid_keys;       /* (gid << 32 | sid) + 1; 0 = empty */
    uint32_t *sid_idx;        /* index into sigs */
    uint32_t sid_cap, sid_n;
    char **files;             /* interned rule file names (Signature.file) */
    uint32_t n_files;
    const struct AddrSet **asets; /* the distinct address sets (id = index; borrowed from a
                                     Signature holding it) */
    uint32_t n_asets;         /* (Signature.src_set / dst_set = 1 + id) */
    SigHot *hot;              /* n_sigs entries, by num */
};

/* Per-flow detection state (Flow.detect). */
typedef struct DetectFlowState {
    uint64_t *bits;           /* flowbits, one bit per engine flowbit id */
    uint32_t n_words;
    int64_t *ints;            /* flowint values */
    uint8_t *int_set;         /* whether each flowint is set */
    uint32_t n_ints;
    struct ThreshEntry *thr;  /* by_flow threshold entries (list) */
    struct TxAlerted *txa;    /* (signature, transaction) pairs that matched already */
    uint32_t n_txa, cap_txa;
    struct StreamMatched *smatch; /* (signature, direction) packet matches, for the stream path */
    uint32_t n_smatch, cap_smatch;
    bool app_dirty[2];
    uint64_t tx_from[2];      /* transactions below are complete in direction [d] and were
                                 inspected on a packet of d since: not inspected there again */        /* app data arrived since the last packet of direction [d] */
    struct TagEntry *tags;    /* active session tags (keywords/tag.c), TAG_MAX_PER_FLOW slots */
    uint8_t n_tags;
    bool pass;                /* a pass rule matched: no more inspection */
    bool drop;                /* a drop rule matched in IPS mode: drop the rest */
} DetectFlowState;

/* A signature matched a packet's payload of direction dir when the stream
 * held `upto` bytes: a stream chunk ending there holds nothing new for it. */
typedef struct StreamMatched {
    uint64_t upto;
    uint32_t sig_num;
    uint8_t dir;
} StreamMatched;

/* A transaction a signature matched: it is not inspected for it again. */
typedef struct TxAlerted {
    uint64_t tx_id;
    uint32_t sig_num;
} TxAlerted;

/* A threshold/detection_filter tracking entry. */
typedef struct ThreshEntry {
    struct ThreshEntry *next;
    uint32_t sig_num;
    uint8_t track;
    IpAddr a, b;              /* tracked address(es) */
    uint8_t ip_ver;
    uint32_t count;
    int64_t first_ns;         /* start of the current window */
    uint64_t next_alert;      /* backoff: count at which the next alert fires */
    uint16_t *ports;          /* unique_on: distinct values seen in the window */
    uint32_t n_ports, cap_ports;
    uint32_t alerts_in_window;
} ThreshEntry;

#define DETECT_THRESH_BUCKETS 4096

struct DetectThread {
    const DetectEngine *de;
    MemAccount *flow_acct;    /* per-flow state (DetectFlowState and its arrays):
                                 detect_mem() unless the worker gave its own */
    Stats *stats;             /* the caller's, or own_stats when it gave none */
    Stats own_stats;
    MpmScratch *scratch;
    struct PcreThread *pcre;  /* PCRE2 match data for this worker */
    uint8_t *xbuf[2];         /* transform output, alternating */
    size_t xcap;
    uint8_t *cand;            /* candidate bitmap over signature nums */
    uint32_t *cand_list;      /* candidates collected this packet */
    uint32_t n_cand;
    ThreshEntry *thr[DETECT_THRESH_BUCKETS]; /* host/rule threshold entries */
    uint64_t thr_count;
    int ctr_alert;
    int ctr_overflow;         /* detect.alert_queue_overflow: beyond packet-alert-max */
    int ctr_suppressed;       /* detect.alerts_suppressed: by threshold / suppress */
    bool tx_only;
    struct TagHostTable *tag_hosts; /* host tags of this worker (keywords/tag.c); lazily made */
    int ctr_tagged;           /* detect.tagged_packets */
    uint8_t *b64;             /* base64_decode output, BASE64_DECODE_MAX bytes; lazily made */
    struct XbitsTable *xbits; /* host / ip-pair bits of this worker (keywords/xbits.c); lazily made */
    /* per-packet memo of the distinct address sets: [2 * id + 0] against the
     * packet's source, [2 * id + 1] its destination; an entry is
     * (aset_gen << 1 | result), valid when its generation is this packet's */
    uint32_t *aset_memo;
    uint32_t aset_gen;
    StreamRawChunk chunk;     /* this packet's raw stream chunk (chunk.len 0: none) */             /* flow-end pseudo packet: transaction rules only */
};

typedef struct XbitsTable XbitsTable;
typedef struct TagEntry TagEntry;
typedef struct TagHostTable TagHostTable;

/* keywords/tag.c: apply the active session and host tags to p (before its
 * rules run); true when p is tagged. Free a flow's / a worker's tags. Is
 * sm a tag action (run only when the rule alerts)? */
bool tag_packet(DetectThread *dt, Flow *f, const Packet *p);
void tag_flow_fini(DetectFlowState *st);
void tag_thread_fini(DetectThread *dt);
bool tag_is_post(const SigMatch *sm);

/* Free dt's xbits table (keywords/xbits.c). */
void xbits_thread_fini(DetectThread *dt);

/* Per-flow state accessor: creates the state on first use; NULL without a
 * flow or on OOM. */
DetectFlowState *detect_flow_state(DetectThread *dt, Flow *f);

#endif
