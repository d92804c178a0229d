/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * signature.h: one parsed rule (a Signature) and the pieces it is made of.
 *
 * Where it sits: rules/ parses text into Signatures (rules/parse.c), the
 * keywords in keywords/ fill them through their setup functions (keyword.h),
 * detect.c compiles the loaded set into groups and a Vectorscan prefilter,
 * and inspect.c runs a Signature's match lists over a packet.
 *
 * Layout of a Signature, following Suricata's (detect.h, "sm lists"):
 *
 *   header      action, protocol, source/destination address and port sets,
 *               direction (-> or <>)
 *   meta        sid, gid, rev, msg, classtype, priority, reference, metadata
 *   match       SigMatchList of packet keywords (dsize, flags, ttl, flow,
 *               flowbits:isset, ...): cheap tests, run before any buffer
 *   buffers     one SigMatchList per inspected buffer (packet payload,
 *               tcp.hdr, ..., http.uri), holding the payload keywords
 *               (content, pcre, isdataat, byte_*) in rule order, because
 *               their relative semantics depend on that order
 *   post        SigMatchList of actions run once the rule matched
 *               (flowbits:set, flowint:+, ...)
 *   threshold   at most one threshold/detection_filter (keywords/threshold.h)
 *
 * Invariants once rules/parse.c accepted a signature:
 *   - sid != 0; every SigMatch has a keyword and (unless the keyword says
 *     otherwise) a non-NULL ctx that the keyword's free() releases;
 *   - `fp` is NULL or points at a content SigMatch inside buffers[fp_buf];
 *   - a signature that names a buffer nobody provides yet (app-layer) was
 *     rejected with reason "needs app-layer" (see detect/buffer.h).
 * After detect_engine_new() returns, Signatures are read-only and shared
 * between worker threads.
 */
#ifndef KASBAH_DETECT_SIGNATURE_H
#define KASBAH_DETECT_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/detect.h"

struct DetectKeyword;
struct AddrSet;
struct PortSet;
struct ClassType;
struct ThresholdCtx;

/* ------------------------------------------------------------------ */
/* SigMatch: one keyword instance                                      */
/* ------------------------------------------------------------------ */

typedef struct SigMatch {
    const struct DetectKeyword *kw; /* which keyword (never NULL) */
    void *ctx;                      /* keyword-owned parsed argument; kw->free releases it */
} SigMatch;

/* An ordered, growable array of SigMatches. */
typedef struct SigMatchList {
    SigMatch *sm;
    uint16_t n, cap;
} SigMatchList;

#define SIG_MAX_TRANSFORMS 4

/* The match list of one inspected buffer (buffer ids: detect/buffer.h),
 * and the transforms (keywords/transform.h) applied to the buffer first. */
typedef struct SigBufferList {
    int buffer_id;
    SigMatchList list;
    uint8_t transforms[SIG_MAX_TRANSFORMS];
    uint8_t n_transforms;
} SigBufferList;

/* ------------------------------------------------------------------ */
/* Header                                                              */
/* ------------------------------------------------------------------ */

/* Which packets the header protocol admits (Signature.proto). */
typedef struct SigProto {
    uint8_t ip_ver_mask;      /* bit 0: IPv4, bit 1: IPv6 */
    bool any_proto;           /* "ip" (and "pkthdr"): every IP protocol */
    uint8_t protos[32];       /* bitmap over IP protocol numbers when !any_proto */
    uint16_t app_proto;       /* AppProto (applayer.h) named in the header; 0 = none or unparsed */
    const char *app_name;     /* its name ("http"), static storage; NULL = none */
} SigProto;

/* Signature.flags */
enum {
    SIG_F_BIDIR = 1u << 0,          /* `<>` */
    SIG_F_NOALERT = 1u << 1,        /* noalert / flowbits:noalert: no alert record */
    SIG_F_SRC_ANY = 1u << 2,        /* source address any (skip the test) */
    SIG_F_DST_ANY = 1u << 3,
    SIG_F_SP_ANY = 1u << 4,         /* source port any */
    SIG_F_DP_ANY = 1u << 5,
    SIG_F_FLOW_TOSERVER = 1u << 6,  /* flow:to_server / from_client */
    SIG_F_FLOW_TOCLIENT = 1u << 7,  /* flow:to_client / from_server */
    SIG_F_NEED_FLOW = 1u << 8,      /* some keyword needs p->flow (flowbits, flow:established...) */
    SIG_F_IPONLY = 1u << 9,         /* only address/proto tests (Suricata's "IP-only"): first
                                       packet of each flow direction only */
    SIG_F_NEED_PAYLOAD = 1u << 10,  /* has payload keywords: skip packets with no payload */
    SIG_F_TCP_STREAM = 1u << 11,    /* header protocol tcp-stream, or flow:only_stream: payload
                                       of TCP packets with a stream session is inspected in the
                                       reassembled stream only */
    SIG_F_TCP_PKT = 1u << 12,       /* header protocol tcp-pkt, or flow:no_stream: packets only */
    SIG_F_PREFILTER_FP = 1u << 13,  /* enters the mpm prefilter through its fast pattern */
    SIG_F_BASE64 = 1u << 14,        /* has base64_decode: the worker's decode scratch is needed */
};

