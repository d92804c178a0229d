/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * defrag.c: IPv4 and IPv6 fragment reassembly with a memory cap, a timeout
 * and a per-datagram fragment limit (limits in defrag.h).
 *
 * Where it sits: ipv4.c / ipv6.c call decode_defrag_add() for each fully
 * captured fragment; when a datagram completes, a pseudo packet holding it
 * (raw IP, PKT_IS_REASSEMBLED) is decoded and joins the chain that
 * decode_packet returns. The fragments themselves stay PKT_IS_FRAGMENT and
 * are not decoded past IP.
 *
 * Datagram key: IPv4 (src, dst, protocol, identification) as RFC 791 s3.2;
 * IPv6 (src, dst, 32-bit identification) as RFC 8200 s4.5; both plus the
 * VLAN ids, so the same addresses on two VLANs never mix.
 *
 * OVERLAP POLICY: "bsd", Suricata's default (after Novak's target-based
 * reassembly paper): where fragments overlap, the bytes of the fragment
 * with the LOWER OFFSET win; between fragments with the SAME offset, the
 * one that ARRIVED FIRST wins. In pairwise terms, as Suricata states it:
 * the original data is kept unless the new fragment begins before the
 * original one. Every overlap is the event ipv4.frag_overlap /
 * ipv6.frag_overlap on the fragment that caused it. Fragments are kept
 * sorted by (offset, arrival), so reassembly is one pass that copies each
 * fragment's bytes beyond what earlier (winning) fragments covered.
 *
 * The datagram's end is fixed by the first fragment with MF clear; bytes
 * of later fragments past that end are dropped. The IPv4 header (and the
 * IPv6 unfragmentable part) comes from the offset-0 fragment; the IPv4
 * header is rewritten with the new total length, no MF/offset and a fresh
 * checksum; the IPv6 one with the new payload length and the fragment
 * header removed.
 *
 * Invariants: every byte held is charged to ctx->defrag_acct; the age list
 * is in creation order, so expiry stops at the first young tracker;
 * fragments inside a reassembled datagram are not reassembled again (no
 * unbounded recursion).
 */
#include "decode/defrag.h"

#include <string.h>

#include "decode/decode_int.h"

typedef struct Frag {
    struct Frag *next;     /* sorted by (off, seq) */
    uint32_t off, len;     /* bytes of the datagram's payload */
    uint32_t seq;          /* arrival order */
    uint8_t data[];
} Frag;

typedef struct Tracker {
    struct Tracker *hnext;
    struct Tracker *aprev, *anext; /* age list */
    uint32_t hash;
    uint8_t ip_ver, proto, n_vlan;
    IpAddr src, dst;
    uint32_t id;
    uint16_t vlan_id[PKT_MAX_VLAN];
    int64_t first_ns;
    uint32_t n_frags, next_seq;
    bool seen_last;
    uint32_t end;          /* payload length, once the last fragment is seen */
    Frag *frags;
    uint8_t *hdr;          /* IPv4 header / IPv6 unfragmentable part */
    uint32_t hdr_len;
    uint32_t nh_pos;       /* IPv6: offset in hdr of the Next Header to patch */
    uint8_t next_hdr;      /* IPv6: protocol after the fragment header */
} Tracker;

struct DefragTable {
    Tracker *buckets[DEFRAG_HASH_SIZE];
    Tracker *oldest, *youngest;
};

struct DefragTable *decode_defrag_new(DecodeCtx *ctx)
{
    (void)ctx;
    /* Not charged to defrag_acct: the table is fixed overhead, and a tiny
     * memcap must refuse datagrams, not the decoder. */
    return mem_calloc(NULL, 1, sizeof(struct DefragTable));
}

static void tracker_free(DecodeCtx *ctx, Tracker *t)
{
    Frag *f = t->frags;
    while (f != NULL) {
        Frag *n = f->next;
        mem_free(&ctx->defrag_acct, f);
        f = n;
    }
    mem_free(&ctx->defrag_acct, t->hdr);
    mem_free(&ctx->defrag_acct, t);
}

