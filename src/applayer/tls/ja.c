/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ja.c: the JA3 / JA3S and JA4 fingerprints of a hello.
 *
 * JA3 (salesforce/ja3): "version,ciphers,extensions,groups,pointformats"
 * of the ClientHello, decimal values joined by '-', GREASE values
 * (RFC 8701: 0x?A?A with equal bytes) left out; JA3S: "version,cipher,
 * extensions" of the ServerHello. The hash is the MD5 of the string in
 * lowercase hex.
 *
 * JA4 (FoxIO JA4 spec, TLS client): a_b_c where
 *   a = 't' (TCP) or 'q' (QUIC), the version (highest supported_versions
 *       value, else the hello's: "13" "12" "11" "10" "s3" "s2", "00"
 *       unknown), 'd' with an SNI else 'i', the cipher count and the
 *       extension count (two digits each, at most 99, GREASE excluded),
 *       the first and last characters of the first ALPN value ("00" when
 *       none; the first and last hex digits when either is not
 *       alphanumeric);
 *   b = the first 12 hex digits of SHA-256 over the ciphers sorted, as
 *       4-digit lowercase hex joined by ',' ("000000000000" when none);
 *   c = the same over the sorted extensions without SNI (0x0000) and ALPN
 *       (0x0010), then '_' and the signature algorithms in wire order
 *       (no '_' part when there are none).
 */
#include "applayer/tls/tls.h"

#include <string.h>

#include "lib/hash.h"

static bool is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

typedef struct Out {
    char *buf;
    size_t size, len;
} Out;

static void out_c(Out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len++] = c;
    o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

static void out_dec(Out *o, unsigned v)
{
    char d[12];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0)
        out_c(o, d[--n]);
}

static void out_hex4(Out *o, uint16_t v)
{
    static const char hx[] = "0123456789abcdef";
    for (int s = 12; s >= 0; s -= 4)
        out_c(o, hx[(v >> s) & 15]);
}

static void out_list16(Out *o, const uint16_t *v, uint16_t n)
{
    bool first = true;
    for (uint16_t i = 0; i < n; i++) {
        if (is_grease(v[i]))
            continue;
        if (!first)
            out_c(o, '-');
        first = false;
        out_dec(o, v[i]);
    }
}

void tls_ja3_build(const TlsHello *h, bool server, char *str, size_t str_size, char hash[33])
{
    Out o = { str, str_size, 0 };
    str[0] = '\0';
    out_dec(&o, h->version);
    out_c(&o, ',');
    out_list16(&o, h->ciphers, h->n_ciphers);
    out_c(&o, ',');
    out_list16(&o, h->exts, h->n_exts);
    if (!server) {
        out_c(&o, ',');
        out_list16(&o, h->groups, h->n_groups);
        out_c(&o, ',');
        for (uint16_t i = 0; i < h->n_pointfmts; i++) {
            if (i > 0)
                out_c(&o, '-');
            out_dec(&o, h->pointfmts[i]);
        }
    }
    uint8_t md[MD5_LEN];
    md5_buf((const uint8_t *)str, o.len, md);
    hash_hex(md, MD5_LEN, hash);
}

static int cmp16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* Sort a filtered copy of v (GREASE and, when skip_sni_alpn, 0 and 16 out). */
static uint16_t sorted(const uint16_t *v, uint16_t n, bool skip_sni_alpn, uint16_t *out)
{
    uint16_t k = 0;
    for (uint16_t i = 0; i < n; i++) {
        if (is_grease(v[i]) || (skip_sni_alpn && (v[i] == 0x0000 || v[i] == 0x0010)))
            continue;
        out[k++] = v[i];
    }
    /* insertion sort: at most TLS_MAX_LIST values */
    for (uint16_t i = 1; i < k; i++) {
        uint16_t x = out[i];
        uint16_t j = i;
        while (j > 0 && cmp16(&out[j - 1], &x) > 0) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = x;
    }
    return k;
}

