/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sip.h: SIP over UDP (RFC 3261): protocol detection from content and a
 * message-shape parser, enough to name a flow "sip" and to notice a message
 * that is not what its direction should carry.
 *
 * Wire format (RFC 3261 section 7), one message per datagram:
 *
 *     request:  Method SP Request-URI SP "SIP/2.0" CRLF      (7.1)
 *     response: "SIP/2.0" SP 3DIGIT SP Reason-Phrase CRLF     (7.2)
 *     then header lines "name: value" CRLF, an empty line, an optional body
 *
 * A client (to server) sends requests, a server (to client) responses, as
 * Suricata's SIP parser expects: a response sent to the server, a request
 * sent to the client, a malformed start line or a header block without its
 * empty line is a parse error. Unlike TCP parsers, an error does not turn a
 * UDP parser off: the next datagram is parsed again (Suricata too), so each
 * bad datagram counts an error and meets `app-layer.error-policy`.
 *
 * Where it sits: applayer/ (applayer_registry_init registers the probe and
 * the parser for APP_PROTO_SIP, UDP only: over TCP "OPTIONS sip:..." would be
 * taken for HTTP first, and kasbah does not yet order probes by port).
 * Probes and parsing are pure functions of the bytes; thread-safe.
 */
#ifndef KASBAH_APPLAYER_SIP_SIP_H
#define KASBAH_APPLAYER_SIP_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "applayer/detect_proto.h"

typedef enum SipKind {
    SIP_NONE = 0,       /* not a SIP message */
    SIP_REQUEST,
    SIP_RESPONSE,
} SipKind;

/* The kind of the SIP message in buf: its start line is a request or status
 * line and the header block ends with an empty line. */
SipKind sip_message_kind(const uint8_t *buf, size_t len);

/* Detection probe: a datagram whose start line is a SIP request or status
 * line (either direction). */
AppProbe app_probe_sip(const uint8_t *buf, size_t len, const AppProbeInfo *info);

/* Register the parser with applayer/ (APP_PROTO_SIP). 0, or applayer's error.
 * Start-up only. */
int sip_parser_register(void);

#endif
