/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * uri.c: request URI splitting and normalisation for http.uri.
 *
 * Where it sits: applayer/http; parser.c calls it once per request line,
 * on the tx's own copy of the URI (never on stream memory).
 *
 * Spec: RFC 3986 (syntax, 5.2.4 remove_dot_segments), with the lenient
 * splitting and decoding of libhtp 0.5 under Suricata's default settings
 * (personality IDS, convert-lowercase off, query-plusspace-decode off,
 * invalid %-escapes preserved, best-fit replacement byte '?').
 *
 * Invariants: every function writes at most as many bytes as it reads, so
 * in-place work never overruns; all indexes are checked against len.
 */
#include "applayer/http/http_int.h"

#include <string.h>

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool lws(uint8_t c) { return c == ' ' || c == '\t'; }

static HttpSpan span(size_t off, size_t len)
{
    HttpSpan s = { (uint32_t)off, (uint32_t)len, true };
    return s;
}

static const uint8_t *memfind(const uint8_t *p, size_t len, uint8_t c)
{
    return len ? memchr(p, c, len) : NULL;
}

void http_uri_split(const uint8_t *raw, size_t len, HttpUriParts *u)
{
    memset(u, 0, sizeof(*u));
    if (len == 0)
        return;
    size_t pos = 0;
    /* A URI that does not start with '/' has a scheme if a ':' follows. */
    if (raw[0] != '/') {
        const uint8_t *colon = memfind(raw, len, ':');
        if (colon != NULL) {
            pos = (size_t)(colon - raw);
            u->scheme = span(0, pos);
            pos++;
        }
    }
    /* Authority only after a scheme, introduced by exactly two slashes. */
    if (u->scheme.set && pos + 2 < len && raw[pos] == '/' && raw[pos + 1] == '/' &&
        raw[pos + 2] != '/') {
        size_t start = pos + 2;
        pos = start;
        while (pos < len && raw[pos] != '?' && raw[pos] != '/' && raw[pos] != '#')
            pos++;
        size_t hstart = start, hlen = pos - start;
        const uint8_t *at = memfind(raw + start, pos - start, '@');
        if (at != NULL) {
            size_t clen = (size_t)(at - (raw + start));
            const uint8_t *c = memfind(raw + start, clen, ':');
            if (c != NULL) {
                size_t ulen = (size_t)(c - (raw + start));
                u->user = span(start, ulen);
                u->pass = span(start + ulen + 1, clen - ulen - 1);
            } else {
                u->user = span(start, clen);
            }
            hstart = start + clen + 1;
            hlen = pos - hstart;
        }
        if (hlen > 0 && raw[hstart] == '[') {
            const uint8_t *rb = memfind(raw + hstart, hlen, ']');
            if (rb == NULL) {
                u->host = span(hstart, hlen);
            } else {
                size_t hl = (size_t)(rb - (raw + hstart)) + 1;
                u->host = span(hstart, hl);
                const uint8_t *c = memfind(raw + hstart + hl, hlen - hl, ':');
                if (c != NULL) {
                    size_t poff = (size_t)(c - raw) + 1;
                    u->port = span(poff, hstart + hlen - poff);
                }
            }
        } else {
            const uint8_t *c = memfind(raw + hstart, hlen, ':');
            if (c != NULL) {
                size_t poff = (size_t)(c - raw) + 1;
                u->port = span(poff, hstart + hlen - poff);
                hlen = (size_t)(c - (raw + hstart));
            }
            u->host = span(hstart, hlen);
        }
    }
    size_t start = pos;
    while (pos < len && raw[pos] != '?' && raw[pos] != '#')
        pos++;
    u->path = span(start, pos - start);
    if (pos < len && raw[pos] == '?') {
        start = pos + 1;
        while (pos < len && raw[pos] != '#')
            pos++;
        u->query = span(start, pos - start);
    }
    if (pos < len && raw[pos] == '#')
        u->fragment = span(pos + 1, len - pos - 1);
}

