/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tls.c: TLS records and handshake messages, hellos, the certificate chain,
 * rule buffers and the app-layer glue. Format and behaviour: see tls.h
 * (RFC 5246, RFC 8446, RFC 6066, RFC 7301).
 *
 * Invariants: records are parsed only when whole (the framework keeps the
 * partial rest for us); handshake bytes wait in hs[dir] (< TLS_MAX_HANDSHAKE
 * + one record) until a message is whole; all packet reads go through
 * lib/reader.h.
 */
#include "applayer/tls/tls.h"

#include <errno.h>
#include <string.h>

#include "applayer/applayer.h"
#include "lib/reader.h"

struct TlsState {
    MemAccount *acct;
    uint8_t *hs[2];
    size_t hs_len[2], hs_cap[2];
    bool encrypted[2];    /* no more handshake parsing in this direction */
    bool hs_off[2];       /* a handshake message was too large or broken */
    bool seen_record;
    bool app_data;
    bool logged;
    TlsHello ch, sh;
    uint16_t version;     /* tls_state_version, saved when sh's lists go */
    TlsCert *certs;       /* heap, grown as the chain arrives (most states hold */
    uint32_t n_certs, cap_certs; /* none or two: not TLS_MAX_CERTS inline) */
    bool certs_seen;
    uint32_t events;
    char *ja3, ja3_hash[33];      /* heap copies of the strings (up to   */
    char *ja3s, ja3s_hash[33];    /* JA3_MAX_STRING): most states log short ones */
    char ja4[40];
};

static const char *const event_names[TLS_EV_COUNT] = {
    "invalid_record_type", "invalid_record_length", "invalid_handshake_message",
    "invalid_certificate", "certificate_invalid_der", "invalid_ssl_record", "record_overflow",
};

const char *tls_event_name(TlsEvent ev)
{
    return (unsigned)ev < TLS_EV_COUNT ? event_names[ev] : NULL;
}

int tls_event_by_name(const char *name)
{
    for (int i = 0; i < TLS_EV_COUNT; i++)
        if (name != NULL && strcmp(name, event_names[i]) == 0)
            return i;
    return -1;
}

static void ev(TlsState *s, TlsEvent e) { s->events |= 1u << e; }

/* The longest JA3 / JA3S string kept (what the inline buffers held before
 * the strings moved to the heap; longer ones are cut as before). */
#define JA3_MAX_STRING 2048u

/* Build a JA3 or JA3S string into a heap copy at *out (charged to the
 * state). false on OOM. */
static bool ja3_keep(TlsState *s, const TlsHello *h, bool server, char **out, char hash[33])
{
    char tmp[JA3_MAX_STRING];
    tls_ja3_build(h, server, tmp, sizeof tmp, hash);
    mem_free(s->acct, *out);
    *out = mem_strndup(s->acct, tmp, strlen(tmp));
    return *out != NULL;
}

/* ---- hellos ---- */

static void read_u16_list(Reader *r, uint16_t *out, uint16_t *n)
{
    *n = 0;
    while (rd_left(r) >= 2) {
        uint16_t v = rd_be16(r);
        if (*n < TLS_MAX_LIST)
            out[(*n)++] = v;
    }
}

