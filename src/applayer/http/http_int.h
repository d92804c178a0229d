/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http_int.h: what the files of applayer/http/ share and nobody else sees:
 * the layout of a tx, a state and the growable byte buffers, the body
 * decoder, the URI parser.
 *
 * Invariants: every HttpBuf and array below is charged to the state's
 * account; offsets into a message's `store` stay valid while the message
 * lives (the store only grows, entries are never moved within it: a joined
 * header value is written anew at the end). Cached composite buffers are
 * valid while `cache_gen[k] == gen` of their side.
 */
#ifndef KASBAH_APPLAYER_HTTP_HTTP_INT_H
#define KASBAH_APPLAYER_HTTP_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#include "applayer/http/http.h"

/* A growable byte buffer charged to an account. */
typedef struct HttpBuf {
    uint8_t *p;
    uint32_t len, cap;
} HttpBuf;

/* Append n bytes; false when the account refuses or the size would pass
 * UINT32_MAX. */
bool http_buf_add(MemAccount *a, HttpBuf *b, const uint8_t *data, size_t n);
/* Make room for n more bytes without changing len. */
bool http_buf_reserve(MemAccount *a, HttpBuf *b, size_t n);
void http_buf_free(MemAccount *a, HttpBuf *b);

/* A span inside a message's store. */
typedef struct HttpSpan {
    uint32_t off, len;
    bool set;
} HttpSpan;

typedef struct HttpHeader {
    HttpSpan name, value;
    uint32_t reps;            /* times the name was repeated */
} HttpHeader;

/* Which composite buffers a side caches. */
enum { HTTP_CACHE_HEADER = 0, HTTP_CACHE_NAMES, HTTP_CACHE_START, HTTP_CACHE_N };

/* Up to this many Content-Encoding layers are tracked. */
#define HTTP_MAX_LAYERS 4

/* The body decoder of one message: a chain of zlib streams. */
typedef struct HttpDecoder {
    z_stream zs[HTTP_MAX_LAYERS];
    uint8_t kind[HTTP_MAX_LAYERS];   /* HTTP_CE_* of each layer, in decode order */
    bool init[HTTP_MAX_LAYERS];
    bool first[HTTP_MAX_LAYERS];     /* still in the 2-byte zlib header (deflate: zlib vs raw retry) */
    uint8_t head[HTTP_MAX_LAYERS][2];/* header bytes seen so far, for the raw retry */
    uint8_t n_head[HTTP_MAX_LAYERS];
    uint8_t n_layers;
    bool failed;                     /* passing bytes through undecoded */
    bool stopped;                    /* bomb: no more output */
    uint64_t in_total, out_total;
} HttpDecoder;

enum { HTTP_CE_NONE = 0, HTTP_CE_GZIP, HTTP_CE_DEFLATE };

/* One side (request or response) of a tx. */
typedef struct HttpMsg {
    HttpBuf store;            /* start line, header names and values */
    HttpSpan line;            /* start line without its end */
    HttpSpan part[3];         /* req: method, uri, protocol; res: protocol, code, message */
    HttpHeader *hdrs;
    uint32_t n_hdrs, cap_hdrs;
    HttpBuf raw_hdrs;         /* header bytes as received */
    HttpBuf body;             /* decoded body, up to the limit */
    uint64_t body_wire;       /* body bytes after de-chunking, before decoding */
    uint64_t body_decoded;    /* body bytes after decoding */
    HttpProgress progress;
    uint32_t gen;             /* bumped when headers change */
    HttpBuf cache[HTTP_CACHE_N];
    uint32_t cache_gen[HTTP_CACHE_N];
    bool cache_ok[HTTP_CACHE_N];
    HttpDecoder dec;
    bool dec_active;
} HttpMsg;

struct HttpTx {
    uint64_t id;
    MemAccount *acct;         /* the state's account (composite caches) */
    HttpMsg msg[2];
    HttpBuf uri_norm;         /* http.uri */
    HttpBuf host;             /* request host name, lower case */
    HttpBuf host_raw_uri;     /* host of an absolute URI as written (http.host.raw) */
    bool has_host, has_uri_host;
    int port;                 /* -1 none */
    int status;               /* 0 none/invalid */
    int req_proto;            /* 9, 10, 11, or -1 unknown */
    uint64_t events;
    uint32_t flags;
    bool logged;
    bool head;                /* request method HEAD */
    bool connect;             /* request method CONNECT */
    bool continue_seen;       /* a 100 Continue was skipped */
    struct HttpTx *next;      /* state's list, in id order */
};

