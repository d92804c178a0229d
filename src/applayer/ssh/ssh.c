/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ssh.c: the SSH identification (banner) parser; see ssh.h for the wire
 * format (RFC 4253 section 4.2) and what is kept.
 *
 * Invariants: line[dir] holds the bytes of the current unfinished line of
 * that side, line_len[dir] <= SSH_BANNER_MAX; once a side's banner is done
 * its bytes are consumed without being stored.
 */
#include "applayer/ssh/ssh.h"

#include <string.h>

#include "applayer/applayer.h"
#include "lib/reader.h"

struct SshState {
    MemAccount *acct;
    SshBanner b[2];
    uint8_t line[2][SSH_BANNER_MAX];
    size_t line_len[2];
};

SshState *ssh_state_new(MemAccount *acct)
{
    SshState *s = mem_calloc(acct, 1, sizeof *s);
    if (s != NULL)
        s->acct = acct;
    return s;
}

void ssh_state_free(SshState *s)
{
    if (s != NULL)
        mem_free(s->acct, s);
}

const SshBanner *ssh_banner(const SshState *s, unsigned dir)
{
    return &s->b[dir > 1 ? 1 : dir];
}

/* Copy bytes [from, to) of line into out as a string. */
static void take(const uint8_t *line, size_t from, size_t to, char *out)
{
    size_t n = to > from ? to - from : 0;
    memcpy(out, line + from, n);
    out[n] = '\0';
}

/* A complete line (CR LF / LF stripped) of side dir. */
static SshParseStatus on_line(SshState *s, unsigned dir, const uint8_t *line, size_t n)
{
    if (n < 4 || memcmp(line, "SSH-", 4) != 0)
        /* RFC 4253 4.2: only the server may send other lines first */
        return dir == 1 ? SSH_PARSE_OK : SSH_PARSE_ERROR;
    size_t dash = 4;
    while (dash < n && line[dash] != '-')
        dash++;
    if (dash == n || dash == 4)
        return SSH_PARSE_ERROR;
    size_t end = dash + 1;
    while (end < n && line[end] != ' ')
        end++;
    SshBanner *b = &s->b[dir];
    take(line, 4, dash, b->proto);
    take(line, dash + 1, end, b->software);
    b->done = true;
    return SSH_PARSE_OK;
}

SshParseStatus ssh_parse(SshState *s, unsigned dir, const uint8_t *buf, size_t len)
{
    if (dir > 1)
        return SSH_PARSE_ERROR;
    Reader r = rd_init(buf, len);
    while (!s->b[dir].done && rd_left(&r) > 0) {
        uint8_t c = rd_u8(&r);
        if (c == '\n') {
            size_t n = s->line_len[dir];
            if (n > 0 && s->line[dir][n - 1] == '\r')
                n--;
            s->line_len[dir] = 0;
            if (on_line(s, dir, s->line[dir], n) != SSH_PARSE_OK)
                return SSH_PARSE_ERROR;
            continue;
        }
        /* the line with its LF must fit in SSH_BANNER_MAX */
        if (s->line_len[dir] + 1 >= SSH_BANNER_MAX)
            return SSH_PARSE_ERROR;
        s->line[dir][s->line_len[dir]++] = c;
    }
    return SSH_PARSE_OK; /* after the banner: key exchange and encrypted data, not parsed */
}

/* ---- applayer glue ---- */

static void *op_state_new(MemAccount *acct, const Flow *f, uint8_t ipproto)
{
    (void)f;
    (void)ipproto;
    return ssh_state_new(acct);
}

static void op_state_free(void *state) { ssh_state_free(state); }

static AppParseResult op_parse(void *state, Flow *f, unsigned dir, const uint8_t *buf, size_t len,
                               unsigned flags)
{
    (void)f;
    AppParseResult r = { APP_PARSE_OK, 0, 0 };
    if ((flags & APP_FLAG_GAP) || buf == NULL) {
        /* a gap after the banner changes nothing; before it the line restarts */
        SshState *s = state;
        if (dir <= 1)
            s->line_len[dir] = 0;
        return r;
    }
    if (ssh_parse(state, dir, buf, len) != SSH_PARSE_OK)
        r.status = APP_PARSE_ERROR;
    return r;
}

static const AppParserOps ssh_ops = {
    .name = "ssh",
    .proto = APP_PROTO_SSH,
    .ipprotos = APP_IPPROTO_TCP,
    .accepts_gaps = true,
    .state_new = op_state_new,
    .state_free = op_state_free,
    .parse = op_parse,
};

int ssh_parser_register(void) { return applayer_parser_register(&ssh_ops); }
