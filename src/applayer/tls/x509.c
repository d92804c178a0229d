/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x509.c: the few fields of an X.509 certificate (RFC 5280 4.1) that EVE
 * and rules use, read with a small bounds-checked DER reader (X.690 8.1:
 * tag, definite length, contents; indefinite lengths are not DER).
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
 *   TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber INTEGER,
 *       signature AlgorithmIdentifier, issuer Name,
 *       validity SEQUENCE { notBefore Time, notAfter Time }, subject Name, ... }
 *   Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }
 *
 * Output follows Suricata 7 (rust x509-parser): a Name is "C=US, O=Org,
 * CN=host" (RDNs joined by ", ", multi-valued RDNs by " + ", unknown
 * attribute types as dotted OIDs); the serial is the raw INTEGER bytes as
 * uppercase colon hex ("00:AB:CD"); the fingerprint is the SHA-1 of the
 * whole DER in lowercase colon hex.
 *
 * Invariants: all reads through lib/reader.h; names are built in a bounded
 * buffer (at most NAME_MAX_TEXT bytes; longer text is cut).
 */
#include "applayer/tls/tls.h"

#include <errno.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/reader.h"

#define NAME_MAX_TEXT 1024

/* Read one TLV; *tag, and a sub-reader over its contents. false on error. */
static bool der_next(Reader *r, uint8_t *tag, Reader *content)
{
    *tag = rd_u8(r);
    uint8_t l = rd_u8(r);
    if (!rd_ok(r))
        return false;
    if ((*tag & 0x1f) == 0x1f) /* multi-byte tags: not in certificates' fields we read */
        return false;
    size_t len = l;
    if (l & 0x80) {
        unsigned n = l & 0x7f;
        if (n == 0 || n > 4)
            return false;
        len = 0;
        for (unsigned i = 0; i < n; i++)
            len = (len << 8) | rd_u8(r);
        if (!rd_ok(r))
            return false;
    }
    if (!rd_has(r, len)) {
        r->err = true;
        return false;
    }
    *content = rd_sub(r, len);
    return true;
}

static bool der_expect(Reader *r, uint8_t want, Reader *content)
{
    uint8_t tag;
    return der_next(r, &tag, content) && tag == want;
}

typedef struct Text {
    char buf[NAME_MAX_TEXT + 1];
    size_t len;
} Text;

static void text_add(Text *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n && t->len < NAME_MAX_TEXT; i++)
        t->buf[t->len++] = s[i];
    t->buf[t->len] = '\0';
}

static void text_adds(Text *t, const char *s) { text_add(t, s, strlen(s)); }

static void text_dec(Text *t, unsigned long v)
{
    char d[24];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0)
        text_add(t, &d[--n], 1);
}

/* Attribute names as x509-parser prints them: its abbreviations (CN C L ST
 * O OU DC Email), else the OID registry's short name, else the dotted OID. */
static const char *attr_name(const Reader *oid)
{
    static const struct { uint8_t len; uint8_t b[10]; const char *name; } tab[] = {
        {3, {0x55, 0x04, 0x03}, "CN"}, {3, {0x55, 0x04, 0x06}, "C"},
        {3, {0x55, 0x04, 0x07}, "L"}, {3, {0x55, 0x04, 0x08}, "ST"},
        {3, {0x55, 0x04, 0x0a}, "O"}, {3, {0x55, 0x04, 0x0b}, "OU"},
        {3, {0x55, 0x04, 0x05}, "serialNumber"}, {3, {0x55, 0x04, 0x09}, "street"},
        {3, {0x55, 0x04, 0x04}, "surname"}, {3, {0x55, 0x04, 0x2a}, "givenName"},
        {3, {0x55, 0x04, 0x0c}, "title"}, {3, {0x55, 0x04, 0x11}, "postalCode"},
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}, "Email"},
        {10, {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19}, "DC"},
    };
    size_t n = rd_left(oid);
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
        if (tab[i].len != n)
            continue;
        bool same = true;
        Reader o = *oid;
        for (size_t k = 0; k < n; k++)
            if (rd_u8(&o) != tab[i].b[k])
                same = false;
        if (same)
            return tab[i].name;
    }
    return NULL;
}

static void oid_dotted(Text *t, Reader oid)
{
    if (rd_left(&oid) == 0)
        return;
    uint8_t first = rd_u8(&oid);
    text_dec(t, first / 40 > 2 ? 2 : first / 40);
    text_adds(t, ".");
    text_dec(t, first >= 80 ? first - 80u : first % 40u);
    unsigned long v = 0;
    unsigned n = 0;
    while (rd_left(&oid) > 0) {
        uint8_t b = rd_u8(&oid);
        v = (v << 7) | (b & 0x7f);
        if (++n > 8) /* absurd arc: stop */
            return;
        if (!(b & 0x80)) {
            text_adds(t, ".");
            text_dec(t, v);
            v = 0;
            n = 0;
        }
    }
}

