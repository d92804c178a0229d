/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcapng.c: the fallback pcapng reader (see pcapng.h for the format, the
 * blocks read and the limits).
 *
 * A block is read whole into one growable buffer (at most PCAPNG_MAX_BLOCK
 * bytes) and parsed there with the bounds-checked Reader; a packet's bytes
 * are handed out in place. Invariant: `buf` holds the body of the last
 * block read (without its 8-byte header and 4-byte trailer).
 */
#include "capture/pcapng.h"

#include <stdarg.h>
#include <string.h>

#include "lib/reader.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_OPB 2u /* obsolete Packet Block */
#define BT_SPB 3u
#define BT_EPB 6u
#define BOM 0x1A2B3C4Du

#define OPT_END 0
#define OPT_IF_TSRESOL 9
#define OPT_IF_TSOFFSET 14

typedef struct Iface {
    int linktype;
    uint32_t snaplen;
    bool res_pow2;     /* resolution 2^-exp (else 10^-exp) seconds */
    uint8_t res_exp;
    int64_t offset_s;  /* if_tsoffset */
} Iface;

struct PcapngReader {
    FILE *fp;
    MemAccount *acct;
    uint8_t *buf;
    size_t cap;
    bool big_endian;      /* byte order of the current section */
    bool in_section;
    Iface *ifaces;
    size_t n_ifaces, cap_ifaces;
};

/* ------------------------------------------------------------------ */
/* byte order helpers                                                 */
/* ------------------------------------------------------------------ */

static uint32_t get32(const PcapngReader *r, Reader *rd) { return r->big_endian ? rd_be32(rd) : rd_le32(rd); }

static uint16_t get16(const PcapngReader *r, Reader *rd)
{
    return r->big_endian ? rd_be16(rd) : rd_le16(rd);
}

static uint32_t raw32(bool big, const uint8_t *b)
{
    Reader rd = rd_init(b, 4);
    return big ? rd_be32(&rd) : rd_le32(&rd);
}

bool pcapng_is_pcapng(const uint8_t *buf, size_t len)
{
    Reader rd = rd_init(buf, len);
    return rd_be32(&rd) == BT_SHB && rd_ok(&rd);
}