/* Parse the extensions block (after its 2-byte length) into h. */
static bool parse_extensions(TlsState *s, Reader *r, TlsHello *h, bool server, bool *oom)
{
    while (rd_left(r) > 0) {
        uint16_t type = rd_be16(r);
        uint16_t elen = rd_be16(r);
        Reader e = rd_sub(r, elen);
        if (!rd_ok(r))
            return false;
        if (h->n_exts < TLS_MAX_LIST)
            h->exts[h->n_exts++] = type;
        switch (type) {
        case 0: { /* server_name */
            if (server || h->sni != NULL)
                break;
            Reader list = rd_sub(&e, rd_be16(&e));
            while (rd_left(&list) > 0 && rd_ok(&list)) {
                uint8_t nt = rd_u8(&list);
                uint16_t nl = rd_be16(&list);
                const uint8_t *p = rd_span(&list, nl);
                if (p == NULL)
                    break;
                if (nt == 0 && h->sni == NULL) {
                    h->sni = mem_strndup(s->acct, (const char *)p, nl);
                    if (h->sni == NULL)
                        *oom = true;
                    else
                        h->sni_len = nl;
                }
            }
            break;
        }
        case 16: { /* ALPN */
            Reader list = rd_sub(&e, rd_be16(&e));
            uint8_t pl = rd_u8(&list);
            const uint8_t *p = rd_span(&list, pl);
            if (p != NULL && pl > 0 && h->alpn_first == NULL) {
                h->alpn_first = mem_strndup(s->acct, (const char *)p, pl);
                if (h->alpn_first == NULL)
                    *oom = true;
                else
                    h->alpn_first_len = pl;
            }
            break;
        }
        case 43: /* supported_versions */
            if (server) {
                h->versions[0] = rd_be16(&e);
                h->n_versions = rd_ok(&e) ? 1 : 0;
            } else {
                Reader list = rd_sub(&e, rd_u8(&e));
                read_u16_list(&list, h->versions, &h->n_versions);
            }
            break;
        case 10: { /* supported_groups */
            Reader list = rd_sub(&e, rd_be16(&e));
            read_u16_list(&list, h->groups, &h->n_groups);
            break;
        }
        case 11: { /* ec_point_formats */
            Reader list = rd_sub(&e, rd_u8(&e));
            h->n_pointfmts = 0;
            while (rd_left(&list) > 0) {
                uint8_t v = rd_u8(&list);
                if (h->n_pointfmts < TLS_MAX_LIST)
                    h->pointfmts[h->n_pointfmts++] = v;
            }
            break;
        }
        case 13: { /* signature_algorithms */
            if (server)
                break;
            Reader list = rd_sub(&e, rd_be16(&e));
            read_u16_list(&list, h->sigalgs, &h->n_sigalgs);
            break;
        }
        default:
            break;
        }
    }
    return true;
}

/* One block for the six lists of a hello (see TlsHello). */
#define HELLO_LISTS_BYTES (TLS_MAX_LIST * (5 * sizeof(uint16_t) + sizeof(uint8_t)))

static void hello_lists_set(TlsHello *h, uint16_t *block)
{
    h->ciphers = block;
    h->exts = block + TLS_MAX_LIST;
    h->groups = block + 2 * TLS_MAX_LIST;
    h->sigalgs = block + 3 * TLS_MAX_LIST;
    h->versions = block + 4 * TLS_MAX_LIST;
    h->pointfmts = (uint8_t *)(block + 5 * TLS_MAX_LIST);
}

static void hello_lists_free(TlsState *s, TlsHello *h)
{
    mem_free(s->acct, h->ciphers);
    h->ciphers = h->exts = h->groups = h->sigalgs = h->versions = NULL;
    h->pointfmts = NULL;
    h->n_ciphers = h->n_exts = h->n_groups = h->n_pointfmts = h->n_sigalgs = h->n_versions = 0;
}

static bool parse_hello(TlsState *s, Reader *r, bool server, bool *oom)
{
    TlsHello *h = server ? &s->sh : &s->ch;
    /* a second hello (HelloRetryRequest, renegotiation) replaces the first */
    mem_free(s->acct, h->sni);
    mem_free(s->acct, h->alpn_first);
    uint16_t *block = h->ciphers;
    memset(h, 0, sizeof(*h));
    if (block == NULL)
        block = mem_alloc(s->acct, HELLO_LISTS_BYTES);
    if (block == NULL) {
        *oom = true;
        return true;
    }
    hello_lists_set(h, block);
    h->version = rd_be16(r);
    rd_skip(r, 32);
    uint8_t sid = rd_u8(r);
    rd_skip(r, sid);
    h->session_id_len = sid;
    if (server) {
        h->ciphers[0] = rd_be16(r);
        h->n_ciphers = 1;
        rd_skip(r, 1);
    } else {
        Reader cs = rd_sub(r, rd_be16(r));
        read_u16_list(&cs, h->ciphers, &h->n_ciphers);
        rd_skip(r, rd_u8(r));
    }
    if (!rd_ok(r))
        return false;
    h->present = true;
    if (rd_left(r) >= 2) {
        Reader ex = rd_sub(r, rd_be16(r));
        if (!rd_ok(r) || !parse_extensions(s, &ex, h, server, oom))
            return false;
    }
    if (*oom)
        return true; /* the caller gives up on the flow */
    if (server) {
        if (!ja3_keep(s, h, true, &s->ja3s, s->ja3s_hash)) {
            *oom = true;
            return true;
        }
        /* TLS 1.3: everything after the ServerHello is encrypted */
        if (h->n_versions == 1 && h->versions[0] >= 0x0304 && h->versions[0] != 0xffff)
            s->encrypted[1] = true;
    } else {
        if (!ja3_keep(s, h, false, &s->ja3, s->ja3_hash)) {
            *oom = true;
            return true;
        }
        tls_ja4_build(h, false, s->ja4);
    }
    return true;
}

