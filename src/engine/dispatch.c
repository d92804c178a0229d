/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dispatch.c: the reader's symmetric frame hash (see dispatch.h for why the
 * outer address pair).
 *
 * Walks just enough of the frame to find the outer IP header: DLT_EN10MB
 * with 802.1Q / 802.1ad / QinQ tags, MPLS label stacks and PPPoE sessions;
 * raw IP; BSD/OpenBSD loopback; Linux cooked v1 and v2. Specs: IEEE 802.1Q,
 * RFC 3032 (MPLS), RFC 2516 (PPPoE), RFC 791 / 8200 (IP), RFC 792 / 4443
 * (ICMP errors quote the offending header 8 bytes into the message).
 */
#include "engine/dispatch.h"

#include <stdbool.h>
#include <string.h>

#include "lib/reader.h"

enum {
    DLT_NULL_ = 0, DLT_EN10MB_ = 1, DLT_RAW_ = 12, DLT_RAW_OBSD_ = 14, DLT_LT_RAW_ = 101,
    DLT_LOOP_ = 108, DLT_SLL_ = 113, DLT_IPV4_ = 228, DLT_IPV6_ = 229, DLT_SLL2_ = 276,
};

#define MAX_TAGS 8 /* VLAN tags or MPLS labels walked before giving up */

/* The two addresses found (16 bytes each, IPv4 in the first 4). */
typedef struct Pair {
    uint8_t a[16], b[16];
} Pair;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

static uint32_t hash_pair(const Pair *p)
{
    const uint8_t *lo = p->a, *hi = p->b;
    if (memcmp(lo, hi, 16) > 0) {
        lo = p->b;
        hi = p->a;
    }
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15);
    for (int i = 0; i < 16; i += 8) {
        uint64_t x = 0, y = 0;
        for (int k = 0; k < 8; k++) {
            x = x << 8 | lo[i + k];
            y = y << 8 | hi[i + k];
        }
        h = mix64(h ^ x);
        h = mix64(h ^ y);
    }
    uint32_t v = (uint32_t)(h ^ (h >> 32));
    return v != 0 ? v : 1; /* 0 means "no IP header" */
}

