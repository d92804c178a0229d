/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tcp.h: the TCP header and options (RFC 9293; window scale and timestamps
 * RFC 7323; SACK RFC 2018; MSS RFC 9293 s3.7.1).
 *
 *    0               16              31
 *   | source port   | dest port      |
 *   | sequence number                |
 *   | acknowledgment number          |
 *   | off(4) rsv(4) | flags(8) | window |
 *   | checksum      | urgent pointer |
 *   | options ((off-5)*4 bytes) ...  |
 *
 * Options: EOL 0, NOP 1, MSS 2 (len 4), window scale 3 (len 3), SACK
 * permitted 4 (len 2), SACK 5 (len 2+8n, n <= 4), timestamps 8 (len 10).
 * A known option with the wrong length is tcp.opt_invalid_len and is
 * ignored; a known option twice is tcp.opt_duplicate. Checksum over the
 * pseudo header + segment, only when the whole segment was captured and
 * DecodeConfig.checksum_validate is set. Entry point in decode_int.h.
 */
#ifndef KASBAH_DECODE_TCP_H
#define KASBAH_DECODE_TCP_H

#define TCP_HDR_LEN 20

enum {
    TCP_OPT_EOL = 0,
    TCP_OPT_NOP = 1,
    TCP_OPT_MSS = 2,
    TCP_OPT_WS = 3,
    TCP_OPT_SACKOK = 4,
    TCP_OPT_SACK = 5,
    TCP_OPT_TS = 8,
};

#endif