static bool parse_certificates(TlsState *s, Reader *r, bool *oom)
{
    if (s->certs_seen)
        return true; /* the first chain counts (as Suricata) */
    s->certs_seen = true;
    Reader list = rd_sub(r, rd_be24(r));
    if (!rd_ok(r))
        return false;
    while (rd_left(&list) > 0) {
        uint32_t cl = rd_be24(&list);
        const uint8_t *der = rd_span(&list, cl);
        if (der == NULL || !rd_ok(&list)) { /* a cut length must not loop */
            ev(s, TLS_EV_INVALID_CERTIFICATE);
            return true;
        }
        if (s->n_certs >= TLS_MAX_CERTS)
            continue;
        if (s->n_certs == s->cap_certs) {
            uint32_t nc = s->cap_certs ? s->cap_certs * 2 : 2;
            if (nc > TLS_MAX_CERTS)
                nc = TLS_MAX_CERTS;
            TlsCert *na = mem_realloc(s->acct, s->certs, (size_t)nc * sizeof(*na));
            if (na == NULL) {
                *oom = true;
                return true;
            }
            s->certs = na;
            s->cap_certs = nc;
        }
        TlsCert *c = &s->certs[s->n_certs];
        memset(c, 0, sizeof(*c));
        c->der = mem_alloc(s->acct, cl ? cl : 1);
        if (c->der == NULL) {
            *oom = true;
            return true;
        }
        memcpy(c->der, der, cl);
        c->der_len = cl;
        s->n_certs++;
        int rc = tls_x509_parse(s->acct, der, cl, c);
        if (rc == -ENOMEM)
            *oom = true;
        else if (rc != 0)
            ev(s, TLS_EV_CERTIFICATE_INVALID_DER);
    }
    return true;
}

/* One whole handshake message. false on OOM. */
static bool handle_message(TlsState *s, unsigned dir, uint8_t type, const uint8_t *body, size_t len)
{
    Reader r = rd_init(body, len);
    bool oom = false, ok = true;
    switch (type) {
    case 1:
        if (dir == 0)
            ok = parse_hello(s, &r, false, &oom);
        break;
    case 2:
        if (dir == 1)
            ok = parse_hello(s, &r, true, &oom);
        break;
    case 11:
        if (dir == 1)
            ok = parse_certificates(s, &r, &oom);
        break;
    default:
        break;
    }
    if (!ok)
        ev(s, TLS_EV_INVALID_HANDSHAKE_MESSAGE);
    return !oom;
}

static bool hs_append(TlsState *s, unsigned dir, const uint8_t *p, size_t n)
{
    if (s->hs_len[dir] + n > s->hs_cap[dir]) {
        size_t nc = s->hs_cap[dir] ? s->hs_cap[dir] : 4096;
        while (nc < s->hs_len[dir] + n)
            nc *= 2;
        uint8_t *nb = mem_realloc(s->acct, s->hs[dir], nc);
        if (nb == NULL)
            return false;
        s->hs[dir] = nb;
        s->hs_cap[dir] = nc;
    }
    memcpy(s->hs[dir] + s->hs_len[dir], p, n);
    s->hs_len[dir] += n;
    return true;
}

/* Handshake bytes of a record: collect, then handle every whole message. */
static bool handshake_bytes(TlsState *s, unsigned dir, const uint8_t *p, size_t n)
{
    if (s->hs_off[dir] || s->encrypted[dir])
        return true;
    if (!hs_append(s, dir, p, n))
        return false;
    Reader r = rd_init(s->hs[dir], s->hs_len[dir]);
    while (rd_left(&r) >= 4) {
        size_t at = rd_pos(&r);
        uint8_t type = rd_u8(&r);
        uint32_t ml = rd_be24(&r);
        if (ml > TLS_MAX_HANDSHAKE) {
            ev(s, TLS_EV_INVALID_HANDSHAKE_MESSAGE);
            s->hs_off[dir] = true;
            s->hs_len[dir] = 0;
            return true;
        }
        if (rd_left(&r) < ml) {
            rd_seek(&r, at);
            break;
        }
        const uint8_t *body = rd_span(&r, ml);
        if (!handle_message(s, dir, type, body, ml))
            return false;
        if (s->encrypted[dir]) { /* the rest is ciphertext */
            s->hs_len[dir] = 0;
            return true;
        }
    }
    size_t used = rd_pos(&r);
    memmove(s->hs[dir], s->hs[dir] + used, s->hs_len[dir] - used);
    s->hs_len[dir] -= used;
    return true;
}