int http_parse_port(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len && lws(p[i]))
        i++;
    if (i == len)
        return -1;
    uint32_t v = 0;
    size_t digits = 0;
    while (i < len && p[i] >= '0' && p[i] <= '9') {
        v = v * 10 + (uint32_t)(p[i] - '0');
        if (v > 65535)
            return -1;
        i++;
        digits++;
    }
    while (i < len && lws(p[i]))
        i++;
    if (i != len || digits == 0 || v == 0)
        return -1;
    return (int)v;
}

/*
 * Best fit of a code point to one byte. kasbah carries a reduced map (it
 * writes its own, rather than libhtp's Windows-1252 table): code points
 * below 0x100 are themselves, the full-width forms U+FF01..U+FF5E fold to
 * ASCII '!'..'~', the ideographic space U+3000 and U+2000..U+200A to ' ';
 * anything else becomes '?'.
 */
static uint8_t bestfit(uint32_t cp)
{
    if (cp < 0x100)
        return (uint8_t)cp;
    if (cp >= 0xff01 && cp <= 0xff5e)
        return (uint8_t)(cp - 0xfee0);
    if (cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200a))
        return ' ';
    return '?';
}

/* %uHHHH as libhtp's path decoder: high byte 0 gives the low byte. */
static uint8_t u_decode(const uint8_t *h)
{
    uint32_t c1 = (uint32_t)(hexval(h[0]) * 16 + hexval(h[1]));
    uint32_t c2 = (uint32_t)(hexval(h[2]) * 16 + hexval(h[3]));
    if (c1 == 0)
        return (uint8_t)c2;
    return bestfit((c1 << 8) | c2);
}

size_t http_urldecode(uint8_t *p, size_t len, bool u_dec)
{
    size_t r = 0, w = 0;
    while (r < len) {
        uint8_t c = p[r];
        if (c == '%' && r + 2 < len) {
            if (u_dec && (p[r + 1] == 'u' || p[r + 1] == 'U')) {
                if (r + 5 < len && hexval(p[r + 2]) >= 0 && hexval(p[r + 3]) >= 0 &&
                    hexval(p[r + 4]) >= 0 && hexval(p[r + 5]) >= 0) {
                    c = u_decode(p + r + 2);
                    r += 6;
                } else {
                    r++; /* invalid: keep the '%' */
                }
            } else if (hexval(p[r + 1]) >= 0 && hexval(p[r + 2]) >= 0) {
                c = (uint8_t)(hexval(p[r + 1]) * 16 + hexval(p[r + 2]));
                r += 3;
            } else {
                r++;
            }
        } else {
            r++;
        }
        p[w++] = c;
    }
    return w;
}

/* libhtp's path decoding, IDS personality: %XX and %uHHHH decoded
 * (separators too), '\' to '/', runs of '/' compressed. */
static size_t decode_path(uint8_t *p, size_t len)
{
    size_t r = 0, w = 0;
    bool prev_sep = false;
    while (r < len) {
        uint8_t c = p[r];
        if (c == '%' && r + 2 < len) {
            if (p[r + 1] == 'u' || p[r + 1] == 'U') {
                if (r + 5 < len && hexval(p[r + 2]) >= 0 && hexval(p[r + 3]) >= 0 &&
                    hexval(p[r + 4]) >= 0 && hexval(p[r + 5]) >= 0) {
                    c = u_decode(p + r + 2);
                    r += 6;
                } else {
                    r++;
                }
            } else if (hexval(p[r + 1]) >= 0 && hexval(p[r + 2]) >= 0) {
                c = (uint8_t)(hexval(p[r + 1]) * 16 + hexval(p[r + 2]));
                r += 3;
            } else {
                r++;
            }
        } else {
            r++;
        }
        if (c == '\\')
            c = '/';
        if (c == '/') {
            if (prev_sep)
                continue;
            prev_sep = true;
        } else {
            prev_sep = false;
        }
        p[w++] = c;
    }
    return w;
}

/* UTF-8 (overlong forms accepted) folded to single bytes by best fit; a
 * byte that cannot start or continue a sequence becomes '?'. */
