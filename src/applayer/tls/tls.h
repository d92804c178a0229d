/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tls.h: the TLS parser (RFC 5246 / RFC 8446 record and handshake layers,
 * RFC 6066 SNI, RFC 7301 ALPN), X.509 certificates (RFC 5280, DER per
 * X.690), JA3/JA3S and JA4 client fingerprints, and the rule buffers.
 *
 * Wire format:
 *   record     type:8 (20 CCS, 21 alert, 22 handshake, 23 data)
 *              version:16 length:16 fragment[length]   (length <= 2^14+2048)
 *   handshake  msg_type:8 length:24 body   (may span records; several per record)
 *   ClientHello  version:16 random[32] session_id<0..32> cipher_suites<2..>
 *                compression<1..> extensions<0..> (type:16 len:16 data)
 *   ServerHello  version:16 random[32] session_id cipher:16 compression:8 exts
 *   Certificate  certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>
 *
 * Where it sits: applayer/tls; TCP only, the framework delivers each
 * direction's reassembled bytes. Records are framed with the framework's
 * need-more (a record is parsed once it is whole); handshake bytes are
 * collected per direction until a message is whole (at most
 * TLS_MAX_HANDSHAKE bytes: a longer message is the event
 * invalid_handshake_message and the direction stops parsing handshakes).
 *
 * Behaviour (Suricata 7 app-layer-ssl.c): once a direction has sent
 * ChangeCipherSpec, or once a TLS 1.3 ServerHello is seen (everything
 * after it is encrypted), that direction's handshake records are no longer
 * parsed; application data is skipped. SSLv2 records are not parsed (the
 * flow stays identified as tls). One transaction per flow (id 0).
 *
 * Memory: from the MemAccount given at tls_state_new; refusal makes
 * tls_parse return TLS_PARSE_ERROR. Threads: one worker per state.
 */
#ifndef KASBAH_APPLAYER_TLS_TLS_H
#define KASBAH_APPLAYER_TLS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/alloc.h"

#define TLS_MAX_HANDSHAKE (256u * 1024u) /* a certificate chain fits */
#define TLS_MAX_RECORD (16384u + 2048u)
#define TLS_MAX_LIST 128                 /* ciphers, extensions, groups kept */
#define TLS_MAX_CERTS 16

typedef enum TlsEvent {
    TLS_EV_INVALID_RECORD_TYPE = 0,
    TLS_EV_INVALID_RECORD_LENGTH,
    TLS_EV_INVALID_HANDSHAKE_MESSAGE,
    TLS_EV_INVALID_CERTIFICATE,
    TLS_EV_CERTIFICATE_INVALID_DER,
    TLS_EV_INVALID_SSL_RECORD,
    TLS_EV_RECORD_OVERFLOW,
    TLS_EV_COUNT
} TlsEvent;

const char *tls_event_name(TlsEvent ev);
int tls_event_by_name(const char *name);

typedef struct TlsCert {
    uint8_t *der;
    uint32_t der_len;
    bool parsed;           /* the DER parsed; fields below valid */
    char *subject;         /* "C=US, O=Example, CN=example.com" */
    char *issuer;
    char *serial;          /* "00:AB:CD" */
    char fingerprint[60];  /* SHA-1 of der, "ab:cd:..." */
    int64_t not_before;    /* seconds since 1970, UTC */
    int64_t not_after;
} TlsCert;

typedef struct TlsHello {
    bool present;
    uint16_t version;      /* legacy_version of the hello */
    uint16_t n_ciphers, n_exts, n_groups, n_pointfmts, n_sigalgs, n_versions;
    /* The lists, TLS_MAX_LIST entries each, share one heap block (ciphers
     * is its start) that lives while the handshake is parsed: JA3/JA4 and
     * the version are derived from them at parse time, and
     * tls_state_tx_release frees the block (pointers NULL, counts 0). */
    uint16_t *ciphers;     /* ServerHello: one */
    uint16_t *exts;
    uint16_t *groups;
    uint8_t *pointfmts;
    uint16_t *sigalgs;
    uint16_t *versions;    /* supported_versions (server: the selected one) */
    char *sni;
    uint16_t sni_len;
    char *alpn_first;      /* the first ALPN protocol */
    uint16_t alpn_first_len;
    uint8_t session_id_len;
} TlsHello;

typedef struct TlsState TlsState;

typedef enum TlsParseStatus {
    TLS_PARSE_OK = 0,
    TLS_PARSE_INCOMPLETE,  /* *consumed used, *needed more wanted */
    TLS_PARSE_ERROR,       /* OOM or not TLS: give up on the flow */
} TlsParseStatus;

TlsState *tls_state_new(MemAccount *acct);
void tls_state_free(TlsState *s);

/* Parse bytes of direction dir (0 to server): whole records are consumed,
 * a partial one is left (INCOMPLETE with the bytes it still needs). */
TlsParseStatus tls_parse(TlsState *s, unsigned dir, const uint8_t *buf, size_t len,
                         uint32_t *consumed, uint32_t *needed);

