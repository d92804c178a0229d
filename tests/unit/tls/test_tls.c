/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_tls.c: unit tests for src/lib/hash.c (RFC 1321 / FIPS 180 vectors),
 * src/applayer/tls (records, handshakes across records and 1-byte chunks,
 * hellos, JA3/JA3S/JA4, X.509, TLS 1.3 cut-off, bad input, OOM) and
 * src/output/tls.c.
 *
 * The certificate below was made once with
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
 *     -days 365 -subj "/C=US/ST=CA/O=Kasbah Test/CN=test.example.com" \
 *     -set_serial 0x00ab12cd34
 * and `openssl x509 -noout -fingerprint -sha1 -dates` gave the values checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "applayer/tls/tls.h"
#include "lib/alloc.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "output/tls.h"

static const unsigned char g_cert_der[] = {
  0x30, 0x82, 0x01, 0xdb, 0x30, 0x82, 0x01, 0x82, 0xa0, 0x03, 0x02, 0x01,
  0x02, 0x02, 0x05, 0x00, 0xab, 0x12, 0xcd, 0x34, 0x30, 0x0a, 0x06, 0x08,
  0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x30, 0x4b, 0x31, 0x0b,
  0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x55, 0x53, 0x31,
  0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x08, 0x0c, 0x02, 0x43, 0x41,
  0x31, 0x14, 0x30, 0x12, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x0b, 0x4b,
  0x61, 0x73, 0x62, 0x61, 0x68, 0x20, 0x54, 0x65, 0x73, 0x74, 0x31, 0x19,
  0x30, 0x17, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x10, 0x74, 0x65, 0x73,
  0x74, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f,
  0x6d, 0x30, 0x1e, 0x17, 0x0d, 0x32, 0x36, 0x31, 0x31, 0x32, 0x39, 0x30,
  0x34, 0x31, 0x34, 0x35, 0x38, 0x5a, 0x17, 0x0d, 0x32, 0x37, 0x31, 0x31,
  0x32, 0x39, 0x30, 0x34, 0x31, 0x34, 0x35, 0x38, 0x5a, 0x30, 0x4b, 0x31,
  0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x55, 0x53,
  0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x08, 0x0c, 0x02, 0x43,
  0x41, 0x31, 0x14, 0x30, 0x12, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x0b,
  0x4b, 0x61, 0x73, 0x62, 0x61, 0x68, 0x20, 0x54, 0x65, 0x73, 0x74, 0x31,
  0x19, 0x30, 0x17, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x10, 0x74, 0x65,
  0x73, 0x74, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63,
  0x6f, 0x6d, 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce,
  0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
  0x07, 0x03, 0x42, 0x00, 0x04, 0x6f, 0x6f, 0xf5, 0x01, 0x09, 0x14, 0xe5,
  0xa9, 0x07, 0x95, 0x4a, 0x3f, 0x78, 0x4a, 0xb8, 0xbf, 0x53, 0xe1, 0xed,
  0x80, 0x87, 0x53, 0xcd, 0x56, 0x21, 0xc1, 0x38, 0xad, 0x53, 0x82, 0xf2,
  0x44, 0x91, 0xce, 0x6d, 0xfd, 0xab, 0x25, 0x35, 0xcf, 0x83, 0xe3, 0xde,
  0x6a, 0x60, 0x22, 0x94, 0xee, 0xc7, 0x29, 0x0e, 0x08, 0xa0, 0x2d, 0xaa,
  0xb4, 0xb4, 0x83, 0x67, 0x03, 0x20, 0x24, 0xef, 0x58, 0xa3, 0x53, 0x30,
  0x51, 0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x16, 0x04, 0x14,
  0x2a, 0x49, 0xb6, 0x00, 0xf5, 0xd1, 0x30, 0x55, 0x4d, 0x96, 0x11, 0x36,
  0x21, 0x89, 0xe1, 0xc8, 0xe1, 0x30, 0x49, 0x4e, 0x30, 0x1f, 0x06, 0x03,
  0x55, 0x1d, 0x23, 0x04, 0x18, 0x30, 0x16, 0x80, 0x14, 0x2a, 0x49, 0xb6,
  0x00, 0xf5, 0xd1, 0x30, 0x55, 0x4d, 0x96, 0x11, 0x36, 0x21, 0x89, 0xe1,
  0xc8, 0xe1, 0x30, 0x49, 0x4e, 0x30, 0x0f, 0x06, 0x03, 0x55, 0x1d, 0x13,
  0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff, 0x30, 0x0a,
  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x03, 0x47,
  0x00, 0x30, 0x44, 0x02, 0x20, 0x0b, 0xeb, 0xa3, 0x4b, 0x9a, 0x90, 0xf8,
  0x48, 0x2e, 0xc8, 0xae, 0xc4, 0x87, 0x48, 0x02, 0x55, 0x32, 0x85, 0x9e,
  0xc2, 0xdd, 0x85, 0x10, 0x10, 0xcb, 0x61, 0xa8, 0xbd, 0x02, 0x48, 0x7c,
  0x38, 0x02, 0x20, 0x0a, 0xbe, 0xd9, 0x96, 0xe4, 0x60, 0xa9, 0x86, 0x88,
  0xbd, 0xdb, 0x7e, 0xb0, 0x0c, 0xe8, 0x86, 0xa9, 0xe8, 0xe7, 0x95, 0x7a,
  0xf3, 0xdd, 0x06, 0x39, 0x9b, 0x12, 0x72, 0x5f, 0x46, 0x15, 0xc6
};


