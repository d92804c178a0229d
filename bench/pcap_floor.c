/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcap_floor.c: the speed floor -- a bare libpcap read loop over one capture file.
 *
 * Where: bench/ only (not part of kasbah, not a test). bench/run-foundation runs it next
 * to kasbah over the same generated capture; whatever kasbah does per packet costs on top
 * of this loop, so its rate is the ceiling kasbah can reach reading files through libpcap.
 *
 * What it does per packet: pcap_next_ex, then reads every captured byte (a running sum,
 * printed at the end so the compiler cannot drop the loop). Nothing else.
 *
 * Output: one line of key=value pairs on stdout:
 *   packets=N caplen_bytes=N wire_bytes=N seconds=F pps=F gbps=F maxrss_kb=N sum=N
 * gbps counts wire bytes (the original length), as kasbah's rate does. On a read error
 * it adds error="..." and exits 1; a file it cannot open exits 2.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t n_pkts = 0, cap_bytes = 0, wire_bytes = 0, sum = 0;
	struct rusage ru;
	double t0, secs;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_floor FILE\n");
		return 2;
	}
	t0 = now_seconds();
	p = pcap_open_offline(argv[1], errbuf);
	if (p == NULL) {
		fprintf(stderr, "pcap_floor: %s: %s\n", argv[1], errbuf);
		return 2;
	}
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		/* Touch every byte: the floor must pay for bringing the packet into cache,
		 * as any decoder does. */
		for (uint32_t i = 0; i < hdr->caplen; i++)
			sum += data[i];
		n_pkts++;
		cap_bytes += hdr->caplen;
		wire_bytes += hdr->len;
	}
	secs = now_seconds() - t0;
	if (secs <= 0.0)
		secs = 1e-9;
	getrusage(RUSAGE_SELF, &ru);
	printf("packets=%llu caplen_bytes=%llu wire_bytes=%llu seconds=%.6f pps=%.1f gbps=%.4f "
	       "maxrss_kb=%ld sum=%llu",
	       (unsigned long long)n_pkts, (unsigned long long)cap_bytes,
	       (unsigned long long)wire_bytes, secs, (double)n_pkts / secs,
	       (double)wire_bytes * 8.0 / secs / 1e9, ru.ru_maxrss, (unsigned long long)sum);
	if (rc == -1) {
		printf(" error=\"%s\"\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	printf("\n");
	pcap_close(p);
	return 0;
}
