/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sip.c: SIP start-line and header-block checks, the probe and the parser
 * (see sip.h for the format, RFC 3261 section 7, and the direction rules).
 * Every byte is read through lib/reader.h.
 */
#include "applayer/sip/sip.h"

#include <string.h>

#include "applayer/applayer.h"
#include "lib/reader.h"

/* RFC 3261 25.1 token characters (besides alphanumerics). */
static bool token_char(uint8_t c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c != 0 && strchr("-.!%*_+`'~", c) != NULL;
}

/* Do the reader's next bytes equal word? Advances past them when they do. */
static bool eat(Reader *r, const char *word)
{
    size_t n = strlen(word);
    if (!rd_has(r, n) || memcmp(rd_cur(r), word, n) != 0)
        return false;
    rd_skip(r, n);
    return true;
}

/* The end of the line at the reader (the offset of its CR LF, or LF); the
 * reader moves past the line break. false when no line break follows. */
static bool line_end(Reader *r, size_t *end)
{
    while (rd_left(r) > 0) {
        size_t at = rd_pos(r);
        uint8_t c = rd_u8(r);
        if (c == '\n') {
            *end = at;
            return true;
        }
        if (c == '\r' && rd_left(r) > 0 && rd_peek_u8(r, rd_pos(r)) == '\n') {
            *end = at;
            rd_skip(r, 1);
            return true;
        }
    }
    return false;
}

/* The start line at the reader; the reader ends after its line break. */
static SipKind start_line(Reader *r)
{
    if (eat(r, "SIP/2.0 ")) {
        for (int i = 0; i < 3; i++) {
            uint8_t c = rd_u8(r);
            if (!rd_ok(r) || c < '0' || c > '9')
                return SIP_NONE;
        }
        if (rd_u8(r) != ' ' || !rd_ok(r))
            return SIP_NONE;
        size_t end;
        return line_end(r, &end) ? SIP_RESPONSE : SIP_NONE;
    }
    size_t n = 0;
    while (rd_left(r) > 0 && token_char(rd_peek_u8(r, rd_pos(r)))) {
        rd_skip(r, 1);
        n++;
    }
    if (n == 0 || !eat(r, " "))
        return SIP_NONE;
    size_t uri = 0;
    while (rd_left(r) > 0 && rd_peek_u8(r, rd_pos(r)) > ' ') {
        rd_skip(r, 1);
        uri++;
    }
    if (uri == 0 || !eat(r, " ") || !eat(r, "SIP/2.0"))
        return SIP_NONE;
    size_t start = rd_pos(r), end;
    if (!line_end(r, &end) || end != start)
        return SIP_NONE;
    return SIP_REQUEST;
}

SipKind sip_message_kind(const uint8_t *buf, size_t len)
{
    Reader r = rd_init(buf, len);
    SipKind k = start_line(&r);
    if (k == SIP_NONE)
        return SIP_NONE;
    for (;;) {
        size_t start = rd_pos(&r), end;
        if (!line_end(&r, &end))
            return SIP_NONE;        /* the header block never ended */
        if (end == start)
            return k;               /* the empty line: a body may follow */
    }
}

AppProbe app_probe_sip(const uint8_t *buf, size_t len, const AppProbeInfo *info)
{
    (void)info;
    Reader r = rd_init(buf, len);
    return start_line(&r) != SIP_NONE ? APP_PROBE_YES : APP_PROBE_NO;
}

/* ---- applayer glue: no per-flow data beyond the framework's ---- */

static uint8_t sip_flow_state; /* a non-NULL state for flows that need none */

static void *op_state_new(MemAccount *acct, const Flow *f, uint8_t ipproto)
{
    (void)acct;
    (void)f;
    (void)ipproto;
    return &sip_flow_state;
}

static void op_state_free(void *state) { (void)state; }

static AppParseResult op_parse(void *state, Flow *f, unsigned dir, const uint8_t *buf, size_t len,
                               unsigned flags)
{
    (void)state;
    (void)f;
    AppParseResult r = { APP_PARSE_OK, 0, 0 };
    if ((flags & APP_FLAG_GAP) || buf == NULL || len == 0)
        return r;
    SipKind k = sip_message_kind(buf, len);
    if (k != (dir == 0 ? SIP_REQUEST : SIP_RESPONSE))
        r.status = APP_PARSE_ERROR;
    return r;
}

static const AppParserOps sip_ops = {
    .name = "sip",
    .proto = APP_PROTO_SIP,
    .ipprotos = APP_IPPROTO_UDP,
    .accepts_gaps = true,
    .state_new = op_state_new,
    .state_free = op_state_free,
    .parse = op_parse,
};

int sip_parser_register(void) { return applayer_parser_register(&sip_ops); }
