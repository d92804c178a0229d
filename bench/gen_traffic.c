/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_traffic.c: write a large synthetic capture of mixed TCP/UDP traffic for bench/.
 *
 * Where: bench/ only (not part of kasbah, not a test). bench/run-foundation builds it and
 * runs it once to make the file both the libpcap floor (pcap_floor.c) and kasbah read.
 *
 * Usage: gen_traffic OUT.pcap MEGABYTES [SEED]
 * Writes a classic pcap (Ethernet, microsecond timestamps) of at least MEGABYTES * 10^6
 * bytes and prints one line: packets=N flows=N bytes=N.
 *
 * The traffic (deterministic for a given seed; xorshift64* PRNG):
 *   - ACTIVE (4096) flows interleaved at any moment; a finished flow is replaced by a new
 *     one, so a 1 GB file holds tens of thousands of flows;
 *   - 80% TCP (three-way handshake, requests of 100..700 bytes, responses in full-size
 *     segments of 1448 bytes (1428 over IPv6) plus a short tail, pure ACKs, FIN/ACK close), 20% UDP
 *     (DNS-like 60..300-byte pairs, or a QUIC-like run of 1200-byte datagrams);
 *   - 10% of flows over IPv6, 5% with an 802.1Q tag;
 *   - flow length: 70% short (a few exchanges), 25% medium, 5% long (hundreds of packets);
 *   - IPv4 header, TCP and UDP checksums all correct; payload bytes pseudo-random;
 *   - timestamps 8 microseconds apart on average (about 700 Mbit/s), so no flow idles long
 *     enough to hit a default timeout inside the file.
 * Invariant: every record's caplen == wire length <= 1518.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTIVE 4096
#define MAX_FRAME 1518
#define MSS 1448

typedef struct GenFlow {
	uint8_t is_tcp, is_v6, has_vlan, state;
	uint16_t vlan, cport, sport;
	uint32_t cip, sip;       /* IPv4, or the low 32 bits of the IPv6 addresses */
	uint32_t cseq, sseq;
	uint32_t exchanges_left; /* request/response rounds still to send */
	uint32_t resp_left;      /* bytes of the current response still to send */
	uint8_t pending_ack;     /* client owes an ACK for response data */
	uint8_t quic;            /* UDP: QUIC-like run instead of DNS-like pairs */
	uint8_t started;         /* has sent a packet (counted in n_started) */
} GenFlow;

enum { ST_SYN, ST_SYNACK, ST_ACK, ST_REQ, ST_RESP, ST_FIN1, ST_FIN2, ST_LASTACK, ST_DONE };

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd_range(uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd() % (uint64_t)(hi - lo + 1));
}

static uint8_t noise[1 << 16];
static uint64_t n_flows, n_started, n_pkts, n_bytes, ts_usec;
static FILE *out;

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t acc)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		acc += (uint32_t)(p[len - 1] << 8);
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xFFFF) + (acc >> 16);
	return (uint16_t)~acc;
}

static void new_flow(GenFlow *f)
{
	uint32_t r = (uint32_t)(rnd() % 100);

	memset(f, 0, sizeof(*f));
	n_flows++;
	f->is_tcp = rnd() % 100 < 80;
	f->is_v6 = rnd() % 100 < 10;
	f->has_vlan = rnd() % 100 < 5;
	f->vlan = (uint16_t)rnd_range(1, 4094);
	f->cip = 0x0A000000u | (uint32_t)(n_flows % 0xFFFFFF); /* 10.x.y.z, one per flow */
	f->sip = 0xAC100000u | rnd_range(1, 4000);             /* 172.16.0.0/16 servers */
	f->cport = (uint16_t)rnd_range(1024, 65535);
	f->sport = f->is_tcp ? (uint16_t)(rnd() % 4 ? 443 : 80) : (uint16_t)(rnd() % 2 ? 53 : 443);
	f->cseq = (uint32_t)rnd();
	f->sseq = (uint32_t)rnd();
	f->exchanges_left = r < 70 ? rnd_range(1, 3) : r < 95 ? rnd_range(4, 15) : rnd_range(30, 120);
	f->state = f->is_tcp ? ST_SYN : ST_REQ;
	f->quic = !f->is_tcp && f->sport == 443;
}

