/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * features.c: packet -> 100 Kitsune features (see features.h).
 *
 * Spec: ../shared/KITSUNE.md sections 1 and 3 (Kitsune-py FeatureExtractor.py
 * and netStat.py over tshark's `-E occurrence=f` field export).
 * Invariants: keys are built in fixed stack buffers (AI_KEY_MAX); nothing is
 * allocated here except by the tables for new streams and links.
 */
#include "anomaly/features.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct FeatCtx {
    FeatConfig cfg;
    MemAccount *acct;
    AiDb *mi, *hh, *jit, *hp;
};

FeatCtx *feat_ctx_new(const FeatConfig *cfg, MemAccount *acct)
{
    FeatCtx *fc = mem_calloc(acct, 1, sizeof(*fc));
    if (fc == NULL)
        return NULL;
    fc->cfg = *cfg;
    fc->acct = acct;
    AiConfig ac = {.exact_pow = cfg->exact, .jitter = false, .max_links = cfg->max_links,
                   .evict_weight = cfg->evict_weight, .pair_links = cfg->pair_links};
    fc->mi = ai_db_new(&ac, acct);
    fc->hh = ai_db_new(&ac, acct);
    fc->hp = ai_db_new(&ac, acct);
    ac.jitter = true;
    fc->jit = ai_db_new(&ac, acct);
    if (fc->mi == NULL || fc->hh == NULL || fc->hp == NULL || fc->jit == NULL) {
        feat_ctx_free(fc);
        return NULL;
    }
    return fc;
}

void feat_ctx_free(FeatCtx *fc)
{
    if (fc == NULL)
        return;
    ai_db_free(fc->mi);
    ai_db_free(fc->hh);
    ai_db_free(fc->jit);
    ai_db_free(fc->hp);
    mem_free(fc->acct, fc);
}

double feat_packet_time(const Packet *p, bool exact)
{
    int64_t sec = p->ts_ns / 1000000000, nsec = p->ts_ns % 1000000000;
    if (nsec < 0) {
        nsec += 1000000000;
        sec -= 1;
    }
    if (!exact)
        return (double)sec + (double)nsec * 1e-9;
    /* tshark prints frame.time_epoch as sec.nnnnnnnnn; Python's float() rounds
     * that decimal correctly, and so does strtod. */
    char buf[48];
    snprintf(buf, sizeof(buf), "%lld.%09lld", (long long)sec, (long long)nsec);
    return strtod(buf, NULL);
}

/* ---- key building ---- */

typedef struct KeyBuf {
    uint8_t b[AI_KEY_MAX];
    size_t len;
} KeyBuf;

static void kb_put(KeyBuf *k, const void *p, size_t n)
{
    if (n > AI_KEY_MAX - k->len)
        n = AI_KEY_MAX - k->len;
    memcpy(k->b + k->len, p, n);
    k->len += n;
}

static void kb_cat(KeyBuf *k, const KeyBuf *o) { kb_put(k, o->b, o->len); }

static void text_mac(KeyBuf *k, const uint8_t *m)
{
    char s[18];
    snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    kb_put(k, s, 17);
}

static void text_ip4(KeyBuf *k, const uint8_t *a)
{
    char s[16];
    int n = snprintf(s, sizeof(s), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    kb_put(k, s, (size_t)n);
}

static void text_ip6(KeyBuf *k, const uint8_t *a)
{
    char s[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, a, s, sizeof(s)) != NULL)
        kb_put(k, s, strlen(s));
}

static void text_port(KeyBuf *k, uint16_t port)
{
    char s[8];
    int n = snprintf(s, sizeof(s), "%u", (unsigned)port);
    kb_put(k, s, (size_t)n);
}

/* Binary entity tags (default mode): an address kind, then its bytes. */
enum { ENT_NONE = 0, ENT_IP4 = 4, ENT_IP6 = 6, ENT_MAC = 'M' };
enum { PROTO_NONE = 0, PROTO_TCP = 'T', PROTO_UDP = 'U', PROTO_ICMP = 'I', PROTO_ARP = 'A' };

static void bin_ent(KeyBuf *k, uint8_t kind, const uint8_t *p, size_t n)
{
    kb_put(k, &kind, 1);
    kb_put(k, p, n);
}