static bool icmp4_error(uint8_t type)
{
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* The quoted IPv4 header of an ICMPv4 error at r (the ICMP header). */
static bool quoted_v4(Reader r, Pair *out)
{
    if (!rd_skip(&r, 8))
        return false;
    uint8_t vhl = rd_peek_u8(&r, rd_pos(&r));
    if (!rd_ok(&r) || vhl >> 4 != 4 || !rd_skip(&r, 12))
        return false;
    memset(out, 0, sizeof *out);
    return rd_copy(&r, out->a, 4) && rd_copy(&r, out->b, 4);
}

static bool quoted_v6(Reader r, Pair *out)
{
    if (!rd_skip(&r, 8))
        return false;
    uint8_t v = rd_peek_u8(&r, rd_pos(&r));
    if (!rd_ok(&r) || v >> 4 != 6 || !rd_skip(&r, 8))
        return false;
    return rd_copy(&r, out->a, 16) && rd_copy(&r, out->b, 16);
}

static bool ipv4_pair(Reader r, Pair *out)
{
    uint8_t vhl = rd_u8(&r);
    if (!rd_ok(&r) || vhl >> 4 != 4)
        return false;
    size_t hlen = (size_t)(vhl & 0x0f) * 4;
    rd_skip(&r, 5);
    uint16_t fo = rd_be16(&r);
    rd_skip(&r, 1);
    uint8_t proto = rd_u8(&r);
    rd_skip(&r, 2);
    memset(out, 0, sizeof *out);
    rd_copy(&r, out->a, 4);
    rd_copy(&r, out->b, 4);
    if (!rd_ok(&r))
        return false;
    /* an ICMP error (first fragment only: later ones have no ICMP header) */
    if (proto == 1 && (fo & 0x1fff) == 0 && hlen >= 20 && rd_skip(&r, hlen - 20)) {
        uint8_t type = rd_peek_u8(&r, rd_pos(&r));
        Pair q;
        if (rd_ok(&r) && icmp4_error(type) && quoted_v4(r, &q))
            *out = q;
    }
    return true;
}

static bool ipv6_pair(Reader r, Pair *out)
{
    uint8_t v = rd_peek_u8(&r, rd_pos(&r));
    if (!rd_ok(&r) || v >> 4 != 6 || !rd_skip(&r, 6))
        return false;
    uint8_t nh = rd_u8(&r);
    rd_skip(&r, 1);
    rd_copy(&r, out->a, 16);
    rd_copy(&r, out->b, 16);
    if (!rd_ok(&r))
        return false;
    /* walk hop-by-hop, routing and destination options to an ICMPv6 error;
     * a fragment header stops the walk (not first-fragment-safe) */
    for (int i = 0; i < MAX_TAGS && (nh == 0 || nh == 43 || nh == 60); i++) {
        nh = rd_peek_u8(&r, rd_pos(&r));
        size_t l = ((size_t)rd_peek_u8(&r, rd_pos(&r) + 1) + 1) * 8;
        if (!rd_ok(&r) || !rd_skip(&r, l))
            return true;
    }
    if (nh == 58) {
        uint8_t type = rd_peek_u8(&r, rd_pos(&r));
        Pair q;
        if (rd_ok(&r) && type < 128 && quoted_v6(r, &q)) /* RFC 4443 2.1 */
            *out = q;
    }
    return true;
}

/* By ethertype, after link headers. */
static bool ether_pair(Reader r, uint16_t type, Pair *out)
{
    for (int i = 0; i < MAX_TAGS; i++) {
        switch (type) {
        case 0x0800:
            return ipv4_pair(r, out);
        case 0x86dd:
            return ipv6_pair(r, out);
        case 0x8100: case 0x88a8: case 0x9100:
            rd_skip(&r, 2);
            type = rd_be16(&r);
            if (!rd_ok(&r))
                return false;
            continue;
        case 0x8847: {
            for (int k = 0; k < MAX_TAGS; k++) {
                uint32_t lbl = rd_be32(&r);
                if (!rd_ok(&r))
                    return false;
                if (lbl & 0x100) { /* bottom of stack: guess by the version nibble */
                    uint8_t v = rd_peek_u8(&r, rd_pos(&r));
                    if (!rd_ok(&r))
                        return false;
                    return v >> 4 == 4 ? ipv4_pair(r, out) : v >> 4 == 6 ? ipv6_pair(r, out) : false;
                }
            }
            return false;
        }
        case 0x8864: {
            rd_skip(&r, 6);
            uint16_t ppp = rd_be16(&r);
            if (!rd_ok(&r))
                return false;
            return ppp == 0x0021 ? ipv4_pair(r, out) : ppp == 0x0057 ? ipv6_pair(r, out) : false;
        }
        default:
            return false;
        }
    }
    return false;
}

static bool raw_pair(Reader r, Pair *out)
{
    uint8_t v = rd_peek_u8(&r, rd_pos(&r));
    if (!rd_ok(&r))
        return false;
    return v >> 4 == 4 ? ipv4_pair(r, out) : v >> 4 == 6 ? ipv6_pair(r, out) : false;
}

uint32_t dispatch_hash(const uint8_t *buf, size_t len, int datalink)
{
    Reader r = rd_init(buf, len);
    Pair p;
    memset(&p, 0, sizeof p);
    bool ok = false;
    switch (datalink) {
    case DLT_EN10MB_: {
        rd_skip(&r, 12);
        uint16_t type = rd_be16(&r);
        ok = rd_ok(&r) && ether_pair(r, type, &p);
        break;
    }
    case DLT_RAW_: case DLT_RAW_OBSD_: case DLT_LT_RAW_: case DLT_IPV4_: case DLT_IPV6_:
        ok = raw_pair(r, &p);
        break;
    case DLT_NULL_: case DLT_LOOP_:
        /* the address family says IPv4 or IPv6; the version nibble is as good */
        ok = rd_skip(&r, 4) && raw_pair(r, &p);
        break;
    case DLT_SLL_: {
        rd_skip(&r, 14);
        uint16_t type = rd_be16(&r);
        ok = rd_ok(&r) && ether_pair(r, type, &p);
        break;
    }
    case DLT_SLL2_: {
        uint16_t type = rd_be16(&r);
        ok = rd_ok(&r) && rd_skip(&r, 18) && ether_pair(r, type, &p);
        break;
    }
    default:
        break;
    }
    return ok ? hash_pair(&p) : 0;
}
