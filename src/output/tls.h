/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/tls.h: the EVE `event_type: "tls"` record of a TLS session and the
 * `tls` object inside alert records.
 *
 * Shape (Suricata 7 output-json-tls.c, extended logging), header from
 * output/eve.h in flow direction (src is the client), then:
 *   "tls":{"subject":"C=US, O=Org, CN=host","issuerdn":"C=US, O=CA",
 *          "serial":"00:AB:CD","fingerprint":"ab:cd:...","sni":"host",
 *          "version":"TLS 1.2","notbefore":"2016-07-13T13:31:45",
 *          "notafter":"2017-07-13T13:31:45",
 *          "ja3":{"hash":"..","string":".."},"ja3s":{"hash":"..","string":".."},
 *          "ja4":"t13d1516h2_8daaf6152771_e5627efa2ab1"}
 * Each member only when known: certificate fields from the leaf
 * certificate, sni from the ClientHello, ja3 and ja4 from the ClientHello,
 * ja3s from the ServerHello; version always ("UNDETERMINED" when unknown).
 *
 * Thread-safety: as eve_commit.
 */
#ifndef KASBAH_OUTPUT_TLS_H
#define KASBAH_OUTPUT_TLS_H

#include <stdint.h>

#include "applayer/tls/tls.h"
#include "decode/packet.h"
#include "flow/flow.h"
#include "lib/json.h"
#include "output/eve.h"

/* The members of the tls object (no braces). */
void eve_tls_fields(JsonBuf *j, const TlsState *s);

/* "tls":{...} for alert records. */
void eve_tls_alert_object(JsonBuf *j, const TlsState *s);

/* "2016-07-13T13:31:45" for seconds since 1970 (UTC); out >= 24 bytes. */
void eve_tls_format_time(int64_t secs, char *out);

/* Build and commit the tls record (tx_id 0) from packet p, once per flow
 * (marks the state logged). Nothing when "tls" is disabled or already
 * logged (0). Returns as eve_commit. */
int eve_write_tls(EveWriter *w, JsonBuf *j, const Packet *p, TlsState *s);

/* The same from a flow with no packet (flow end), at capture time ts_ns. */
int eve_write_tls_flow(EveWriter *w, JsonBuf *j, const Flow *f, int64_t ts_ns, TlsState *s);

#endif