/* Per direction parser states. */
typedef enum HttpPState {
    HTTP_PS_IDLE = 0,     /* waiting for a start line */
    HTTP_PS_HEADERS,
    HTTP_PS_BODY_CL,      /* identity body of known length */
    HTTP_PS_CHUNK_LEN,
    HTTP_PS_CHUNK_DATA,
    HTTP_PS_CHUNK_END,    /* the CRLF after chunk data */
    HTTP_PS_TRAILERS,
    HTTP_PS_BODY_CLOSE,   /* body until the connection closes */
    HTTP_PS_IGNORE,       /* after HTTP/0.9: discard */
    HTTP_PS_PROTO_CHECK,  /* request line without protocol: HTTP/0.9 unless
                             more than whitespace follows (then headers) */
    HTTP_PS_DEAD,         /* gap, tunnel, OOM: no more parsing */
} HttpPState;

/* What the header lines of the message being parsed said about framing. */
typedef struct HttpFrame {
    bool has_cl, cl_invalid, chunked, te_present, te_invalid;
    uint64_t cl;
    uint8_t ce[HTTP_MAX_LAYERS + 1]; /* encodings as listed (applied order) */
    uint8_t n_ce;
    bool ce_unknown;
    bool ce_too_many;
    bool stored_limit_hit;
} HttpFrame;

typedef struct HttpSide {
    HttpPState ps;
    HttpBuf line;             /* partial line (bounded by field_limit) */
    bool line_too_long;
    bool line_cr;             /* a CR ended the data so far (raw header copy) */
    HttpTx *tx;               /* tx being parsed in this direction */
    uint64_t remaining;       /* body/chunk bytes still expected */
    HttpFrame fr;
    HttpBuf pend;             /* the last header line, until the next is not folded */
    bool has_pend;
} HttpSide;

struct HttpCtx {
    HttpConfig cfg;
    MemAccount *acct;
    Stats *stats;
};

struct HttpState {
    HttpCtx *ctx;
    HttpSide side[2];
    HttpTx *head, *tail;      /* live txs, ascending ids */
    uint64_t next_id;
    uint32_t n_live;          /* txs on the list */
    bool oom;
    bool own_ctx;             /* ctx was made for this state (framework glue) */
};

/* More live txs than this and the oldest complete ones are freed even if
 * nobody released them (a backstop: the framework releases txs once they
 * are inspected and logged, applayer_flow_tx_release). */
#define HTTP_MAX_LIVE_TX 512

/* Raise ev on tx and count it. */
void http_tx_event(HttpState *s, HttpTx *tx, HttpEvent ev);

/* ---- body.c ---- */

/* Set up the decoder of msg from the framing (layers past the limit are
 * not decoded: event too_many_encoding_layers). */
void http_body_begin(HttpState *s, HttpTx *tx, unsigned dir, const HttpFrame *fr);
/* Feed body bytes (de-chunked); stores decoded bytes up to the limit. false on OOM. */
bool http_body_data(HttpState *s, HttpTx *tx, unsigned dir, const uint8_t *data, size_t len);
/* The body ended: release the decoder. */
void http_body_end(HttpState *s, HttpTx *tx, unsigned dir);

/* ---- uri.c ---- */

typedef struct HttpUriParts {
    HttpSpan scheme, user, pass, host, port, path, query, fragment;
} HttpUriParts;

/* Split raw as libhtp's htp_parse_uri does (spans are offsets into raw). */
void http_uri_split(const uint8_t *raw, size_t len, HttpUriParts *u);
/* Parse a decimal port with optional surrounding LWS: 1..65535, else -1. */
int http_parse_port(const uint8_t *p, size_t len);
/* %-decode in place (no '+' handling); returns the new length. u_decode
 * enables %uHHHH. */
size_t http_urldecode(uint8_t *p, size_t len, bool u_decode);

/* ---- buffers.c ---- */

/* Drop the cached composite buffers of one side (headers changed). */
void http_msg_invalidate(HttpMsg *m);

#endif
