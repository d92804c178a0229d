/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * glue.c: the HTTP parser as an app-layer framework parser
 * (applayer/applayer.h AppParserOps).
 *
 * Where it sits: applayer/http, between applayer.c (which owns Flow.app and
 * calls these ops) and parser.c. The framework allocates states from its
 * "applayer" account and passes no statistics block, so each flow state
 * carries its own small HttpCtx over the process-wide configuration; event
 * counters are therefore not counted on this path (events stay on the txs).
 *
 * Invariant: g_cfg is written only by http_parser_register (start-up) and
 * read-only afterwards, so workers share it without locks.
 */
#include "applayer/http/http.h"

#include "applayer/applayer.h"
#include "applayer/http/http_int.h"

static HttpConfig g_cfg;

static void *op_state_new(MemAccount *acct, const Flow *f, uint8_t ipproto)
{
    (void)f;
    (void)ipproto;
    HttpCtx *ctx = http_ctx_new(&g_cfg, acct, NULL);
    if (ctx == NULL)
        return NULL;
    HttpState *s = http_state_new(ctx);
    if (s == NULL) {
        http_ctx_free(ctx);
        return NULL;
    }
    s->own_ctx = true;
    return s;
}

static void op_state_free(void *state) { http_state_free(state); }

static AppParseResult op_parse(void *state, Flow *f, unsigned dir, const uint8_t *buf, size_t len,
                               unsigned flags)
{
    (void)f;
    AppParseResult r = { APP_PARSE_OK, 0, 0 };
    unsigned hf = 0;
    if (flags & APP_FLAG_GAP)
        hf |= HTTP_DATA_GAP;
    if (flags & APP_FLAG_EOF)
        hf |= HTTP_DATA_EOF;
    if (http_parse(state, dir, buf, len, hf) != HTTP_PARSE_OK)
        r.status = APP_PARSE_ERROR;
    else
        r.consumed = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    return r;
}

static uint64_t op_tx_count(const void *state) { return http_state_tx_count(state); }

static void *op_tx_get(void *state, uint64_t tx_id) { return http_state_tx(state, tx_id); }

static int op_tx_progress(const void *tx, unsigned dir) { return (int)http_tx_progress(tx, dir); }

static void op_tx_release(void *state, uint64_t upto, bool need_logged)
{
    (void)http_state_tx_release(state, upto, need_logged);
}

static const AppParserOps g_ops = {
    .name = "http",
    .proto = APP_PROTO_HTTP,
    .ipprotos = APP_IPPROTO_TCP,
    .accepts_gaps = true,
    .probe = NULL,
    .state_new = op_state_new,
    .state_free = op_state_free,
    .parse = op_parse,
    .tx_count = op_tx_count,
    .tx_get = op_tx_get,
    .tx_progress = op_tx_progress,
    .tx_complete = { HTTP_PROGRESS_COMPLETE, HTTP_PROGRESS_COMPLETE },
    .tx_release = op_tx_release,
};

int http_parser_register(const HttpConfig *cfg)
{
    if (cfg != NULL)
        g_cfg = *cfg;
    else
        http_config_defaults(&g_cfg);
    if (g_cfg.field_limit < 64)
        g_cfg.field_limit = 64;
    return applayer_parser_register(&g_ops);
}