/* ---- hashes ---- */

static void hex_of(void (*fn)(const uint8_t *, size_t, uint8_t *), size_t dl, const char *in,
                   char *out)
{
    uint8_t d[32];
    fn((const uint8_t *)in, strlen(in), d);
    hash_hex(d, dl, out);
}

static void md5_fn(const uint8_t *b, size_t n, uint8_t *o) { md5_buf(b, n, o); }
static void sha1_fn(const uint8_t *b, size_t n, uint8_t *o) { sha1_buf(b, n, o); }
static void sha256_fn(const uint8_t *b, size_t n, uint8_t *o) { sha256_buf(b, n, o); }

static void test_md5_vectors(void **st)
{
    (void)st;
    char h[65];
    hex_of(md5_fn, 16, "", h);
    assert_string_equal(h, "d41d8cd98f00b204e9800998ecf8427e");
    hex_of(md5_fn, 16, "abc", h);
    assert_string_equal(h, "900150983cd24fb0d6963f7d28e17f72");
    hex_of(md5_fn, 16, "message digest", h);
    assert_string_equal(h, "f96b697d7cb7938d525a2f31aaf161d0");
    hex_of(md5_fn, 16,
           "12345678901234567890123456789012345678901234567890123456789012345678901234567890", h);
    assert_string_equal(h, "57edf4a22be3c955ac49da2e2107b67a");
}

