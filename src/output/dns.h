/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output/dns.h: the EVE `event_type: "dns"` records of a DNS transaction
 * (Suricata 7's version 2 format, rust/src/dns/log.rs, formats detailed and
 * grouped) and the `dns` object inside alert records.
 *
 * Header from output/eve.h in packet direction (Suricata logs DNS with
 * LOG_DIR_PACKET), then one record per question of a request:
 *   "dns":{"type":"query","id":4660,"rrname":"example.com","rrtype":"A",
 *          "tx_id":0,"opcode":0}                     (+ "z":true when set)
 * and one record per response:
 *   "dns":{"version":2,"type":"answer","id":4660,"flags":"8180","qr":true,
 *          "aa"/"tc"/"rd"/"ra"/"z":true (those set),
 *          "rrname":"example.com","rrtype":"A" (the first question),
 *          "rcode":"NOERROR",
 *          "answers":[{"rrname":..,"rrtype":..,"ttl":N,"rdata":"1.2.3.4"}],
 *          "grouped":{"A":["1.2.3.4"]},
 *          "authorities":[...]}
 * An answer entry carries "rdata" (A, AAAA, CNAME, NS, PTR, MX, TXT,
 * SVCB/HTTPS target), or "soa":{mname,rname,serial,refresh,retry,expire,
 * minimum}, or "srv":{priority,weight,port,name}; answers/grouped/authorities
 * only when the section is not empty. As Suricata, a response without a
 * question gets no answer record. HTTPS/SVCB rdata (the target) is
 * logged as "rdata", which Suricata 7 does not parse.
 *
 * Thread-safety: as eve_commit; the tx is read, only its `logged` bits change.
 */
#ifndef KASBAH_OUTPUT_DNS_H
#define KASBAH_OUTPUT_DNS_H

#include "applayer/dns/dns.h"
#include "decode/packet.h"
#include "lib/json.h"
#include "output/eve.h"

/* The members of a query record's "dns" object for question idx (no braces). */
void eve_dns_query_fields(JsonBuf *j, const DnsTx *tx, uint32_t idx);
/* The members of the answer record's "dns" object (no braces); nothing
 * when the tx has no response. */
void eve_dns_answer_fields(JsonBuf *j, const DnsTx *tx);

/* "dns":{"query":[{query object}...],"answer":{answer object}} for alerts
 * (Suricata's AlertJsonDns); members only for the sides present. */
void eve_dns_alert_object(JsonBuf *j, const DnsTx *tx);

/*
 * Write the records of tx that p (the packet whose message made or
 * completed the tx) brings: the query records (once) when the tx has a
 * query, the answer record (once) when it has a response -- whatever the
 * packet's direction (a capture may start with a response). Nothing when "dns" is disabled (0).
 * j is the caller's scratch buffer. Returns 0, or -1 when a record was
 * dropped (as eve_commit).
 */
int eve_write_dns(EveWriter *w, JsonBuf *j, const Packet *p, DnsTx *tx);

#endif