/* The reference's view of one frame. */
typedef struct View {
    bool has_mac;
    const uint8_t *smac, *dmac;
    int ip;                  /* ENT_IP4, ENT_IP6, ENT_MAC (no IP: MACs stand in), ENT_NONE */
    const uint8_t *sip, *dip;
    int proto;               /* PROTO_NONE, PROTO_ICMP, PROTO_ARP, or PROTO_TCP for ports */
    const FeatLayers *l;     /* which ports (tcp and/or udp) */
} View;

/* Record the TCP/UDP ports of one layer set (p's own transport first, then
 * the header an ICMP error quotes), keeping earlier occurrences. */
static void layers_take(FeatLayers *l, const Packet *p)
{
    if (pkt_has(p, PKT_HAS_TCP) && !l->tcp) {
        l->tcp = true;
        l->tcp_sp = p->sp, l->tcp_dp = p->dp;
    }
    if (pkt_has(p, PKT_HAS_UDP) && !l->udp) {
        l->udp = true;
        l->udp_sp = p->sp, l->udp_dp = p->dp;
    }
    if (pkt_has(p, PKT_HAS_ICMP_INNER) && p->icmp_inner.has_ports) {
        const IcmpInner *in = &p->icmp_inner;
        if (in->proto == 6 && !l->tcp) {
            l->tcp = true;
            l->tcp_sp = in->sp, l->tcp_dp = in->dp;
        } else if (in->proto == 17 && !l->udp) {
            l->udp = true;
            l->udp_sp = in->sp, l->udp_dp = in->dp;
        }
    }
    if (pkt_has(p, PKT_HAS_ICMPV4))
        l->icmp4 = true;
    if (pkt_has(p, PKT_HAS_IPV4) && !l->ip4) {
        l->ip4 = true;
        l->ip4_src = p->src, l->ip4_dst = p->dst;
    }
    if (pkt_has(p, PKT_HAS_IPV6) && !l->ip6) {
        l->ip6 = true;
        l->ip6_src = p->src, l->ip6_dst = p->dst;
    }
}

void feat_layers_init(FeatLayers *l, const Packet *frame)
{
    memset(l, 0, sizeof(*l));
    layers_take(l, frame);
}

void feat_layers_add(FeatLayers *l, const Packet *inner) { layers_take(l, inner); }

static void view_of(const Packet *p, const FeatLayers *l, View *v)
{
    static const uint8_t zero[16];
    memset(v, 0, sizeof(*v));
    v->l = l;
    v->has_mac = pkt_has(p, PKT_HAS_ETH);
    v->smac = v->has_mac ? p->eth_src : zero;
    v->dmac = v->has_mac ? p->eth_dst : zero;
    if (l->ip4) {
        v->ip = ENT_IP4;
        v->sip = l->ip4_src.b;
        v->dip = l->ip4_dst.b;
    } else if (l->ip6) {
        v->ip = ENT_IP6;
        v->sip = l->ip6_src.b;
        v->dip = l->ip6_dst.b;
    }
    if (l->tcp || l->udp) {
        v->proto = PROTO_TCP;
    } else if (pkt_has(p, PKT_HAS_ARP)) {
        v->proto = PROTO_ARP;
        v->ip = ENT_IP4;
        v->sip = p->arp_spa;
        v->dip = p->arp_tpa;
    } else if (l->icmp4) {
        v->proto = PROTO_ICMP;
    } else if (v->ip == ENT_NONE) {
        v->ip = ENT_MAC;
        v->sip = v->smac;
        v->dip = v->dmac;
    }
}

static void key_ip(KeyBuf *k, const View *v, bool src, bool text)
{
    const uint8_t *a = src ? v->sip : v->dip;
    if (text) {
        switch (v->ip) {
        case ENT_IP4: text_ip4(k, a); break;
        case ENT_IP6: text_ip6(k, a); break;
        case ENT_MAC:
            if (v->has_mac)
                text_mac(k, a);
            break;
        default: break;
        }
        return;
    }
    switch (v->ip) {
    case ENT_IP4: bin_ent(k, ENT_IP4, a, 4); break;
    case ENT_IP6: bin_ent(k, ENT_IP6, a, 16); break;
    case ENT_MAC: bin_ent(k, ENT_MAC, a, 6); break;
    default: bin_ent(k, ENT_NONE, a, 0); break;
    }
}