static size_t utf8_fold(uint8_t *p, size_t len)
{
    size_t r = 0, w = 0;
    while (r < len) {
        uint8_t c = p[r];
        size_t need;
        uint32_t cp;
        if (c < 0x80) {
            p[w++] = c;
            r++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            need = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            need = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            need = 3;
            cp = c & 0x07;
        } else {
            p[w++] = '?';
            r++;
            continue;
        }
        size_t k = 1;
        while (k <= need && r + k < len && (p[r + k] & 0xc0) == 0x80) {
            cp = (cp << 6) | (p[r + k] & 0x3f);
            k++;
        }
        if (k <= need) {
            /* broken sequence: one '?' for the lead byte and what followed it */
            p[w++] = '?';
            r += k;
            continue;
        }
        p[w++] = cp > 0x10ffff ? '?' : bestfit(cp);
        r += need + 1;
    }
    return w;
}

/* RFC 3986 5.2.4 remove_dot_segments, in place, as libhtp applies it. */
static size_t remove_dots(uint8_t *p, size_t len)
{
    size_t r = 0, w = 0;
    int c = -1;
    /* As libhtp: a separator still pending when the input ends is dropped
     * ("/a/." gives "/a"). */
    while (r < len) {
        if (c == -1)
            c = p[r++];
        if (c == '.') {
            if (r + 1 < len && p[r] == '.' && p[r + 1] == '/') { /* "../" */
                c = -1;
                r += 2;
                continue;
            }
            if (r < len && p[r] == '/') { /* "./" */
                c = -1;
                r += 1;
                continue;
            }
        }
        if (c == '/') {
            if (r + 1 < len && p[r] == '.' && p[r + 1] == '/') { /* "/./" */
                r += 2;
                continue;
            }
            if (r + 1 == len && p[r] == '.') { /* "/." at the end */
                r += 1;
                continue;
            }
            if (r + 2 < len && p[r] == '.' && p[r + 1] == '.' && p[r + 2] == '/') { /* "/../" */
                r += 3;
                while (w > 0 && p[w - 1] != '/')
                    w--;
                if (w > 0)
                    w--;
                continue;
            }
            if (r + 2 == len && p[r] == '.' && p[r + 1] == '.') { /* "/.." at the end */
                r += 2;
                while (w > 0 && p[w - 1] != '/')
                    w--;
                if (w > 0)
                    w--;
                continue;
            }
        }
        if (c == '.' && r == len) { /* lone "." */
            c = -1;
            continue;
        }
        if (c == '.' && r + 1 == len && p[r] == '.') { /* lone ".." */
            c = -1;
            r++;
            continue;
        }
        p[w++] = (uint8_t)c;
        while (r < len && p[r] != '/')
            p[w++] = p[r++];
        c = -1;
    }
    return w;
}

static size_t put(uint8_t *out, size_t out_size, size_t w, const uint8_t *src, size_t n)
{
    if (w >= out_size)
        return w;
    if (n > out_size - w)
        n = out_size - w;
    memmove(out + w, src, n);
    return w + n;
}

size_t http_uri_normalize(const uint8_t *raw, size_t len, uint8_t *out, size_t out_size)
{
    HttpUriParts u;
    http_uri_split(raw, len, &u);
    size_t w = 0;
    if (u.path.set) {
        size_t start = w;
        w = put(out, out_size, w, raw + u.path.off, u.path.len);
        size_t n = w - start;
        n = decode_path(out + start, n);
        n = utf8_fold(out + start, n);
        n = remove_dots(out + start, n);
        w = start + n;
    }
    if (u.query.set) {
        uint8_t q = '?';
        w = put(out, out_size, w, &q, 1);
        size_t start = w;
        w = put(out, out_size, w, raw + u.query.off, u.query.len);
        w = start + http_urldecode(out + start, w - start, false);
    }
    if (u.fragment.set) {
        uint8_t h = '#';
        w = put(out, out_size, w, &h, 1);
        size_t start = w;
        w = put(out, out_size, w, raw + u.fragment.off, u.fragment.len);
        w = start + http_urldecode(out + start, w - start, true);
    }
    return w;
}
