/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keywords/transform.h: buffer transforms (Suricata's detect-transform-*):
 * dotprefix, to_lowercase, to_uppercase, strip_whitespace,
 * compress_whitespace, url_decode. A transform keyword follows a sticky
 * buffer and changes what that buffer's keywords inspect, in rule order.
 * The hash transforms (to_md5, to_sha1, to_sha256) are not implemented:
 * rules using them fail with "unsupported".
 */
#ifndef KASBAH_DETECT_KEYWORDS_TRANSFORM_H
#define KASBAH_DETECT_KEYWORDS_TRANSFORM_H

#include <stddef.h>
#include <stdint.h>

typedef enum DetectTransform {
    XFORM_DOTPREFIX = 1,
    XFORM_TO_LOWER,
    XFORM_TO_UPPER,
    XFORM_STRIP_WS,
    XFORM_COMPRESS_WS,
    XFORM_URL_DECODE,
} DetectTransform;

/* Apply t to in[0..len) into out (room for len + 1 bytes); returns the new
 * length (at most len + 1). in and out must not overlap. */
size_t transform_apply(DetectTransform t, const uint8_t *in, size_t len, uint8_t *out);

#endif