static void key_mac(KeyBuf *k, const View *v, bool src, bool text)
{
    const uint8_t *m = src ? v->smac : v->dmac;
    if (text) {
        if (v->has_mac)
            text_mac(k, m);
    } else {
        bin_ent(k, v->has_mac ? ENT_MAC : ENT_NONE, m, v->has_mac ? 6 : 0);
    }
}

/* tshark's srcport text is tcp.srcport followed by udp.srcport (the reference
 * concatenates the two fields; a frame may carry both, e.g. TCP inside VXLAN). */
static void key_proto(KeyBuf *k, const View *v, bool src, bool text)
{
    const FeatLayers *l = v->l;
    if (v->proto == PROTO_TCP) {
        if (text) {
            if (l->tcp)
                text_port(k, src ? l->tcp_sp : l->tcp_dp);
            if (l->udp)
                text_port(k, src ? l->udp_sp : l->udp_dp);
            return;
        }
        if (l->tcp) {
            uint16_t port = src ? l->tcp_sp : l->tcp_dp;
            uint8_t b[3] = {PROTO_TCP, (uint8_t)(port >> 8), (uint8_t)port};
            kb_put(k, b, 3);
        }
        if (l->udp) {
            uint16_t port = src ? l->udp_sp : l->udp_dp;
            uint8_t b[3] = {PROTO_UDP, (uint8_t)(port >> 8), (uint8_t)port};
            kb_put(k, b, 3);
        }
        return;
    }
    if (text) {
        if (v->proto == PROTO_ICMP)
            kb_put(k, "icmp", 4);
        else if (v->proto == PROTO_ARP)
            kb_put(k, "arp", 3);
        return;
    }
    uint8_t b = (uint8_t)v->proto;
    kb_put(k, &b, 1);
}

int feat_extract(FeatCtx *fc, const Packet *p, double *out)
{
    FeatLayers l;
    feat_layers_init(&l, p);
    return feat_extract_layers(fc, p, &l, out);
}

int feat_extract_layers(FeatCtx *fc, const Packet *p, const FeatLayers *l, double *out)
{
    bool text = fc->cfg.keys == FEAT_KEYS_TEXT;
    double t = feat_packet_time(p, fc->cfg.exact);
    double size = (double)p->wirelen;
    View v;
    view_of(p, l, &v);

    KeyBuf sip = {.len = 0}, dip = {.len = 0}, kmi = {.len = 0}, kjit = {.len = 0};
    KeyBuf k1 = {.len = 0}, k2 = {.len = 0};
    key_ip(&sip, &v, true, text);
    key_ip(&dip, &v, false, text);

    /* source MAC + IP */
    key_mac(&kmi, &v, true, text);
    kb_cat(&kmi, &sip);
    /* host-pair jitter */
    kb_cat(&kjit, &sip);
    kb_cat(&kjit, &dip);
    /* socket pair (ARP: the Ethernet MACs) */
    if (v.proto == PROTO_ARP) {
        key_mac(&k1, &v, true, text);
        key_mac(&k2, &v, false, text);
        if (!text) {
            key_proto(&k1, &v, true, false);
            key_proto(&k2, &v, false, false);
        }
    } else {
        kb_cat(&k1, &sip);
        key_proto(&k1, &v, true, text);
        kb_cat(&k2, &dip);
        key_proto(&k2, &v, false, text);
    }

    /* The six streams of this packet sit at random places in tables much
     * larger than the caches: fetch their slots, then their records, all at
     * once, so that the misses overlap instead of following one another. */
    AiDb *const dbs[6] = {fc->mi, fc->hh, fc->hh, fc->jit, fc->hp, fc->hp};
    const KeyBuf *const keys[6] = {&kmi, &sip, &dip, &kjit, &k1, &k2};
    uint64_t h[6];
    for (int i = 0; i < 6; i++)
        h[i] = ai_db_prefetch_slot(dbs[i], keys[i]->b, keys[i]->len);
    for (int i = 0; i < 6; i++)
        ai_db_prefetch_stream(dbs[i], keys[i]->len, h[i]);

    int rc = 0;
    rc |= ai_update_1d(fc->mi, kmi.b, kmi.len, t, size, out);
    rc |= ai_update_2d(fc->hh, sip.b, sip.len, dip.b, dip.len, t, size, out + 15);
    rc |= ai_update_1d(fc->jit, kjit.b, kjit.len, t, 0, out + 50);
    rc |= ai_update_2d(fc->hp, k1.b, k1.len, k2.b, k2.len, t, size, out + 65);
    return rc != 0 ? -ENOMEM : 0;
}

