/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/bsize.c: `bsize:[op]N` (the size of the current sticky buffer)
 * and `urilen:[op]N[,norm|raw]` (the size of http.uri / http.uri.raw),
 * with the keywords/uint.h forms. Both are payload keywords on the buffer
 * they measure; inspect.c compares the buffer's length. Like every
 * app-layer buffer, http.uri makes the rule wait for the app-layer (it
 * loads once a getter is registered).
 */
#include <ctype.h>
#include <string.h>

#include "detect/buffer.h"
#include "detect/keyword.h"
#include "detect/keywords/uint.h"
#include "lib/alloc.h"

static const DetectKeyword kw_bsize;

static int add_size(DetectParse *pc, const char *arg, int buf_id)
{
    DetectUint *u = mem_calloc(detect_mem(), 1, sizeof *u);
    if (!u)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    if (detect_uint_parse(arg, UINT32_MAX, u) != 0) {
        mem_free(detect_mem(), u);
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bad size '%.40s'", arg);
    }
    int saved = pc->cur_buf;
    pc->cur_buf = buf_id;
    int rc = detect_sm_add_buffer(pc, &kw_bsize, u);
    pc->cur_buf = saved;
    if (rc == 0 && detect_buffer_getter(buf_id) == NULL && pc->needs_buf < 0)
        pc->needs_buf = buf_id;
    return rc;
}

static int bsize_setup(DetectParse *pc, const char *arg)
{
    if (pc->cur_buf == DETECT_BUF_PAYLOAD)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "bsize needs a sticky buffer before it");
    return add_size(pc, arg, pc->cur_buf);
}

static int urilen_setup(DetectParse *pc, const char *arg)
{
    char buf[64];
    size_t len = strlen(arg);
    if (len >= sizeof buf)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "argument too long");
    memcpy(buf, arg, len + 1);
    const char *which = "http.uri";
    char *comma = strchr(buf, ',');
    if (comma) {
        *comma = '\0';
        char *m = comma + 1;
        while (isspace((unsigned char)*m))
            m++;
        char *e = m + strlen(m);
        while (e > m && isspace((unsigned char)e[-1]))
            *--e = '\0';
        if (strcmp(m, "raw") == 0)
            which = "http.uri.raw";
        else if (strcmp(m, "norm") != 0)
            return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "urilen modifier must be norm or raw");
    }
    int id = detect_buffer_register(which, NULL);
    if (id < 0)
        return detect_parse_error(pc, DETECT_ERR_OOM, "buffer table full");
    return add_size(pc, buf, id);
}

static const DetectKeyword kw_bsize = { .name = "bsize", .id = DETECT_KW_BSIZE, .setup = bsize_setup };
static const DetectKeyword kw_urilen = { .name = "urilen", .id = DETECT_KW_BSIZE, .setup = urilen_setup };

void kw_bsize_register(void)
{
    detect_keyword_register(&kw_bsize);
    detect_keyword_register(&kw_urilen);
}
