/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_json.c: unit tests for lib/json (the EVE JSON writer): escaping of
 * every byte value, UTF-8 handling as Suricata does it, nesting and commas,
 * misuse, numbers, doubles (shortest round trip), hex/base64, OOM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/alloc.h"
#include "lib/json.h"

/* The expected JSON text of a one-byte string, worked out independently of
 * the table in json.c: RFC 8259 short escapes, \u00xx for other controls,
 * and Suricata's "\xNN" (JSON: "\\xNN") for a lone byte >= 0x80, which is
 * never valid UTF-8 on its own. */
static void expect_byte(unsigned b, char *out, size_t size)
{
    switch (b) {
    case '"': snprintf(out, size, "\"\\\"\""); return;
    case '\\': snprintf(out, size, "\"\\\\\""); return;
    case '\b': snprintf(out, size, "\"\\b\""); return;
    case '\t': snprintf(out, size, "\"\\t\""); return;
    case '\n': snprintf(out, size, "\"\\n\""); return;
    case '\f': snprintf(out, size, "\"\\f\""); return;
    case '\r': snprintf(out, size, "\"\\r\""); return;
    default: break;
    }
    if (b < 0x20)
        snprintf(out, size, "\"\\u%04x\"", b);
    else if (b < 0x80)
        snprintf(out, size, "\"%c\"", (char)b);
    else
        snprintf(out, size, "\"\\\\x%02x\"", b);
}

static void test_every_byte_alone(void **state)
{
    (void)state;
    JsonBuf j;
    json_init(&j, NULL);
    for (unsigned b = 0; b < 256; b++) {
        uint8_t byte = (uint8_t)b;
        char want[16];
        expect_byte(b, want, sizeof want);
        json_reset(&j);
        json_bytes(&j, &byte, 1);
        assert_true(json_complete(&j));
        assert_string_equal(json_cstr(&j), want);
    }
    json_fini(&j);
}

static void test_every_byte_in_one_string(void **state)
{
    (void)state;
    uint8_t all[256];
    for (unsigned b = 0; b < 256; b++)
        all[b] = (uint8_t)b;
    char want[256 * 8 + 3];
    size_t n = 0;
    want[n++] = '"';
    for (unsigned b = 0; b < 256; b++) {
        char one[16];
        expect_byte(b, one, sizeof one);
        size_t l = strlen(one) - 2; /* without the quotes */
        memcpy(want + n, one + 1, l);
        n += l;
    }
    want[n++] = '"';
    want[n] = '\0';
    JsonBuf j;
    json_init(&j, NULL);
    json_bytes(&j, all, sizeof all);
    assert_string_equal(json_cstr(&j), want);
    assert_int_equal(json_len(&j), n);
    json_fini(&j);
}

static void check_str(const char *in, size_t len, const char *want)
{
    JsonBuf j;
    json_init(&j, NULL);
    json_strn(&j, in, len);
    assert_true(json_ok(&j));
    assert_string_equal(json_cstr(&j), want);
    json_fini(&j);
}

