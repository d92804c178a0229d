/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rules/address.h: rule address and port expressions compiled to sorted,
 * disjoint ranges, matched by binary search.
 *
 * Address grammar (Suricata's): `any`, an IPv4/IPv6 address, CIDR
 * (`10.0.0.0/8`, `2001:db8::/32`), a dash range (`10.0.0.1-10.0.0.9`),
 * `$VAR` (from conf vars.address-groups, expanded recursively, loops
 * detected), `!x` negation, and `[a, b, ...]` lists, nested. A list's value
 * is the union of its positive elements (everything when it has none)
 * minus the union of its negated ones.
 * Ports: `any`, `N`, `N:M`, `N:` and `:M` (open ranges), `!x`, `[...]`
 * lists and `$VAR` (vars.port-groups), with the same list rule.
 *
 * An AddrSet holds IPv4 ranges over uint32 and IPv6 ranges over 128-bit
 * values (as two uint64 halves); an empty result ("matches nothing") is an
 * error at parse time, as in Suricata. Sets are immutable after parsing and
 * safe to share between threads.
 */
#ifndef KASBAH_DETECT_RULES_ADDRESS_H
#define KASBAH_DETECT_RULES_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "decode/packet.h"

typedef struct AddrRange4 { uint32_t lo, hi; } AddrRange4;
typedef struct U128 { uint64_t hi, lo; } U128;
typedef struct AddrRange6 { U128 lo, hi; } AddrRange6;

typedef struct AddrSet {
    AddrRange4 *v4;
    size_t n_v4;
    AddrRange6 *v6;
    size_t n_v6;
    bool any;      /* the whole space in both families */
} AddrSet;

typedef struct PortRange { uint16_t lo, hi; } PortRange;

typedef struct PortSet {
    PortRange *r;
    size_t n;
    bool any;
} PortSet;

/* Parse an address expression. On success *out is a new set (NULL when the
 * expression is plain `any`) and 0 is returned; on error -1 and err holds a
 * message ("unknown variable $FOO", "bad address '1.2.3'", ...). */
int addr_set_parse(const Config *conf, const char *text, AddrSet **out, char *err, size_t err_len);
void addr_set_free(AddrSet *s);
/* Does the set contain a (ip_ver 4 or 6)? NULL set matches everything. */
bool addr_set_match(const AddrSet *s, uint8_t ip_ver, const IpAddr *a);

int port_set_parse(const Config *conf, const char *text, PortSet **out, char *err, size_t err_len);
void port_set_free(PortSet *s);
bool port_set_match(const PortSet *s, uint16_t port);

#endif
