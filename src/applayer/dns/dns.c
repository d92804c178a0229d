/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dns.c: DNS message parsing, transactions, rule buffers and the app-layer
 * glue. Format and behaviour: see dns.h (RFC 1035, 3596, 2782, 9460).
 *
 * Invariants: every byte is read through lib/reader.h; a name is decoded
 * into a 256-byte stack buffer (255 characters + NUL) before it is copied
 * to the heap; pointers must point strictly before the position where the
 * name (or the previous pointer's target) started, so every chain ends.
 */
#include "applayer/dns/dns.h"

#include <string.h>

#include "applayer/applayer.h"
#include "lib/reader.h"

struct DnsState {
    MemAccount *acct;
    bool tcp;
    DnsTx **txs;           /* ring of live txs, oldest first */
    uint32_t n_txs, cap_txs;
    uint64_t next_id;
    uint64_t first_id;     /* id of txs[0] */
    uint32_t events;       /* of messages that made no tx */
};

static const char *const event_names[DNS_EV_COUNT] = {
    "malformed_data", "not_a_request", "not_a_response", "z_flag_set", "flooded",
    "state_memcap_reached", "invalid_additionals", "invalid_authorities", "name_too_long",
    "infinite_loop", "too_many_labels",
};

const char *dns_event_name(DnsEvent ev)
{
    return (unsigned)ev < DNS_EV_COUNT ? event_names[ev] : NULL;
}

int dns_event_by_name(const char *name)
{
    for (int i = 0; i < DNS_EV_COUNT; i++)
        if (name != NULL && strcmp(name, event_names[i]) == 0)
            return i;
    return -1;
}

/* ---- names ---- */

static void put_dec(char *tmp, unsigned v)
{
    char t[12];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (int i = 0; i < n; i++)
        tmp[i] = t[n - 1 - i];
    tmp[n] = '\0';
}

const char *dns_rrtype_name(uint16_t type, char *tmp)
{
    static const struct { uint16_t t; const char *n; } tab[] = {
        {1, "A"}, {2, "NS"}, {3, "MD"}, {4, "MF"}, {5, "CNAME"}, {6, "SOA"}, {7, "MB"}, {8, "MG"},
        {9, "MR"}, {10, "NULL"}, {11, "WKS"}, {12, "PTR"}, {13, "HINFO"}, {14, "MINFO"},
        {15, "MX"}, {16, "TXT"}, {17, "RP"}, {18, "AFSDB"}, {19, "X25"}, {20, "ISDN"},
        {21, "RT"}, {22, "NSAP"}, {23, "NSAPPTR"}, {24, "SIG"}, {25, "KEY"}, {26, "PX"},
        {27, "GPOS"}, {28, "AAAA"}, {29, "LOC"}, {30, "NXT"}, {33, "SRV"}, {34, "ATMA"},
        {35, "NAPTR"}, {36, "KX"}, {37, "CERT"}, {38, "A6"}, {39, "DNAME"}, {41, "OPT"},
        {42, "APL"}, {43, "DS"}, {44, "SSHFP"}, {45, "IPSECKEY"}, {46, "RRSIG"}, {47, "NSEC"},
        {48, "DNSKEY"}, {49, "DHCID"}, {50, "NSEC3"}, {51, "NSEC3PARAM"}, {52, "TLSA"},
        {55, "HIP"}, {59, "CDS"}, {60, "CDNSKEY"}, {64, "SVCB"}, {65, "HTTPS"}, {99, "SPF"},
        {249, "TKEY"}, {250, "TSIG"}, {253, "MAILB"}, {254, "MAILA"}, {255, "ANY"},
        {256, "URI"},
    };
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        if (tab[i].t == type)
            return tab[i].n;
    put_dec(tmp, type);
    return tmp;
}

const char *dns_rcode_name(uint16_t rcode, char *tmp)
{
    static const char *const tab[] = {
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
        "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
    };
    if (rcode < sizeof(tab) / sizeof(tab[0]))
        return tab[rcode];
    put_dec(tmp, rcode);
    return tmp;
}

/* ---- name decompression ---- */

#define NAME_LOOP 1u
#define NAME_LONG 2u
#define NAME_BAD 4u

/*
 * Decode the name at the reader's position of msg into out (NUL-terminated,
 * at most DNS_MAX_NAME characters) and advance the reader past its wire
 * form. Returns NAME_* flags (0 = clean). With NAME_BAD the reader's error
 * is latched.
 */
static unsigned read_name(Reader *r, const Reader *msg, char out[DNS_MAX_NAME + 1], size_t *out_len)
{
    unsigned fl = 0;
    size_t n = 0;
    Reader cur = *r;
    size_t start = rd_pos(&cur); /* pointers must go strictly below this */
    bool jumped = false;
    unsigned hops = 0;
    for (;;) {
        uint8_t lab = rd_u8(&cur);
        if (!rd_ok(&cur)) {
            fl |= NAME_BAD;
            break;
        }
        if (lab == 0)
            break;
        if ((lab & 0xc0) == 0xc0) {
            uint8_t lo = rd_u8(&cur);
            if (!rd_ok(&cur)) {
                fl |= NAME_BAD;
                break;
            }
            size_t target = ((size_t)(lab & 0x3f) << 8) | lo;
            if (!jumped) {
                r->off = cur.off;
                jumped = true;
            }
            if (target >= start || ++hops > 255) {
                fl |= NAME_LOOP;
                break;
            }
            cur = *msg;
            rd_seek(&cur, target);
            start = target;
            continue;
        }
        if (lab & 0xc0) { /* 0x40 / 0x80: extended label types, unsupported */
            fl |= NAME_BAD;
            break;
        }
        const uint8_t *p = rd_span(&cur, lab);
        if (p == NULL) {
            fl |= NAME_BAD;
            break;
        }
        for (size_t i = 0; i <= lab; i++) {
            char c = i == 0 ? '.' : (char)p[i - 1];
            if (i == 0 && n == 0)
                continue;
            if (n >= DNS_MAX_NAME) {
                fl |= NAME_LONG;
                break;
            }
            out[n++] = c;
        }
    }
    out[n] = '\0';
    *out_len = n;
    if (!jumped)
        r->off = cur.off;
    if (fl & NAME_BAD)
        r->err = true;
    return fl;
}

/* ---- messages ---- */

static char *dup_str(MemAccount *a, const char *s, size_t n, bool *oom)
{
    char *d = mem_strndup(a, s, n);
    if (d == NULL)
        *oom = true;
    return d;
}

static void record_fini(MemAccount *a, DnsRecord *rec)
{
    mem_free(a, rec->name);
    mem_free(a, rec->data);
    mem_free(a, rec->data2);
}

static void message_free(MemAccount *a, DnsMessage *m)
{
    if (m == NULL)
        return;
    DnsRecord *secs[4] = { m->queries, m->answers, m->authorities, m->additionals };
    uint16_t ns[4] = { m->n_queries, m->n_answers, m->n_authorities, m->n_additionals };
    for (int s = 0; s < 4; s++) {
        for (uint16_t i = 0; i < ns[s]; i++)
            record_fini(a, &secs[s][i]);
        mem_free(a, secs[s]);
    }
    mem_free(a, m);
}

static void name_flags_to_events(unsigned fl, uint32_t *ev)
{
    if (fl & NAME_LOOP)
        *ev |= 1u << DNS_EV_INFINITE_LOOP;
    if (fl & NAME_LONG)
        *ev |= 1u << DNS_EV_NAME_TOO_LONG;
    if (fl & NAME_BAD)
        *ev |= 1u << DNS_EV_MALFORMED_DATA;
}

static size_t fmt_addr(const uint8_t *p, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    size_t o = 0;
    if (n == 4) {
        for (int i = 0; i < 4; i++) {
            char t[4];
            put_dec(t, p[i]);
            for (char *c = t; *c; c++)
                out[o++] = *c;
            if (i < 3)
                out[o++] = '.';
        }
    } else {
        for (int i = 0; i < 16; i++) {
            out[o++] = hx[p[i] >> 4];
            out[o++] = hx[p[i] & 15];
            if (i % 2 == 1 && i < 15)
                out[o++] = ':';
        }
    }
    out[o] = '\0';
    return o;
}

/* Parse the rdata of rec (rdlength bytes at the reader). */
static void parse_rdata(MemAccount *a, Reader *r, const Reader *msg, DnsRecord *rec, uint16_t rdlen,
                        uint32_t *ev, bool *oom)
{
    size_t end = rd_pos(r) + rdlen;
    Reader rd = rd_sub(r, rdlen);
    if (!rd_ok(r))
        return;
    /* names inside rdata may point anywhere before (pointers are read
     * against msg), but the rdata itself must not run past rdlength */
    Reader lim = rd_init(msg->buf, end);
    rd_seek(&lim, end - rdlen);
    char name[DNS_MAX_NAME + 1];
    size_t nl;
    switch (rec->type) {
    case DNS_TYPE_A:
    case DNS_TYPE_AAAA: {
        size_t want = rec->type == DNS_TYPE_A ? 4 : 16;
        const uint8_t *p = rd_span(&rd, want);
        if (p == NULL || rdlen != want) {
            *ev |= 1u << DNS_EV_MALFORMED_DATA;
            return;
        }
        char t[48];
        size_t tl = fmt_addr(p, want, t);
        rec->data = dup_str(a, t, tl, oom);
        rec->data_len = (uint16_t)tl;
        return;
    }
    case DNS_TYPE_CNAME:
    case DNS_TYPE_NS:
    case DNS_TYPE_PTR:
    case DNS_TYPE_MX:
    case DNS_TYPE_SRV:
    case DNS_TYPE_SVCB:
    case DNS_TYPE_HTTPS:
    case DNS_TYPE_SOA: {
        if (rec->type == DNS_TYPE_MX)
            rec->num[0] = rd_be16(&lim);
        else if (rec->type == DNS_TYPE_SRV) {
            rec->num[0] = rd_be16(&lim);
            rec->num[1] = rd_be16(&lim);
            rec->num[2] = rd_be16(&lim);
        } else if (rec->type == DNS_TYPE_SVCB || rec->type == DNS_TYPE_HTTPS)
            rec->num[0] = rd_be16(&lim);
        unsigned fl = read_name(&lim, msg, name, &nl);
        name_flags_to_events(fl, ev);
        if (fl & NAME_BAD)
            return;
        rec->data = dup_str(a, name, nl, oom);
        rec->data_len = (uint16_t)nl;
        if (rec->type == DNS_TYPE_SOA) {
            fl = read_name(&lim, msg, name, &nl);
            name_flags_to_events(fl, ev);
            if (fl & NAME_BAD)
                return;
            rec->data2 = dup_str(a, name, nl, oom);
            rec->data2_len = (uint16_t)nl;
            for (int i = 0; i < 5; i++)
                rec->num[i] = rd_be32(&lim);
            if (!rd_ok(&lim))
                *ev |= 1u << DNS_EV_MALFORMED_DATA;
        }
        return;
    }
    case DNS_TYPE_TXT: {
        uint8_t l = rd_u8(&rd);
        const uint8_t *p = rd_span(&rd, l);
        if (p == NULL) {
            *ev |= 1u << DNS_EV_MALFORMED_DATA;
            return;
        }
        rec->data = dup_str(a, (const char *)p, l, oom);
        rec->data_len = l;
        return;
    }
    default:
        return;
    }
}

static DnsRecord *parse_section(MemAccount *a, Reader *r, const Reader *msg, uint16_t count,
                                bool question, uint16_t *n_out, uint32_t *ev, bool *oom)
{
    *n_out = 0;
    if (count == 0)
        return NULL;
    uint16_t keep = count > DNS_MAX_RECORDS ? DNS_MAX_RECORDS : count;
    DnsRecord *recs = mem_calloc(a, keep, sizeof(DnsRecord));
    if (recs == NULL) {
        *oom = true;
        return NULL;
    }
    for (uint16_t i = 0; i < count && rd_ok(r); i++) {
        char name[DNS_MAX_NAME + 1];
        size_t nl;
        unsigned fl = read_name(r, msg, name, &nl);
        name_flags_to_events(fl, ev);
        if (fl & NAME_BAD)
            break;
        DnsRecord tmp;
        memset(&tmp, 0, sizeof(tmp));
        tmp.type = rd_be16(r);
        tmp.rclass = rd_be16(r);
        uint16_t rdlen = 0;
        if (!question) {
            tmp.ttl = rd_be32(r);
            rdlen = rd_be16(r);
        }
        if (!rd_ok(r)) {
            *ev |= 1u << DNS_EV_MALFORMED_DATA;
            break;
        }
        DnsRecord *rec = i < keep ? &recs[i] : &tmp;
        *rec = tmp;
        if (i < keep) {
            rec->name = dup_str(a, name, nl, oom);
            rec->name_len = (uint16_t)nl;
            *n_out = (uint16_t)(i + 1);
        }
        if (!question) {
            parse_rdata(a, r, msg, rec, rdlen, ev, oom);
            if (!rd_ok(r)) {
                *ev |= 1u << DNS_EV_MALFORMED_DATA;
                break;
            }
            if (rec == &tmp)
                record_fini(a, &tmp);
        }
        if (*oom)
            break;
    }
    return recs;
}

/* Parse one whole message; NULL when it is not even a header (or OOM). */
static DnsMessage *parse_message(MemAccount *a, const uint8_t *buf, size_t len, uint32_t *ev,
                                 bool *oom)
{
    Reader msg = rd_init(buf, len);
    Reader r = msg;
    uint16_t id = rd_be16(&r), flags = rd_be16(&r);
    uint16_t qd = rd_be16(&r), an = rd_be16(&r), ns = rd_be16(&r), ar = rd_be16(&r);
    if (!rd_ok(&r)) {
        *ev |= 1u << DNS_EV_MALFORMED_DATA;
        return NULL;
    }
    DnsMessage *m = mem_calloc(a, 1, sizeof(*m));
    if (m == NULL) {
        *oom = true;
        return NULL;
    }
    m->id = id;
    m->flags = flags;
    if (flags & 0x0040)
        *ev |= 1u << DNS_EV_Z_FLAG_SET;
    m->queries = parse_section(a, &r, &msg, qd, true, &m->n_queries, ev, oom);
    if (rd_ok(&r) && !*oom)
        m->answers = parse_section(a, &r, &msg, an, false, &m->n_answers, ev, oom);
    if (rd_ok(&r) && !*oom) {
        m->authorities = parse_section(a, &r, &msg, ns, false, &m->n_authorities, ev, oom);
        if (!rd_ok(&r))
            *ev |= 1u << DNS_EV_INVALID_AUTHORITIES;
    }
    if (rd_ok(&r) && !*oom) {
        m->additionals = parse_section(a, &r, &msg, ar, false, &m->n_additionals, ev, oom);
        if (!rd_ok(&r))
            *ev |= 1u << DNS_EV_INVALID_ADDITIONALS;
    }
    return m;
}

/* ---- transactions ---- */

static void tx_free(MemAccount *a, DnsTx *tx)
{
    if (tx == NULL)
        return;
    message_free(a, tx->request);
    message_free(a, tx->response);
    mem_free(a, tx);
}

static DnsTx *tx_new(DnsState *s)
{
    bool flooded = s->n_txs >= DNS_MAX_TX;
    if (flooded) {
        /* flooded: drop the oldest */
        tx_free(s->acct, s->txs[0]);
        memmove(s->txs, s->txs + 1, (s->n_txs - 1) * sizeof(DnsTx *));
        s->n_txs--;
        s->first_id++;
    }
    if (s->n_txs == s->cap_txs) {
        uint32_t nc = s->cap_txs ? s->cap_txs * 2 : 4;
        DnsTx **nt = mem_realloc(s->acct, s->txs, nc * sizeof(DnsTx *));
        if (nt == NULL)
            return NULL;
        s->txs = nt;
        s->cap_txs = nc;
    }
    DnsTx *tx = mem_calloc(s->acct, 1, sizeof(*tx));
    if (tx == NULL)
        return NULL;
    if (s->n_txs == 0)
        s->first_id = s->next_id;
    tx->tx_id = s->next_id++;
    if (flooded)
        tx->events |= 1u << DNS_EV_FLOODED;
    s->txs[s->n_txs++] = tx;
    return tx;
}

static bool handle_message(DnsState *s, unsigned dir, const uint8_t *buf, size_t len)
{
    uint32_t ev = 0;
    bool oom = false;
    DnsMessage *m = parse_message(s->acct, buf, len, &ev, &oom);
    if (oom) {
        message_free(s->acct, m);
        return false;
    }
    if (m == NULL) {
        s->events |= ev;
        return true;
    }
    bool is_resp = (m->flags & 0x8000) != 0;
    if (dir == 0 && is_resp)
        ev |= 1u << DNS_EV_NOT_A_REQUEST;
    if (dir == 1 && !is_resp)
        ev |= 1u << DNS_EV_NOT_A_RESPONSE;
    DnsTx *tx = NULL;
    if (is_resp) {
        for (uint32_t i = 0; i < s->n_txs; i++) {
            DnsTx *t = s->txs[i];
            if (t->request != NULL && t->response == NULL && t->dns_id == m->id) {
                tx = t;
                break;
            }
        }
    }
    if (tx == NULL) {
        tx = tx_new(s);
        if (tx == NULL) {
            message_free(s->acct, m);
            return false;
        }
        tx->dns_id = m->id;
    }
    if (is_resp)
        tx->response = m;
    else
        tx->request = m;
    tx->events |= ev;
    return true;
}

/* ---- state ---- */

DnsState *dns_state_new(MemAccount *acct, bool tcp)
{
    DnsState *s = mem_calloc(acct, 1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->acct = acct;
    s->tcp = tcp;
    return s;
}

void dns_state_free(DnsState *s)
{
    if (s == NULL)
        return;
    for (uint32_t i = 0; i < s->n_txs; i++)
        tx_free(s->acct, s->txs[i]);
    mem_free(s->acct, s->txs);
    mem_free(s->acct, s);
}

DnsParseStatus dns_parse(DnsState *s, unsigned dir, const uint8_t *buf, size_t len,
                         uint32_t *consumed, uint32_t *needed)
{
    *consumed = 0;
    *needed = 0;
    if (buf == NULL || len == 0)
        return DNS_PARSE_OK;
    if (!s->tcp) {
        *consumed = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
        return handle_message(s, dir, buf, len) ? DNS_PARSE_OK : DNS_PARSE_ERROR;
    }
    Reader r = rd_init(buf, len);
    while (rd_left(&r) > 0) {
        size_t at = rd_pos(&r);
        if (rd_left(&r) < 2) {
            *consumed = (uint32_t)at;
            *needed = (uint32_t)(2 - rd_left(&r));
            return DNS_PARSE_INCOMPLETE;
        }
        uint16_t mlen = rd_be16(&r);
        if (rd_left(&r) < mlen) {
            *consumed = (uint32_t)at;
            *needed = (uint32_t)(mlen - rd_left(&r));
            return DNS_PARSE_INCOMPLETE;
        }
        const uint8_t *p = rd_span(&r, mlen);
        if (mlen == 0)
            continue;
        if (!handle_message(s, dir, p, mlen))
            return DNS_PARSE_ERROR;
    }
    *consumed = (uint32_t)rd_pos(&r);
    return DNS_PARSE_OK;
}

uint64_t dns_state_tx_count(const DnsState *s) { return s->next_id; }

DnsTx *dns_state_tx(DnsState *s, uint64_t tx_id)
{
    if (s == NULL || tx_id < s->first_id || tx_id - s->first_id >= s->n_txs)
        return NULL;
    return s->txs[tx_id - s->first_id];
}

size_t dns_state_tx_release(DnsState *s, uint64_t upto, bool need_logged)
{
    uint32_t k = 0;
    while (k < s->n_txs) {
        const DnsTx *t = s->txs[k];
        bool logged = (t->request == NULL || (t->logged & 1)) && (t->logged & 2);
        if (t->tx_id >= upto || t->response == NULL || (need_logged && !logged))
            break;
        k++;
    }
    if (k == 0)
        return 0;
    for (uint32_t i = 0; i < k; i++)
        tx_free(s->acct, s->txs[i]);
    memmove(s->txs, s->txs + k, (s->n_txs - k) * sizeof(DnsTx *));
    s->n_txs -= k;
    s->first_id += k;
    return k;
}

uint32_t dns_state_events(const DnsState *s) { return s->events; }

/* ---- rule buffers ---- */

bool dns_tx_query(const DnsTx *tx, uint32_t idx, const uint8_t **buf, uint32_t *len)
{
    const DnsMessage *m = tx->request;
    if (m == NULL || idx >= m->n_queries || m->queries[idx].name == NULL)
        return false;
    *buf = (const uint8_t *)m->queries[idx].name;
    *len = m->queries[idx].name_len;
    return true;
}

int dns_tx_opcode(const DnsTx *tx)
{
    const DnsMessage *m = tx->request != NULL ? tx->request : tx->response;
    return m == NULL ? -1 : (m->flags >> 11) & 0xf;
}

/* ---- the app-layer framework ---- */

static void *op_state_new(MemAccount *acct, const Flow *f, uint8_t ipproto)
{
    (void)f;
    return dns_state_new(acct, ipproto == 6);
}

static void op_state_free(void *state) { dns_state_free(state); }

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
    DnsParseStatus st = dns_parse(state, dir, buf, len, &c, &need);
    if (st == DNS_PARSE_ERROR)
        res.status = APP_PARSE_ERROR;
    else if (st == DNS_PARSE_INCOMPLETE) {
        res.status = APP_PARSE_INCOMPLETE;
        res.consumed = c;
        res.needed = need;
    }
    return res;
}

static uint64_t op_tx_count(const void *state) { return dns_state_tx_count(state); }

static void *op_tx_get(void *state, uint64_t tx_id) { return dns_state_tx(state, tx_id); }

/* A DNS tx is complete to the server once it has a request, to the client
 * once it has a response. */
static int op_tx_progress(const void *tx, unsigned dir)
{
    const DnsTx *t = tx;
    return dir == 0 ? (t->request != NULL || t->response != NULL) : t->response != NULL;
}

static void op_tx_release(void *state, uint64_t upto, bool need_logged)
{
    (void)dns_state_tx_release(state, upto, need_logged);
}

static const AppParserOps g_ops = {
    .name = "dns",
    .proto = APP_PROTO_DNS,
    .ipprotos = APP_IPPROTO_TCP | APP_IPPROTO_UDP,
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

int dns_parser_register(void) { return applayer_parser_register(&g_ops); }