static void trunc_sha(const char *s, size_t n, char *out12)
{
    uint8_t d[SHA256_LEN];
    char hex[2 * SHA256_LEN + 1];
    sha256_buf((const uint8_t *)s, n, d);
    hash_hex(d, SHA256_LEN, hex);
    memcpy(out12, hex, 12);
}

static uint16_t count_nongrease(const uint16_t *v, uint16_t n)
{
    uint16_t k = 0;
    for (uint16_t i = 0; i < n; i++)
        k += !is_grease(v[i]);
    return k;
}

static bool alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void tls_ja4_build(const TlsHello *h, bool quic, char out[40])
{
    static const char hx[] = "0123456789abcdef";
    uint16_t ver = h->version;
    uint16_t best = 0;
    for (uint16_t i = 0; i < h->n_versions; i++)
        if (!is_grease(h->versions[i]) && h->versions[i] > best)
            best = h->versions[i];
    if (best != 0)
        ver = best;
    const char *vs = ver == 0x0304 ? "13" : ver == 0x0303 ? "12" : ver == 0x0302 ? "11"
                   : ver == 0x0301 ? "10" : ver == 0x0300 ? "s3" : ver == 0x0002 ? "s2"
                   : ver == 0xfeff ? "d1" : ver == 0xfefd ? "d2" : ver == 0xfefc ? "d3" : "00";
    unsigned nc = count_nongrease(h->ciphers, h->n_ciphers);
    unsigned ne = count_nongrease(h->exts, h->n_exts);
    if (nc > 99)
        nc = 99;
    if (ne > 99)
        ne = 99;
    char a0 = '0', a1 = '0';
    if (h->alpn_first_len > 0) {
        char f = h->alpn_first[0], l = h->alpn_first[h->alpn_first_len - 1];
        if (alnum(f) && alnum(l)) {
            a0 = f;
            a1 = l;
        } else {
            a0 = hx[(uint8_t)f >> 4];
            a1 = hx[(uint8_t)l & 15];
        }
    }
    Out o = { out, 40, 0 };
    out_c(&o, quic ? 'q' : 't');
    out_c(&o, vs[0]);
    out_c(&o, vs[1]);
    out_c(&o, h->sni != NULL ? 'd' : 'i');
    out_c(&o, (char)('0' + nc / 10));
    out_c(&o, (char)('0' + nc % 10));
    out_c(&o, (char)('0' + ne / 10));
    out_c(&o, (char)('0' + ne % 10));
    out_c(&o, a0);
    out_c(&o, a1);
    out_c(&o, '_');

    uint16_t tmp[TLS_MAX_LIST];
    char text[TLS_MAX_LIST * 5 * 2 + 8];
    char h12[12];
    uint16_t k = sorted(h->ciphers, h->n_ciphers, false, tmp);
    Out t = { text, sizeof(text), 0 };
    text[0] = '\0';
    for (uint16_t i = 0; i < k; i++) {
        if (i > 0)
            out_c(&t, ',');
        out_hex4(&t, tmp[i]);
    }
    if (k == 0)
        memset(h12, '0', 12);
    else
        trunc_sha(text, t.len, h12);
    for (int i = 0; i < 12; i++)
        out_c(&o, h12[i]);
    out_c(&o, '_');

    k = sorted(h->exts, h->n_exts, true, tmp);
    t.len = 0;
    text[0] = '\0';
    for (uint16_t i = 0; i < k; i++) {
        if (i > 0)
            out_c(&t, ',');
        out_hex4(&t, tmp[i]);
    }
    if (h->n_sigalgs > 0) {
        out_c(&t, '_');
        for (uint16_t i = 0; i < h->n_sigalgs; i++) {
            if (i > 0)
                out_c(&t, ',');
            out_hex4(&t, h->sigalgs[i]);
        }
    }
    if (k == 0)
        memset(h12, '0', 12);
    else
        trunc_sha(text, t.len, h12);
    for (int i = 0; i < 12; i++)
        out_c(&o, h12[i]);
}