/* Unlink t from its bucket and the age list, and free it. */
static void tracker_drop(DecodeCtx *ctx, Tracker *t)
{
    struct DefragTable *tb = ctx->defrag;
    Tracker **pp = &tb->buckets[t->hash & (DEFRAG_HASH_SIZE - 1)];
    while (*pp != NULL && *pp != t)
        pp = &(*pp)->hnext;
    if (*pp == t)
        *pp = t->hnext;
    if (t->aprev != NULL)
        t->aprev->anext = t->anext;
    else
        tb->oldest = t->anext;
    if (t->anext != NULL)
        t->anext->aprev = t->aprev;
    else
        tb->youngest = t->aprev;
    tracker_free(ctx, t);
}

void decode_defrag_free(DecodeCtx *ctx, struct DefragTable *tb)
{
    if (tb == NULL)
        return;
    Tracker *t = tb->oldest;
    while (t != NULL) {
        Tracker *n = t->anext;
        tracker_free(ctx, t);
        t = n;
    }
    mem_free(NULL, tb);
}

static bool expired(const DecodeCtx *ctx, const Tracker *t, int64_t now_ns)
{
    /* unsigned difference: capture times are untrusted and may be extreme */
    return now_ns > t->first_ns &&
           (uint64_t)now_ns - (uint64_t)t->first_ns > (uint64_t)ctx->cfg.defrag_timeout_s * 1000000000u;
}

static void count_timeout(DecodeCtx *ctx, const Tracker *t)
{
    dec_count(ctx, t->ip_ver == 4 ? DEC_CTR_TIMEOUT4 : DEC_CTR_TIMEOUT6);
}

void decode_defrag_timeout(DecodeCtx *ctx, int64_t now_ns)
{
    while (ctx->defrag->oldest != NULL && expired(ctx, ctx->defrag->oldest, now_ns)) {
        count_timeout(ctx, ctx->defrag->oldest);
        tracker_drop(ctx, ctx->defrag->oldest);
    }
}

static uint32_t key_hash(const Packet *p, uint32_t id)
{
    uint32_t h = 2166136261u;
    int n = p->ip_ver == 6 ? 16 : 4;
    for (int i = 0; i < n; i++) {
        h = (h ^ p->src.b[i]) * 16777619u;
        h = (h ^ p->dst.b[i]) * 16777619u;
    }
    h = (h ^ id) * 16777619u;
    h = (h ^ (uint32_t)(p->ip_ver == 4 ? p->ip_proto : 0)) * 16777619u;
    for (uint8_t i = 0; i < p->n_vlan && i < PKT_MAX_VLAN; i++)
        h = (h ^ p->vlan_id[i]) * 16777619u;
    return h ^ (h >> 15);
}

static bool key_match(const Tracker *t, const Packet *p, uint32_t id, uint32_t hash)
{
    if (t->hash != hash || t->ip_ver != p->ip_ver || t->id != id || t->n_vlan != p->n_vlan)
        return false;
    if (p->ip_ver == 4 && t->proto != p->ip_proto)
        return false;
    if (memcmp(&t->src, &p->src, sizeof t->src) != 0 || memcmp(&t->dst, &p->dst, sizeof t->dst) != 0)
        return false;
    for (uint8_t i = 0; i < p->n_vlan && i < PKT_MAX_VLAN; i++)
        if (t->vlan_id[i] != p->vlan_id[i])
            return false;
    return true;
}

static void frag_event(DecodeCtx *ctx, Packet *p, DecodeEvent v4, DecodeEvent v6)
{
    decode_event_set(ctx, p, p->ip_ver == 4 ? v4 : v6);
}

