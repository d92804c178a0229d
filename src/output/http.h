/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/http.h: the EVE `event_type: "http"` record of an HTTP transaction
 * and the `http` object inside alert records.
 *
 * Shape (Suricata 7 output-json-http.c with `extended: yes`, the default
 * suricata.yaml setting), header from output/eve.h in flow direction (src is
 * the client), then:
 *
 *   "tx_id":N,
 *   "http":{"hostname":"example.com", "http_port":8080, "url":"/a?b",
 *           "http_user_agent":"curl/8", "xff":"...",
 *           "http_content_type":"text/html",       (response, cut at ';')
 *           "content_range":{"raw":"bytes 0-9/20","start":0,"end":9,"size":20},
 *           "http_refer":"...", "http_method":"GET", "protocol":"HTTP/1.1",
 *           "status":200, "redirect":"/next", "length":1234}
 *
 * Each member only when its source exists (hostname when a host is known,
 * http_port when a port was written in the URI or Host header, status and
 * redirect when a response line was parsed); `length` always: the
 * response body bytes on the wire, chunk framing included, before
 * decompression (libhtp's response_message_len). Strings are written as bytes with lib/json's
 * Suricata-compatible escaping.
 *
 * Thread-safety: as eve_commit; the tx is read (composite buffers are not
 * built here).
 */
#ifndef KASBAH_OUTPUT_HTTP_H
#define KASBAH_OUTPUT_HTTP_H

#include <stdint.h>

#include "applayer/http/http.h"
#include "decode/packet.h"
#include "flow/flow.h"
#include "lib/json.h"
#include "output/eve.h"

/* Write the members of the http object (no braces) into the open object. */
void eve_http_fields(JsonBuf *j, const HttpTx *tx);

/* Write "http":{...} into the open object (alert records, Suricata's
 * EveHttpAddMetadata). */
void eve_http_alert_object(JsonBuf *j, const HttpTx *tx);

/* Build and commit the http record of tx, triggered by packet p (header
 * from p in flow direction). Nothing when the "http" type is disabled
 * (returns 0). Marks the tx logged. j is the caller's scratch buffer
 * (reset here). Returns as eve_commit. */
int eve_write_http(EveWriter *w, JsonBuf *j, const Packet *p, HttpTx *tx);

/* The same from a flow with no packet (flow end / timeout): header from
 * eve_header_flow at capture time ts_ns. */
int eve_write_http_flow(EveWriter *w, JsonBuf *j, const Flow *f, int64_t ts_ns, HttpTx *tx);

#endif