/* Build and write one frame of the flow; `toserver` picks the direction. */
static void emit(GenFlow *f, int toserver, uint8_t tcp_flags, uint32_t payload_len)
{
	uint8_t frame[MAX_FRAME + 4];
	uint32_t rec[4];
	size_t l2 = f->has_vlan ? 18 : 14;
	size_t l3 = f->is_v6 ? 40 : 20;
	size_t l4 = f->is_tcp ? 20 : 8;
	size_t len = l2 + l3 + l4 + payload_len;
	uint8_t *ip = frame + l2, *th = ip + l3, *pl = th + l4;
	uint32_t src = toserver ? f->cip : f->sip, dst = toserver ? f->sip : f->cip;
	uint16_t sp = toserver ? f->cport : f->sport, dp = toserver ? f->sport : f->cport;
	uint32_t acc;

	if (len > MAX_FRAME) {          /* cannot happen with the sizes step() picks */
		fprintf(stderr, "gen_traffic: frame of %zu bytes\n", len);
		exit(1);
	}
	memset(frame, 0, l2 + l3 + l4);
	memcpy(frame, toserver ? "\x02\0\0\0\0\x02\x02\0\0\0\0\x01" : "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
	if (f->has_vlan) {
		put16(frame + 12, 0x8100);
		put16(frame + 14, f->vlan);
	}
	put16(frame + l2 - 2, f->is_v6 ? 0x86DD : 0x0800);
	memcpy(pl, noise + (rnd() & 0x7FFF), payload_len);

	/* L4 header; checksum below over the pseudo-header. */
	put16(th, sp);
	put16(th + 2, dp);
	if (f->is_tcp) {
		put32(th + 4, toserver ? f->cseq : f->sseq);
		put32(th + 8, (tcp_flags & 0x10) ? (toserver ? f->sseq : f->cseq) : 0);
		th[12] = 5 << 4;
		th[13] = tcp_flags;
		put16(th + 14, 64240);
	} else {
		put16(th + 4, (uint16_t)(l4 + payload_len));
	}

	if (f->is_v6) {
		/* 2001:db8:0:1::/64 holds the clients, 2001:db8:0:2::/64 the servers. */
		uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1}, b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 2};

		if (!toserver) {
			a[7] = 2;
			b[7] = 1;
		}
		put32(ip, 0x60000000u);
		put16(ip + 4, (uint16_t)(l4 + payload_len));
		ip[6] = f->is_tcp ? 6 : 17;
		ip[7] = 64;
		put32(a + 12, src);
		put32(b + 12, dst);
		memcpy(ip + 8, a, 16);
		memcpy(ip + 24, b, 16);
		acc = sum16(ip + 8, 32, 0);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(l3 + l4 + payload_len));
		put16(ip + 4, (uint16_t)n_pkts);
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = f->is_tcp ? 6 : 17;
		put32(ip + 12, src);
		put32(ip + 16, dst);
		put16(ip + 10, fold(sum16(ip, 20, 0)));
		acc = sum16(ip + 12, 8, 0);
	}
	acc += (uint32_t)(f->is_tcp ? 6 : 17) + (uint32_t)(l4 + payload_len);
	put16(th + (f->is_tcp ? 16 : 6), fold(sum16(th, l4 + payload_len, acc)));
	if (!f->is_tcp && th[6] == 0 && th[7] == 0)
		th[6] = th[7] = 0xFF;           /* UDP: 0 means "no checksum" */

	/* Record header in host byte order, as the file header's magic says. */
	ts_usec += rnd_range(1, 15);
	rec[0] = (uint32_t)(1700000000u + ts_usec / 1000000u);
	rec[1] = (uint32_t)(ts_usec % 1000000u);
	rec[2] = rec[3] = (uint32_t)len;
	fwrite(rec, 1, sizeof(rec), out);
	if (!f->started) {
		f->started = 1;
		n_started++;
	}
	fwrite(frame, 1, len, out);
	n_pkts++;
	n_bytes += 16 + len;

	if (f->is_tcp) {
		uint32_t adv = payload_len + ((tcp_flags & 0x03) ? 1u : 0u); /* SYN/FIN take one */
		if (toserver)
			f->cseq += adv;
		else
			f->sseq += adv;
	}
}