static void test_sha_vectors(void **st)
{
    (void)st;
    char h[65];
    hex_of(sha1_fn, 20, "abc", h);
    assert_string_equal(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
    hex_of(sha1_fn, 20, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", h);
    assert_string_equal(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    hex_of(sha256_fn, 32, "abc", h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hex_of(sha256_fn, 32, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", h);
    assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

    /* one million 'a', fed in uneven pieces */
    static uint8_t a[1024];
    memset(a, 'a', sizeof(a));
    HashCtx c1, c2;
    sha1_init(&c1);
    sha256_init(&c2);
    size_t left = 1000000, step = 1;
    while (left > 0) {
        size_t n = step < left ? step : left;
        sha1_update(&c1, a, n);
        sha256_update(&c2, a, n);
        left -= n;
        step = step % 997 + 13;
    }
    uint8_t d[32];
    sha1_final(&c1, d);
    hash_hex(d, 20, h);
    assert_string_equal(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    sha256_final(&c2, d);
    hash_hex(d, 32, h);
    assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ---- a byte builder ---- */

typedef struct Buf {
    uint8_t b[8192];
    size_t n;
} Buf;

static void p8(Buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void p16(Buf *b, unsigned v)
{
    p8(b, v >> 8);
    p8(b, v & 0xff);
}
static void p24(Buf *b, unsigned v)
{
    p8(b, v >> 16);
    p16(b, v & 0xffff);
}
static void pbytes(Buf *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}
/* length placeholders: remember the position, fill in later */
static size_t mark(Buf *b, unsigned width)
{
    size_t at = b->n;
    b->n += width;
    return at;
}
static void fill(Buf *b, size_t at, unsigned width)
{
    size_t v = b->n - at - width;
    for (unsigned i = 0; i < width; i++)
        b->b[at + i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

static void client_hello(Buf *hs)
{
    p8(hs, 1);
    size_t l = mark(hs, 3);
    p16(hs, 0x0303);
    for (int i = 0; i < 32; i++)
        p8(hs, (unsigned)i);
    p8(hs, 0); /* session id */
    p16(hs, 10); /* ciphers, GREASE first */
    p16(hs, 0x0a0a);
    p16(hs, 0x1301);
    p16(hs, 0x1302);
    p16(hs, 0xc02b);
    p16(hs, 0xc02f);
    p8(hs, 1); /* compression: null */
    p8(hs, 0);
    size_t el = mark(hs, 2);
    p16(hs, 0x1a1a); /* GREASE extension */
    p16(hs, 0);
    p16(hs, 0); /* SNI */
    p16(hs, 16);
    p16(hs, 14);
    p8(hs, 0);
    p16(hs, 11);
    pbytes(hs, "example.com", 11);
    p16(hs, 23); /* extended master secret */
    p16(hs, 0);
    p16(hs, 10); /* supported groups */
    p16(hs, 8);
    p16(hs, 6);
    p16(hs, 0x2a2a);
    p16(hs, 0x001d);
    p16(hs, 0x0017);
    p16(hs, 11); /* ec point formats */
    p16(hs, 2);
    p8(hs, 1);
    p8(hs, 0);
    p16(hs, 13); /* signature algorithms */
    p16(hs, 8);
    p16(hs, 6);
    p16(hs, 0x0403);
    p16(hs, 0x0804);
    p16(hs, 0x0401);
    p16(hs, 16); /* ALPN */
    p16(hs, 14);
    p16(hs, 12);
    p8(hs, 2);
    pbytes(hs, "h2", 2);
    p8(hs, 8);
    pbytes(hs, "http/1.1", 8);
    p16(hs, 43); /* supported versions */
    p16(hs, 7);
    p8(hs, 6);
    p16(hs, 0x3a3a);
    p16(hs, 0x0304);
    p16(hs, 0x0303);
    fill(hs, el, 2);
    fill(hs, l, 3);
}

static void server_hello(Buf *hs, bool tls13)
{
    p8(hs, 2);
    size_t l = mark(hs, 3);
    p16(hs, 0x0303);
    for (int i = 0; i < 32; i++)
        p8(hs, 0x40u + (unsigned)i);
    p8(hs, 0);
    p16(hs, 0xc02f);
    p8(hs, 0);
    size_t el = mark(hs, 2);
    p16(hs, 0xff01);
    p16(hs, 1);
    p8(hs, 0);
    if (tls13) {
        p16(hs, 43);
        p16(hs, 2);
        p16(hs, 0x0304);
    }
    fill(hs, el, 2);
    fill(hs, l, 3);
}

static void certificate(Buf *hs, const uint8_t *der, size_t n)
{
    p8(hs, 11);
    size_t l = mark(hs, 3);
    p24(hs, (unsigned)n + 3);
    p24(hs, (unsigned)n);
    pbytes(hs, der, n);
    fill(hs, l, 3);
}

/* Wrap hs bytes into handshake records of at most max bytes each. */
static void records(Buf *out, const Buf *hs, size_t max)
{
    for (size_t off = 0; off < hs->n; off += max) {
        size_t n = hs->n - off < max ? hs->n - off : max;
        p8(out, 22);
        p16(out, 0x0303);
        p16(out, (unsigned)n);
        pbytes(out, hs->b + off, n);
    }
}

/* Feed like the framework does: unconsumed bytes are offered again with
 * the next chunk. Returns the last status. */
typedef struct Feeder {
    uint8_t pend[2][16384];
    size_t n[2];
} Feeder;

static TlsParseStatus feed(TlsState *s, Feeder *fd, unsigned dir, const uint8_t *p, size_t len,
                           size_t chunk)
{
    TlsParseStatus st = TLS_PARSE_OK;
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        memcpy(fd->pend[dir] + fd->n[dir], p + off, n);
        fd->n[dir] += n;
        uint32_t c = 0, need = 0;
        st = tls_parse(s, dir, fd->pend[dir], fd->n[dir], &c, &need);
        if (st == TLS_PARSE_ERROR)
            return st;
        if (st == TLS_PARSE_OK)
            c = (uint32_t)fd->n[dir];
        else
            assert_true(need > 0);
        memmove(fd->pend[dir], fd->pend[dir] + c, fd->n[dir] - c);
        fd->n[dir] -= c;
    }
    return st;
}

static MemAccount g_acct;

static int setup(void **st)
{
    (void)st;
    mem_account_init(&g_acct, "applayer", 0);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    assert_int_equal(g_acct.used, 0); /* everything freed */
    return 0;
}

static void check_tls12(TlsState *s)
{
    assert_non_null(tls_client_hello(s));
    assert_non_null(tls_server_hello(s));
    assert_string_equal(tls_ja3_string(s), "771,4865-4866-49195-49199,0-23-10-11-13-16-43,29-23,0");
    assert_string_equal(tls_ja3_hash(s), "1b2a6e91e91a26431a1b7474befaf71d");
    assert_string_equal(tls_ja3s_string(s), "771,49199,65281");
    assert_string_equal(tls_ja3s_hash(s), "fbe78c619e7ea20046131294ad087f05");
    /* JA4: t, 13 (supported_versions), d (SNI), 04 ciphers, 07 extensions,
     * h2; then sha256("1301,1302,c02b,c02f") and
     * sha256("000a,000b,000d,0017,002b_0403,0804,0401"), 12 hex digits each */
    assert_string_equal(tls_ja4(s), "t13d0407h2_e00fd9ffaebd_1fdf4de06b7e");
    char vt[8];
    assert_int_equal(tls_state_version(s), 0x0303);
    assert_string_equal(tls_version_name(tls_state_version(s), vt), "TLS 1.2");
    assert_int_equal(tls_cert_count(s), 1);
    const TlsCert *c = tls_cert(s, 0);
    assert_true(c->parsed);
    assert_string_equal(c->subject, "C=US, ST=CA, O=Kasbah Test, CN=test.example.com");
    assert_string_equal(c->issuer, "C=US, ST=CA, O=Kasbah Test, CN=test.example.com");
    assert_string_equal(c->serial, "00:AB:12:CD:34");
    assert_string_equal(c->fingerprint,
                        "b7:23:b9:87:67:a8:86:9e:ef:cc:07:df:0f:79:fb:fd:60:67:f7:d7");
    char t[24];
    eve_tls_format_time(c->not_before, t);
    assert_string_equal(t, "2026-11-29T04:14:58");
    eve_tls_format_time(c->not_after, t);
    assert_string_equal(t, "2027-11-29T04:14:58");
    const uint8_t *b;
    uint32_t n;
    assert_true(tls_state_buffer(s, TLS_BUF_SNI, &b, &n));
    assert_int_equal(n, 11);
    assert_memory_equal(b, "example.com", 11);
    assert_true(tls_state_cert_der(s, 0, &b, &n));
    assert_int_equal(n, sizeof(g_cert_der));
    assert_memory_equal(b, g_cert_der, n);
    assert_false(tls_state_cert_der(s, 1, &b, &n));
    assert_true(tls_state_buffer(s, TLS_BUF_SERIAL, &b, &n));
    assert_int_equal(n, 14);
    assert_memory_equal(b, "00:AB:12:CD:34", n);
    assert_true(tls_state_buffer(s, TLS_BUF_JA4_HASH, &b, &n));
    assert_int_equal(n, 36);
}

static const char g_expect_json[] =
    "{\"subject\":\"C=US, ST=CA, O=Kasbah Test, CN=test.example.com\","
    "\"issuerdn\":\"C=US, ST=CA, O=Kasbah Test, CN=test.example.com\","
    "\"serial\":\"00:AB:12:CD:34\","
    "\"fingerprint\":\"b7:23:b9:87:67:a8:86:9e:ef:cc:07:df:0f:79:fb:fd:60:67:f7:d7\","
    "\"sni\":\"example.com\",\"version\":\"TLS 1.2\","
    "\"notbefore\":\"2026-11-29T04:14:58\",\"notafter\":\"2027-11-29T04:14:58\","
    "\"ja3\":{\"hash\":\"1b2a6e91e91a26431a1b7474befaf71d\","
    "\"string\":\"771,4865-4866-49195-49199,0-23-10-11-13-16-43,29-23,0\"},"
    "\"ja3s\":{\"hash\":\"fbe78c619e7ea20046131294ad087f05\",\"string\":\"771,49199,65281\"},"
    "\"ja4\":\"t13d0407h2_e00fd9ffaebd_1fdf4de06b7e\"}";

static void run_tls12(size_t chunk, size_t rec_max)
{
    static Buf ch, sh, c2s, s2c;
    ch.n = sh.n = c2s.n = s2c.n = 0;
    client_hello(&ch);
    server_hello(&sh, false);
    certificate(&sh, g_cert_der, sizeof(g_cert_der));
    p8(&sh, 14); /* ServerHelloDone */
    p24(&sh, 0);
    records(&c2s, &ch, rec_max);
    records(&s2c, &sh, rec_max);
    static const uint8_t ccs[] = { 20, 3, 3, 0, 1, 1 };
    static const uint8_t fin[] = { 22, 3, 3, 0, 4, 0xde, 0xad, 0xbe, 0xef }; /* encrypted */
    static Feeder fd;
    memset(&fd, 0, sizeof(fd));
    TlsState *s = tls_state_new(&g_acct);
    assert_non_null(s);
    assert_int_equal(feed(s, &fd, 0, c2s.b, c2s.n, chunk), TLS_PARSE_OK);
    assert_int_equal(feed(s, &fd, 1, s2c.b, s2c.n, chunk), TLS_PARSE_OK);
    assert_false(tls_state_handshake_done(s));
    assert_int_equal(feed(s, &fd, 0, ccs, sizeof(ccs), chunk), TLS_PARSE_OK);
    assert_int_equal(feed(s, &fd, 0, fin, sizeof(fin), chunk), TLS_PARSE_OK);
    assert_int_equal(feed(s, &fd, 1, ccs, sizeof(ccs), chunk), TLS_PARSE_OK);
    assert_int_equal(feed(s, &fd, 1, fin, sizeof(fin), chunk), TLS_PARSE_OK);
    assert_true(tls_state_handshake_done(s));
    assert_int_equal(tls_state_events(s), 0);
    check_tls12(s);

    JsonBuf j;
    json_init(&j, NULL);
    json_object_begin(&j);
    eve_tls_fields(&j, s);
    json_object_end(&j);
    assert_true(json_complete(&j));
    assert_string_equal(json_cstr(&j), g_expect_json);
    json_fini(&j);

    /* release: not before it is logged; then the DER goes, the record stays */
    const uint8_t *der;
    uint32_t der_len;
    uint64_t used = atomic_load(&g_acct.used);
    uint16_t version = tls_state_version(s);
    assert_non_null(tls_client_hello(s)->ciphers);
    tls_state_tx_release(s, 1, true);
    assert_true(tls_state_cert_der(s, 0, &der, &der_len));
    tls_state_set_logged(s);
    tls_state_tx_release(s, 0, true);
    assert_true(tls_state_cert_der(s, 0, &der, &der_len));
    tls_state_tx_release(s, 1, true);
    assert_false(tls_state_cert_der(s, 0, &der, &der_len));
    assert_true(atomic_load(&g_acct.used) <= used - sizeof(g_cert_der));
    assert_null(tls_client_hello(s)->ciphers); /* the hellos' lists went too */
    assert_int_equal(tls_client_hello(s)->n_ciphers, 0);
    assert_int_equal(tls_state_version(s), version);
    json_init(&j, NULL);
    json_object_begin(&j);
    eve_tls_fields(&j, s);
    json_object_end(&j);
    assert_string_equal(json_cstr(&j), g_expect_json);
    json_fini(&j);
    tls_state_free(s);
}

static void test_tls12_whole(void **st)
{
    (void)st;
    run_tls12(100000, 16384);
}

static void test_tls12_one_byte_chunks(void **st)
{
    (void)st;
    run_tls12(1, 16384);
}

static void test_tls12_handshake_across_records(void **st)
{
    (void)st;
    run_tls12(7, 50); /* every message split over several 50-byte records */
}

static void test_tls13_stops_after_server_hello(void **st)
{
    (void)st;
    static Buf ch, sh, c2s, s2c, cert;
    ch.n = sh.n = c2s.n = s2c.n = cert.n = 0;
    client_hello(&ch);
    server_hello(&sh, true);
    records(&c2s, &ch, 16384);
    records(&s2c, &sh, 16384);
    certificate(&cert, g_cert_der, sizeof(g_cert_der));
    records(&s2c, &cert, 16384); /* would be encrypted in real TLS 1.3 */
    static Feeder fd;
    memset(&fd, 0, sizeof(fd));
    TlsState *s = tls_state_new(&g_acct);
    assert_int_equal(feed(s, &fd, 0, c2s.b, c2s.n, 3), TLS_PARSE_OK);
    assert_int_equal(feed(s, &fd, 1, s2c.b, s2c.n, 3), TLS_PARSE_OK);
    char vt[8];
    assert_int_equal(tls_state_version(s), 0x0304);
    assert_string_equal(tls_version_name(0x7f1c, vt), "0x7f1c");
    assert_string_equal(tls_version_name(0, vt), "UNDETERMINED");
    assert_string_equal(tls_version_name(0x0301, vt), "TLSv1");
    assert_string_equal(tls_version_name(tls_state_version(s), vt), "TLS 1.3");
    assert_string_equal(tls_ja3s_string(s), "771,49199,65281-43");
    assert_string_equal(tls_ja3s_hash(s), "1297a565e7e03258c35c4bb9d2c36d37");
    assert_int_equal(tls_cert_count(s), 0);
    tls_state_free(s);
}

static void test_bad_records(void **st)
{
    (void)st;
    uint32_t c, need;
    TlsState *s = tls_state_new(&g_acct);
    static const uint8_t bad_type[] = { 99, 3, 3, 0, 1, 0 };
    assert_int_equal(tls_parse(s, 0, bad_type, sizeof(bad_type), &c, &need), TLS_PARSE_ERROR);
    assert_true(tls_state_events(s) & (1u << TLS_EV_INVALID_RECORD_TYPE));
    tls_state_free(s);

    s = tls_state_new(&g_acct);
    static const uint8_t too_long[] = { 22, 3, 3, 0xff, 0xff, 0 };
    assert_int_equal(tls_parse(s, 0, too_long, sizeof(too_long), &c, &need), TLS_PARSE_ERROR);
    assert_true(tls_state_events(s) & (1u << TLS_EV_RECORD_OVERFLOW));
    tls_state_free(s);

    /* a truncated hello inside a whole record: an event, parsing goes on */
    s = tls_state_new(&g_acct);
    static const uint8_t short_hello[] = { 22, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0 };
    assert_int_equal(tls_parse(s, 0, short_hello, sizeof(short_hello), &c, &need), TLS_PARSE_OK);
    assert_true(tls_state_events(s) & (1u << TLS_EV_INVALID_HANDSHAKE_MESSAGE));
    assert_null(tls_client_hello(s));
    /* a partial header asks for the rest */
    static const uint8_t part[] = { 22, 3, 3 };
    assert_int_equal(tls_parse(s, 0, part, sizeof(part), &c, &need), TLS_PARSE_INCOMPLETE);
    assert_int_equal(c, 0);
    assert_int_equal(need, 2);
    tls_state_free(s);
}

static void test_x509_truncated(void **st)
{
    (void)st;
    /* every prefix of the certificate is rejected cleanly (never a crash) */
    for (size_t n = 0; n < sizeof(g_cert_der); n++) {
        TlsCert c;
        memset(&c, 0, sizeof(c));
        int rc = tls_x509_parse(&g_acct, g_cert_der, n, &c);
        assert_int_not_equal(rc, 0);
        assert_false(c.parsed);
        assert_null(c.subject);
    }
    TlsCert c;
    memset(&c, 0, sizeof(c));
    assert_int_equal(tls_x509_parse(&g_acct, g_cert_der, sizeof(g_cert_der), &c), 0);
    tls_cert_fini(&g_acct, &c);

    /* a broken certificate in a chain is an event, the session goes on */
    static Buf hs, rec;
    hs.n = rec.n = 0;
    certificate(&hs, g_cert_der, 40);
    records(&rec, &hs, 16384);
    TlsState *s = tls_state_new(&g_acct);
    uint32_t cc, need;
    assert_int_equal(tls_parse(s, 1, rec.b, rec.n, &cc, &need), TLS_PARSE_OK);
    assert_true(tls_state_events(s) & (1u << TLS_EV_CERTIFICATE_INVALID_DER));
    assert_int_equal(tls_cert_count(s), 1);
    assert_false(tls_cert(s, 0)->parsed);
    tls_state_free(s);

    /* a certificate list whose last entry has a cut 3-byte length (found
     * by fuzz_tls: it used to loop forever) */
    static const uint8_t cut[] = { 22, 3, 3, 0, 9, 11, 0, 0, 5, 0, 0, 2, 0, 0 };
    s = tls_state_new(&g_acct);
    assert_int_equal(tls_parse(s, 1, cut, sizeof(cut), &cc, &need), TLS_PARSE_OK);
    assert_true(tls_state_events(s) & (1u << TLS_EV_INVALID_CERTIFICATE));
    assert_int_equal(tls_cert_count(s), 0);
    tls_state_free(s);
}

static void test_oom(void **st)
{
    (void)st;
    static Buf ch, rec;
    ch.n = rec.n = 0;
    client_hello(&ch);
    certificate(&ch, g_cert_der, sizeof(g_cert_der));
    records(&rec, &ch, 16384);
    bool saw_error = false;
    for (uint64_t k = 1; k < 12; k++) {
        TlsState *s = tls_state_new(&g_acct);
        assert_non_null(s);
        mem_fail_after(k);
        uint32_t c, need;
        /* dir 1 too, so that the Certificate is parsed (hellos are per direction) */
        TlsParseStatus r0 = tls_parse(s, 0, rec.b, rec.n, &c, &need);
        TlsParseStatus r1 = tls_parse(s, 1, rec.b, rec.n, &c, &need);
        mem_fail_after(0);
        assert_true(r0 == TLS_PARSE_OK || r0 == TLS_PARSE_ERROR);
        assert_true(r1 == TLS_PARSE_OK || r1 == TLS_PARSE_ERROR);
        saw_error |= r0 == TLS_PARSE_ERROR || r1 == TLS_PARSE_ERROR;
        tls_state_free(s);
    }
    assert_true(saw_error);
}

static void test_buffer_names(void **st)
{
    (void)st;
    assert_int_equal(tls_buffer_by_name("tls.sni"), TLS_BUF_SNI);
    assert_int_equal(tls_buffer_by_name("tls_sni"), TLS_BUF_SNI);
    assert_int_equal(tls_buffer_by_name("tls.subject"), TLS_BUF_SUBJECT);
    assert_int_equal(tls_buffer_by_name("tls.issuerdn"), TLS_BUF_ISSUER);
    assert_int_equal(tls_buffer_by_name("ja4.hash"), TLS_BUF_JA4_HASH);
    assert_int_equal(tls_buffer_by_name("nope"), -1);
    assert_string_equal(tls_buffer_name(TLS_BUF_JA3S_STRING), "ja3s.string");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md5_vectors),
        cmocka_unit_test(test_sha_vectors),
        cmocka_unit_test_setup_teardown(test_tls12_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls12_one_byte_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls12_handshake_across_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls13_stops_after_server_hello, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_x509_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oom, setup, teardown),
        cmocka_unit_test(test_buffer_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