/* Build, decode and chain the datagram of complete tracker t, then drop t. */
static void reassemble(DecodeCtx *ctx, Packet *p, Tracker *t)
{
    uint32_t size = t->hdr_len + t->end;
    /* Each fragment was size-checked with its own header length, but the
     * header kept is the offset-0 fragment's, which may be longer (IPv4
     * options, IPv6 extension headers): the datagram can still overflow the
     * 16-bit length field, which would be written wrapped. Drop it as too
     * large. (Found by tests/fuzz/fuzz_defrag; reproducer in its corpus.) */
    if (size > (t->ip_ver == 4 ? 65535u : 65535u + 40)) {
        frag_event(ctx, p, PKT_EV_IPV4_FRAG_PKT_TOO_LARGE, PKT_EV_IPV6_FRAG_PKT_TOO_LARGE);
        tracker_drop(ctx, t);
        return;
    }
    uint8_t *buf = mem_alloc(&ctx->pseudo_acct, size);
    Packet *q = buf != NULL ? decode_pseudo_new(ctx) : NULL;
    if (q == NULL) {
        mem_free(&ctx->pseudo_acct, buf);
        frag_event(ctx, p, PKT_EV_IPV4_FRAG_IGNORED, PKT_EV_IPV6_FRAG_IGNORED);
        tracker_drop(ctx, t);
        return;
    }
    memcpy(buf, t->hdr, t->hdr_len);
    uint8_t *data = buf + t->hdr_len;
    uint32_t covered = 0;
    for (const Frag *f = t->frags; f != NULL && covered < t->end; f = f->next) {
        uint32_t fend = f->off + f->len;
        if (fend <= covered)
            continue;
        uint32_t start = f->off > covered ? f->off : covered;
        uint32_t stop = fend < t->end ? fend : t->end;
        if (stop > start)
            memcpy(data + start, f->data + (start - f->off), stop - start);
        covered = stop;
    }
    if (t->ip_ver == 4) {
        buf[2] = (uint8_t)(size >> 8);
        buf[3] = (uint8_t)size;
        buf[6] &= 0x40; /* keep DF; clear RF, MF and the offset */
        buf[7] = 0;
        buf[10] = buf[11] = 0;
        Reader c = rd_init(buf, t->hdr_len);
        uint16_t sum = (uint16_t)~decode_csum_fold(decode_csum_add(0, &c));
        buf[10] = (uint8_t)(sum >> 8);
        buf[11] = (uint8_t)sum;
        dec_count(ctx, DEC_CTR_REASM4);
    } else {
        uint32_t plen = size - 40;
        buf[4] = (uint8_t)(plen >> 8);
        buf[5] = (uint8_t)plen;
        buf[t->nh_pos] = t->next_hdr;
        dec_count(ctx, DEC_CTR_REASM6);
    }
    uint8_t ver = t->ip_ver;
    tracker_drop(ctx, t);

    q->data = buf;
    q->owned = buf;
    q->caplen = q->wirelen = size;
    q->datalink = ver == 4 ? DECODE_DLT_IPV4 : DECODE_DLT_IPV6;
    q->ts_ns = p->ts_ns;
    q->pcap_cnt = p->pcap_cnt;
    q->flags = PKT_IS_REASSEMBLED | PKT_IS_PSEUDO |
               (p->flags & (PKT_HAS_ETH | PKT_HAS_VLAN | PKT_IS_TUNNEL_INNER));
    memcpy(q->eth_src, p->eth_src, sizeof q->eth_src);
    memcpy(q->eth_dst, p->eth_dst, sizeof q->eth_dst);
    q->eth_type = p->eth_type;
    memcpy(q->vlan_id, p->vlan_id, sizeof q->vlan_id);
    q->n_vlan = p->n_vlan;
    q->tunnel_depth = p->tunnel_depth;
    q->tcp_wscale = 0xff;
    decode_chain_add(ctx, q);
    Reader r = rd_init(buf, size);
    if (ver == 4)
        (void)decode_ipv4(ctx, q, r, 0);
    else
        (void)decode_ipv6(ctx, q, r, 0);
}

/* Save the header part of the offset-0 fragment. false on memcap refusal. */
static bool save_header(DecodeCtx *ctx, Packet *p, Tracker *t, uint32_t unfrag_len,
                        uint32_t nh_pos)
{
    uint32_t n = p->ip_ver == 4 ? p->ip_hlen : unfrag_len;
    uint8_t *h = mem_alloc(&ctx->defrag_acct, n);
    if (h == NULL)
        return false;
    Reader r = rd_init(p->data, p->caplen);
    if (!rd_seek(&r, p->l3_off) || !rd_copy(&r, h, n) || (p->ip_ver == 6 && nh_pos >= n)) {
        mem_free(&ctx->defrag_acct, h);
        return true; /* cannot happen for a fragment ipv4/ipv6.c accepted */
    }
    t->hdr = h;
    t->hdr_len = n;
    t->nh_pos = nh_pos;
    return true;
}

