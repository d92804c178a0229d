/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rules/parse.c: the rule parser (see parse.h). Header first (action,
 * protocol, addresses, ports, direction), then options through the keyword
 * table, then the checks that need the whole rule (sid present, buffers
 * available, fast pattern choice).
 */
#include "detect/rules/parse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "applayer/applayer.h"
#include "detect/buffer.h"
#include "detect/detect_int.h"
#include "detect/keywords/content.h"
#include "detect/rules/address.h"
#include "detect/rules/classification.h"
#include "lib/alloc.h"

#define MAX_OPT_NAME 64

const char *rule_err_kind_name(DetectErrKind k)
{
    switch (k) {
    case DETECT_ERR_SYNTAX: return "syntax error";
    case DETECT_ERR_UNKNOWN_KEYWORD: return "unknown keyword";
    case DETECT_ERR_BAD_VALUE: return "bad value";
    case DETECT_ERR_UNSUPPORTED: return "unsupported";
    case DETECT_ERR_NEEDS_APPLAYER: return "needs app-layer";
    case DETECT_ERR_OOM: return "out of memory";
    }
    return "error";
}

static void rerr(RuleError *e, DetectErrKind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void rerr(RuleError *e, DetectErrKind kind, const char *fmt, ...)
{
    e->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Header                                                              */
/* ------------------------------------------------------------------ */

static bool parse_action(const char *w, DetectAction *a)
{
    static const struct { const char *n; DetectAction a; } acts[] = {
        { "alert", DETECT_ACTION_ALERT }, { "pass", DETECT_ACTION_PASS },
        { "drop", DETECT_ACTION_DROP }, { "reject", DETECT_ACTION_REJECT },
        { "rejectsrc", DETECT_ACTION_REJECTSRC }, { "rejectdst", DETECT_ACTION_REJECTDST },
        { "rejectboth", DETECT_ACTION_REJECTBOTH },
    };
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
        if (strcmp(w, acts[i].n) == 0) {
            *a = acts[i].a;
            return true;
        }
    return false;
}

static void proto_set(SigProto *p, uint8_t n) { p->protos[n / 8] |= (uint8_t)(1u << (n % 8)); }

/* Application-layer protocol names and their transports (t = tcp, u = udp).
 * Until the app-layer gates rules by the flow's protocol (issue 4), such a
 * rule inspects every packet of its transport. Protocol ids come from
 * applayer/applayer.h. */
static const struct { const char *name; const char *tr; } app_protos[] = {
    { "http", "t" }, { "http1", "t" }, { "http2", "t" }, { "dns", "tu" },
    { "tls", "t" }, { "ssl", "t" }, { "smtp", "t" }, { "ftp", "t" },
    { "ftp-data", "t" }, { "ssh", "t" }, { "smb", "t" }, { "dcerpc", "tu" },
    { "nfs", "tu" }, { "ntp", "u" }, { "dhcp", "u" }, { "krb5", "tu" },
    { "snmp", "u" }, { "sip", "tu" }, { "rdp", "t" }, { "rfb", "t" },
    { "mqtt", "t" }, { "modbus", "t" }, { "dnp3", "t" }, { "enip", "tu" },
    { "ike", "u" }, { "ikev2", "u" }, { "tftp", "u" }, { "imap", "t" },
    { "pop3", "t" }, { "quic", "u" }, { "pgsql", "t" }, { "telnet", "t" },
    { "websocket", "t" }, { "ldap", "tu" }, { "irc", "t" }, { "bittorrent-dht", "u" },
    { "doh2", "t" }, { "mdns", "u" }, { "nntp", "t" }, { "ssdp", "u" },
};

static bool parse_proto(const char *w, Signature *s)
{
    SigProto *p = &s->proto;
    p->ip_ver_mask = 3;
    if (!strcasecmp(w, "ip") || !strcasecmp(w, "pkthdr")) {
        p->any_proto = true;
        return true;
    }
    if (!strcasecmp(w, "ipv4") || !strcasecmp(w, "ip4")) {
        p->any_proto = true;
        p->ip_ver_mask = 1;
        return true;
    }
    if (!strcasecmp(w, "ipv6") || !strcasecmp(w, "ip6")) {
        p->any_proto = true;
        p->ip_ver_mask = 2;
        return true;
    }
    if (!strcasecmp(w, "tcp") || !strcasecmp(w, "tcp-pkt") || !strcasecmp(w, "tcp-stream")) {
        proto_set(p, 6);
        if (!strcasecmp(w, "tcp-pkt"))
            s->flags |= SIG_F_TCP_PKT;
        if (!strcasecmp(w, "tcp-stream"))
            s->flags |= SIG_F_TCP_STREAM;
        return true;
    }
    if (!strcasecmp(w, "udp")) {
        proto_set(p, 17);
        return true;
    }
    if (!strcasecmp(w, "icmp")) {
        proto_set(p, 1);
        proto_set(p, 58);
        return true;
    }
    if (!strcasecmp(w, "icmpv4") || !strcasecmp(w, "icmp4")) {
        proto_set(p, 1);
        return true;
    }
    if (!strcasecmp(w, "icmpv6") || !strcasecmp(w, "icmp6")) {
        proto_set(p, 58);
        return true;
    }
    if (!strcasecmp(w, "sctp")) {
        proto_set(p, 132);
        return true;
    }
    for (size_t i = 0; i < sizeof app_protos / sizeof app_protos[0]; i++) {
        if (strcasecmp(w, app_protos[i].name) == 0) {
            if (strchr(app_protos[i].tr, 't'))
                proto_set(p, 6);
            if (strchr(app_protos[i].tr, 'u'))
                proto_set(p, 17);
            int ap = app_proto_by_name(app_protos[i].name);
            p->app_proto = ap > 0 ? (uint16_t)ap : 0; /* 0: a protocol kasbah does not parse */
            p->app_name = app_protos[i].name;
            return true;
        }
    }
    return false;
}

/* Split the header into its 7 fields; brackets may hold blanks. Returns
 * the number of fields found (up to max), with *rest after them. */
static int split_header(char *h, char **f, int max)
{
    int n = 0;
    char *p = h;
    while (*p && n < max) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        f[n++] = p;
        int depth = 0;
        while (*p && (depth > 0 || !isspace((unsigned char)*p))) {
            if (*p == '[')
                depth++;
            else if (*p == ']' && depth > 0)
                depth--;
            p++;
        }
        if (*p)
            *p++ = '\0';
    }
    while (isspace((unsigned char)*p))
        p++;
    return *p ? max + 1 : n;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

static uint32_t guess_sid(const char *text)
{
    const char *p = text;
    while ((p = strstr(p, "sid")) != NULL) {
        bool word_start = p == text || p[-1] == ';' || p[-1] == '(' || isspace((unsigned char)p[-1]);
        const char *q = p + 3;
        while (isspace((unsigned char)*q))
            q++;
        if (word_start && *q == ':') {
            q++;
            while (isspace((unsigned char)*q))
                q++;
            uint64_t v = 0;
            while (isdigit((unsigned char)*q) && v <= UINT32_MAX)
                v = v * 10 + (uint64_t)(*q++ - '0');
            return v <= UINT32_MAX ? (uint32_t)v : 0;
        }
        p += 3;
    }
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int run_option(DetectParse *pc, char *name, char *value, RuleError *err)
{
    name = trim(name);
    if (value)
        value = trim(value);
    const DetectKeyword *kw = detect_keyword_find(name);
    if (!kw) {
        const char *why = detect_keyword_known_unsupported(name);
        if (why && strcmp(why, "needs app-layer") == 0)
            rerr(err, DETECT_ERR_NEEDS_APPLAYER, "needs app-layer: keyword '%s'", name);
        else if (why && strncmp(why, "needs app-layer", 15) == 0)
            rerr(err, DETECT_ERR_NEEDS_APPLAYER, "%s (keyword '%s')", why, name);
        else if (why)
            rerr(err, DETECT_ERR_UNSUPPORTED, "unsupported keyword '%s'", name);
        else
            rerr(err, DETECT_ERR_UNKNOWN_KEYWORD, "unknown keyword '%s'", name);
        return -1;
    }
    if ((kw->flags & KW_F_NOOPT) && value && *value) {
        rerr(err, DETECT_ERR_BAD_VALUE, "'%s' takes no value", name);
        return -1;
    }
    if (!(kw->flags & (KW_F_NOOPT | KW_F_OPTIONAL)) && (!value || !*value)) {
        rerr(err, DETECT_ERR_BAD_VALUE, "'%s' needs a value", name);
        return -1;
    }
    if (value && !*value)
        value = NULL;
    pc->err[0] = '\0';
    pc->kw = kw;
    if (kw->setup(pc, value) != 0) {
        rerr(err, pc->err_kind, "%s: %s", name, pc->err[0] ? pc->err : "invalid");
        return -1;
    }
    return 0;
}

static int parse_options(DetectParse *pc, char *opts, RuleError *err)
{
    char *p = opts;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            return 0;
        char *name = p;
        while (*p && *p != ':' && *p != ';')
            p++;
        if (!*p) {
            rerr(err, DETECT_ERR_SYNTAX, "option '%.40s' is not terminated by ';'", trim(name));
            return -1;
        }
        char *value = NULL;
        if (*p == ':') {
            *p++ = '\0';
            value = p;
            while (*p && *p != ';') {
                if (*p == '\\' && p[1])
                    p++;
                p++;
            }
            if (!*p) {
                rerr(err, DETECT_ERR_SYNTAX, "value of '%.40s' is not terminated by ';'", trim(name));
                return -1;
            }
        }
        *p++ = '\0';
        if (strlen(trim(name)) == 0) {
            rerr(err, DETECT_ERR_SYNTAX, "empty option");
            return -1;
        }
        if (strlen(name) > MAX_OPT_NAME) {
            rerr(err, DETECT_ERR_SYNTAX, "option name too long");
            return -1;
        }
        if (run_option(pc, name, value, err) != 0)
            return -1;
    }
}

/* ------------------------------------------------------------------ */
/* Whole-rule checks                                                   */
/* ------------------------------------------------------------------ */

/* Suricata picks the explicit fast_pattern, else the longest non-negated
 * content (the first on a tie). Only the packet payload feeds the
 * prefilter here; other buffers are verified directly. */
static void choose_fast_pattern(Signature *s)
{
    s->fp = NULL;
    s->fp_buf = -1;
    for (uint16_t b = 0; b < s->n_bufs; b++) {
        if (s->bufs[b].buffer_id != DETECT_BUF_PAYLOAD)
            continue;
        const SigMatchList *l = &s->bufs[b].list;
        const SigMatch *best = NULL;
        uint32_t best_len = 0;
        for (uint16_t i = 0; i < l->n; i++) {
            if (l->sm[i].kw->id != DETECT_KW_CONTENT)
                continue;
            const ContentCtx *c = l->sm[i].ctx;
            if (c->flags & CT_FAST_PATTERN) {
                best = (c->flags & CT_NEGATED) ? NULL : &l->sm[i];
                best_len = UINT32_MAX;
                break;
            }
            if (!(c->flags & CT_NEGATED) && c->len > best_len) {
                best = &l->sm[i];
                best_len = c->len;
            }
        }
        if (best) {
            s->fp = best;
            s->fp_buf = b;
            s->flags |= SIG_F_PREFILTER_FP;
        }
    }
}

static int finish(DetectParse *pc, RuleError *err)
{
    Signature *s = pc->s;
    if (s->sid == 0) {
        rerr(err, DETECT_ERR_SYNTAX, "missing sid");
        return -1;
    }
    if (pc->needs_buf >= 0) {
        rerr(err, DETECT_ERR_NEEDS_APPLAYER, "needs app-layer: buffer %s", detect_buffer_name(pc->needs_buf));
        return -1;
    }
    for (uint16_t b = 0; b < s->n_bufs; b++) {
        int id = s->bufs[b].buffer_id;
        if (detect_buffer_getter(id) == NULL) {
            rerr(err, DETECT_ERR_NEEDS_APPLAYER, "needs app-layer: buffer %s", detect_buffer_name(id));
            return -1;
        }
        if (id == DETECT_BUF_PAYLOAD && s->bufs[b].list.n > 0)
            s->flags |= SIG_F_NEED_PAYLOAD;
    }
    /* Suricata's "IP-only" rules: nothing but addresses and protocol (any
     * ports, no option that tests anything; flowbits:set is allowed, as in
     * Suricata). They are inspected once per flow direction, on its first
     * packet (detect.c). */
    bool bufs_empty = true;
    for (uint16_t b = 0; b < s->n_bufs; b++)
        if (s->bufs[b].list.n > 0)
            bufs_empty = false;
    if (s->match.n == 0 && flowbits_post_only_sets(s) && bufs_empty && (s->flags & SIG_F_SP_ANY) &&
        (s->flags & SIG_F_DP_ANY))
        s->flags |= SIG_F_IPONLY;
    if (!s->prio_explicit)
        s->prio = s->klass ? s->klass->prio : 3;
    if (s->gid == 0)
        s->gid = 1;
    choose_fast_pattern(s);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Entry point                                                         */
/* ------------------------------------------------------------------ */

Signature *rule_parse(DetectEngine *de, const char *text, const char *file, uint32_t line, RuleError *err)
{
    memset(err, 0, sizeof *err);
    err->sid = guess_sid(text);
    size_t tlen = strlen(text);
    char *buf = mem_strndup(detect_mem(), text, tlen);
    Signature *s = mem_calloc(detect_mem(), 1, sizeof *s);
    if (!buf || !s) {
        mem_free(detect_mem(), buf);
        mem_free(detect_mem(), s);
        rerr(err, DETECT_ERR_OOM, "out of memory");
        return NULL;
    }
    s->file = file;
    s->line = line;
    s->fp_buf = -1;

    char *open = strchr(buf, '(');
    char *close = strrchr(buf, ')');
    if (!open || !close || close < open) {
        rerr(err, DETECT_ERR_SYNTAX, "expected '(options)' after the header");
        goto fail;
    }
    for (char *q = close + 1; *q; q++)
        if (!isspace((unsigned char)*q)) {
            rerr(err, DETECT_ERR_SYNTAX, "text after the closing ')'");
            goto fail;
        }
    *open = '\0';
    *close = '\0';

    char *f[7];
    int nf = split_header(buf, f, 7);
    if (nf != 7) {
        rerr(err, DETECT_ERR_SYNTAX, "header needs 7 fields (action proto src sport dir dst dport), found %s",
             nf > 7 ? "more" : "fewer");
        goto fail;
    }
    if (!parse_action(f[0], &s->action)) {
        rerr(err, DETECT_ERR_SYNTAX, "unknown action '%s'", f[0]);
        goto fail;
    }
    if (!parse_proto(f[1], s)) {
        rerr(err, DETECT_ERR_UNSUPPORTED, "unknown protocol '%s'", f[1]);
        goto fail;
    }
    if (strcmp(f[4], "<>") == 0)
        s->flags |= SIG_F_BIDIR;
    else if (strcmp(f[4], "->") != 0) {
        rerr(err, DETECT_ERR_SYNTAX, "expected '->' or '<>', found '%s'", f[4]);
        goto fail;
    }
    char m[200];
    if (addr_set_parse(de->conf, f[2], &s->src, m, sizeof m) != 0) {
        rerr(err, DETECT_ERR_BAD_VALUE, "source address: %s", m);
        goto fail;
    }
    if (addr_set_parse(de->conf, f[5], &s->dst, m, sizeof m) != 0) {
        rerr(err, DETECT_ERR_BAD_VALUE, "destination address: %s", m);
        goto fail;
    }
    if (port_set_parse(de->conf, f[3], &s->sp, m, sizeof m) != 0) {
        rerr(err, DETECT_ERR_BAD_VALUE, "source port: %s", m);
        goto fail;
    }
    if (port_set_parse(de->conf, f[6], &s->dp, m, sizeof m) != 0) {
        rerr(err, DETECT_ERR_BAD_VALUE, "destination port: %s", m);
        goto fail;
    }
    if (!s->src || s->src->any)
        s->flags |= SIG_F_SRC_ANY;
    if (!s->dst || s->dst->any)
        s->flags |= SIG_F_DST_ANY;
    if (!s->sp || s->sp->any)
        s->flags |= SIG_F_SP_ANY;
    if (!s->dp || s->dp->any)
        s->flags |= SIG_F_DP_ANY;

    DetectParse pc;
    memset(&pc, 0, sizeof pc);
    pc.s = s;
    pc.de = de;
    pc.cur_buf = DETECT_BUF_PAYLOAD;
    pc.last_pm_buf = -1;
    pc.needs_buf = -1;
    if (parse_options(&pc, open + 1, err) != 0)
        goto fail;
    if (finish(&pc, err) != 0)
        goto fail;
    err->sid = s->sid;
    /* keep the rule text only while it is small: it is for diagnostics */
    mem_free(detect_mem(), buf);
    return s;
fail:
    if (s->sid)
        err->sid = s->sid;
    mem_free(detect_mem(), buf);
    sig_free(s);
    return NULL;
}