void feat_ctx_sweep(FeatCtx *fc, double now, unsigned max_checks)
{
    ai_db_sweep(fc->mi, now, max_checks);
    ai_db_sweep(fc->hh, now, max_checks);
    ai_db_sweep(fc->jit, now, max_checks);
    ai_db_sweep(fc->hp, now, max_checks);
}

void feat_ctx_counters(const FeatCtx *fc, AiCounters *sum)
{
    const AiDb *dbs[4] = {fc->mi, fc->hh, fc->jit, fc->hp};
    memset(sum, 0, sizeof(*sum));
    for (int i = 0; i < 4; i++) {
        const AiCounters *c = ai_db_counters(dbs[i]);
        sum->streams += c->streams;
        sum->links += c->links;
        sum->evicted_idle += c->evicted_idle;
        sum->evicted_forced += c->evicted_forced;
        sum->evicted_links += c->evicted_links;
        sum->alloc_fail += c->alloc_fail;
    }
}

/* ---- names ---- */

static const char *const lambda_text[AI_N_LAMBDA] = {"5", "3", "1", "0.1", "0.01"};
/* The paper's names for the decay factors' time windows. */
static const char *const window_text[AI_N_LAMBDA] = {"0.1 s", "0.5 s", "1.5 s", "10 s", "1 min"};

/* Group, lambda index and statistic index of feature i. */
static void locate(unsigned i, int *group, int *li, int *stat)
{
    if (i < 15) {
        *group = 0, *li = (int)i / 3, *stat = (int)i % 3;
    } else if (i < 50) {
        *group = 1, *li = (int)(i - 15) / 7, *stat = (int)(i - 15) % 7;
    } else if (i < 65) {
        *group = 2, *li = (int)(i - 50) / 3, *stat = (int)(i - 50) % 3;
    } else {
        *group = 3, *li = (int)(i - 65) / 7, *stat = (int)(i - 65) % 7;
    }
}

void feat_describe(unsigned i, char *buf, size_t len)
{
    static const char *const group[4] = {"source MAC-IP", "host pair", "host-pair jitter",
                                         "socket pair"};
    static const char *const size_stat[7] = {"packet count", "size mean", "size variance",
                                             "size radius", "size magnitude", "size covariance",
                                             "size correlation"};
    static const char *const jit_stat[3] = {"packet count", "inter-arrival mean",
                                            "inter-arrival variance"};
    if (len == 0)
        return;
    if (i >= FEAT_N) {
        buf[0] = '\0';
        return;
    }
    int g, li, st;
    locate(i, &g, &li, &st);
    snprintf(buf, len, "%s: %s, %s window", group[g], g == 2 ? jit_stat[st] : size_stat[st],
             window_text[li]);
}

void feat_column_name(unsigned i, char *buf, size_t len)
{
    static const char *const prefix[4] = {"MI_dir", "HH", "HH_jit", "HpHp"};
    static const char *const s1[3] = {"weight", "mean", "std"};
    static const char *const s2[7] = {"weight_0", "mean_0", "std_0", "radius_0_1",
                                      "magnitude_0_1", "covariance_0_1", "pcc_0_1"};
    if (len == 0)
        return;
    if (i >= FEAT_N) {
        buf[0] = '\0';
        return;
    }
    int g, li, st;
    locate(i, &g, &li, &st);
    snprintf(buf, len, "%s_%s_%s", prefix[g], lambda_text[li],
             (g == 1 || g == 3) ? s2[st] : s1[st]);
}