static void test_utf8(void **state)
{
    (void)state;
    /* valid UTF-8 passes through unchanged */
    check_str("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");
    check_str("\xe2\x82\xac 5", 5, "\"\xe2\x82\xac 5\"");
    check_str("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
    check_str("\xf4\x8f\xbf\xbf", 4, "\"\xf4\x8f\xbf\xbf\"");   /* U+10FFFF */
    check_str("\xed\x9f\xbf", 3, "\"\xed\x9f\xbf\"");           /* U+D7FF */
    /* invalid: overlong, surrogate, above U+10FFFF, truncated, stray continuation */
    check_str("\xc0\x80", 2, "\"\\\\xc0\\\\x80\"");
    check_str("\xe0\x80\xaf", 3, "\"\\\\xe0\\\\x80\\\\xaf\"");
    check_str("\xed\xa0\x80", 3, "\"\\\\xed\\\\xa0\\\\x80\"");
    check_str("\xf4\x90\x80\x80", 4, "\"\\\\xf4\\\\x90\\\\x80\\\\x80\"");
    check_str("a\xe2\x82", 3, "\"a\\\\xe2\\\\x82\"");
    check_str("\x80", 1, "\"\\\\x80\"");
    check_str("\xf5\x80\x80\x80", 4, "\"\\\\xf5\\\\x80\\\\x80\\\\x80\"");
    /* one bad byte makes the whole string hex-escaped, valid parts included
     * (Suricata's try_string_from_bytes), controls still JSON-escaped */
    check_str("\xc3\xa9\xff\n\"", 5, "\"\\\\xc3\\\\xa9\\\\xff\\n\\\"\"");
    /* NUL inside a string */
    check_str("a\0b", 3, "\"a\\u0000b\"");
    check_str("", 0, "\"\"");
}

static void test_nesting_and_commas(void **state)
{
    (void)state;
    JsonBuf j;
    json_init(&j, NULL);
    json_object_begin(&j);
    json_kv_str(&j, "a", "x");
    json_kv_u64(&j, "b", 1);
    json_kv_array_begin(&j, "c");
    json_u64(&j, 1);
    json_object_begin(&j);
    json_object_end(&j);
    json_array_begin(&j);
    json_array_end(&j);
    json_null(&j);
    json_bool(&j, false);
    json_array_end(&j);
    json_kv_object_begin(&j, "d");
    json_kv_bool(&j, "e", true);
    json_kv_object_begin(&j, "f");
    json_object_end(&j);
    json_object_end(&j);
    json_key(&j, "k\"q");
    json_str(&j, NULL);
    assert_false(json_complete(&j));
    json_object_end(&j);
    assert_true(json_complete(&j));
    assert_string_equal(json_cstr(&j),
                        "{\"a\":\"x\",\"b\":1,\"c\":[1,{},[],null,false],\"d\":{\"e\":true,\"f\":{}},"
                        "\"k\\\"q\":null}");

    /* reset keeps memory, starts over */
    size_t cap = j.cap;
    json_reset(&j);
    assert_int_equal(json_len(&j), 0);
    json_array_begin(&j);
    json_str(&j, "x");
    json_str(&j, "y");
    json_array_end(&j);
    assert_string_equal(json_cstr(&j), "[\"x\",\"y\"]");
    assert_int_equal(j.cap, cap);
    json_fini(&j);
}

static void test_misuse_is_sticky(void **state)
{
    (void)state;
    JsonBuf j;
    json_init(&j, NULL);

    json_object_begin(&j);
    json_u64(&j, 1); /* value without key */
    assert_false(json_ok(&j));
    json_kv_u64(&j, "a", 1); /* ignored after the error */
    assert_false(json_ok(&j));
    assert_string_equal(json_cstr(&j), "");

    json_reset(&j);
    json_array_begin(&j);
    json_key(&j, "a"); /* key in an array */
    assert_false(json_ok(&j));

    json_reset(&j);
    json_array_begin(&j);
    json_object_end(&j); /* mismatched end */
    assert_false(json_ok(&j));

    json_reset(&j);
    json_object_end(&j); /* end without begin */
    assert_false(json_ok(&j));

    json_reset(&j);
    json_object_begin(&j);
    json_key(&j, "a");
    json_key(&j, "b"); /* two keys */
    assert_false(json_ok(&j));

    json_reset(&j);
    json_object_begin(&j);
    json_key(&j, "a");
    json_object_end(&j); /* key without value */
    assert_false(json_ok(&j));

    json_reset(&j);
    json_u64(&j, 1);
    json_u64(&j, 2); /* two top-level values */
    assert_false(json_ok(&j));

    json_reset(&j);
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        json_array_begin(&j);
    assert_true(json_ok(&j));
    json_array_begin(&j); /* one too deep */
    assert_false(json_ok(&j));

    json_reset(&j);
    assert_true(json_ok(&j));
    json_fini(&j);
}

static void test_integers(void **state)
{
    (void)state;
    JsonBuf j;
    json_init(&j, NULL);
    json_array_begin(&j);
    json_u64(&j, 0);
    json_u64(&j, 7);
    json_u64(&j, UINT64_MAX);
    json_i64(&j, 0);
    json_i64(&j, -1);
    json_i64(&j, INT64_MAX);
    json_i64(&j, INT64_MIN);
    json_array_end(&j);
    assert_string_equal(json_cstr(&j), "[0,7,18446744073709551615,0,-1,9223372036854775807,"
                                       "-9223372036854775808]");
    json_fini(&j);
}

static const char *dbl(double v)
{
    static char out[64];
    json_format_double(out, sizeof out, v);
    return out;
}

static void test_doubles(void **state)
{
    (void)state;
    assert_string_equal(dbl(0.0), "0");
    assert_string_equal(dbl(-0.0), "-0");
    assert_string_equal(dbl(1.0), "1");
    assert_string_equal(dbl(100.0), "100");
    assert_string_equal(dbl(0.1), "0.1");
    assert_string_equal(dbl(1.5), "1.5");
    assert_string_equal(dbl(-2.25), "-2.25");
    assert_string_equal(dbl(1.0 / 3.0), "0.3333333333333333");
    assert_string_equal(dbl(0.1 + 0.2), "0.30000000000000004");
    assert_string_equal(dbl(1e300), "1e+300");
    assert_string_equal(dbl(5e-324), "5e-324");
    assert_string_equal(dbl(2.2250738585072014e-308), "2.2250738585072014e-308");
    assert_string_equal(dbl(123456789012345678.0), "1.2345678901234568e+17");
    assert_string_equal(dbl(0.000123), "0.000123");
    assert_string_equal(dbl(__builtin_nan("")), "null");
    assert_string_equal(dbl(__builtin_inf()), "null");
    assert_string_equal(dbl(-__builtin_inf()), "null");

    /* round trip and shortness over many pseudo-random doubles */
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        uint64_t bits = x;
        memcpy(&v, &bits, sizeof v);
        if (v != v || v - v != 0.0) /* NaN or infinity */
            continue;
        const char *s = dbl(v);
        assert_true(strtod(s, NULL) == v);
        /* one significant digit fewer must not read back the same */
        char shorter[400];
        int digits = 0;
        bool started = false; /* significant digits start at the first non-zero */
        for (const char *p = s; *p && *p != 'e'; p++) {
            if (*p >= '1' && *p <= '9')
                started = true;
            if (started && *p >= '0' && *p <= '9')
                digits++;
        }
        if (digits > 1 && strchr(s, '.') != NULL) {
            snprintf(shorter, sizeof shorter, "%.*g", digits - 1, v);
            assert_false(strtod(shorter, NULL) == v);
        }
    }

    JsonBuf j;
    json_init(&j, NULL);
    json_object_begin(&j);
    json_kv_double(&j, "score", 0.25);
    json_kv_double(&j, "nan", __builtin_nan(""));
    json_object_end(&j);
    assert_string_equal(json_cstr(&j), "{\"score\":0.25,\"nan\":null}");
    json_fini(&j);
}

