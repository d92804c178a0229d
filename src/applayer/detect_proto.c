/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * detect_proto.c: the content probes for HTTP/1.x, TLS, DNS and SSH (see
 * detect_proto.h for what each accepts and the RFCs).
 *
 * Every byte is read through lib/reader.h. A probe that has seen too few
 * bytes to decide says APP_PROBE_NEED_MORE; applayer.c bounds how long it
 * waits.
 */
#include "applayer/detect_proto.h"

#include <string.h>

#include "lib/reader.h"

/* ---- HTTP ---- */

/* Request methods recognised at the start of a direction (RFC 9110 section 9,
 * RFC 5789 PATCH, WebDAV RFC 4918/3253). */
static const char *const http_methods[] = {
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH",
    "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
    "CHECKOUT", "CHECKIN", "REPORT", "MERGE", "MKACTIVITY", "VERSION-CONTROL",
    "UPDATE", "LABEL", "BASELINE-CONTROL", "MKWORKSPACE", "UNCHECKOUT",
};

/* Compare the reader's next bytes with word (as far as they go). Returns the
 * number of bytes that matched. */
static size_t prefix_match(const uint8_t *buf, size_t len, const char *word)
{
    Reader r = rd_init(buf, len);
    size_t n = strlen(word), i = 0;
    while (i < n && rd_left(&r) > 0) {
        if (rd_u8(&r) != (uint8_t)word[i])
            return i;
        i++;
    }
    return i;
}

AppProbe app_probe_http(const uint8_t *buf, size_t len, const AppProbeInfo *info)
{
    (void)info;
    if (len == 0)
        return APP_PROBE_NEED_MORE;
    bool more = false;
    /* a status line */
    size_t m = prefix_match(buf, len, "HTTP/1.");
    if (m == 7)
        return APP_PROBE_YES;
    if (m == len)
        more = true;
    /* a request line: METHOD SP */
    for (size_t i = 0; i < sizeof http_methods / sizeof http_methods[0]; i++) {
        const char *meth = http_methods[i];
        size_t n = strlen(meth);
        m = prefix_match(buf, len, meth);
        if (m == n) {
            Reader r = rd_init(buf, len);
            if (rd_peek_u8(&r, n) == ' ' && rd_ok(&r))
                return APP_PROBE_YES;
            if (len == n)
                more = true;
        } else if (m == len) {
            more = true;
        }
    }
    return more ? APP_PROBE_NEED_MORE : APP_PROBE_NO;
}

/* ---- TLS ---- */

AppProbe app_probe_tls(const uint8_t *buf, size_t len, const AppProbeInfo *info)
{
    (void)info;
    Reader r = rd_init(buf, len);
    if (len == 0)
        return APP_PROBE_NEED_MORE;
    uint8_t b0 = rd_u8(&r);
    if (b0 == 0x16) {
        if (len < 6)
            return (len < 2 || rd_peek_u8(&r, 1) == 0x03) &&
                           (len < 3 || rd_peek_u8(&r, 2) <= 0x04)
                       ? APP_PROBE_NEED_MORE
                       : APP_PROBE_NO;
        uint8_t major = rd_u8(&r), minor = rd_u8(&r);
        uint16_t rec_len = rd_be16(&r);
        uint8_t hs_type = rd_u8(&r);
        if (!rd_ok(&r) || major != 0x03 || minor > 0x04)
            return APP_PROBE_NO;
        if (rec_len < 4 || rec_len > 16384 + 2048)
            return APP_PROBE_NO;
        if (hs_type != 1 && hs_type != 2)
            return APP_PROBE_NO;
        return APP_PROBE_YES;
    }
    if (b0 & 0x80) {
        /* SSLv2 record header (2 bytes) + CLIENT-HELLO (1) + version */
        if (len < 5)
            return APP_PROBE_NEED_MORE;
        uint16_t rec_len = (uint16_t)(((b0 & 0x7f) << 8) | rd_u8(&r));
        uint8_t msg = rd_u8(&r);
        uint8_t vmaj = rd_u8(&r), vmin = rd_u8(&r);
        if (!rd_ok(&r) || msg != 1 || rec_len < 9)
            return APP_PROBE_NO;
        if ((vmaj == 0x00 && vmin == 0x02) || (vmaj == 0x03 && vmin <= 0x04))
            return APP_PROBE_YES;
        return APP_PROBE_NO;
    }
    return APP_PROBE_NO;
}

/* ---- DNS ---- */

/* Walk a name at the reader's position (RFC 1035 4.1.4). Pointers must go
 * backwards (which also bounds the walk). false when malformed or short;
 * *short_input says it ran out of bytes. */
