/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_ssh_sip.c: libFuzzer target for the two small parsers of session 2,
 * the SSH identification-line parser (src/applayer/ssh) and the SIP message
 * classifier and probe (src/applayer/sip).
 *
 * Input layout: byte 0 picks the parser (bit 0: 0 SSH, 1 SIP); then records
 * of [flags][length][bytes]: flags bit 0 is the direction, bits 1-5 the
 * chunk size (1..32) in which the record's bytes are fed, so a banner is cut
 * anywhere. Properties checked: SSH consumes every chunk without a crash,
 * a finished banner's strings are NUL-terminated within SSH_BANNER_MAX, and
 * after ssh_state_free the account is back to zero; SIP's classifier and
 * probe agree (a whole request or response is never refused by the probe)
 * and read no byte past the buffer (ASan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "applayer/sip/sip.h"
#include "applayer/ssh/ssh.h"
#include "lib/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_banner(const SshBanner *b)
{
    if (b == NULL)
        abort();
    if (b->done && (memchr(b->proto, '\0', sizeof b->proto) == NULL ||
                    memchr(b->software, '\0', sizeof b->software) == NULL))
        abort();
}

static void fuzz_ssh(const uint8_t *data, size_t size)
{
    MemAccount acct;
    mem_account_init(&acct, "applayer", 0);
    SshState *s = ssh_state_new(&acct);
    if (s == NULL)
        abort(); /* unlimited account */
    size_t off = 0;
    while (off + 2 <= size) {
        unsigned dir = data[off] & 1;
        size_t chunk = ((data[off] >> 1) & 31) + 1;
        size_t len = data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        for (size_t k = 0; k < len; k += chunk) {
            size_t m = len - k < chunk ? len - k : chunk;
            (void)ssh_parse(s, dir, data + off + k, m);
        }
        off += len;
        check_banner(ssh_banner(s, 0));
        check_banner(ssh_banner(s, 1));
    }
    ssh_state_free(s);
    if (atomic_load(&acct.used) != 0)
        abort();
}

static void fuzz_sip(const uint8_t *data, size_t size)
{
    /* the whole input as one datagram, then every record as its own */
    SipKind k = sip_message_kind(data, size);
    if (k != SIP_NONE && app_probe_sip(data, size, NULL) == APP_PROBE_NO)
        abort();
    size_t off = 0;
    while (off + 2 <= size) {
        size_t len = data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        (void)sip_message_kind(data + off, len);
        (void)app_probe_sip(data + off, len, NULL);
        off += len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        fuzz_sip(data + 1, size - 1);
    else
        fuzz_ssh(data + 1, size - 1);
    return 0;
}