/* ---- the parsed view (the state is its own transaction, id 0) ---- */

const TlsHello *tls_client_hello(const TlsState *s);
const TlsHello *tls_server_hello(const TlsState *s);
/* Server certificates, leaf first. */
uint32_t tls_cert_count(const TlsState *s);
const TlsCert *tls_cert(const TlsState *s, uint32_t idx);
/* The negotiated (server's) version: ServerHello's supported_versions,
 * else its legacy version; 0 before a ServerHello (the client's offer is
 * tls_client_hello()->version). */
uint16_t tls_state_version(const TlsState *s);
/* Suricata's name of a version: "TLS 1.2", "TLSv1", "SSLv3", "TLS 1.3",
 * "UNDETERMINED" for 0, else "0x%04x" written into tmp (returned). */
const char *tls_version_name(uint16_t v, char tmp[8]);
uint32_t tls_state_events(const TlsState *s);
/* Has the handshake finished (both sides encrypted, or the flow ended)? */
bool tls_state_handshake_done(const TlsState *s);
/* EVE bookkeeping: set once the tls record was written. */
bool tls_state_logged(const TlsState *s);
void tls_state_set_logged(TlsState *s);

/* ---- fingerprints (built when the hello is parsed; "" until then) ---- */

const char *tls_ja3_string(const TlsState *s);
const char *tls_ja3_hash(const TlsState *s);   /* 32 lowercase hex */
const char *tls_ja3s_string(const TlsState *s);
const char *tls_ja3s_hash(const TlsState *s);
const char *tls_ja4(const TlsState *s);        /* "t13d1516h2_8daaf6152771_e5627efa2ab1" */

/* Build the fingerprints of a hello (exposed for tests). out_* sizes:
 * string >= 2048 (cut there), hash 33, ja4 40. */
void tls_ja3_build(const TlsHello *h, bool server, char *str, size_t str_size, char hash[33]);
void tls_ja4_build(const TlsHello *h, bool quic, char out[40]);

/* ---- rule buffers ---- */

typedef enum TlsBufferId {
    TLS_BUF_SNI = 0,         /* tls.sni */
    TLS_BUF_SUBJECT,         /* tls.subject, tls.cert_subject: leaf subject */
    TLS_BUF_ISSUER,          /* tls.issuerdn, tls.cert_issuer: leaf issuer */
    TLS_BUF_SERIAL,          /* tls.cert_serial: "00:AB:.." */
    TLS_BUF_FINGERPRINT,     /* tls.cert_fingerprint: "ab:cd:.." */
    TLS_BUF_JA3_HASH,        /* ja3.hash */
    TLS_BUF_JA3_STRING,      /* ja3.string */
    TLS_BUF_JA3S_HASH,       /* ja3s.hash */
    TLS_BUF_JA3S_STRING,     /* ja3s.string */
    TLS_BUF_JA4_HASH,        /* ja4.hash */
    TLS_BUF_COUNT
} TlsBufferId;

/* "tls.sni", ...; NULL when out of range. */
const char *tls_buffer_name(TlsBufferId id);
/* Also the legacy names ("tls_sni", "tls_cert_subject", "ja3_hash", ...). -1 unknown. */
int tls_buffer_by_name(const char *name);
/* Direction a buffer is inspected in: 0 to server (sni, ja3, ja4), 1 to client. */
int tls_buffer_dir(TlsBufferId id);
/* Point at buffer id; false when absent (not seen yet). */
bool tls_state_buffer(const TlsState *s, TlsBufferId id, const uint8_t **buf, uint32_t *len);
/* tls.certs: the idx-th certificate's DER (multi-buffer); false past the last. */
bool tls_state_cert_der(const TlsState *s, uint32_t idx, const uint8_t **buf, uint32_t *len);

/* ---- X.509 (x509.c) ---- */

/* Parse a DER certificate into c's fields (c->der is not touched); 0, or
 * -EINVAL for malformed DER (fields left NULL), -ENOMEM. */
int tls_x509_parse(MemAccount *acct, const uint8_t *der, size_t len, TlsCert *c);
void tls_cert_fini(MemAccount *acct, TlsCert *c);

/* Register the TLS parser (APP_PROTO_TLS, TCP; built-in probe). Start-up
 * only. Returns as applayer_parser_register. Framework tx pointers are the
 * TlsState * itself (one tx). */
int tls_parser_register(void);

/* The framework's tx_release (applayer_flow_tx_release): once the one
 * transaction (the handshake, id 0) is below `upto`, done and, when
 * need_logged, logged, the certificates' DER copies -- read only by
 * tls.certs inspection, the largest part of a finished state -- are freed
 * (tls_state_cert_der is false from then on), and so are the hellos' lists;
 * the parsed fields (subject, issuer, fingerprint, SNI, versions, JA3/JA4
 * strings, ...) stay for EVE, alert metadata and packet keywords. */
void tls_state_tx_release(TlsState *s, uint64_t upto, bool need_logged);

#endif