static void test_hex_base64_raw(void **state)
{
    (void)state;
    JsonBuf j;
    json_init(&j, NULL);
    json_array_begin(&j);
    json_hex(&j, (const uint8_t *)"\x00\x0f\xab\xff", 4);
    json_base64(&j, (const uint8_t *)"", 0);
    json_base64(&j, (const uint8_t *)"f", 1);
    json_base64(&j, (const uint8_t *)"fo", 2);
    json_base64(&j, (const uint8_t *)"foo", 3);
    json_base64(&j, (const uint8_t *)"foob", 4);
    json_base64(&j, (const uint8_t *)"fooba", 5);
    json_base64(&j, (const uint8_t *)"foobar", 6);
    json_base64(&j, (const uint8_t *)"\xff\xfe\xfd", 3);
    json_raw(&j, "{\"x\":[1]}", 9);
    json_array_end(&j);
    assert_string_equal(json_cstr(&j), "[\"000fabff\",\"\",\"Zg==\",\"Zm8=\",\"Zm9v\",\"Zm9vYg==\","
                                       "\"Zm9vYmE=\",\"Zm9vYmFy\",\"//79\",{\"x\":[1]}]");
    json_fini(&j);
}

static void test_growth_and_accounting(void **state)
{
    (void)state;
    MemAccount acct;
    mem_account_init(&acct, "test", 0);
    JsonBuf j;
    json_init(&j, &acct);
    json_array_begin(&j);
    for (int i = 0; i < 10000; i++)
        json_str(&j, "0123456789");
    json_array_end(&j);
    assert_true(json_complete(&j));
    assert_int_equal(json_len(&j), 2 + 10000 * 12 + 9999); /* brackets, strings, commas */
    assert_true(atomic_load(&acct.used) >= json_len(&j));
    json_fini(&j);
    assert_int_equal(atomic_load(&acct.used), 0);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    /* a cap refuses growth: the record fails cleanly */
    MemAccount acct;
    mem_account_init(&acct, "tiny", 300);
    JsonBuf j;
    json_init(&j, &acct);
    json_array_begin(&j);
    for (int i = 0; i < 100; i++)
        json_str(&j, "0123456789");
    assert_false(json_ok(&j));
    assert_true(atomic_load(&acct.refused) > 0);
    assert_string_equal(json_cstr(&j), "");
    json_fini(&j);

    /* an injected malloc failure on the first allocation */
    json_init(&j, NULL);
    mem_fail_after(1);
    json_object_begin(&j);
    mem_fail_after(0);
    assert_false(json_ok(&j));
    json_reset(&j);
    json_object_begin(&j);
    json_object_end(&j);
    assert_string_equal(json_cstr(&j), "{}");
    json_fini(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte_alone),
        cmocka_unit_test(test_every_byte_in_one_string),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_nesting_and_commas),
        cmocka_unit_test(test_misuse_is_sticky),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_hex_base64_raw),
        cmocka_unit_test(test_growth_and_accounting),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