static bool parse_name(Reader name, Text *t)
{
    t->len = 0;
    t->buf[0] = '\0';
    bool first_rdn = true;
    while (rd_left(&name) > 0) {
        Reader set;
        if (!der_expect(&name, 0x31, &set))
            return false;
        bool first_atv = true;
        while (rd_left(&set) > 0) {
            Reader atv, oid, val;
            uint8_t vtag;
            if (!der_expect(&set, 0x30, &atv) || !der_expect(&atv, 0x06, &oid) ||
                !der_next(&atv, &vtag, &val))
                return false;
            text_adds(t, first_atv ? (first_rdn ? "" : ", ") : " + ");
            first_atv = false;
            first_rdn = false;
            const char *an = attr_name(&oid);
            if (an != NULL)
                text_adds(t, an);
            else
                oid_dotted(t, oid);
            text_adds(t, "=");
            if (vtag == 0x1e) { /* BMPString: UCS-2, keep the ASCII ones */
                while (rd_left(&val) >= 2) {
                    uint16_t ch = rd_be16(&val);
                    char c = ch < 0x80 ? (char)ch : '?';
                    text_add(t, &c, 1);
                }
            } else {
                text_add(t, (const char *)rd_cur(&val), rd_left(&val));
            }
        }
    }
    return true;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(Reader *r, unsigned n, unsigned *out)
{
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t c = rd_u8(r);
        if (!rd_ok(r) || c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
}

static bool parse_time(Reader *r, int64_t *out)
{
    uint8_t tag;
    Reader v;
    if (!der_next(r, &tag, &v))
        return false;
    unsigned y, mo, d, h, mi, s = 0;
    if (tag == 0x17) {
        if (!digits(&v, 2, &y))
            return false;
        y += y < 50 ? 2000 : 1900;
    } else if (tag == 0x18) {
        if (!digits(&v, 4, &y))
            return false;
    } else {
        return false;
    }
    if (!digits(&v, 2, &mo) || !digits(&v, 2, &d) || !digits(&v, 2, &h) || !digits(&v, 2, &mi))
        return false;
    if (rd_left(&v) >= 2 && rd_peek_u8(&v, rd_pos(&v)) != 'Z' && !digits(&v, 2, &s))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return false;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return true;
}

void tls_cert_fini(MemAccount *acct, TlsCert *c)
{
    mem_free(acct, c->subject);
    mem_free(acct, c->issuer);
    mem_free(acct, c->serial);
    c->subject = c->issuer = c->serial = NULL;
    c->parsed = false;
}

int tls_x509_parse(MemAccount *acct, const uint8_t *der, size_t len, TlsCert *c)
{
    static const char hx[] = "0123456789abcdef";
    uint8_t sha[SHA1_LEN];
    sha1_buf(der, len, sha);
    for (int i = 0; i < SHA1_LEN; i++) {
        c->fingerprint[3 * i] = hx[sha[i] >> 4];
        c->fingerprint[3 * i + 1] = hx[sha[i] & 15];
        c->fingerprint[3 * i + 2] = i + 1 < SHA1_LEN ? ':' : '\0';
    }

    Reader r = rd_init(der, len), cert, tbs, tmp, serial, issuer, validity, subject;
    uint8_t tag;
    if (!der_expect(&r, 0x30, &cert) || !der_expect(&cert, 0x30, &tbs))
        return -EINVAL;
    if (!der_next(&tbs, &tag, &tmp))
        return -EINVAL;
    if (tag == 0xa0 && !der_next(&tbs, &tag, &tmp)) /* [0] version, then the serial */
        return -EINVAL;
    if (tag != 0x02)
        return -EINVAL;
    serial = tmp;
    if (!der_expect(&tbs, 0x30, &tmp) || !der_expect(&tbs, 0x30, &issuer) ||
        !der_expect(&tbs, 0x30, &validity) || !der_expect(&tbs, 0x30, &subject))
        return -EINVAL;
    int64_t nb, na;
    if (!parse_time(&validity, &nb) || !parse_time(&validity, &na))
        return -EINVAL;
    Text *t = mem_alloc(acct, sizeof(Text));
    if (t == NULL)
        return -ENOMEM;
    int rc = 0;
    if (!parse_name(subject, t)) {
        rc = -EINVAL;
        goto out;
    }
    c->subject = mem_strndup(acct, t->buf, t->len);
    if (!parse_name(issuer, t)) {
        rc = -EINVAL;
        goto out;
    }
    c->issuer = mem_strndup(acct, t->buf, t->len);
    t->len = 0;
    static const char HX[] = "0123456789ABCDEF";
    for (size_t i = 0; rd_left(&serial) > 0; i++) {
        uint8_t b = rd_u8(&serial);
        char o[3] = { ':', HX[b >> 4], HX[b & 15] };
        text_add(t, i == 0 ? o + 1 : o, i == 0 ? 2 : 3);
    }
    c->serial = mem_strndup(acct, t->buf, t->len);
    if (c->subject == NULL || c->issuer == NULL || c->serial == NULL) {
        rc = -ENOMEM;
        goto out;
    }
    c->not_before = nb;
    c->not_after = na;
    c->parsed = true;
out:
    if (rc != 0)
        tls_cert_fini(acct, c);
    mem_free(acct, t);
    return rc;
}
