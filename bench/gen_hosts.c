/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_hosts.c: write a capture with a chosen number of distinct source hosts, for the
 * anomaly detector's benchmark (bench/run-anomaly).
 *
 * Where: bench/ only (not part of kasbah, not a test).
 *
 * Usage: gen_hosts OUT.pcap PACKETS HOSTS [SEED]
 * Writes a classic pcap (Ethernet, microsecond timestamps) of PACKETS UDP/IPv4 frames and
 * prints one line: packets=N hosts=N bytes=N.
 *
 * The traffic (deterministic for a given seed; xorshift64* PRNG): each packet comes from
 * one of HOSTS client addresses (10.0.0.0/8 from the host number, a MAC derived from it),
 * drawn uniformly at random, from one of 4 source ports, to one of 16 servers
 * (192.168.0.1..16) on UDP port 7000 (no app-layer parser claims it), 60 to 570 bytes on the wire, 1 microsecond apart. The
 * first HOSTS packets (or all of them, when PACKETS < HOSTS) visit the hosts in order, so
 * that every host appears. IPv4 and UDP checksums are correct; payload bytes are zero.
 * Invariant: caplen == wire length <= 570.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: gen_hosts OUT.pcap PACKETS HOSTS [SEED]\n");
		return 2;
	}
	uint64_t n_pkts = strtoull(argv[2], NULL, 10);
	uint64_t n_hosts = strtoull(argv[3], NULL, 10);
	if (argc > 4)
		rng_state ^= strtoull(argv[4], NULL, 10) * 0x100000001B3ULL;
	if (n_hosts == 0 || n_hosts > (1u << 24)) {
		fprintf(stderr, "gen_hosts: HOSTS must be 1..16777216\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "wb");
	if (f == NULL) {
		perror(argv[1]);
		return 1;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	uint8_t gh[24] = {0};
	put32le(gh, 0xa1b2c3d4);
	gh[4] = 2, gh[6] = 4;          /* version 2.4 */
	put32le(gh + 16, 65535);       /* snaplen */
	put32le(gh + 20, 1);           /* Ethernet */
	fwrite(gh, 1, sizeof(gh), f);

	uint8_t frame[14 + 20 + 8 + 600];
	uint64_t bytes = sizeof(gh);
	uint64_t t_us = 1700000000ull * 1000000ull;
	for (uint64_t i = 0; i < n_pkts; i++) {
		uint64_t r = rnd();
		uint32_t h = (uint32_t)(i < n_hosts ? i : r % n_hosts);
		uint32_t server = 1 + (uint32_t)((r >> 32) & 15);
		uint32_t sport = 1024 + (uint32_t)((r >> 40) & 3);
		uint32_t len = 60 + (uint32_t)((r >> 20) % 511);
		memset(frame, 0, len);
		/* Ethernet: to a router MAC, from a MAC made of the host number */
		frame[0] = 2, frame[5] = 1;
		frame[6] = 2, frame[7] = 0x10;
		frame[8] = (uint8_t)(h >> 24), frame[9] = (uint8_t)(h >> 16);
		frame[10] = (uint8_t)(h >> 8), frame[11] = (uint8_t)h;
		put16(frame + 12, 0x0800);
		uint8_t *ip = frame + 14;
		ip[0] = 0x45;
		put16(ip + 2, len - 14);
		put16(ip + 4, (uint32_t)i);
		ip[8] = 64, ip[9] = 17;
		ip[12] = 10, ip[13] = (uint8_t)(h >> 16), ip[14] = (uint8_t)(h >> 8), ip[15] = (uint8_t)h;
		ip[16] = 192, ip[17] = 168, ip[18] = 0, ip[19] = (uint8_t)server;
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		uint8_t *udp = ip + 20;
		uint32_t ulen = len - 14 - 20;
		put16(udp, sport);
		put16(udp + 2, 7000);
		put16(udp + 4, ulen);
		uint8_t pseudo[12] = {0};
		memcpy(pseudo, ip + 12, 8);
		pseudo[9] = 17;
		put16(pseudo + 10, ulen);
		uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, 12), udp, ulen));
		put16(udp + 6, c == 0 ? 0xffff : c);

		uint8_t rh[16];
		put32le(rh, (uint32_t)(t_us / 1000000));
		put32le(rh + 4, (uint32_t)(t_us % 1000000));
		put32le(rh + 8, len);
		put32le(rh + 12, len);
		fwrite(rh, 1, sizeof(rh), f);
		fwrite(frame, 1, len, f);
		bytes += sizeof(rh) + len;
		t_us += 1;
	}
	if (fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	printf("packets=%llu hosts=%llu bytes=%llu\n", (unsigned long long)n_pkts,
	       (unsigned long long)n_hosts, (unsigned long long)bytes);
	return 0;
}