/* Maximum byte_extract / byte_math variables per signature. */
#define SIG_MAX_VARS 8

typedef struct SigReference {
    char *type;   /* "url", "cve", ... (as written) */
    char *value;
} SigReference;

typedef struct SigMetadata {
    char *key;
    char *value;
} SigMetadata;

/* Index into an (extensible) target: target:src_ip / dest_ip. */
enum { SIG_TARGET_NONE = 0, SIG_TARGET_SRC, SIG_TARGET_DST };

typedef struct Signature {
    /* identity and meta */
    uint32_t num;              /* internal order after sorting (alert order) */
    uint32_t sid, gid, rev;
    int prio;                  /* priority: explicit, else classtype's, else 3 */
    bool prio_explicit;
    DetectAction action;
    uint32_t flags;            /* SIG_F_* */
    char *msg;                 /* NULL when the rule has none */
    const struct ClassType *klass; /* classtype, NULL when none */
    SigReference *refs;
    uint16_t n_refs;
    SigMetadata *meta;         /* metadata key/value pairs in rule order */
    uint16_t n_meta;
    uint8_t target;            /* SIG_TARGET_* */

    /* header */
    SigProto proto;
    struct AddrSet *src, *dst; /* NULL when `any` */
    struct PortSet *sp, *dp;   /* NULL when `any` */
    uint32_t src_set, dst_set; /* 1 + the interned id of src / dst among the engine's distinct
                                  address sets (detect.c, at build); 0 when `any` */

    /* options */
    SigMatchList match;        /* packet keywords */
    SigBufferList *bufs;       /* inspected buffers, in first-use order */
    uint16_t n_bufs;
    SigMatchList post;         /* post-match actions */
    struct ThresholdCtx *threshold;   /* threshold: or detection_filter: (owned) */
    const struct ThresholdRule **suppress; /* threshold.config suppress entries (borrowed) */
    uint16_t n_suppress;

    /* fast pattern (chosen in rules/parse.c after all options) */
    const SigMatch *fp;        /* a content SigMatch, or NULL */
    int fp_buf;                /* index into bufs of the list holding fp */

    /* transaction inspection (set when the engine is built, detect.c) */
    bool tx_sig;               /* some buffer is an app-layer transaction buffer */
    uint16_t tx_app_proto;     /* the AppProto of those buffers */
    const SigMatch *tx_fp;     /* transaction prefilter pattern: a content of a transaction
                                  buffer without transforms (NULL: the rule is a candidate
                                  whenever its protocol's transactions change) */
    int tx_fp_buf;             /* the buffer id holding tx_fp */
    uint8_t tx_fp_skip;        /* leading bytes of tx_fp the prefilter leaves out: 1 when its
                                  buffer is transformed by dotprefix alone (the dot the
                                  transform adds is not in the raw buffer scanned) */

    uint8_t n_vars;            /* byte_extract/byte_math variables used */
    char *var_names[SIG_MAX_VARS];

    /* where it came from, for messages */
    const char *file;          /* interned by the loader; outlives the Signature */
    uint32_t line;
    char *raw;                 /* the rule text (for -T diagnostics); may be NULL */
} Signature;

/* ------------------------------------------------------------------ */
/* Building signatures (rules/parse.c, keyword setup functions)       */
/* ------------------------------------------------------------------ */

/* Append sm to list; takes ownership of sm.ctx (released with the
 * signature). 0, or -ENOMEM (sm.ctx is then freed). */
int sig_list_append(SigMatchList *list, SigMatch sm);

/* The list of buffer `buffer_id` in s, created when absent; NULL on OOM. */
SigMatchList *sig_buffer_list(Signature *s, int buffer_id);
/* Same, the whole SigBufferList (valid until the next list is added). */
SigBufferList *sig_buffer_get(Signature *s, int buffer_id);

/* Free a signature and everything it owns. NULL is a no-op. */
void sig_free(Signature *s);

/* Variable index of `name` (byte_extract/byte_math result) in s, or -1. */
int sig_var_find(const Signature *s, const char *name);

/* Memory account every rule structure is charged to (detect). */
struct MemAccount;
struct MemAccount *detect_mem(void);

#endif
