/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/tls.c: EVE tls records and the alert tls object.
 * Format: see output/tls.h (Suricata 7 output-json-tls.c).
 */
#include "output/tls.h"

#include <string.h>

static void put2(char *o, unsigned v)
{
    o[0] = (char)('0' + (v / 10) % 10);
    o[1] = (char)('0' + v % 10);
}

void eve_tls_format_time(int64_t secs, char *out)
{
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    /* civil_from_days (proleptic Gregorian) */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    y += m <= 2;
    if (y < 0)
        y = 0;
    if (y > 9999)
        y = 9999;
    put2(out, (unsigned)(y / 100));
    put2(out + 2, (unsigned)(y % 100));
    out[4] = '-';
    put2(out + 5, m);
    out[7] = '-';
    put2(out + 8, d);
    out[10] = 'T';
    put2(out + 11, (unsigned)(rem / 3600));
    out[13] = ':';
    put2(out + 14, (unsigned)(rem / 60 % 60));
    out[16] = ':';
    put2(out + 17, (unsigned)(rem % 60));
    out[19] = '\0';
}

void eve_tls_fields(JsonBuf *j, const TlsState *s)
{
    const TlsCert *c = tls_cert(s, 0);
    if (c != NULL && c->parsed) {
        json_kv_bytes(j, "subject", (const uint8_t *)c->subject, strlen(c->subject));
        json_kv_bytes(j, "issuerdn", (const uint8_t *)c->issuer, strlen(c->issuer));
        json_kv_str(j, "serial", c->serial);
    }
    if (c != NULL && c->parsed)
        json_kv_str(j, "fingerprint", c->fingerprint);
    const TlsHello *ch = tls_client_hello(s);
    if (ch != NULL && ch->sni != NULL)
        json_kv_bytes(j, "sni", (const uint8_t *)ch->sni, ch->sni_len);
    char vtmp[8];
    json_kv_str(j, "version", tls_version_name(tls_state_version(s), vtmp));
    if (c != NULL && c->parsed) {
        char t[24];
        eve_tls_format_time(c->not_before, t);
        json_kv_str(j, "notbefore", t);
        eve_tls_format_time(c->not_after, t);
        json_kv_str(j, "notafter", t);
    }
    if (ch != NULL) {
        json_kv_object_begin(j, "ja3");
        json_kv_str(j, "hash", tls_ja3_hash(s));
        json_kv_str(j, "string", tls_ja3_string(s));
        json_object_end(j);
    }
    if (tls_server_hello(s) != NULL) {
        json_kv_object_begin(j, "ja3s");
        json_kv_str(j, "hash", tls_ja3s_hash(s));
        json_kv_str(j, "string", tls_ja3s_string(s));
        json_object_end(j);
    }
    /* Suricata 7 (ja4-fingerprints on): "ja4" beside ja3/ja3s, the
     * fingerprint of the client's hello */
    const char *ja4 = ch != NULL ? tls_ja4(s) : NULL;
    if (ja4 != NULL && ja4[0] != '\0')
        json_kv_str(j, "ja4", ja4);
}

void eve_tls_alert_object(JsonBuf *j, const TlsState *s)
{
    json_kv_object_begin(j, "tls");
    eve_tls_fields(j, s);
    json_object_end(j);
}

static int finish(EveWriter *w, JsonBuf *j, TlsState *s)
{
    tls_state_set_logged(s);
    json_kv_u64(j, "tx_id", 0);
    eve_tls_alert_object(j, s);
    return eve_commit(w, j);
}

int eve_write_tls(EveWriter *w, JsonBuf *j, const Packet *p, TlsState *s)
{
    if (!eve_type_enabled(w, "tls") || tls_state_logged(s))
        return 0;
    json_reset(j);
    eve_header_packet(j, p, "tls", EVE_DIR_FLOW);
    return finish(w, j, s);
}

int eve_write_tls_flow(EveWriter *w, JsonBuf *j, const Flow *f, int64_t ts_ns, TlsState *s)
{
    if (!eve_type_enabled(w, "tls") || tls_state_logged(s))
        return 0;
    json_reset(j);
    eve_header_flow(j, f, ts_ns, "tls");
    return finish(w, j, s);
}
