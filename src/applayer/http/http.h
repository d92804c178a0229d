/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http.h: the HTTP/1.0 and 1.1 parser (RFC 9112 message syntax, RFC 9110
 * semantics, RFC 3986 URIs), its transactions, and the rule buffers detection
 * reads from them.
 *
 * Where it sits: applayer/. The stream engine hands reassembled bytes of a
 * TCP flow to http_parse(), per direction (0 = to server, 1 = to client), in
 * chunks of any size (one byte at a time works). The parser keeps partial
 * lines itself, so every call consumes all it is given. Detection asks a
 * transaction for a buffer (http_tx_buffer); output/http.c writes EVE
 * records from the accessors below.
 *
 * Behaviour follows Suricata 7 with libhtp 0.5 and Suricata's default
 * configuration (personality IDS, URI path not lower-cased, '+' not decoded):
 *   - one transaction (tx) per request; tx ids count from 0 per flow;
 *     responses pair with the oldest request that has none (pipelining);
 *     a response with no request gets a tx of its own and the event
 *     unable_to_match_response_to_request;
 *   - lines end in LF or CRLF; empty lines before a request are skipped;
 *     a request line without protocol is HTTP/0.9 (no headers follow);
 *     a response that does not start with "HTTP" is body until close;
 *   - header names keep their case; leading and trailing whitespace of a
 *     value is removed; a folded line (leading SP/HT) is appended to the
 *     previous header as received; repeated headers are joined with ", "
 *     in the first one's place, except Content-Length (the first is kept);
 *   - bodies: Transfer-Encoding chunked, else Content-Length, else (responses
 *     only) until the connection closes; HEAD, 1xx, 204 and 304 responses have
 *     none; 100 Continue is skipped; 101 and a 2xx answer to CONNECT end
 *     parsing (the rest is a tunnel);
 *   - Content-Encoding gzip/x-gzip/deflate/x-deflate (also on requests) is
 *     decoded with zlib, at most `decompress_layer_limit` layers; a layer
 *     that produces more than `bomb_limit` bytes at a ratio above
 *     `bomb_ratio` is stopped (event compression_bomb); a stream zlib rejects
 *     is stored as received from there on (gzip_decompression_failed);
 *   - at most `request_body_limit` / `response_body_limit` body bytes
 *     (after decoding) are kept for inspection per tx; the rest is counted
 *     and skipped;
 *   - a line longer than `field_limit` is cut to that length (event
 *     request/response_field_too_long); more than `headers_limit` headers or
 *     `header_bytes_limit` header bytes in a message are not stored (event
 *     request/response_too_many_headers) but still frame the body;
 *   - a gap in the stream: inside a body of known length the missing bytes
 *     are skipped (the tx is flagged HTTP_TX_GAP); anywhere else the current
 *     tx is flagged and closed, and that direction is no longer parsed.
 *
 * Anomalies are events (Suricata's names, rules/http-events.rules) on the tx
 * and counted as "http.event.<name>"; they never stop the parser.
 *
 * Memory: everything a state holds is charged to the MemAccount of its
 * HttpCtx (the "applayer" account). When the account refuses, http_parse
 * returns HTTP_PARSE_ERROR and the state stops parsing (the flow's policy:
 * disable the parser); nothing crashes.
 *
 * Threads: an HttpCtx and its states belong to one worker; nothing here
 * locks. http_counters_register() and http_config_load() run at startup.
 */
#ifndef KASBAH_APPLAYER_HTTP_HTTP_H
#define KASBAH_APPLAYER_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/stats.h"
#include "lib/alloc.h"

/* ---- configuration ---- */

/* Suricata's `app-layer.protocols.http.libhtp.default-config` defaults. */
#define HTTP_DEFAULT_BODY_LIMIT (100u * 1024u)   /* request-/response-body-limit */
#define HTTP_DEFAULT_FIELD_LIMIT 18000u          /* libhtp field_limit_hard */
#define HTTP_DEFAULT_HEADERS_LIMIT 1024u         /* libhtp headers limit */
#define HTTP_DEFAULT_HEADER_BYTES (256u * 1024u) /* kasbah: raw header bytes per message */
#define HTTP_DEFAULT_LAYER_LIMIT 2u              /* response-body-decompress-layer-limit */
#define HTTP_DEFAULT_BOMB_LIMIT (1024u * 1024u)  /* libhtp compression bomb limit */
#define HTTP_DEFAULT_BOMB_RATIO 2048u            /* libhtp bomb ratio */

typedef struct HttpConfig {
    uint32_t request_body_limit;     /* bytes kept per request body; 0 = all */
    uint32_t response_body_limit;    /* bytes kept per response body; 0 = all */
    uint32_t field_limit;            /* longest start/header line kept */
    uint32_t headers_limit;          /* headers stored per message */
    uint32_t header_bytes_limit;     /* raw header bytes stored per message */
    uint32_t decompress_layer_limit; /* Content-Encoding layers decoded; 0 = none */
    uint64_t bomb_limit;             /* output bytes before the ratio check applies */
    uint32_t bomb_ratio;             /* output/input ratio that counts as a bomb */
} HttpConfig;

void http_config_defaults(HttpConfig *cfg);

/* Read `app-layer.protocols.http.libhtp.default-config.{request-body-limit,
 * response-body-limit, response-body-decompress-layer-limit,
 * compression-bomb-limit, field-limit, headers-limit, header-bytes-limit}`
 * over the values in cfg (registers them as known keys). */
void http_config_load(HttpConfig *cfg, const Config *conf);

/* ---- events ---- */

#define HTTP_EVENT_LIST(X) \
    X(UNKNOWN_ERROR, "unknown_error") \
    X(GZIP_DECOMPRESSION_FAILED, "gzip_decompression_failed") \
    X(REQUEST_FIELD_MISSING_COLON, "request_field_missing_colon") \
    X(RESPONSE_FIELD_MISSING_COLON, "response_field_missing_colon") \
    X(INVALID_REQUEST_CHUNK_LEN, "invalid_request_chunk_len") \
    X(INVALID_RESPONSE_CHUNK_LEN, "invalid_response_chunk_len") \
    X(INVALID_TE_IN_REQUEST, "invalid_transfer_encoding_value_in_request") \
    X(INVALID_TE_IN_RESPONSE, "invalid_transfer_encoding_value_in_response") \
    X(INVALID_CL_IN_REQUEST, "invalid_content_length_field_in_request") \
    X(INVALID_CL_IN_RESPONSE, "invalid_content_length_field_in_response") \
    X(DUPLICATE_CL_IN_REQUEST, "duplicate_content_length_field_in_request") \
    X(DUPLICATE_CL_IN_RESPONSE, "duplicate_content_length_field_in_response") \
    X(CONTINUE_ALREADY_SEEN, "100_continue_already_seen") \
    X(UNABLE_TO_MATCH_RESPONSE, "unable_to_match_response_to_request") \
    X(INVALID_SERVER_PORT_IN_REQUEST, "invalid_server_port_in_request") \
    X(INVALID_AUTHORITY_PORT, "invalid_authority_port") \
    X(REQUEST_HEADER_INVALID, "request_header_invalid") \
    X(RESPONSE_HEADER_INVALID, "response_header_invalid") \
    X(MISSING_HOST_HEADER, "missing_host_header") \
    X(HOST_HEADER_AMBIGUOUS, "host_header_ambiguous") \
    X(INVALID_REQUEST_FIELD_FOLDING, "invalid_request_field_folding") \
    X(INVALID_RESPONSE_FIELD_FOLDING, "invalid_response_field_folding") \
    X(REQUEST_FIELD_TOO_LONG, "request_field_too_long") \
    X(RESPONSE_FIELD_TOO_LONG, "response_field_too_long") \
    X(REQUEST_LINE_INVALID, "request_line_invalid") \
    X(REQUEST_BODY_UNEXPECTED, "request_body_unexpected") \
    X(REQUEST_URI_HOST_INVALID, "request_uri_host_invalid") \
    X(REQUEST_HEADER_HOST_INVALID, "request_header_host_invalid") \
    X(REQUEST_HEADER_REPETITION, "request_header_repetition") \
    X(RESPONSE_HEADER_REPETITION, "response_header_repetition") \
    X(URI_DELIM_NON_COMPLIANT, "uri_delim_non_compliant") \
    X(METHOD_DELIM_NON_COMPLIANT, "method_delim_non_compliant") \
    X(REQUEST_LINE_LEADING_WHITESPACE, "request_line_leading_whitespace") \
    X(TOO_MANY_ENCODING_LAYERS, "too_many_encoding_layers") \
    X(ABNORMAL_CE_HEADER, "abnormal_ce_header") \
    X(RESPONSE_ABNORMAL_TE, "response_abnormal_transfer_encoding") \
    X(RESPONSE_CHUNKED_OLD_PROTO, "response_chunked_old_proto") \
    X(RESPONSE_INVALID_PROTOCOL, "response_invalid_protocol") \
    X(RESPONSE_INVALID_STATUS, "response_invalid_status") \
    X(REQUEST_LINE_INCOMPLETE, "request_line_incomplete") \
    X(COMPRESSION_BOMB, "compression_bomb") \
    X(REQUEST_CHUNK_EXTENSION, "request_chunk_extension") \
    X(REQUEST_LINE_MISSING_PROTOCOL, "request_line_missing_protocol") \
    X(REQUEST_TOO_MANY_HEADERS, "request_too_many_headers") \
    X(RESPONSE_TOO_MANY_HEADERS, "response_too_many_headers")

typedef enum HttpEvent {
#define HTTP_EV_ENUM(id, name) HTTP_EV_##id,
    HTTP_EVENT_LIST(HTTP_EV_ENUM)
#undef HTTP_EV_ENUM
    HTTP_EV_COUNT
} HttpEvent;

/* Suricata's name ("request_line_invalid"); NULL when out of range. */
const char *http_event_name(HttpEvent ev);
/* The event called name (as in `app-layer-event:http.<name>`), -1 if none. */
int http_event_by_name(const char *name);

/* ---- the per-worker context and per-flow state ---- */

typedef struct HttpCtx HttpCtx;
typedef struct HttpState HttpState;
typedef struct HttpTx HttpTx;

/* Register the counters "http.tx", "http.gap", "http.memcap" and
 * "http.event.<name>" (idempotent; before packets flow). */
void http_counters_register(void);

/* A worker's context: cfg is copied; every state of the context charges
 * acct (may be NULL: uncharged) and counts into stats (may be NULL).
 * NULL on OOM. */
HttpCtx *http_ctx_new(const HttpConfig *cfg, MemAccount *acct, Stats *stats);
void http_ctx_free(HttpCtx *ctx);

/* A flow's state; NULL when the account refuses. */
HttpState *http_state_new(HttpCtx *ctx);
/* Free the state and every tx it still holds. NULL is a no-op. */
void http_state_free(HttpState *s);

/* Direction of the bytes given to http_parse. */
enum { HTTP_DIR_TOSERVER = 0, HTTP_DIR_TOCLIENT = 1 };

/* Flags of http_parse. */
enum {
    HTTP_DATA_GAP = 1u << 0, /* `len` bytes are missing here (buf is NULL) */
    HTTP_DATA_EOF = 1u << 1, /* the direction ends after these bytes */
};

typedef enum HttpParseStatus {
    HTTP_PARSE_OK = 0,       /* all bytes consumed */
    HTTP_PARSE_ERROR = -1,   /* out of memory: stop giving this state data */
} HttpParseStatus;

/*
 * Feed `len` bytes of direction dir. All of them are consumed (partial
 * lines are kept inside), whatever the chunking. With HTTP_DATA_GAP, buf is
 * ignored and len bytes are treated as lost. HTTP_DATA_EOF completes what
 * can be completed (a body until close, a partial line). Bytes after a
 * tunnel (101, CONNECT) or after an unrecoverable gap are ignored.
 */
HttpParseStatus http_parse(HttpState *s, unsigned dir, const uint8_t *buf, size_t len,
                           unsigned flags);

/* Does buf look like the start of HTTP in direction dir? 1 yes, 0 no,
 * -1 too short to tell. To server: a known method followed by a space; to
 * client: "HTTP/". Pure. */
int http_probe(const uint8_t *buf, size_t len, unsigned dir);

/* ---- transactions ---- */

/* Parsing progress of one side of a tx, in order. */
typedef enum HttpProgress {
    HTTP_PROGRESS_NONE = 0,
    HTTP_PROGRESS_LINE,      /* start line parsed */
    HTTP_PROGRESS_HEADERS,   /* headers complete */
    HTTP_PROGRESS_BODY,      /* in the body */
    HTTP_PROGRESS_COMPLETE,
} HttpProgress;

/* tx flags */
enum {
    HTTP_TX_GAP = 1u << 0,            /* bytes of this tx were lost */
    HTTP_TX_REQ_BODY_TRUNC = 1u << 1, /* request body over the limit */
    HTTP_TX_RES_BODY_TRUNC = 1u << 2, /* response body over the limit */
    HTTP_TX_HTTP09 = 1u << 3,         /* request without protocol */
    HTTP_TX_NO_REQUEST = 1u << 4,     /* response without request */
    HTTP_TX_TUNNEL = 1u << 5,         /* 101 / CONNECT: parsing ended */
};

/* Number of txs created so far (the next tx id). */
uint64_t http_state_tx_count(const HttpState *s);
/* The tx with this id, NULL when unknown or freed. */
HttpTx *http_state_tx(const HttpState *s, uint64_t tx_id);
/* Free txs with id < upto that are complete in both directions (after they
 * were logged and inspected). Returns how many were freed. */
size_t http_state_tx_free_upto(HttpState *s, uint64_t upto);
/* The same, and when need_logged only txs marked by http_tx_set_logged;
 * stops at the first tx that may not go (txs are freed oldest first). The
 * framework's tx_release (applayer_flow_tx_release). */
size_t http_state_tx_release(HttpState *s, uint64_t upto, bool need_logged);
/* true when parsing stopped for good in that direction (gap, tunnel, OOM). */
bool http_state_dead(const HttpState *s, unsigned dir);

uint64_t http_tx_id(const HttpTx *tx);
HttpProgress http_tx_progress(const HttpTx *tx, unsigned dir);
/* Both sides complete (the tx can be logged). */
bool http_tx_complete(const HttpTx *tx);
uint32_t http_tx_flags(const HttpTx *tx);
bool http_tx_has_event(const HttpTx *tx, HttpEvent ev);
uint64_t http_tx_events(const HttpTx *tx); /* bit i = event i */
/* Status code 100..999, or 0 when none or invalid. */
int http_tx_status(const HttpTx *tx);
/* Port from the URI or Host header, -1 when none. */
int http_tx_port(const HttpTx *tx);
/* Body bytes of the message on the wire, chunk-size lines and chunk CRLFs
 * included, before decompression (libhtp's message_len: EVE `length` for
 * dir 1) -- and the body bytes after de-chunking and decoding. */
uint64_t http_tx_body_len(const HttpTx *tx, unsigned dir);
uint64_t http_tx_body_decoded_len(const HttpTx *tx, unsigned dir);
/* Number of headers of dir and the i-th one (name and value borrowed from
 * the tx). false when i is out of range. */
uint32_t http_tx_header_count(const HttpTx *tx, unsigned dir);
bool http_tx_header_at(const HttpTx *tx, unsigned dir, uint32_t i, const uint8_t **name,
                       uint32_t *name_len, const uint8_t **value, uint32_t *value_len);
/* Value of the header called name (case-insensitive). */
bool http_tx_header(const HttpTx *tx, unsigned dir, const char *name, const uint8_t **value,
                    uint32_t *value_len);

/* Logger bookkeeping: a tx is logged once. */
bool http_tx_logged(const HttpTx *tx);
void http_tx_set_logged(HttpTx *tx);

/* ---- rule buffers ---- */

typedef enum HttpBufferId {
    HTTP_BUF_URI = 0,        /* http.uri: normalised path[?query][#fragment] */
    HTTP_BUF_URI_RAW,        /* http.uri.raw: as in the request line */
    HTTP_BUF_METHOD,         /* http.method */
    HTTP_BUF_PROTOCOL,       /* http.protocol: of the request or the response (dir) */
    HTTP_BUF_REQUEST_LINE,   /* http.request_line: without the line end */
    HTTP_BUF_HEADER,         /* http.header: "Name: value\r\n" per header, no Cookie/Set-Cookie */
    HTTP_BUF_HEADER_RAW,     /* http.header.raw: header bytes as received (incl. the empty line) */
    HTTP_BUF_HEADER_NAMES,   /* http.header_names: "\r\n" Name "\r\n" ... "\r\n" */
    HTTP_BUF_HOST,           /* http.host: host name, lower case, no port */
    HTTP_BUF_HOST_RAW,       /* http.host.raw: URI authority host, else Host value */
    HTTP_BUF_USER_AGENT,     /* http.user_agent */
    HTTP_BUF_COOKIE,         /* http.cookie: Cookie (to server) / Set-Cookie (to client) */
    HTTP_BUF_CONTENT_TYPE,   /* http.content_type (dir) */
    HTTP_BUF_CONTENT_LEN,    /* http.content_len (dir) */
    HTTP_BUF_ACCEPT,         /* http.accept */
    HTTP_BUF_ACCEPT_LANG,    /* http.accept_lang */
    HTTP_BUF_ACCEPT_ENC,     /* http.accept_enc */
    HTTP_BUF_REFERER,        /* http.referer */
    HTTP_BUF_CONNECTION,     /* http.connection */
    HTTP_BUF_LOCATION,       /* http.location */
    HTTP_BUF_SERVER,         /* http.server */
    HTTP_BUF_REQUEST_BODY,   /* http.request_body: decoded, up to the limit */
    HTTP_BUF_RESPONSE_LINE,  /* http.response_line: without the line end */
    HTTP_BUF_STAT_CODE,      /* http.stat_code */
    HTTP_BUF_STAT_MSG,       /* http.stat_msg */
    HTTP_BUF_RESPONSE_BODY,  /* http.response_body: decoded, up to the limit */
    HTTP_BUF_FILE_DATA,      /* file.data: response body (dir 1), request body (dir 0) */
    HTTP_BUF_START,          /* http.start: start line, headers, final "\r\n" */
    HTTP_BUF_COUNT
} HttpBufferId;

/* "http.uri", ...; NULL when out of range. */
const char *http_buffer_name(HttpBufferId id);
/* The id of a buffer name, also the legacy names ("http_uri",
 * "http_raw_uri", "http_client_body", "http_server_body", "file_data",
 * "http_stat_code", ...); -1 when unknown. */
int http_buffer_by_name(const char *name);
/* Which direction a buffer belongs to: 0 to server, 1 to client, 2 both
 * (then the caller's direction picks the request or the response side). */
int http_buffer_dir(HttpBufferId id);

/*
 * Point *buf and *len at buffer id of tx for direction dir (used only by the
 * "both" buffers). false when the tx has no such buffer yet (the side has
 * not got that far, the header is absent). Composite buffers (header,
 * header_names, start) are built on first use and cached in the tx, so
 * the tx is not const; a build that the allocator refuses returns false.
 * The bytes stay valid until the tx is freed or parsed further.
 */
bool http_tx_buffer(HttpTx *tx, HttpBufferId id, unsigned dir, const uint8_t **buf,
                    uint32_t *len);

/*
 * file.data as Suricata's files: dir 1 the response body (idx 0); dir 0 the
 * request body (idx 0), or, for a multipart/form-data request (RFC 7578),
 * the content of its idx-th file part (a part whose Content-Disposition has
 * a filename; form fields are not files), without the part headers and the
 * CRLF before the next delimiter. false when there is no such file (yet).
 * Pointers into the tx's body copy: valid until the tx is freed or parsed
 * further. A part cut by the body limit ends where the copy ends.
 * (http_tx_buffer(HTTP_BUF_FILE_DATA) is idx 0.)
 */
bool http_tx_file_data(HttpTx *tx, unsigned dir, uint32_t idx, const uint8_t **buf,
                       uint32_t *len);

/* ---- the app-layer framework (applayer/applayer.h) ---- */

/*
 * Register the HTTP parser with the app-layer registry (APP_PROTO_HTTP,
 * TCP, accepts gaps; the framework's built-in probe stays). cfg (NULL:
 * defaults) is copied into a process-wide configuration that every flow
 * state uses. Start-up only, not thread-safe. Returns as
 * applayer_parser_register (0, -EINVAL, -EEXIST).
 * The framework's tx pointers are HttpTx *; tx_progress returns
 * HttpProgress and a side is complete at HTTP_PROGRESS_COMPLETE.
 */
int http_parser_register(const HttpConfig *cfg);

/* ---- URI normalisation (exposed for tests and transforms) ---- */

/*
 * Normalise a request URI as Suricata's http.uri: parse it as libhtp does
 * (scheme://user:pass@host:port, path, ?query, #fragment); the path is
 * %-decoded (also %2F and %uHHHH, invalid escapes kept), '\' becomes '/',
 * runs of '/' become one, UTF-8 is folded to single bytes (best fit: ASCII
 * and Latin-1 as themselves, full-width forms to ASCII, others '?'), then
 * "." and ".." segments are removed (RFC 3986 5.2.4); the query is %-decoded
 * ('+' kept) and the fragment %-decoded. Scheme and authority are dropped.
 * Writes at most out_size bytes into out (the result is never longer than
 * the input) and returns the length.
 */
size_t http_uri_normalize(const uint8_t *raw, size_t len, uint8_t *out, size_t out_size);

#endif