void decode_defrag_add(DecodeCtx *ctx, Packet *p, Reader frag, uint32_t id,
                       uint32_t unfrag_len, uint32_t nh_pos, uint8_t next_hdr)
{
    if (p->flags & PKT_IS_REASSEMBLED) {
        frag_event(ctx, p, PKT_EV_IPV4_FRAG_IGNORED, PKT_EV_IPV6_FRAG_IGNORED);
        return;
    }
    decode_defrag_timeout(ctx, p->ts_ns);

    uint32_t off = (uint32_t)p->frag_off * 8;
    uint32_t len = (uint32_t)rd_left(&frag);
    bool mf = (p->frag_flags & 1) != 0;
    uint32_t hdr = p->ip_ver == 4 ? p->ip_hlen : unfrag_len;
    /* IPv4 total length and IPv6 payload length are 16 bits. */
    uint32_t limit = p->ip_ver == 4 ? 65535 : 65535 + 40;
    if (hdr + off + len > limit) {
        frag_event(ctx, p, PKT_EV_IPV4_FRAG_PKT_TOO_LARGE, PKT_EV_IPV6_FRAG_PKT_TOO_LARGE);
        return;
    }

    uint32_t hash = key_hash(p, id);
    struct DefragTable *tb = ctx->defrag;
    Tracker *t = tb->buckets[hash & (DEFRAG_HASH_SIZE - 1)];
    while (t != NULL && !key_match(t, p, id, hash))
        t = t->hnext;
    if (t == NULL) {
        t = mem_calloc(&ctx->defrag_acct, 1, sizeof *t);
        if (t == NULL) {
            dec_count(ctx, DEC_CTR_MAX_TRACKERS);
            frag_event(ctx, p, PKT_EV_IPV4_FRAG_IGNORED, PKT_EV_IPV6_FRAG_IGNORED);
            return;
        }
        t->hash = hash;
        t->ip_ver = p->ip_ver;
        t->proto = p->ip_ver == 4 ? p->ip_proto : 0;
        t->src = p->src;
        t->dst = p->dst;
        t->id = id;
        t->n_vlan = p->n_vlan;
        memcpy(t->vlan_id, p->vlan_id, sizeof t->vlan_id);
        t->first_ns = p->ts_ns;
        t->hnext = tb->buckets[hash & (DEFRAG_HASH_SIZE - 1)];
        tb->buckets[hash & (DEFRAG_HASH_SIZE - 1)] = t;
        t->aprev = tb->youngest;
        if (tb->youngest != NULL)
            tb->youngest->anext = t;
        else
            tb->oldest = t;
        tb->youngest = t;
    }

    if (t->n_frags >= ctx->cfg.defrag_max_frags) {
        dec_count(ctx, DEC_CTR_MAX_FRAGS);
        frag_event(ctx, p, PKT_EV_IPV4_FRAG_IGNORED, PKT_EV_IPV6_FRAG_IGNORED);
        tracker_drop(ctx, t);
        return;
    }
    for (const Frag *f = t->frags; f != NULL; f = f->next) {
        if (f->off < off + len && off < f->off + f->len) {
            frag_event(ctx, p, PKT_EV_IPV4_FRAG_OVERLAP, PKT_EV_IPV6_FRAG_OVERLAP);
            break;
        }
    }

    Frag *nf = mem_alloc(&ctx->defrag_acct, sizeof *nf + len);
    if (nf == NULL || (off == 0 && t->hdr == NULL && !save_header(ctx, p, t, unfrag_len, nh_pos))) {
        mem_free(&ctx->defrag_acct, nf);
        dec_count(ctx, DEC_CTR_DEFRAG_MEMCAP);
        frag_event(ctx, p, PKT_EV_IPV4_FRAG_IGNORED, PKT_EV_IPV6_FRAG_IGNORED);
        tracker_drop(ctx, t);
        return;
    }
    if (off == 0 && p->ip_ver == 6)
        t->next_hdr = next_hdr;
    nf->off = off;
    nf->len = len;
    nf->seq = t->next_seq++;
    rd_copy(&frag, nf->data, len);
    /* Insert after every fragment with offset <= off: same-offset
     * fragments stay in arrival order, so the first one wins. */
    Frag **pp = &t->frags;
    while (*pp != NULL && (*pp)->off <= off)
        pp = &(*pp)->next;
    nf->next = *pp;
    *pp = nf;
    t->n_frags++;
    if (!mf && !t->seen_last) {
        t->seen_last = true;
        t->end = off + len;
    }

    if (!t->seen_last || t->hdr == NULL)
        return;
    uint32_t covered = 0;
    for (const Frag *f = t->frags; f != NULL; f = f->next) {
        if (f->off > covered)
            return; /* a hole */
        if (f->off + f->len > covered)
            covered = f->off + f->len;
        if (covered >= t->end)
            break;
    }
    if (covered >= t->end)
        reassemble(ctx, p, t);
}
