/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/transform.c: buffer transforms (see transform.h).
 */
#include "detect/keywords/transform.h"

#include <ctype.h>
#include <string.h>

#include "detect/buffer.h"
#include "detect/keyword.h"

static int hexv(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t transform_apply(DetectTransform t, const uint8_t *in, size_t len, uint8_t *out)
{
    size_t w = 0;
    switch (t) {
    case XFORM_DOTPREFIX:
        out[0] = '.';
        if (len)
            memcpy(out + 1, in, len);
        return len + 1;
    case XFORM_TO_LOWER:
        for (size_t i = 0; i < len; i++)
            out[i] = (uint8_t)tolower(in[i]);
        return len;
    case XFORM_TO_UPPER:
        for (size_t i = 0; i < len; i++)
            out[i] = (uint8_t)toupper(in[i]);
        return len;
    case XFORM_STRIP_WS:
        for (size_t i = 0; i < len; i++)
            if (!isspace(in[i]))
                out[w++] = in[i];
        return w;
    case XFORM_COMPRESS_WS:
        for (size_t i = 0; i < len; i++) {
            if (isspace(in[i])) {
                if (w > 0 && out[w - 1] == ' ' && i > 0 && isspace(in[i - 1]))
                    continue;
                out[w++] = ' ';
            } else {
                out[w++] = in[i];
            }
        }
        return w;
    case XFORM_URL_DECODE:
        for (size_t i = 0; i < len; i++) {
            if (in[i] == '%' && i + 2 < len + 0 && hexv(in[i + 1]) >= 0 && hexv(in[i + 2]) >= 0) {
                out[w++] = (uint8_t)(hexv(in[i + 1]) << 4 | hexv(in[i + 2]));
                i += 2;
            } else if (in[i] == '+') {
                out[w++] = ' ';
            } else {
                out[w++] = in[i];
            }
        }
        return w;
    }
    memcpy(out, in, len);
    return len;
}

static int xform_setup(DetectParse *pc, const char *arg)
{
    (void)arg;
    if (pc->cur_buf == DETECT_BUF_PAYLOAD)
        return detect_parse_error(pc, DETECT_ERR_BAD_VALUE, "a transform needs a sticky buffer before it");
    SigBufferList *b = sig_buffer_get(pc->s, pc->cur_buf);
    if (!b)
        return detect_parse_error(pc, DETECT_ERR_OOM, "out of memory");
    if (b->n_transforms >= SIG_MAX_TRANSFORMS)
        return detect_parse_error(pc, DETECT_ERR_UNSUPPORTED, "more than %d transforms", SIG_MAX_TRANSFORMS);
    b->transforms[b->n_transforms++] = (uint8_t)pc->kw->buffer_id;
    return 0;
}

/* buffer_id carries the transform id for these keywords */
static const DetectKeyword kws[] = {
    { .name = "dotprefix", .flags = KW_F_NOOPT, .buffer_id = XFORM_DOTPREFIX, .setup = xform_setup },
    { .name = "to_lowercase", .flags = KW_F_NOOPT, .buffer_id = XFORM_TO_LOWER, .setup = xform_setup },
    { .name = "to_uppercase", .flags = KW_F_NOOPT, .buffer_id = XFORM_TO_UPPER, .setup = xform_setup },
    { .name = "strip_whitespace", .flags = KW_F_NOOPT, .buffer_id = XFORM_STRIP_WS, .setup = xform_setup },
    { .name = "compress_whitespace", .flags = KW_F_NOOPT, .buffer_id = XFORM_COMPRESS_WS, .setup = xform_setup },
    { .name = "url_decode", .flags = KW_F_NOOPT, .buffer_id = XFORM_URL_DECODE, .setup = xform_setup },
};

void kw_transform_register(void)
{
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        detect_keyword_register(&kws[i]);
}