static bool dns_name_skip(Reader *r, bool *short_input)
{
    size_t total = 0;
    for (;;) {
        if (rd_left(r) < 1) {
            *short_input = true;
            return false;
        }
        size_t at = rd_pos(r);
        uint8_t l = rd_u8(r);
        if ((l & 0xc0) == 0xc0) {
            if (rd_left(r) < 1) {
                *short_input = true;
                return false;
            }
            size_t target = ((size_t)(l & 0x3f) << 8) | rd_u8(r);
            /* a pointer in the first name must point back into the message */
            return target < at && target >= 12;
        }
        if (l & 0xc0)
            return false; /* 0x40 and 0x80 label types are obsolete/reserved */
        if (l == 0)
            return true;
        total += (size_t)l + 1;
        if (total > 255)
            return false;
        if (!rd_skip(r, l)) {
            *short_input = true;
            return false;
        }
    }
}

static bool dns_class_known(uint16_t c)
{
    return c == 1 || c == 3 || c == 4 || c == 254 || c == 255 || (c & 0x7fff) == 1; /* mDNS unicast-response bit */
}

/* Check a DNS message (no TCP prefix). */
static AppProbe dns_message(const uint8_t *buf, size_t len, bool strict)
{
    if (len < 12)
        return APP_PROBE_NEED_MORE;
    Reader r = rd_init(buf, len);
    (void)rd_be16(&r); /* id */
    uint16_t flags = rd_be16(&r);
    uint16_t qd = rd_be16(&r), an = rd_be16(&r), ns = rd_be16(&r), ar = rd_be16(&r);
    bool response = flags & 0x8000;
    unsigned opcode = (flags >> 11) & 0xf;
    unsigned rcode = flags & 0xf;
    if (opcode > 6 || opcode == 3)
        return APP_PROBE_NO;
    if (qd == 0 || qd > 32 || an > 512 || ns > 512 || ar > 512)
        return APP_PROBE_NO;
    if (strict) {
        if (qd != 1 || opcode != 0)
            return APP_PROBE_NO;
        if (!response && (an != 0 || ns != 0 || ar > 1 || rcode != 0))
            return APP_PROBE_NO;
        if (flags & 0x0040) /* Z bit */
            return APP_PROBE_NO;
    }
    for (unsigned i = 0; i < qd; i++) {
        bool short_input = false;
        if (!dns_name_skip(&r, &short_input))
            return short_input ? APP_PROBE_NEED_MORE : APP_PROBE_NO;
        if (rd_left(&r) < 4)
            return APP_PROBE_NEED_MORE;
        (void)rd_be16(&r); /* type: any value is possible */
        uint16_t qclass = rd_be16(&r);
        if (!dns_class_known(qclass))
            return APP_PROBE_NO;
    }
    if (strict && !response && an == 0 && ns == 0 && ar == 0 && rd_left(&r) != 0)
        return APP_PROBE_NO; /* a query with trailing bytes */
    return APP_PROBE_YES;
}

AppProbe app_probe_dns(const uint8_t *buf, size_t len, const AppProbeInfo *info)
{
    bool port53 = info != NULL && (info->sp == 53 || info->dp == 53);
    bool strict = !port53;
    /* NetBIOS name service (RFC 1002) is DNS-shaped but not DNS: tshark and
     * Suricata (DNS probed on port 53 only) do not call it DNS either */
    if (!port53 && info != NULL && (info->sp == 137 || info->dp == 137))
        return APP_PROBE_NO;
    if (info != NULL && info->ipproto == 17) {
        AppProbe pr = dns_message(buf, len, strict);
        return pr == APP_PROBE_NEED_MORE ? APP_PROBE_NO : pr; /* a datagram is whole */
    }
    /* TCP: two-byte length, then the message */
    if (len < 2)
        return APP_PROBE_NEED_MORE;
    Reader r = rd_init(buf, len);
    uint16_t mlen = rd_be16(&r);
    if (mlen < 12)
        return APP_PROBE_NO;
    size_t avail = rd_left(&r);
    AppProbe pr = dns_message(rd_cur(&r), avail < mlen ? avail : mlen, strict);
    if (pr == APP_PROBE_NO)
        return APP_PROBE_NO;
    if (avail >= mlen)
        return pr == APP_PROBE_YES ? APP_PROBE_YES : APP_PROBE_NO; /* ended inside its question */
    /* off port 53 only a whole message counts */
    return strict || pr == APP_PROBE_NEED_MORE ? APP_PROBE_NEED_MORE : APP_PROBE_YES;
}

/* ---- SSH ---- */

AppProbe app_probe_ssh(const uint8_t *buf, size_t len, const AppProbeInfo *info)
{
    (void)info;
    size_t m = prefix_match(buf, len, "SSH-");
    if (m == 4)
        return APP_PROBE_YES;
    return m == len ? APP_PROBE_NEED_MORE : APP_PROBE_NO;
}