/* Send the flow's next packet; returns 0 when the flow is finished. */
static int step(GenFlow *f)
{
	if (!f->is_tcp) {
		if (f->exchanges_left == 0)
			return 0;
		if (f->quic) {
			emit(f, 1, 0, 1200);
			emit(f, 0, 0, rnd_range(1100, 1252));
		} else {
			emit(f, 1, 0, rnd_range(30, 60));
			emit(f, 0, 0, rnd_range(60, 300));
		}
		f->exchanges_left--;
		return 1;
	}
	switch (f->state) {
	case ST_SYN: emit(f, 1, 0x02, 0); f->state = ST_SYNACK; return 1;
	case ST_SYNACK: emit(f, 0, 0x12, 0); f->state = ST_ACK; return 1;
	case ST_ACK: emit(f, 1, 0x10, 0); f->state = ST_REQ; return 1;
	case ST_REQ:
		emit(f, 1, 0x18, rnd_range(100, 700));
		f->resp_left = rnd() % 4 ? rnd_range(200, 3000) : rnd_range(3000, 60000);
		f->state = ST_RESP;
		return 1;
	case ST_RESP: {
		uint32_t mss = f->is_v6 ? MSS - 20 : MSS; /* 1500-byte MTU minus headers, options */
		uint32_t n = f->resp_left > mss ? mss : f->resp_left;

		emit(f, 0, (uint8_t)(n == f->resp_left ? 0x18 : 0x10), n);
		f->resp_left -= n;
		if (++f->pending_ack == 2 || f->resp_left == 0) {
			emit(f, 1, 0x10, 0);
			f->pending_ack = 0;
		}
		if (f->resp_left == 0)
			f->state = --f->exchanges_left ? ST_REQ : ST_FIN1;
		return 1;
	}
	case ST_FIN1: emit(f, 1, 0x11, 0); f->state = ST_FIN2; return 1;
	case ST_FIN2: emit(f, 0, 0x11, 0); f->state = ST_LASTACK; return 1;
	case ST_LASTACK: emit(f, 1, 0x10, 0); f->state = ST_DONE; return 1;
	default: return 0;
	}
}

int main(int argc, char **argv)
{
	static GenFlow flows[ACTIVE];
	static char buf[1 << 22];
	uint64_t target;
	/* magic, version 2.4, thiszone, sigfigs, snaplen, LINKTYPE_ETHERNET; host order */
	uint32_t hdr[6] = {0xA1B2C3D4u, 2u | 4u << 16, 0, 0, 65535, 1};

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: gen_traffic OUT.pcap MEGABYTES [SEED]\n");
		return 2;
	}
	target = strtoull(argv[2], NULL, 10) * 1000000ULL;
	if (argc == 4)
		rng_state ^= strtoull(argv[3], NULL, 10) * 0x9E3779B97F4A7C15ULL;
	out = fopen(argv[1], "wb");
	if (out == NULL) {
		perror(argv[1]);
		return 2;
	}
	setvbuf(out, buf, _IOFBF, sizeof(buf));
	fwrite(hdr, 1, sizeof(hdr), out);
	n_bytes = sizeof(hdr);
	for (size_t i = 0; i < sizeof(noise); i++)
		noise[i] = (uint8_t)rnd();
	for (int i = 0; i < ACTIVE; i++)
		new_flow(&flows[i]);
	while (n_bytes < target) {
		GenFlow *f = &flows[rnd() % ACTIVE];

		if (!step(f))
			new_flow(f);
	}
	if (fclose(out) != 0) {
		perror(argv[1]);
		return 1;
	}
	printf("packets=%llu flows=%llu bytes=%llu\n", (unsigned long long)n_pkts,
	       (unsigned long long)n_started, (unsigned long long)n_bytes);
	return 0;
}
