/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dns.h: the DNS parser (RFC 1035 messages, RFC 3596 AAAA, RFC 2782 SRV,
 * RFC 9460 SVCB/HTTPS), its transactions and the rule buffers detection
 * reads from them.
 *
 * Wire format (RFC 1035 4.1):
 *   header   id:16 | QR:1 opcode:4 AA TC RD RA Z AD CD rcode:4 |
 *            qdcount:16 ancount:16 nscount:16 arcount:16
 *   question name, type:16, class:16
 *   rr       name, type:16, class:16, ttl:32, rdlength:16, rdata
 *   names    labels (len 1..63) ending in 0, or a 2-byte pointer 0xC000|off
 * Over UDP one message is one datagram; over TCP each message is preceded
 * by a 2-byte length (RFC 1035 4.2.2) and may span segments.
 *
 * Where it sits: applayer/dns. The framework (applayer/applayer.h) hands
 * datagrams or reassembled TCP bytes to dns_parse via AppParserOps.
 *
 * Behaviour (Suricata 7's rust/src/dns):
 *   - a request makes a transaction; a response is matched to the oldest
 *     transaction with the same id and no response yet, else it gets one of
 *     its own;
 *   - names are decompressed with pointers that must go strictly backwards
 *     (and at most 255 hops): a pointer that does not is the event
 *     infinite_loop; a name longer than 255 characters is cut there
 *     (name_too_long); labels are joined with '.', the root name is "";
 *   - a message that cannot be parsed at all is the event malformed_data;
 *     one whose sections are cut short keeps what was parsed
 *     (malformed_data too); a request with QR set is not_a_request and
 *     a response without it not_a_response (the transaction still forms);
 *     Z set is z_flag_set.
 *
 * Memory: all from the MemAccount given at dns_state_new (the "applayer"
 * account); refusal makes dns_parse return DNS_PARSE_ERROR.
 * Threads: a state belongs to one worker; nothing locks.
 */
#ifndef KASBAH_APPLAYER_DNS_DNS_H
#define KASBAH_APPLAYER_DNS_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/alloc.h"

/* The longest name we keep (RFC 1035 2.3.4: 255 octets on the wire). */
#define DNS_MAX_NAME 255
/* Transactions kept per flow: beyond this the oldest is dropped (answered
 * or not) and the new one carries the event flooded (Suricata's policy of
 * bounding per-flow DNS state). */
#define DNS_MAX_TX 256
/* Records kept per section. */
#define DNS_MAX_RECORDS 64

enum {
    DNS_TYPE_A = 1, DNS_TYPE_NS = 2, DNS_TYPE_CNAME = 5, DNS_TYPE_SOA = 6, DNS_TYPE_PTR = 12,
    DNS_TYPE_MX = 15, DNS_TYPE_TXT = 16, DNS_TYPE_AAAA = 28, DNS_TYPE_SRV = 33,
    DNS_TYPE_OPT = 41, DNS_TYPE_SSHFP = 44, DNS_TYPE_SVCB = 64, DNS_TYPE_HTTPS = 65,
};

/* Events (Suricata's rules/dns-events.rules names), bit numbers. */
typedef enum DnsEvent {
    DNS_EV_MALFORMED_DATA = 0,
    DNS_EV_NOT_A_REQUEST,
    DNS_EV_NOT_A_RESPONSE,
    DNS_EV_Z_FLAG_SET,
    DNS_EV_FLOODED,
    DNS_EV_STATE_MEMCAP_REACHED,
    DNS_EV_INVALID_ADDITIONALS,
    DNS_EV_INVALID_AUTHORITIES,
    DNS_EV_NAME_TOO_LONG,
    DNS_EV_INFINITE_LOOP,
    DNS_EV_TOO_MANY_LABELS,
    DNS_EV_COUNT
} DnsEvent;

/* "malformed_data", ...; NULL when out of range. */
const char *dns_event_name(DnsEvent ev);
/* The event of a name; -1 when unknown. */
int dns_event_by_name(const char *name);

/* A question (only name/type/rclass) or a resource record. */
typedef struct DnsRecord {
    char *name;            /* decompressed, NUL-terminated */
    uint16_t name_len;
    uint16_t type, rclass;
    uint32_t ttl;
    /* rdata as logged: address text (A, AAAA), a name (CNAME, NS, PTR,
     * MX exchange, SRV / SVCB / HTTPS target, SOA mname), the first
     * character-string (TXT); NULL for other types */
    char *data;
    uint16_t data_len;
    char *data2;           /* SOA rname */
    uint16_t data2_len;
    /* SOA: serial refresh retry expire minimum; MX: preference;
     * SRV: priority weight port; SVCB/HTTPS: priority */
    uint32_t num[5];
} DnsRecord;

typedef struct DnsMessage {
    uint16_t id, flags;
    uint16_t n_queries, n_answers, n_authorities, n_additionals;
    DnsRecord *queries, *answers, *authorities, *additionals;
} DnsMessage;

typedef struct DnsTx {
    uint64_t tx_id;
    uint16_t dns_id;
    DnsMessage *request;   /* NULL: unsolicited response */
    DnsMessage *response;  /* NULL: not answered (yet) */
    uint32_t events;       /* 1u << DnsEvent */
    uint8_t logged;        /* bit 0 request logged, bit 1 response logged */
} DnsTx;

typedef struct DnsState DnsState;

typedef enum DnsParseStatus {
    DNS_PARSE_OK = 0,
    DNS_PARSE_INCOMPLETE,  /* TCP: *consumed used, at least *needed more wanted */
    DNS_PARSE_ERROR,       /* out of memory: give up on the flow */
} DnsParseStatus;

/* A state for one flow; tcp selects the length-prefixed framing. NULL on OOM. */
DnsState *dns_state_new(MemAccount *acct, bool tcp);
void dns_state_free(DnsState *s);

/*
 * Parse bytes of direction dir (0 to server). UDP: buf is one datagram.
 * TCP: any prefix of the stream's unconsumed bytes; complete messages are
 * parsed and counted in *consumed, and *needed says how many more bytes the
 * next message wants. Malformed messages become events, not errors.
 */
DnsParseStatus dns_parse(DnsState *s, unsigned dir, const uint8_t *buf, size_t len,
                         uint32_t *consumed, uint32_t *needed);

/* Transactions: ids 0.. per flow; dns_state_tx is NULL for a dropped one. */
uint64_t dns_state_tx_count(const DnsState *s);
DnsTx *dns_state_tx(DnsState *s, uint64_t tx_id);
/* The framework's tx_release (applayer_flow_tx_release): free, oldest
 * first, the answered txs with an id below upto -- when need_logged only
 * those whose request (if any) and answer were logged (DnsTx.logged) -- and
 * stop at the first that may not go. Returns how many went. */
size_t dns_state_tx_release(DnsState *s, uint64_t upto, bool need_logged);
/* Events of the last message that did not become a transaction (garbage). */
uint32_t dns_state_events(const DnsState *s);

/* ---- rule buffers ---- */

/* dns.query: the idx-th question name of the request (multi-buffer);
 * false past the last. */
bool dns_tx_query(const DnsTx *tx, uint32_t idx, const uint8_t **buf, uint32_t *len);
/* dns.opcode: the opcode of the request (else of the response); -1 when none. */
int dns_tx_opcode(const DnsTx *tx);

/* ---- names for EVE ---- */

/* "A", "AAAA", ...; writes the decimal number into tmp (>= 8 bytes) for
 * types without a name, and returns tmp. */
const char *dns_rrtype_name(uint16_t type, char *tmp);
/* "NOERROR", "NXDOMAIN", ... (rcode from flags & 0xf) likewise. */
const char *dns_rcode_name(uint16_t rcode, char *tmp);

/* Register the DNS parser with the app-layer registry (APP_PROTO_DNS, TCP
 * and UDP; the built-in probe stays). Start-up only. Returns as
 * applayer_parser_register. Framework tx pointers are DnsTx *. */
int dns_parser_register(void);

#endif