/* ---- records ---- */

TlsState *tls_state_new(MemAccount *acct)
{
    TlsState *s = mem_calloc(acct, 1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->acct = acct;
    return s;
}

void tls_state_free(TlsState *s)
{
    if (s == NULL)
        return;
    for (int d = 0; d < 2; d++)
        mem_free(s->acct, s->hs[d]);
    mem_free(s->acct, s->ja3);
    mem_free(s->acct, s->ja3s);
    TlsHello *hs[2] = { &s->ch, &s->sh };
    for (int i = 0; i < 2; i++) {
        mem_free(s->acct, hs[i]->sni);
        mem_free(s->acct, hs[i]->alpn_first);
        mem_free(s->acct, hs[i]->ciphers);
    }
    for (uint32_t i = 0; i < s->n_certs; i++) {
        tls_cert_fini(s->acct, &s->certs[i]);
        mem_free(s->acct, s->certs[i].der);
    }
    mem_free(s->acct, s->certs);
    mem_free(s->acct, s);
}

TlsParseStatus tls_parse(TlsState *s, unsigned dir, const uint8_t *buf, size_t len,
                         uint32_t *consumed, uint32_t *needed)
{
    *consumed = 0;
    *needed = 0;
    if (buf == NULL || len == 0 || dir > 1)
        return TLS_PARSE_OK;
    Reader r = rd_init(buf, len);
    while (rd_left(&r) > 0) {
        size_t at = rd_pos(&r);
        if (rd_left(&r) < 5) {
            *consumed = (uint32_t)at;
            *needed = (uint32_t)(5 - rd_left(&r));
            return TLS_PARSE_INCOMPLETE;
        }
        uint8_t type = rd_u8(&r);
        uint16_t ver = rd_be16(&r);
        uint16_t rl = rd_be16(&r);
        if (type < 20 || type > 24 || (ver >> 8) != 3) {
            if (!s->seen_record && (type & 0x80)) {
                /* SSLv2 framing: identified, not parsed */
                *consumed = (uint32_t)len;
                return TLS_PARSE_OK;
            }
            ev(s, (ver >> 8) != 3 ? TLS_EV_INVALID_SSL_RECORD : TLS_EV_INVALID_RECORD_TYPE);
            return TLS_PARSE_ERROR;
        }
        if (rl > TLS_MAX_RECORD) {
            ev(s, TLS_EV_RECORD_OVERFLOW);
            return TLS_PARSE_ERROR;
        }
        if (rd_left(&r) < rl) {
            *consumed = (uint32_t)at;
            *needed = (uint32_t)(rl - rd_left(&r));
            return TLS_PARSE_INCOMPLETE;
        }
        const uint8_t *frag = rd_span(&r, rl);
        s->seen_record = true;
        switch (type) {
        case 20: /* ChangeCipherSpec: encrypted from the next record */
            s->encrypted[dir] = true;
            s->hs_len[dir] = 0;
            break;
        case 22:
            if (rl == 0) {
                ev(s, TLS_EV_INVALID_RECORD_LENGTH);
                break;
            }
            if (!handshake_bytes(s, dir, frag, rl))
                return TLS_PARSE_ERROR;
            break;
        case 23:
            s->app_data = true;
            break;
        default:
            break;
        }
    }
    *consumed = (uint32_t)rd_pos(&r);
    /* no partial handshake message waits: give the collection buffer back
     * (most flows hold none after their hellos and certificates) */
    if (s->hs_len[dir] == 0 && s->hs[dir] != NULL) {
        mem_free(s->acct, s->hs[dir]);
        s->hs[dir] = NULL;
        s->hs_cap[dir] = 0;
    }
    return TLS_PARSE_OK;
}

/* ---- the parsed view ---- */

const TlsHello *tls_client_hello(const TlsState *s) { return s->ch.present ? &s->ch : NULL; }
const TlsHello *tls_server_hello(const TlsState *s) { return s->sh.present ? &s->sh : NULL; }
uint32_t tls_cert_count(const TlsState *s) { return s->n_certs; }

const TlsCert *tls_cert(const TlsState *s, uint32_t idx)
{
    return idx < s->n_certs ? &s->certs[idx] : NULL;
}

uint16_t tls_state_version(const TlsState *s)
{
    if (!s->sh.present)
        return 0;
    if (s->sh.versions == NULL)
        return s->version; /* the lists were released */
    return s->sh.n_versions == 1 ? s->sh.versions[0] : s->sh.version;
}

const char *tls_version_name(uint16_t v, char tmp[8])
{
    static const char hx[] = "0123456789abcdef";
    switch (v) {
    case 0: return "UNDETERMINED";
    case 0x0002: return "SSLv2";
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default:
        tmp[0] = '0';
        tmp[1] = 'x';
        for (int i = 0; i < 4; i++)
            tmp[2 + i] = hx[(v >> (12 - 4 * i)) & 15];
        tmp[6] = '\0';
        return tmp;
    }
}

uint32_t tls_state_events(const TlsState *s) { return s->events; }

bool tls_state_handshake_done(const TlsState *s)
{
    return (s->encrypted[0] && s->encrypted[1]) || s->app_data;
}

bool tls_state_logged(const TlsState *s) { return s->logged; }
void tls_state_set_logged(TlsState *s) { s->logged = true; }

const char *tls_ja3_string(const TlsState *s) { return s->ja3 != NULL ? s->ja3 : ""; }
const char *tls_ja3_hash(const TlsState *s) { return s->ja3_hash; }
const char *tls_ja3s_string(const TlsState *s) { return s->ja3s != NULL ? s->ja3s : ""; }
const char *tls_ja3s_hash(const TlsState *s) { return s->ja3s_hash; }
const char *tls_ja4(const TlsState *s) { return s->ja4; }

/* ---- rule buffers ---- */

static const struct {
    const char *name, *legacy;
    int dir;
} g_bufs[TLS_BUF_COUNT] = {
    [TLS_BUF_SNI] = {"tls.sni", "tls_sni", 0},
    [TLS_BUF_SUBJECT] = {"tls.cert_subject", "tls_cert_subject", 1},
    [TLS_BUF_ISSUER] = {"tls.cert_issuer", "tls_cert_issuer", 1},
    [TLS_BUF_SERIAL] = {"tls.cert_serial", "tls_cert_serial", 1},
    [TLS_BUF_FINGERPRINT] = {"tls.cert_fingerprint", "tls_cert_fingerprint", 1},
    [TLS_BUF_JA3_HASH] = {"ja3.hash", "ja3_hash", 0},
    [TLS_BUF_JA3_STRING] = {"ja3.string", "ja3_string", 0},
    [TLS_BUF_JA3S_HASH] = {"ja3s.hash", "ja3s_hash", 1},
    [TLS_BUF_JA3S_STRING] = {"ja3s.string", "ja3s_string", 1},
    [TLS_BUF_JA4_HASH] = {"ja4.hash", "ja4_hash", 0},
};

const char *tls_buffer_name(TlsBufferId id)
{
    return (unsigned)id < TLS_BUF_COUNT ? g_bufs[id].name : NULL;
}

int tls_buffer_by_name(const char *name)
{
    if (name == NULL)
        return -1;
    if (strcmp(name, "tls.subject") == 0)
        return TLS_BUF_SUBJECT;
    if (strcmp(name, "tls.issuerdn") == 0)
        return TLS_BUF_ISSUER;
    for (int i = 0; i < TLS_BUF_COUNT; i++)
        if (strcmp(name, g_bufs[i].name) == 0 || strcmp(name, g_bufs[i].legacy) == 0)
            return i;
    return -1;
}

int tls_buffer_dir(TlsBufferId id) { return (unsigned)id < TLS_BUF_COUNT ? g_bufs[id].dir : -1; }

static bool str_buf(const char *s, size_t n, const uint8_t **buf, uint32_t *len)
{
    if (s == NULL || n == 0)
        return false;
    *buf = (const uint8_t *)s;
    *len = (uint32_t)n;
    return true;
}

bool tls_state_buffer(const TlsState *s, TlsBufferId id, const uint8_t **buf, uint32_t *len)
{
    const TlsCert *c = s->n_certs > 0 && s->certs[0].parsed ? &s->certs[0] : NULL;
    switch (id) {
    case TLS_BUF_SNI:
        return str_buf(s->ch.sni, s->ch.sni_len, buf, len);
    case TLS_BUF_SUBJECT:
        return c != NULL && str_buf(c->subject, strlen(c->subject), buf, len);
    case TLS_BUF_ISSUER:
        return c != NULL && str_buf(c->issuer, strlen(c->issuer), buf, len);
    case TLS_BUF_SERIAL:
        return c != NULL && str_buf(c->serial, strlen(c->serial), buf, len);
    case TLS_BUF_FINGERPRINT:
        return s->n_certs > 0 && str_buf(s->certs[0].fingerprint, strlen(s->certs[0].fingerprint),
                                         buf, len);
    case TLS_BUF_JA3_HASH:
        return s->ch.present && str_buf(s->ja3_hash, 32, buf, len);
    case TLS_BUF_JA3_STRING:
        return s->ch.present && s->ja3 != NULL && str_buf(s->ja3, strlen(s->ja3), buf, len);
    case TLS_BUF_JA3S_HASH:
        return s->sh.present && str_buf(s->ja3s_hash, 32, buf, len);
    case TLS_BUF_JA3S_STRING:
        return s->sh.present && s->ja3s != NULL && str_buf(s->ja3s, strlen(s->ja3s), buf, len);
    case TLS_BUF_JA4_HASH:
        return s->ch.present && str_buf(s->ja4, strlen(s->ja4), buf, len);
    default:
        return false;
    }
}

bool tls_state_cert_der(const TlsState *s, uint32_t idx, const uint8_t **buf, uint32_t *len)
{
    if (idx >= s->n_certs)
        return false;
    if (s->certs[idx].der == NULL)
        return false; /* released: every consumer was done with it */
    *buf = s->certs[idx].der;
    *len = s->certs[idx].der_len;
    return true;
}

void tls_state_tx_release(TlsState *s, uint64_t upto, bool need_logged)
{
    if (upto < 1 || !tls_state_handshake_done(s) || (need_logged && !s->logged))
        return;
    for (uint32_t i = 0; i < s->n_certs; i++) {
        mem_free(s->acct, s->certs[i].der);
        s->certs[i].der = NULL;
    }
    s->version = tls_state_version(s);
    hello_lists_free(s, &s->ch);
    hello_lists_free(s, &s->sh);
}

static void op_tx_release(void *state, uint64_t upto, bool need_logged)
{
    tls_state_tx_release(state, upto, need_logged);
}

/* ---- the app-layer framework ---- */

static void *op_state_new(MemAccount *acct, const Flow *f, uint8_t ipproto)
{
    (void)f;
    (void)ipproto;
    return tls_state_new(acct);
}

static void op_state_free(void *state) { tls_state_free(state); }

static AppParseResult op_parse(void *state, Flow *f, unsigned dir, const uint8_t *buf, size_t len,
                               unsigned flags)
{
    (void)f;
    AppParseResult res = { APP_PARSE_OK, 0, 0 };
    if (flags & APP_FLAG_GAP) {
        res.status = APP_PARSE_ERROR;
        return res;
    }
    uint32_t c = 0, need = 0;
    TlsParseStatus st = tls_parse(state, dir, buf, len, &c, &need);
    if (st == TLS_PARSE_ERROR)
        res.status = APP_PARSE_ERROR;
    else if (st == TLS_PARSE_INCOMPLETE) {
        res.status = APP_PARSE_INCOMPLETE;
        res.consumed = c;
        res.needed = need;
    }
    return res;
}

static uint64_t op_tx_count(const void *state)
{
    const TlsState *s = state;
    return s->ch.present || s->sh.present ? 1 : 0;
}

static void *op_tx_get(void *state, uint64_t tx_id)
{
    return tx_id == 0 && op_tx_count(state) == 1 ? state : NULL;
}

static int op_tx_progress(const void *tx, unsigned dir)
{
    (void)dir;
    return tls_state_handshake_done(tx) ? 1 : 0;
}

static const AppParserOps g_ops = {
    .name = "tls",
    .proto = APP_PROTO_TLS,
    .ipprotos = APP_IPPROTO_TCP,
    .accepts_gaps = false,
    .probe = NULL,
    .state_new = op_state_new,
    .state_free = op_state_free,
    .parse = op_parse,
    .tx_count = op_tx_count,
    .tx_get = op_tx_get,
    .tx_progress = op_tx_progress,
    .tx_complete = { 1, 1 },
    .tx_release = op_tx_release,
};

int tls_parser_register(void) { return applayer_parser_register(&g_ops); }
