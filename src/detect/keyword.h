/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keyword.h: the rule keyword table, and what a keyword implements.
 *
 * Every rule option (`content:"x"`, `nocase`, `flowbits:set,a`) is a
 * DetectKeyword found by name in one table (keyword.c). The parser
 * (rules/parse.c) splits a rule's options into name and argument text,
 * looks the name up and calls the keyword's setup() with a DetectParse
 * context; setup parses the argument, and appends a SigMatch to the right
 * list of the Signature (or modifies the previous one, for modifiers such as
 * nocase or depth), or sets a field (msg, sid, ...).
 *
 * One file per keyword or small family in src/detect/keywords/, named after
 * the keyword (keywords/content.c holds content and its modifiers,
 * keywords/byte.c byte_test/jump/extract/math, ...). A family file exports
 * one `kw_<family>_register(void)` that calls detect_keyword_register() for
 * each of its keywords; keyword.c calls every register function once.
 *
 * How a SigMatch is run depends on the list it was put on:
 *   - Signature.match (packet keywords): kw->match(mc, ctx) -> bool;
 *   - a buffer list (payload keywords: content, pcre, isdataat, byte_*,
 *     bsize):
 *     the inspection engine (inspect.c) interprets these itself, by kw->id,
 *     because relative offsets and backtracking tie them together; their
 *     files export the helpers inspect.c calls (keywords/content.h, ...);
 *   - Signature.post (flowbits:set, flowint:+): kw->post(mc, ctx) after the
 *     rule matched and was not suppressed.
 *
 * Errors: setup returns 0, or -1 after calling detect_parse_error() with
 * the reason class and a message naming the keyword and the bad value.
 * The table is built once (detect_keywords_init, not thread-safe) and then
 * read-only.
 */
#ifndef KASBAH_DETECT_KEYWORD_H
#define KASBAH_DETECT_KEYWORD_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/packet.h"
#include "detect/signature.h"
#include "flow/flow.h"

struct DetectEngine;
struct DetectThread;

/* Keyword ids the inspection engine and the parser need to know about.
 * Keywords that nothing else refers to use DETECT_KW_OTHER. */
typedef enum DetectKwId {
    DETECT_KW_OTHER = 0,
    DETECT_KW_CONTENT,
    DETECT_KW_PCRE,
    DETECT_KW_ISDATAAT,
    DETECT_KW_BYTE_TEST,
    DETECT_KW_BYTE_JUMP,
    DETECT_KW_BYTE_EXTRACT,
    DETECT_KW_BYTE_MATH,
    DETECT_KW_FLOWBITS,
    DETECT_KW_FLOWINT,
    DETECT_KW_THRESHOLD,
    DETECT_KW_BSIZE,
    DETECT_KW_BASE64_DECODE,
    DETECT_KW_ASN1,
} DetectKwId;

/* DetectKeyword.flags */
enum {
    KW_F_NOOPT = 1u << 0,      /* takes no argument (`nocase`); an argument is an error */
    KW_F_OPTIONAL = 1u << 1,   /* argument may be absent (`tcp.hdr;` vs `ipopts:rr`) */
    KW_F_STRIP_QUOTES = 1u << 2, /* remove one pair of surrounding quotes from the argument */
    KW_F_STICKY = 1u << 3,     /* a sticky buffer: sets the current buffer (see buffer.h) */
};

/* Why a rule was rejected: the three classes `-T` reports. */
typedef enum DetectErrKind {
    DETECT_ERR_SYNTAX = 0,     /* malformed rule text */
    DETECT_ERR_UNKNOWN_KEYWORD,
    DETECT_ERR_BAD_VALUE,      /* keyword argument does not parse or is out of range */
    DETECT_ERR_UNSUPPORTED,    /* valid Suricata, not (yet) supported by kasbah */
    DETECT_ERR_NEEDS_APPLAYER, /* uses a buffer/protocol the app-layer will provide */
    DETECT_ERR_OOM,
} DetectErrKind;

/* Parsing state handed to setup functions. */
typedef struct DetectParse {
    Signature *s;
    const struct DetectKeyword *kw; /* the keyword whose setup is running */
    struct DetectEngine *de;   /* engine being built (flowbit names, vars, classification) */
    int cur_buf;               /* buffer id payload keywords go to (sticky buffer), see buffer.h */
    int last_pm_buf;           /* buffer id of the last content/pcre appended, -1 = none */
    uint16_t last_pm_idx;      /* its index in that buffer's list */
    int needs_buf;             /* a buffer without a getter was named (-1: none) */
    /* error out */
    DetectErrKind err_kind;
    char err[256];
} DetectParse;

/* Record why setup failed (printf-style; truncated to fit). Returns -1 so
 * setup can `return detect_parse_error(...)`. */