static int fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t len, const char *fmt, ...)
{
    if (err != NULL && len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* blocks                                                             */
/* ------------------------------------------------------------------ */

/* Read `n` bytes of body into buf. */
static int read_body(PcapngReader *r, size_t n, char *err, size_t elen)
{
    if (n > r->cap) {
        size_t ncap = r->cap ? r->cap : 4096;
        while (ncap < n)
            ncap *= 2;
        uint8_t *nb = mem_realloc(r->acct, r->buf, ncap);
        if (nb == NULL)
            return fail(err, elen, "out of memory for a block of %llu bytes", (unsigned long long)n);
        r->buf = nb;
        r->cap = ncap;
    }
    if (n > 0 && fread(r->buf, 1, n, r->fp) != n)
        return fail(err, elen, "truncated block: %llu bytes expected", (unsigned long long)n);
    return 0;
}

/* Read the next block. Returns 1 with *type and the body in buf
 * (*body_len bytes), 0 at a clean end of file, -1 on error. */
static int next_block(PcapngReader *r, uint32_t *type, size_t *body_len, char *err, size_t elen)
{
    uint8_t hdr[12];
    size_t got = fread(hdr, 1, 8, r->fp);
    if (got == 0)
        return 0;
    if (got != 8)
        return fail(err, elen, "truncated block header (%llu of 8 bytes)", (unsigned long long)got);
    uint32_t t = raw32(true, hdr);
    size_t head = 8;
    if (t == BT_SHB) {
        /* the byte-order magic decides how to read the length */
        if (fread(hdr + 8, 1, 4, r->fp) != 4)
            return fail(err, elen, "truncated section header");
        uint32_t bom = raw32(true, hdr + 8);
        if (bom == BOM)
            r->big_endian = true;
        else if (raw32(false, hdr + 8) == BOM)
            r->big_endian = false;
        else
            return fail(err, elen, "section header with a bad byte-order magic 0x%08x", (unsigned)bom);
        head = 12;
    } else if (!r->in_section) {
        return fail(err, elen, "block of type %u before any section header", (unsigned)t);
    }
    uint32_t total = raw32(r->big_endian, hdr + 4);
    if (!r->big_endian)
        t = raw32(false, hdr);
    if (total < head + 4 || total % 4 != 0)
        return fail(err, elen, "block with a bad length %u", (unsigned)total);
    if (total > PCAPNG_MAX_BLOCK)
        return fail(err, elen, "block of %u bytes, larger than the 16 MiB accepted", (unsigned)total);
    size_t rest = total - head; /* body + trailer */
    if (read_body(r, rest, err, elen) != 0)
        return -1;
    if (raw32(r->big_endian, r->buf + rest - 4) != total)
        return fail(err, elen, "block length %u does not match its trailer", (unsigned)total);
    *type = t;
    *body_len = rest - 4;
    return 1;
}

/* A Section Header body (after the magic): version 1.x; interfaces reset. */
static int parse_shb(PcapngReader *r, size_t len, char *err, size_t elen)
{
    Reader rd = rd_init(r->buf, len);
    uint16_t major = get16(r, &rd);
    (void)get16(r, &rd); /* minor */
    if (!rd_ok(&rd))
        return fail(err, elen, "section header too short (%llu bytes)", (unsigned long long)len);
    if (major != 1)
        return fail(err, elen, "unsupported pcapng major version %u", (unsigned)major);
    r->in_section = true;
    r->n_ifaces = 0;
    return 0;
}

static int parse_idb(PcapngReader *r, size_t len, char *err, size_t elen)
{
    Reader rd = rd_init(r->buf, len);
    Iface ifc;
    memset(&ifc, 0, sizeof ifc);
    ifc.linktype = get16(r, &rd);
    (void)get16(r, &rd);
    ifc.snaplen = get32(r, &rd);
    ifc.res_exp = 6;
    if (!rd_ok(&rd))
        return fail(err, elen, "interface description too short (%llu bytes)", (unsigned long long)len);
    while (rd_left(&rd) >= 4) {
        uint16_t code = get16(r, &rd);
        uint16_t olen = get16(r, &rd);
        if (code == OPT_END)
            break;
        Reader val = rd_sub(&rd, olen);
        rd_skip(&rd, ((size_t)olen + 3u) / 4u * 4u - olen);
        if (!rd_ok(&rd))
            break; /* a cut option list: keep what was read, as libpcap */
        if (code == OPT_IF_TSRESOL && olen >= 1) {
            uint8_t v = rd_u8(&val);
            ifc.res_pow2 = (v & 0x80) != 0;
            ifc.res_exp = v & 0x7f;
            if ((!ifc.res_pow2 && ifc.res_exp > 19) || (ifc.res_pow2 && ifc.res_exp > 63))
                return fail(err, elen, "unsupported time resolution 0x%02x", (unsigned)v);
        } else if (code == OPT_IF_TSOFFSET && olen >= 8) {
            uint32_t a = get32(r, &val), b = get32(r, &val);
            uint64_t u = r->big_endian ? ((uint64_t)a << 32 | b) : ((uint64_t)b << 32 | a);
            ifc.offset_s = u > INT64_MAX ? -(int64_t)(~u) - 1 : (int64_t)u;
        }
    }
    if (r->n_ifaces >= PCAPNG_MAX_IFACES)
        return fail(err, elen, "more than %u interfaces in one section", (unsigned)PCAPNG_MAX_IFACES);
    if (r->n_ifaces == r->cap_ifaces) {
        size_t ncap = r->cap_ifaces ? r->cap_ifaces * 2 : 8;
        Iface *ni = mem_realloc(r->acct, r->ifaces, ncap * sizeof *ni);
        if (ni == NULL)
            return fail(err, elen, "out of memory for interface %llu", (unsigned long long)r->n_ifaces);
        r->ifaces = ni;
        r->cap_ifaces = ncap;
    }
    r->ifaces[r->n_ifaces++] = ifc;
    return 0;
}

/* Time stamp units of an interface to ns since the epoch (clamped). */
static int64_t to_ns(const Iface *ifc, uint64_t ts)
{
    static const uint64_t pow10[20] = {
        1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
        1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
        100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
        1000000000000000000ull, 10000000000000000000ull,
    };
    uint64_t sec, ns;
    unsigned e = ifc->res_exp;
    if (!ifc->res_pow2) {
        uint64_t ups = pow10[e];
        sec = ts / ups;
        uint64_t frac = ts % ups;
        ns = e >= 9 ? frac / pow10[e - 9] : frac * pow10[9 - e];
    } else {
        sec = e == 0 ? ts : ts >> e;
        uint64_t frac = e == 0 ? 0 : ts & ((UINT64_C(1) << e) - 1);
        ns = e <= 30 ? (frac * 1000000000ull) >> e : ((frac >> (e - 30)) * 1000000000ull) >> 30;
    }
    /* |lim| is about 9.2e9 s, so s + off cannot overflow before clamping */
    const int64_t lim = INT64_MAX / 1000000000 - 8;
    int64_t s = sec > (uint64_t)lim ? lim : (int64_t)sec;
    int64_t off = ifc->offset_s > lim ? lim : ifc->offset_s < -lim ? -lim : ifc->offset_s;
    s += off;
    s = s > lim ? lim : s < -lim ? -lim : s;
    return s * 1000000000 + (int64_t)ns;
}

static const Iface *iface(const PcapngReader *r, uint32_t id) { return id < r->n_ifaces ? &r->ifaces[id] : NULL; }

/* ------------------------------------------------------------------ */
/* public                                                             */
/* ------------------------------------------------------------------ */

PcapngReader *pcapng_open(FILE *fp, MemAccount *acct, char *err, size_t err_len)
{
    PcapngReader *r = mem_calloc(acct, 1, sizeof *r);
    if (r == NULL) {
        fclose(fp);
        fail(err, err_len, "out of memory");
        return NULL;
    }
    r->fp = fp;
    r->acct = acct;
    /* the first block must be a section header */
    uint32_t type = 0;
    size_t len = 0;
    int rc = next_block(r, &type, &len, err, err_len);
    if (rc == 0)
        fail(err, err_len, "empty file");
    else if (rc > 0 && type != BT_SHB)
        fail(err, err_len, "first block is not a section header");
    else if (rc > 0 && parse_shb(r, len, err, err_len) == 0)
        return r;
    pcapng_close(r);
    return NULL;
}

int pcapng_next(PcapngReader *r, PcapngRecord *rec, char *err, size_t err_len)
{
    for (;;) {
        uint32_t type = 0;
        size_t len = 0;
        int rc = next_block(r, &type, &len, err, err_len);
        if (rc <= 0)
            return rc;
        Reader rd = rd_init(r->buf, len);
        const Iface *ifc;
        uint32_t caplen, wirelen;
        uint64_t ts;
        switch (type) {
        case BT_SHB:
            if (parse_shb(r, len, err, err_len) != 0)
                return -1;
            continue;
        case BT_IDB:
            if (parse_idb(r, len, err, err_len) != 0)
                return -1;
            continue;
        case BT_EPB:
        case BT_OPB: {
            uint32_t id;
            if (type == BT_EPB) {
                id = get32(r, &rd);
            } else {
                id = get16(r, &rd);
                (void)get16(r, &rd); /* drops count */
            }
            uint32_t hi = get32(r, &rd), lo = get32(r, &rd);
            caplen = get32(r, &rd);
            wirelen = get32(r, &rd);
            if (!rd_ok(&rd))
                return fail(err, err_len, "packet block too short (%llu bytes)", (unsigned long long)len);
            ifc = iface(r, id);
            if (ifc == NULL)
                return fail(err, err_len, "packet for interface %u, which was not described", (unsigned)id);
            ts = (uint64_t)hi << 32 | lo;
            break;
        }
        case BT_SPB:
            wirelen = get32(r, &rd);
            ifc = iface(r, 0);
            if (!rd_ok(&rd))
                return fail(err, err_len, "simple packet block too short (%llu bytes)", (unsigned long long)len);
            if (ifc == NULL)
                return fail(err, err_len, "simple packet block before any interface");
            caplen = wirelen;
            if (caplen > rd_left(&rd))
                caplen = (uint32_t)rd_left(&rd);
            if (ifc->snaplen != 0 && caplen > ifc->snaplen)
                caplen = ifc->snaplen;
            ts = 0; /* a simple packet has no time stamp */
            break;
        default:
            continue; /* name resolution, statistics, custom, ...: not needed */
        }
        const uint8_t *data = rd_span(&rd, caplen);
        if (data == NULL)
            return fail(err, err_len, "captured length %u goes past the end of its block", (unsigned)caplen);
        rec->data = data;
        rec->caplen = caplen;
        rec->wirelen = wirelen;
        rec->datalink = ifc->linktype;
        rec->ts_ns = to_ns(ifc, ts);
        return 1;
    }
}

FILE *pcapng_stream(const PcapngReader *r) { return r->fp; }

void pcapng_close(PcapngReader *r)
{
    if (r == NULL)
        return;
    if (r->fp != NULL)
        fclose(r->fp);
    mem_free(r->acct, r->buf);
    mem_free(r->acct, r->ifaces);
    mem_free(r->acct, r);
}
