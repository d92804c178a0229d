/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ssh.h: SSH protocol identification and a banner parser (RFC 4253
 * section 4.2), enough to name a flow "ssh" and read each side's version.
 *
 * Wire format of the identification string, sent by each side first:
 *
 *     SSH-protoversion-softwareversion SP comments CR LF
 *
 * at most 255 bytes including CR LF; the server may send other lines before
 * it (a line not starting with "SSH-"), the client may not. A lone LF ends a
 * line too (old implementations, as Suricata accepts). Everything after the
 * identification (key exchange, then encrypted packets) is consumed and not
 * looked at: kasbah, like Suricata with default settings, inspects SSH only
 * up to the banners.
 *
 * Where it sits: applayer/ (applayer_registry_init registers it for
 * APP_PROTO_SSH; detection from content is app_probe_ssh in detect_proto.c).
 * Parser results follow applayer.h: a client whose first line is not an
 * identification, or a line longer than 255 bytes, is an error (the parser
 * is disabled for the flow).
 *
 * Memory: one SshState per flow from the "applayer" account. Not
 * thread-safe per state; a flow belongs to one worker.
 */
#ifndef KASBAH_APPLAYER_SSH_SSH_H
#define KASBAH_APPLAYER_SSH_SSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/alloc.h"

/* RFC 4253 4.2: the identification line, CR LF included. */
#define SSH_BANNER_MAX 255

typedef struct SshState SshState;

/* The identification of one side. Strings are NUL-terminated copies. */
typedef struct SshBanner {
    bool done;                            /* the identification line was seen */
    char proto[SSH_BANNER_MAX + 1];       /* "2.0" */
    char software[SSH_BANNER_MAX + 1];    /* "OpenSSH_6.6.1" (comments excluded) */
} SshBanner;

/* A new state, or NULL on OOM. */
SshState *ssh_state_new(MemAccount *acct);
void ssh_state_free(SshState *s);

typedef enum SshParseStatus {
    SSH_PARSE_OK = 0,
    SSH_PARSE_ERROR,
} SshParseStatus;

/* Feed bytes of direction dir (0 client, 1 server) in stream order; every
 * byte is consumed (a partial line is kept, up to SSH_BANNER_MAX). */
SshParseStatus ssh_parse(SshState *s, unsigned dir, const uint8_t *buf, size_t len);

/* Side dir's identification (done false until seen); never NULL for a
 * valid state and dir 0 or 1. */
const SshBanner *ssh_banner(const SshState *s, unsigned dir);

/* Register the parser with applayer/ (APP_PROTO_SSH). 0, or applayer's
 * error (-EEXIST when already registered). Start-up only. */
int ssh_parser_register(void);

#endif