int detect_parse_error(DetectParse *pc, DetectErrKind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The match context a packet keyword sees. vars[] holds byte_extract /
 * byte_math results of the signature being run. */
typedef struct DetectMatchCtx {
    struct DetectThread *dt;
    const struct DetectEngine *de;
    Packet *p;
    Flow *f;                   /* p->flow, may be NULL */
    const Signature *s;
    void *tx;                  /* the transaction inspected (transaction rules), else NULL */
    uint64_t vars[SIG_MAX_VARS];
} DetectMatchCtx;

typedef struct DetectKeyword {
    const char *name;
    const char *alias;         /* second accepted name (legacy form), or NULL */
    DetectKwId id;
    uint32_t flags;            /* KW_F_* */
    int buffer_id;             /* KW_F_STICKY: the buffer it selects */
    uint16_t tx_app_proto;     /* a packet keyword that reads a transaction of this AppProto
                                  (dns.opcode): the rule becomes a transaction rule; 0 = none */

    /* Parse arg (NUL-terminated, surrounding blanks trimmed; NULL when the
     * option had no ':'), update pc->s. 0 or -1 with detect_parse_error(). */
    int (*setup)(DetectParse *pc, const char *arg);

    /* Packet keyword test (for SigMatches on Signature.match). */
    bool (*match)(DetectMatchCtx *mc, const void *ctx);

    /* Post-match action (for SigMatches on Signature.post). */
    void (*post)(DetectMatchCtx *mc, const void *ctx);

    /* Free a SigMatch ctx this keyword created; NULL = mem_free(detect_mem()). */
    void (*free)(void *ctx);
} DetectKeyword;

/* Add a keyword (static storage; the table keeps the pointer). Called from
 * kw_*_register() during detect_keywords_init(). */
void detect_keyword_register(const DetectKeyword *kw);

/* Register every keyword once (idempotent). Not thread-safe. */
void detect_keywords_init(void);

/* Find a keyword by name or alias; NULL when unknown. */
const DetectKeyword *detect_keyword_find(const char *name);

/* Is `name` a Suricata keyword kasbah knows about but does not implement?
 * Returns a short reason ("needs app-layer", "unsupported", or "needs
 * app-layer: no X parser" for a protocol kasbah does not parse) or NULL. */
const char *detect_keyword_known_unsupported(const char *name);

/* Helpers for setup functions. */

/* Append a SigMatch for kw with ctx to the packet list / post list. */
int detect_sm_add_match(DetectParse *pc, const DetectKeyword *kw, void *ctx);
int detect_sm_add_post(DetectParse *pc, const DetectKeyword *kw, void *ctx);
/* Append to the current buffer's list (pc->cur_buf); sets last_pm when
 * kw is content or pcre. */
int detect_sm_add_buffer(DetectParse *pc, const DetectKeyword *kw, void *ctx);

/* The last content/pcre appended (what nocase, depth, ... modify), or NULL.
 * The pointer is valid until the next append. */
SigMatch *detect_parse_last_pm(DetectParse *pc);

/* The previous payload keyword in the current buffer (for `relative`
 * flags), or NULL when the current buffer list is empty. */
SigMatch *detect_parse_prev_sm(DetectParse *pc);

/* Copy arg into out without one pair of surrounding double quotes,
 * resolving " \; \ escapes. 0, or -1 when unbalanced or too long. */
int detect_arg_unquote(const char *arg, char *out, size_t cap);

/* The flowbits role of a signature for Suricata's rule ordering: 3 sets
 * only, 2 sets and reads, 1 reads only, 0 uses none (keywords/flowbits.c). */
int flowbits_sig_role(const Signature *s);

/* The xbits/hostbits role, same scale as flowbits_sig_role (keywords/xbits.c). */
int xbits_sig_role(const Signature *s);

/* Is every post-match action of s a flowbits:set? (Suricata lets such
 * rules stay IP-only.) */
bool flowbits_post_only_sets(const Signature *s);

/* Family registration functions (one per file in keywords/). */
void kw_meta_register(void);       /* msg sid rev gid classtype priority reference metadata target */
void kw_content_register(void);    /* content + modifiers */
void kw_pcre_register(void);
void kw_isdataat_register(void);
void kw_byte_register(void);       /* byte_test byte_jump byte_extract byte_math */
void kw_dsize_register(void);
void kw_flow_register(void);
void kw_header_register(void);     /* ttl ip_proto id seq ack window fragbits fragoffset ipopts sameip flags */
void kw_icmp_register(void);       /* itype icode icmp_id icmp_seq */
void kw_flowbits_register(void);
void kw_flowint_register(void);
void kw_threshold_register(void);  /* threshold detection_filter */
void kw_noalert_register(void);
void kw_decode_event_register(void);
void kw_app_layer_protocol_register(void);
void kw_stream_event_register(void);
void kw_buffers_register(void);
void kw_bsize_register(void);
void kw_xbits_register(void);      /* xbits hostbits */
void kw_stream_size_register(void);
void kw_tls_version_register(void);
void kw_dns_opcode_register(void);
void kw_app_layer_event_register(void);
void kw_base64_register(void);     /* base64_decode base64_data */
void kw_asn1_register(void);
void kw_tag_register(void);      /* bsize urilen */
void kw_transform_register(void);  /* dotprefix to_lowercase ... */    /* sticky buffers: tcp.hdr udp.hdr ipv4.hdr + app-layer names */

#endif
