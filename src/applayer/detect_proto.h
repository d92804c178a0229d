/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * detect_proto.h: protocol detection from content (not ports): the probes
 * that recognise HTTP/1.x, TLS, DNS and SSH from the first bytes of a direction.
 *
 * Where it sits: applayer.c offers each direction's first bytes (the
 * reassembled TCP stream, or a UDP payload) to the probes of the protocols
 * registered for that transport, in registration order, until one says
 * yes. A probe answers yes / no / need more bytes; it reads only through the
 * bounds-checked Reader and never allocates. All probes are pure and
 * thread-safe.
 *
 * What each probe accepts (either direction: a flow whose first packet was
 * the server's has its directions swapped):
 *   HTTP  a request line's method token followed by a space (RFC 9110
 *         section 9 methods and WebDAV ones), or a status line starting
 *         "HTTP/1." (RFC 9112 section 4).
 *   TLS   a TLS record header (RFC 8446 section 5.1): content type 22
 *         (handshake), version 0x03 0x00..0x04, a length of at most 2^14 +
 *         2048, whose first handshake message is ClientHello (1) or
 *         ServerHello (2); or an SSLv2-framed ClientHello (RFC 6101 E.2).
 *   DNS   a structurally valid message (RFC 1035 section 4.1): header with
 *         plausible counts, then every question (names with labels <= 63,
 *         total <= 255 bytes, compression pointers only backwards) and a
 *         known class. Over TCP the RFC 1035 4.2.2 two-byte length prefix
 *         comes first. With neither port 53 the checks are stricter (one
 *         question, opcode query, at most one additional record in a query);
 *         NetBIOS name service (port 137, RFC 1002) is never DNS.
 *   SSH   "SSH-" at the start of the direction (the identification string,
 *         RFC 4253 section 4.2; Suricata's pattern for both directions).
 */
#ifndef KASBAH_APPLAYER_DETECT_PROTO_H
#define KASBAH_APPLAYER_DETECT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum AppProbe {
    APP_PROBE_NO = 0,
    APP_PROBE_YES,
    APP_PROBE_NEED_MORE,
} AppProbe;

/* What a probe knows besides the bytes. */
typedef struct AppProbeInfo {
    uint8_t ipproto;       /* 6 or 17 */
    unsigned dir;          /* 0 to server, 1 to client */
    uint16_t sp, dp;       /* the flow's client and server ports */
} AppProbeInfo;

AppProbe app_probe_http(const uint8_t *buf, size_t len, const AppProbeInfo *info);
AppProbe app_probe_tls(const uint8_t *buf, size_t len, const AppProbeInfo *info);
AppProbe app_probe_dns(const uint8_t *buf, size_t len, const AppProbeInfo *info);
AppProbe app_probe_ssh(const uint8_t *buf, size_t len, const AppProbeInfo *info);

#endif
