/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_appmix.c: write a large synthetic HTTP/DNS/TLS capture (and a matching set of
 * generated content rules) for the pipeline benchmark.
 *
 * Where: bench/ only (not part of kasbah, not a test). bench/run-pipeline builds it with
 * `cc -O2 ... -lz` and runs it once per size; the file is read by the libpcap floor
 * (pcap_floor.c) and by kasbah at each stage of the pipeline.
 *
 * Usage: gen_appmix OUT.pcap MEGABYTES [SEED [ACTIVE]]
 *          writes a classic pcap (Ethernet, microsecond timestamps) of at least
 *          MEGABYTES * 10^6 bytes and prints one line:
 *          packets=N flows=N bytes=N http=N tls=N dns=N attacks=N
 *        gen_appmix --list-attacks
 *          prints the planted attacks, one line each: attack sid=N what=...
 *        gen_appmix --rules OUT.rules N [SEED]
 *          writes N content rules (sids 9100001...) over the same host, URI and name
 *          vocabulary, so that some of them match the traffic.
 *
 * The traffic (deterministic for a given seed; xorshift64* PRNG):
 *   - ACTIVE (default and at most 2048) sessions interleaved at any moment; a finished one
 *     is replaced by a new one
 *     (about 45% DNS over UDP, 30% HTTP/1.1 on port 80, 25% TLS on port 443), so a
 *     350 MB file holds tens of thousands of flows;
 *   - clients in 10.1.0.0/16 (HOME_NET), servers on public addresses derived from the
 *     host name they serve, DNS to 10.0.0.53 or 8.8.8.8; per-client increasing ports,
 *     so no 5-tuple is reused;
 *   - TCP: SYN (MSS, SACK-permitted, window scale options), SYN/ACK, ACK; data in segments
 *     of at most 1460 bytes, a pure ACK every two segments and after each message; FIN
 *     close from the client (5% end with RST instead);
 *   - HTTP: 1..4 keep-alive request/response pairs; GET (10% POST with a form or JSON
 *     body); varied hosts, URIs, user agents, cookies; responses 200/304/404/301 with
 *     HTML, JS, CSS, JSON or image bodies, 40% of text bodies gzip-encoded, 25% chunked;
 *   - TLS: ClientHello with SNI, ALPN and the usual extensions; 70% TLS 1.2
 *     (ServerHello, a two-certificate chain in DER with the host as CN and SAN,
 *     ServerKeyExchange, ServerHelloDone, key exchange, CCS, Finished), 30% TLS 1.3
 *     (ServerHello with supported_versions, CCS, encrypted flight); then application
 *     data records both ways and a closing alert;
 *   - DNS: A/AAAA/HTTPS/MX/TXT/PTR queries (half with EDNS0), answers with compression
 *     pointers and CNAME chains, 3% NXDOMAIN, 2% unanswered;
 *   - one session in ATTACK_EVERY is an attack that an ET Open rule fires on (see the
 *     table "attacks" below with the sids), cycling through the kinds;
 *   - IPv4 header, TCP and UDP checksums all correct; timestamps 5..45 us apart.
 * Invariant: every record's caplen == wire length <= 1514.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define ACTIVE_MAX 2048
#define MSS 1460
#define ATTACK_EVERY 400
#define MAX_MSGS 24
#define N_HOSTS 3000
#define N_CLIENTS 4000

/* ------------------------------------------------------------------ */
/* Random numbers and a growable buffer                               */
/* ------------------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* uniform in [0, n) */
static uint32_t rn(uint32_t n)
{
	return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

static uint32_t rr(uint32_t lo, uint32_t hi)
{
	return lo + rn(hi - lo + 1);
}

typedef struct Buf {
	uint8_t *p;
	size_t len, cap;
} Buf;

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (q == NULL) {
		fprintf(stderr, "gen_appmix: out of memory\n");
		exit(1);
	}
	return q;
}

static void buf_reserve(Buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	size_t c = b->cap ? b->cap : 256;
	while (c < b->len + more)
		c *= 2;
	b->p = xrealloc(b->p, c);
	b->cap = c;
}

static void put(Buf *b, const void *d, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void put_s(Buf *b, const char *s) { put(b, s, strlen(s)); }
static void put_u8(Buf *b, unsigned v) { uint8_t x = (uint8_t)v; put(b, &x, 1); }
static void put_u16(Buf *b, unsigned v) { put_u8(b, v >> 8); put_u8(b, v); }
static void put_u24(Buf *b, unsigned v) { put_u8(b, v >> 16); put_u16(b, v & 0xffff); }

static void put_rand(Buf *b, size_t n)
{
	buf_reserve(b, n + 8);
	for (size_t i = 0; i < n; i += 8) {
		uint64_t r = rnd();
		memcpy(b->p + b->len + i, &r, 8);
	}
	b->len += n;
}

static void put_f(Buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* patch a big-endian length field of `width` bytes at `at` */
static void patch_len(Buf *b, size_t at, unsigned width, size_t v)
{
	for (unsigned i = 0; i < width; i++)
		b->p[at + i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

/* ------------------------------------------------------------------ */
/* Vocabulary (shared by the traffic and the generated rules)         */
/* ------------------------------------------------------------------ */

static const char *const words[] = {
	"alpha", "river", "cloud", "stone", "maple", "orbit", "pixel", "cedar", "delta", "ember",
	"frost", "grove", "harbor", "iris", "jade", "karma", "lotus", "meadow", "nova", "ocean",
	"prism", "quartz", "raven", "solar", "tiger", "umbra", "vivid", "willow", "xenon", "yonder",
	"zephyr", "amber", "blaze", "coral", "dune", "echo", "falcon", "glacier", "haven", "ivory",
	"jungle", "kite", "lunar", "mosaic", "nectar", "onyx", "pulse", "quill", "ripple", "sierra",
	"tundra", "unity", "vertex", "wander", "yield", "zenith", "market", "travel", "news", "sport",
	"health", "money", "game", "music",
};
#define N_WORDS (sizeof words / sizeof words[0])

static const char *const prefixes[] = { "www", "api", "cdn", "static", "img", "m", "login",
					 "news", "shop", "assets" };
static const char *const tlds[] = { "com", "net", "org", "io", "de", "co.uk", "fr", "info" };

static void host_name(unsigned i, char *out, size_t n)
{
	snprintf(out, n, "%s.%s%s.%s", prefixes[(i / 7) % 10], words[i % N_WORDS],
		 words[(i / N_WORDS) % N_WORDS], tlds[(i * 7 + i / 13) % 8]);
}

/* public address of host i: first octets avoid private, loopback and multicast ranges */
static uint32_t host_ip(unsigned i)
{
	static const uint8_t first[] = { 23, 31, 45, 52, 54, 64, 93, 104, 142, 151, 185, 199 };
	uint32_t h = (uint32_t)i * 2654435761u;
	return (uint32_t)first[i % sizeof first] << 24 | ((h >> 8) & 0xffff) << 8 | (1 + (h >> 24) % 253);
}

/* popular hosts are much more frequent (a square of a uniform) */
static unsigned pick_host(void)
{
	uint64_t a = rn(N_HOSTS), b = rn(N_HOSTS);
	return (unsigned)(a * b / N_HOSTS);
}

static const char *const agents[] = {
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.163 Mobile Safari/537.36",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 Edg/119.0.2151.72",
	"curl/8.4.0",
	"python-requests/2.31.0",
	"okhttp/4.12.0",
	"Wget/1.21.3",
	"Microsoft-CryptoAPI/10.0",
	"Debian APT-HTTP/1.3 (2.6.1)",
};
#define N_AGENTS (sizeof agents / sizeof agents[0])

/* ------------------------------------------------------------------ */
/* Sessions: a list of messages, played out as packets                */
/* ------------------------------------------------------------------ */

enum { K_DNS, K_HTTP, K_TLS };
enum { A_NONE, A_UA, A_SQLI, A_DNS, A_SNI, A_KINDS };

/* The planted attacks and the ET Open rules they are built to fire (run-pipeline checks
 * that these sids alert when ET Open is loaded). */
static const struct {
	const char *what;
	unsigned sid;
} attacks[A_KINDS] = {
	[A_UA] = { "user agent reqwest/ (emerging-user_agents.rules)", 2028842 },
	[A_SQLI] = { "UNION SELECT in the URI (emerging-web_server.rules)", 2006446 },
	[A_DNS] = { "DNS query gdprcountryrestriction.com (emerging-adware_pup.rules)", 2030014 },
	[A_SNI] = { "TLS SNI api.honeygain.com (emerging-adware_pup.rules)", 2033900 },
};

typedef struct Msg {
	uint8_t dir; /* 0 client -> server, 1 server -> client */
	uint32_t off, len;
} Msg;

enum { PH_SYN, PH_SYNACK, PH_ACK, PH_DATA, PH_FIN1, PH_FIN2, PH_FIN3, PH_DONE };

typedef struct Sess {
	uint8_t kind, phase, rst, ack_pending, unacked;
	uint32_t ip[2];
	uint16_t port[2];
	uint32_t seq[2];
	uint16_t ipid[2];
	Buf data;
	Msg msg[MAX_MSGS];
	unsigned n_msg, mi;
	uint32_t moff;
} Sess;

static void add_msg(Sess *s, unsigned dir, size_t start)
{
	if (s->n_msg == MAX_MSGS)
		return;
	Msg *m = &s->msg[s->n_msg++];
	m->dir = (uint8_t)dir;
	m->off = (uint32_t)start;
	m->len = (uint32_t)(s->data.len - start);
}

/* ------------------------------------------------------------------ */
/* HTTP                                                               */
/* ------------------------------------------------------------------ */

static void put_words(Buf *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (i)
			put_u8(b, ' ');
		put_s(b, words[rn(N_WORDS)]);
	}
}

static void make_uri(Buf *b)
{
	switch (rn(9)) {
	case 0: put_s(b, "/"); break;
	case 1: put_f(b, "/%s/%s-%u.html", words[rn(N_WORDS)], words[rn(N_WORDS)], rn(100000)); break;
	case 2: put_f(b, "/static/js/%s.%08x.js", words[rn(N_WORDS)], (unsigned)rnd()); break;
	case 3: put_f(b, "/images/%s_%u.jpg", words[rn(N_WORDS)], rn(5000)); break;
	case 4: put_f(b, "/api/v%u/%s?id=%u&sort=%s", rr(1, 3), words[rn(N_WORDS)], rn(1000000), words[rn(N_WORDS)]); break;
	case 5: put_f(b, "/search?q=%s+%s&page=%u", words[rn(N_WORDS)], words[rn(N_WORDS)], rr(1, 20)); break;
	case 6: put_f(b, "/wp-content/themes/%s/style.css?ver=%u.%u", words[rn(N_WORDS)], rr(1, 6), rn(10)); break;
	case 7: put_f(b, "/%s/%s/index.php?page=%s&lang=en", words[rn(N_WORDS)], words[rn(N_WORDS)], words[rn(N_WORDS)]); break;
	default: put_f(b, "/assets/%s/%s.css", words[rn(N_WORDS)], words[rn(N_WORDS)]); break;
	}
}

enum { B_HTML, B_JS, B_CSS, B_JSON, B_IMG };

static size_t body_size(void)
{
	uint32_t r = rn(100);
	if (r < 75)
		return rr(200, 4000);
	if (r < 97)
		return rr(4000, 30000);
	return rr(30000, 200000);
}

static void make_body(Buf *b, unsigned type, size_t size)
{
	size_t start = b->len;
	switch (type) {
	case B_IMG:
		put(b, "\xff\xd8\xff\xe0\x00\x10JFIF\x00", 11);
		put_rand(b, size > 11 ? size - 11 : 0);
		return;
	case B_JSON:
		put_s(b, "{\"items\":[");
		while (b->len - start < size) {
			put_f(b, "{\"id\":%u,\"name\":\"%s %s\",\"price\":%u.%02u,\"tags\":[\"%s\",\"%s\"]},", rn(100000),
			      words[rn(N_WORDS)], words[rn(N_WORDS)], rn(500), rn(100), words[rn(N_WORDS)], words[rn(N_WORDS)]);
		}
		put_s(b, "{}]}");
		return;
	case B_JS:
		while (b->len - start < size)
			put_f(b, "function %s_%u(e){var t=document.getElementById(\"%s\");if(t){t.className=\"%s\";}return e+%u;}\n",
			      words[rn(N_WORDS)], rn(1000), words[rn(N_WORDS)], words[rn(N_WORDS)], rn(100));
		return;
	case B_CSS:
		while (b->len - start < size)
			put_f(b, ".%s-%s{margin:%upx;color:#%06x;font-family:%s,sans-serif}\n", words[rn(N_WORDS)],
			      words[rn(N_WORDS)], rn(40), rn(0xffffff), words[rn(N_WORDS)]);
		return;
	default:
		put_s(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
		put_words(b, 3);
		put_s(b, "</title><link rel=\"stylesheet\" href=\"/assets/main.css\"></head>\n<body>\n");
		while (b->len - start < size) {
			put_s(b, "<p>");
			put_words(b, rr(10, 40));
			put_f(b, " <a href=\"/%s/%s.html\">%s</a></p>\n", words[rn(N_WORDS)], words[rn(N_WORDS)], words[rn(N_WORDS)]);
		}
		put_s(b, "</body></html>\n");
		return;
	}
}

static void gzip_buf(const Buf *in, Buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		fprintf(stderr, "gen_appmix: deflateInit2 failed\n");
		exit(1);
	}
	size_t bound = deflateBound(&z, (uLong)in->len) + 32;
	buf_reserve(out, bound);
	z.next_in = in->p;
	z.avail_in = (uInt)in->len;
	z.next_out = out->p + out->len;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		fprintf(stderr, "gen_appmix: deflate failed\n");
		exit(1);
	}
	out->len += bound - z.avail_out;
	deflateEnd(&z);
}

static const char *const servers[] = { "nginx", "Apache/2.4.57 (Debian)", "cloudflare", "Microsoft-IIS/10.0", "AmazonS3",
				       "gws" };

static void http_request(Sess *s, const char *host, const char *ua, const char *uri)
{
	size_t st = s->data.len;
	Buf *b = &s->data;
	int post = rn(10) == 0;
	put_f(b, "%s ", post ? "POST" : "GET");
	if (uri != NULL)
		put_s(b, uri);
	else
		make_uri(b);
	put_f(b, " HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n", host, ua);
	put_s(b, "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
		 "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\n");
	if (rn(3) == 0)
		put_f(b, "Referer: http://%s/%s/\r\n", host, words[rn(N_WORDS)]);
	if (rn(2) == 0)
		put_f(b, "Cookie: session=%016llx%08x; pref=%s\r\n", (unsigned long long)rnd(), (unsigned)rnd(), words[rn(N_WORDS)]);
	if (post) {
		Buf body = { 0 };
		int json = rn(2);
		if (json)
			put_f(&body, "{\"user\":\"%s%u\",\"action\":\"%s\",\"count\":%u}", words[rn(N_WORDS)], rn(1000),
			      words[rn(N_WORDS)], rn(50));
		else
			put_f(&body, "user=%s%u&comment=%s+%s+%s&token=%016llx", words[rn(N_WORDS)], rn(1000),
			      words[rn(N_WORDS)], words[rn(N_WORDS)], words[rn(N_WORDS)], (unsigned long long)rnd());
		put_f(b, "Content-Type: %s\r\nContent-Length: %zu\r\n",
		      json ? "application/json" : "application/x-www-form-urlencoded", body.len);
		put_s(b, "Connection: keep-alive\r\n\r\n");
		put(b, body.p, body.len);
		free(body.p);
	} else {
		put_s(b, "Connection: keep-alive\r\n\r\n");
	}
	add_msg(s, 0, st);
}

static void http_response(Sess *s)
{
	size_t st = s->data.len;
	Buf *b = &s->data;
	uint32_t r = rn(100);
	const char *srv = servers[rn(sizeof servers / sizeof servers[0])];
	put_s(b, "HTTP/1.1 ");
	if (r < 5) {
		put_f(b, "304 Not Modified\r\nServer: %s\r\nDate: Tue, 14 Nov 2023 22:13:%02u GMT\r\nETag: \"%08x\"\r\n\r\n", srv,
		      rn(60), (unsigned)rnd());
		add_msg(s, 1, st);
		return;
	}
	if (r < 7) {
		put_f(b, "301 Moved Permanently\r\nServer: %s\r\nLocation: https://www.%s.com/\r\nContent-Length: 0\r\n\r\n", srv,
		      words[rn(N_WORDS)]);
		add_msg(s, 1, st);
		return;
	}
	int notfound = r < 10;
	unsigned type = notfound ? B_HTML : rn(5);
	static const char *const ctype[] = { "text/html; charset=utf-8", "application/javascript", "text/css",
					     "application/json", "image/jpeg" };
	Buf body = { 0 };
	make_body(&body, type, notfound ? rr(200, 1200) : body_size());
	int gz = type != B_IMG && rn(10) < 4;
	int chunked = rn(4) == 0;
	Buf *payload = &body;
	Buf zb = { 0 };
	if (gz) {
		gzip_buf(&body, &zb);
		payload = &zb;
	}
	put_f(b, "%s\r\nDate: Tue, 14 Nov 2023 22:13:%02u GMT\r\nServer: %s\r\nContent-Type: %s\r\n",
	      notfound ? "404 Not Found" : "200 OK", rn(60), srv, ctype[type]);
	if (gz)
		put_s(b, "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
	if (rn(2) == 0)
		put_f(b, "Cache-Control: max-age=%u\r\n", rn(86400));
	if (chunked)
		put_s(b, "Transfer-Encoding: chunked\r\n");
	else
		put_f(b, "Content-Length: %zu\r\n", payload->len);
	put_s(b, "Connection: keep-alive\r\n\r\n");
	if (chunked) {
		size_t o = 0;
		while (o < payload->len) {
			size_t n = payload->len - o < 8192 ? payload->len - o : rr(1024, 8192);
			put_f(b, "%zx\r\n", n);
			put(b, payload->p + o, n);
			put_s(b, "\r\n");
			o += n;
		}
		put_s(b, "0\r\n\r\n");
	} else {
		put(b, payload->p, payload->len);
	}
	free(body.p);
	free(zb.p);
	add_msg(s, 1, st);
}

static void make_http(Sess *s, unsigned host, int attack)
{
	char hn[128];
	host_name(host, hn, sizeof hn);
	const char *ua = agents[rn(N_AGENTS)];
	unsigned n = rn(3) == 0 ? rr(2, 4) : 1;
	for (unsigned i = 0; i < n; i++) {
		if (attack == A_UA && i == 0)
			http_request(s, hn, "reqwest/0.11.18", NULL);
		else if (attack == A_SQLI && i == 0)
			http_request(s, "intranet.corp.example", "sqlmap/1.7.2#stable (https://sqlmap.org)",
				     "/products/item.php?id=-7+UNION+SELECT+1,2,concat(username,0x3a,password),4+FROM+users--");
		else
			http_request(s, hn, ua, NULL);
		http_response(s);
	}
}

/* ------------------------------------------------------------------ */
/* TLS: records, handshake messages and DER certificates              */
/* ------------------------------------------------------------------ */

/* DER TLV with a definite length (X.690 8.1.3) */
static void der(Buf *o, uint8_t tag, const Buf *c)
{
	put_u8(o, tag);
	if (c->len < 128) {
		put_u8(o, (unsigned)c->len);
	} else if (c->len < 256) {
		put_u8(o, 0x81);
		put_u8(o, (unsigned)c->len);
	} else {
		put_u8(o, 0x82);
		put_u16(o, (unsigned)c->len);
	}
	put(o, c->p, c->len);
}

static void der_raw(Buf *o, uint8_t tag, const void *d, size_t n)
{
	Buf c = { (uint8_t *)d, n, n };
	der(o, tag, &c);
}

/* Name ::= SEQUENCE OF SET OF AttributeTypeAndValue: C, O, CN */
static void der_name(Buf *o, const char *cn, const char *org)
{
	static const uint8_t oid_c[] = { 0x55, 4, 6 }, oid_o[] = { 0x55, 4, 10 }, oid_cn[] = { 0x55, 4, 3 };
	const uint8_t *oids[] = { oid_c, oid_o, oid_cn };
	const char *vals[] = { "US", org, cn };
	Buf seq = { 0 };
	for (int i = 0; i < 3; i++) {
		Buf atv = { 0 }, set = { 0 };
		der_raw(&atv, 0x06, oids[i], 3);
		der_raw(&atv, i == 0 ? 0x13 : 0x0c, vals[i], strlen(vals[i]));
		der(&set, 0x30, &atv);
		der(&seq, 0x31, &set);
		free(atv.p);
		free(set.p);
	}
	der(o, 0x30, &seq);
	free(seq.p);
}

static void der_cert(Buf *o, const char *subject, const char *subject_org, const char *issuer, const char *issuer_org,
		     const char *san)
{
	static const uint8_t sigalg[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					  0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00 };
	static const uint8_t ecalg[] = { 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
					 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	static const uint8_t oid_san[] = { 0x55, 0x1d, 0x11 };
	Buf tbs = { 0 }, t = { 0 }, u = { 0 };
	put(&tbs, "\xa0\x03\x02\x01\x02", 5); /* [0] version v3 */
	put_rand(&t, 16);
	t.p[0] &= 0x7f;
	der(&tbs, 0x02, &t); /* serialNumber */
	put(&tbs, sigalg, sizeof sigalg);
	der_name(&tbs, issuer, issuer_org);
	t.len = 0;
	der_raw(&t, 0x17, "231101000000Z", 13);
	der_raw(&t, 0x17, "240130235959Z", 13);
	der(&tbs, 0x30, &t); /* validity */
	der_name(&tbs, subject, subject_org);
	t.len = 0;
	put(&t, ecalg, sizeof ecalg);
	u.len = 0;
	put(&u, "\x00\x04", 2);
	put_rand(&u, 64);
	der(&t, 0x03, &u);
	u.len = 0;
	der(&u, 0x30, &t); /* subjectPublicKeyInfo */
	put(&tbs, u.p, u.len);
	if (san != NULL) { /* [3] { SEQUENCE { SEQUENCE { subjectAltName, OCTET STRING { GeneralNames } } } } */
		Buf names = { 0 }, gn = { 0 }, ext = { 0 }, exts = { 0 }, x = { 0 };
		der_raw(&names, 0x82, san, strlen(san));
		der(&gn, 0x30, &names);
		der_raw(&ext, 0x06, oid_san, 3);
		der(&ext, 0x04, &gn);
		der(&exts, 0x30, &ext);
		der(&x, 0x30, &exts);
		der(&tbs, 0xa3, &x);
		free(names.p);
		free(gn.p);
		free(ext.p);
		free(exts.p);
		free(x.p);
	}
	Buf cert = { 0 };
	der(&cert, 0x30, &tbs);
	put(&cert, sigalg, sizeof sigalg);
	t.len = 0;
	put_u8(&t, 0);
	put_rand(&t, 256);
	der(&cert, 0x03, &t);
	der(o, 0x30, &cert);
	free(tbs.p);
	free(t.p);
	free(u.p);
	free(cert.p);
}

/* open a record and a handshake message header; return the offsets to patch */
static size_t rec_open(Buf *b, unsigned type)
{
	put_u8(b, type);
	put_u16(b, 0x0303);
	put_u16(b, 0);
	return b->len;
}

static void rec_close(Buf *b, size_t body) { patch_len(b, body - 2, 2, b->len - body); }

static void tls_opaque_record(Buf *b, unsigned type, size_t n)
{
	size_t r = rec_open(b, type);
	put_rand(b, n);
	rec_close(b, r);
}

static void client_hello(Buf *b, const char *sni, int tls13)
{
	static const uint16_t suites[] = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
					   0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035 };
	size_t r = rec_open(b, 22);
	put_u8(b, 1);
	size_t hs = b->len;
	put_u24(b, 0);
	put_u16(b, 0x0303);
	put_rand(b, 32);
	put_u8(b, 32);
	put_rand(b, 32);
	put_u16(b, sizeof suites);
	for (size_t i = 0; i < sizeof suites / 2; i++)
		put_u16(b, suites[i]);
	put(b, "\x01\x00", 2);
	size_t ext = b->len;
	put_u16(b, 0);
	size_t nl = strlen(sni); /* server_name (RFC 6066 3) */
	put_u16(b, 0);
	put_u16(b, nl + 5);
	put_u16(b, nl + 3);
	put_u8(b, 0);
	put_u16(b, nl);
	put(b, sni, nl);
	put(b, "\x00\x17\x00\x00", 4);                     /* extended_master_secret */
	put(b, "\xff\x01\x00\x01\x00", 5);                 /* renegotiation_info */
	put(b, "\x00\x0a\x00\x08\x00\x06\x00\x1d\x00\x17\x00\x18", 12); /* supported_groups */
	put(b, "\x00\x0b\x00\x02\x01\x00", 6);             /* ec_point_formats */
	put(b, "\x00\x23\x00\x00", 4);                     /* session_ticket */
	put(b, "\x00\x10\x00\x0e\x00\x0c\x02h2\x08http/1.1", 18); /* ALPN */
	put(b, "\x00\x0d\x00\x0e\x00\x0c\x04\x03\x08\x04\x04\x01\x05\x03\x08\x05\x05\x01", 18); /* sig algs */
	if (tls13) {
		put(b, "\x00\x2b\x00\x05\x04\x03\x04\x03\x03", 9); /* supported_versions */
		put(b, "\x00\x33\x00\x26\x00\x24\x00\x1d\x00\x20", 10); /* key_share x25519 */
		put_rand(b, 32);
	}
	patch_len(b, ext, 2, b->len - ext - 2);
	patch_len(b, hs, 3, b->len - hs - 3);
	rec_close(b, r);
}

static void server_flight(Buf *b, const char *host, int tls13)
{
	size_t r = rec_open(b, 22);
	put_u8(b, 2); /* ServerHello */
	size_t hs = b->len;
	put_u24(b, 0);
	put_u16(b, 0x0303);
	put_rand(b, 32);
	put_u8(b, 32);
	put_rand(b, 32);
	put_u16(b, tls13 ? 0x1301 : 0xc02f);
	put_u8(b, 0);
	size_t ext = b->len;
	put_u16(b, 0);
	if (tls13) {
		put(b, "\x00\x2b\x00\x02\x03\x04", 6);
		put(b, "\x00\x33\x00\x24\x00\x1d\x00\x20", 8);
		put_rand(b, 32);
	} else {
		put(b, "\xff\x01\x00\x01\x00\x00\x17\x00\x00\x00\x0b\x00\x02\x01\x00", 15);
		put(b, "\x00\x10\x00\x05\x00\x03\x02h2", 9);
	}
	patch_len(b, ext, 2, b->len - ext - 2);
	patch_len(b, hs, 3, b->len - hs - 3);
	if (tls13) {
		rec_close(b, r);
		r = rec_open(b, 20);
		put_u8(b, 1);
		rec_close(b, r);
		tls_opaque_record(b, 23, rr(2000, 4500)); /* encrypted extensions, certificate, verify, finished */
		return;
	}
	char cn[160], org[64];
	const char *dot = strchr(host, '.');
	snprintf(cn, sizeof cn, "*%s", dot != NULL ? dot : host);
	snprintf(org, sizeof org, "%s Ltd", words[rn(N_WORDS)]);
	int le = rn(2);
	const char *issuer = le ? "R3" : "DigiCert TLS RSA SHA256 2020 CA1";
	Buf leaf = { 0 }, ca = { 0 };
	der_cert(&leaf, host, org, issuer, le ? "Let's Encrypt" : "DigiCert Inc", host);
	der_cert(&ca, issuer, le ? "Let's Encrypt" : "DigiCert Inc", le ? "ISRG Root X1" : "DigiCert Global Root CA",
		 le ? "Internet Security Research Group" : "DigiCert Inc", NULL);
	put_u8(b, 11); /* Certificate */
	hs = b->len;
	put_u24(b, 0);
	put_u24(b, leaf.len + ca.len + 6);
	put_u24(b, leaf.len);
	put(b, leaf.p, leaf.len);
	put_u24(b, ca.len);
	put(b, ca.p, ca.len);
	patch_len(b, hs, 3, b->len - hs - 3);
	free(leaf.p);
	free(ca.p);
	put_u8(b, 12); /* ServerKeyExchange: curve x25519, key, signature */
	put_u24(b, 4 + 32 + 4 + 256);
	put(b, "\x03\x00\x1d\x20", 4);
	put_rand(b, 32);
	put(b, "\x08\x04\x01\x00", 4);
	put_rand(b, 256);
	put(b, "\x0e\x00\x00\x00", 4); /* ServerHelloDone */
	rec_close(b, r);
}

static void make_tls(Sess *s, const char *sni, int attack)
{
	(void)attack;
	Buf *b = &s->data;
	int tls13 = rn(10) < 3;
	size_t st = b->len;
	client_hello(b, sni, tls13);
	add_msg(s, 0, st);
	st = b->len;
	server_flight(b, sni, tls13);
	add_msg(s, 1, st);
	st = b->len;
	if (!tls13) {
		size_t r = rec_open(b, 22); /* ClientKeyExchange */
		put_u8(b, 16);
		put_u24(b, 33);
		put_u8(b, 32);
		put_rand(b, 32);
		rec_close(b, r);
	}
	size_t r = rec_open(b, 20);
	put_u8(b, 1);
	rec_close(b, r);
	tls_opaque_record(b, 22, tls13 ? 53 : 40); /* encrypted Finished */
	add_msg(s, 0, st);
	if (!tls13) {
		st = b->len;
		r = rec_open(b, 20);
		put_u8(b, 1);
		rec_close(b, r);
		tls_opaque_record(b, 22, 40);
		add_msg(s, 1, st);
	}
	unsigned rounds = rr(1, 4);
	for (unsigned i = 0; i < rounds; i++) {
		st = b->len;
		tls_opaque_record(b, 23, rr(80, 900));
		add_msg(s, 0, st);
		st = b->len;
		size_t want = body_size();
		while (want > 0) {
			size_t n = want > 16408 ? 16408 : want;
			tls_opaque_record(b, 23, n);
			want -= n;
		}
		add_msg(s, 1, st);
	}
	st = b->len;
	tls_opaque_record(b, 21, 26); /* close_notify, encrypted */
	add_msg(s, 0, st);
}

/* ------------------------------------------------------------------ */
/* DNS (RFC 1035; HTTPS RR RFC 9460; EDNS0 RFC 6891)                  */
/* ------------------------------------------------------------------ */

static void put_qname(Buf *b, const char *name)
{
	const char *p = name;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		put_u8(b, (unsigned)n);
		put(b, p, n);
		p += n;
		if (*p == '.')
			p++;
	}
	put_u8(b, 0);
}

static void make_dns(Sess *s, const char *name_in, int attack)
{
	static const uint16_t types[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 28, 28, 28, 28, 28, 65, 15, 16 };
	char name[200];
	uint16_t qtype = attack ? 1 : types[rn(sizeof types / sizeof types[0])];
	if (!attack && rn(33) == 0) {
		uint32_t ip = host_ip(pick_host());
		snprintf(name, sizeof name, "%u.%u.%u.%u.in-addr.arpa", ip & 255, (ip >> 8) & 255, (ip >> 16) & 255, ip >> 24);
		qtype = 12;
	} else {
		snprintf(name, sizeof name, "%s", name_in);
	}
	Buf *b = &s->data;
	uint16_t id = (uint16_t)rnd();
	int edns = rn(2);
	size_t st = b->len;
	put_u16(b, id);
	put_u16(b, 0x0100);
	put_u16(b, 1);
	put_u16(b, 0);
	put_u16(b, 0);
	put_u16(b, edns);
	put_qname(b, name);
	put_u16(b, qtype);
	put_u16(b, 1);
	if (edns)
		put(b, "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11);
	add_msg(s, 0, st);
	if (rn(50) == 0)
		return; /* unanswered */
	st = b->len;
	int nx = !attack && rn(33) == 0;
	put_u16(b, id);
	put_u16(b, nx ? 0x8183 : 0x8180);
	put_u16(b, 1);
	size_t an = b->len;
	put_u16(b, 0);
	put_u16(b, 0);
	put_u16(b, edns);
	put_qname(b, name);
	put_u16(b, qtype);
	put_u16(b, 1);
	unsigned n_an = 0;
	if (!nx) {
		unsigned ptr = 0xc00c; /* the question name */
		if ((qtype == 1 || qtype == 28) && rn(3) == 0) {
			put_u16(b, ptr);
			put_u16(b, 5);
			put_u16(b, 1);
			put(b, "\x00\x00\x01\x2c", 4);
			size_t rl = b->len;
			put_u16(b, 0);
			ptr = 0xc000 | (unsigned)(b->len - st);
			char cname[160];
			snprintf(cname, sizeof cname, "edge-%s.cdn-provider.net", words[rn(N_WORDS)]);
			put_qname(b, cname);
			patch_len(b, rl, 2, b->len - rl - 2);
			n_an++;
		}
		unsigned n = qtype == 1 ? rr(1, 4) : 1;
		for (unsigned i = 0; i < n; i++, n_an++) {
			put_u16(b, ptr);
			put_u16(b, qtype);
			put_u16(b, 1);
			put_u16(b, 0);
			put_u16(b, rr(30, 3600));
			size_t rl = b->len;
			put_u16(b, 0);
			switch (qtype) {
			case 1: put_rand(b, 4); break;
			case 28: put(b, "\x26\x06\x47\x00", 4); put_rand(b, 12); break;
			case 15: put_u16(b, 10); put_qname(b, "mail.example-mx.net"); break;
			case 16:
				put_u8(b, 40);
				put(b, "v=spf1 include:_spf.example.net ~all    ", 40);
				break;
			case 12: { char hn[128]; host_name(pick_host(), hn, sizeof hn); put_qname(b, hn); break; }
			default: put(b, "\x00\x01\x00\x00\x01\x00\x06\x02h2\x02h3", 13); break;
			}
			patch_len(b, rl, 2, b->len - rl - 2);
		}
	}
	patch_len(b, an, 2, n_an);
	if (edns)
		put(b, "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11);
	add_msg(s, 1, st);
}

/* ------------------------------------------------------------------ */
/* Packets and the pcap file                                          */
/* ------------------------------------------------------------------ */

static FILE *out;
static uint64_t ts_us = 1700000000ull * 1000000ull;
static uint64_t n_packets, n_bytes;

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void w16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void w32(uint8_t *p, uint32_t v) { w16(p, v >> 16); w16(p + 2, v & 0xffff); }

/* one Ethernet/IPv4/{TCP,UDP} frame from side `dir` of session s */
static void emit(Sess *s, unsigned dir, unsigned tcp_flags, const uint8_t *pl, size_t pl_len)
{
	uint8_t f[1600];
	int tcp = s->kind != K_DNS;
	size_t l4 = tcp ? 20 : 8;
	size_t opt = tcp && (tcp_flags & 0x02) ? 12 : 0;
	size_t iplen = 20 + l4 + opt + pl_len;
	memset(f, 0, 54 + opt);
	/* Ethernet: client side has 02:00:<ip>, the gateway 00:1a:2b:3c:4d:5e */
	uint8_t cm[6] = { 2, 0 }, gw[6] = { 0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e };
	uint32_t home = (s->ip[0] >> 24) == 10 ? s->ip[0] : s->ip[1];
	w32(cm + 2, home);
	memcpy(f, dir == 0 ? gw : cm, 6);
	memcpy(f + 6, dir == 0 ? cm : gw, 6);
	if ((s->ip[0] >> 24) != 10) { /* the client is outside: swap the roles of the MACs */
		memcpy(f, dir == 0 ? cm : gw, 6);
		memcpy(f + 6, dir == 0 ? gw : cm, 6);
	}
	f[12] = 0x08;
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	w16(ip + 2, (unsigned)iplen);
	w16(ip + 4, s->ipid[dir]++);
	ip[6] = 0x40; /* DF */
	ip[8] = dir == 0 ? 64 : 53;
	ip[9] = tcp ? 6 : 17;
	w32(ip + 12, s->ip[dir]);
	w32(ip + 16, s->ip[!dir]);
	w16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	uint8_t *l = ip + 20;
	w16(l, s->port[dir]);
	w16(l + 2, s->port[!dir]);
	if (tcp) {
		w32(l + 4, s->seq[dir]);
		w32(l + 8, (tcp_flags & 0x10) ? s->seq[!dir] : 0);
		l[12] = (uint8_t)(((20 + opt) / 4) << 4);
		l[13] = (uint8_t)tcp_flags;
		w16(l + 14, (tcp_flags & 0x02) ? 64240 : 502);
		if (opt)
			memcpy(l + 20, "\x02\x04\x05\xb4\x01\x03\x03\x08\x01\x01\x04\x02", 12);
	} else {
		w16(l + 4, (unsigned)(8 + pl_len));
	}
	if (pl_len > 0)
		memcpy(l + l4 + opt, pl, pl_len);
	uint8_t pseudo[12];
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = ip[9];
	w16(pseudo + 10, (unsigned)(l4 + opt + pl_len));
	uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, 12), l, l4 + opt + pl_len));
	if (!tcp && c == 0)
		c = 0xffff;
	w16(l + (tcp ? 16 : 6), c);

	size_t flen = 14 + iplen;
	ts_us += rr(5, 45);
	uint32_t hdr[4] = { (uint32_t)(ts_us / 1000000), (uint32_t)(ts_us % 1000000), (uint32_t)flen, (uint32_t)flen };
	fwrite(hdr, sizeof hdr, 1, out);
	fwrite(f, flen, 1, out);
	n_packets++;
	n_bytes += 16 + flen;
	if (tcp) {
		s->seq[dir] += (uint32_t)pl_len;
		if (tcp_flags & 0x03) /* SYN, FIN */
			s->seq[dir]++;
	}
}

/* Advance a session by one packet; false once it has finished. */
static int step(Sess *s)
{
	if (s->kind == K_DNS) {
		if (s->mi >= s->n_msg)
			return 0;
		Msg *m = &s->msg[s->mi++];
		emit(s, m->dir, 0, s->data.p + m->off, m->len);
		return 1;
	}
	switch (s->phase) {
	case PH_SYN: emit(s, 0, 0x02, NULL, 0); s->phase = PH_SYNACK; return 1;
	case PH_SYNACK: emit(s, 1, 0x12, NULL, 0); s->phase = PH_ACK; return 1;
	case PH_ACK: emit(s, 0, 0x10, NULL, 0); s->phase = PH_DATA; return 1;
	case PH_DATA:
		if (s->ack_pending) {
			emit(s, s->ack_pending - 1, 0x10, NULL, 0);
			s->ack_pending = 0;
			return 1;
		}
		if (s->mi >= s->n_msg) {
			if (s->rst) {
				emit(s, 0, 0x14, NULL, 0);
				s->phase = PH_DONE;
				return 1;
			}
			s->phase = PH_FIN1;
			return step(s);
		}
		{
			Msg *m = &s->msg[s->mi];
			uint32_t n = m->len - s->moff > MSS ? MSS : m->len - s->moff;
			int last = s->moff + n == m->len;
			emit(s, m->dir, last ? 0x18 : 0x10, s->data.p + m->off + s->moff, n);
			s->moff += n;
			s->unacked++;
			if (last || s->unacked >= 2) {
				s->ack_pending = (uint8_t)(2 - m->dir); /* the other side acknowledges */
				s->unacked = 0;
			}
			if (last) {
				s->mi++;
				s->moff = 0;
			}
		}
		return 1;
	case PH_FIN1: emit(s, 0, 0x11, NULL, 0); s->phase = PH_FIN2; return 1;
	case PH_FIN2: emit(s, 1, 0x11, NULL, 0); s->phase = PH_FIN3; return 1;
	case PH_FIN3: emit(s, 0, 0x10, NULL, 0); s->phase = PH_DONE; return 1;
	default: return 0;
	}
}

/* ------------------------------------------------------------------ */
/* Session creation                                                   */
/* ------------------------------------------------------------------ */

static uint16_t client_port[N_CLIENTS];
static uint64_t n_sessions, n_kind[3], n_attack[A_KINDS];

static uint32_t client_ip(unsigned c) { return 0x0a010000u | (c / 254) << 8 | (c % 254 + 1); }

static void sess_new(Sess *s)
{
	Buf keep = s->data;
	memset(s, 0, sizeof *s);
	s->data = keep;
	s->data.len = 0;
	n_sessions++;
	int attack = n_sessions % ATTACK_EVERY == 0 ? (int)(1 + (n_sessions / ATTACK_EVERY) % (A_KINDS - 1)) : A_NONE;
	unsigned c = rn(N_CLIENTS);
	uint16_t *cp = &client_port[c];
	if (*cp < 32768 || *cp > 60000)
		*cp = (uint16_t)rr(32768, 50000);
	*cp = (uint16_t)(*cp + rr(1, 4));
	s->ip[0] = client_ip(c);
	s->port[0] = *cp;
	s->seq[0] = (uint32_t)rnd();
	s->seq[1] = (uint32_t)rnd();
	s->ipid[0] = (uint16_t)rnd();
	s->ipid[1] = (uint16_t)rnd();
	s->rst = rn(20) == 0;
	unsigned host = pick_host();
	char hn[128];
	host_name(host, hn, sizeof hn);
	s->ip[1] = host_ip(host);
	uint32_t r = rn(100);
	if (attack == A_DNS || (attack == A_NONE && r < 45)) {
		s->kind = K_DNS;
		s->ip[1] = rn(5) == 0 ? 0x08080808u : 0x0a000035u;
		s->port[1] = 53;
		make_dns(s, attack == A_DNS ? "gdprcountryrestriction.com" : hn, attack == A_DNS);
	} else if (attack == A_UA || attack == A_SQLI || (attack == A_NONE && r < 75)) {
		s->kind = K_HTTP;
		s->port[1] = 80;
		if (attack == A_SQLI) { /* an outside client against an inside web server */
			s->ip[0] = 0xb9dc6500u | rr(1, 254); /* 185.220.101.x */
			s->ip[1] = 0x0a000050u;              /* 10.0.0.80 */
		}
		make_http(s, host, attack);
	} else {
		s->kind = K_TLS;
		s->port[1] = 443;
		make_tls(s, attack == A_SNI ? "api.honeygain.com" : hn, attack);
	}
	n_kind[s->kind]++;
	n_attack[attack]++;
}

/* ------------------------------------------------------------------ */
/* Rules                                                              */
/* ------------------------------------------------------------------ */

/* N rules in five families: http.host, http.uri (some with pcre), response content on
 * port 80, dns.query, tls.sni. About one in five names something the traffic holds
 * (popular hosts, URI words); the rest use names the generator never emits. */
static int write_rules(const char *path, unsigned n)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	fprintf(f, "# Generated by bench/gen_appmix --rules: %u content rules for the pipeline benchmark.\n", n);
	for (unsigned i = 0; i < n; i++) {
		unsigned sid = 9100001 + i, fam = i % 5;
		int hit = rn(5) == 0;
		char hn[128];
		if (hit)
			host_name(rn(200), hn, sizeof hn);
		else
			snprintf(hn, sizeof hn, "%s-%s%u.%s", words[rn(N_WORDS)], words[rn(N_WORDS)], rn(1000), tlds[rn(8)]);
		const char *w1 = words[rn(N_WORDS)], *w2 = words[rn(N_WORDS)];
		switch (fam) {
		case 0:
			fprintf(f, "alert http $HOME_NET any -> $EXTERNAL_NET any (msg:\"KASBAH BENCH host %s\"; "
				   "flow:established,to_server; http.host; content:\"%s\"; fast_pattern; endswith; "
				   "classtype:policy-violation; sid:%u; rev:1;)\n", hn, hn, sid);
			break;
		case 1:
			if (i % 3 == 0) {
				char w[64];
				snprintf(w, sizeof w, "%s%s", w1, hit ? "" : w2);
				fprintf(f, "alert http $HOME_NET any -> $EXTERNAL_NET any (msg:\"KASBAH BENCH api %s\"; "
					   "flow:established,to_server; http.method; content:\"GET\"; http.uri; "
					   "content:\"/api/v\"; content:\"/%s?id=\"; distance:1; within:%zu; "
					   "pcre:\"/^\\/api\\/v[0-9]\\/%s\\?id=[0-9]{%u,}/\"; classtype:bad-unknown; sid:%u; rev:1;)\n",
					w, w, strlen(w) + 5, w, rr(3, 6), sid);
			} else
				fprintf(f, "alert http $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg:\"KASBAH BENCH uri %s\"; "
					   "flow:established,to_server; http.uri; content:\"/%s/%s%s\"; nocase; fast_pattern; "
					   "classtype:bad-unknown; sid:%u; rev:1;)\n", w1, w1, hit ? "" : "admin-", w2, sid);
			break;
		case 2:
			fprintf(f, "alert tcp $EXTERNAL_NET 80 -> $HOME_NET any (msg:\"KASBAH BENCH response %s\"; "
				   "flow:established,to_client; content:\"%s%s_%u\"; nocase; content:\"className\"; "
				   "distance:0; classtype:trojan-activity; sid:%u; rev:1;)\n",
				w1, hit ? "function " : "eval(", w1, rn(1000), sid);
			break;
		case 3:
			fprintf(f, "alert dns $HOME_NET any -> any any (msg:\"KASBAH BENCH dns %s\"; dns.query; "
				   "content:\"%s\"; nocase; endswith; classtype:bad-unknown; sid:%u; rev:1;)\n", hn, hn, sid);
			break;
		default:
			fprintf(f, "alert tls $HOME_NET any -> $EXTERNAL_NET 443 (msg:\"KASBAH BENCH sni %s\"; "
				   "flow:established,to_server; tls.sni; content:\"%s\"; bsize:%zu; fast_pattern; "
				   "classtype:bad-unknown; sid:%u; rev:1;)\n", hn, hn, strlen(hn), sid);
			break;
		}
	}
	return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--list-attacks") == 0) {
		for (int k = 1; k < A_KINDS; k++)
			printf("attack sid=%u what=%s\n", attacks[k].sid, attacks[k].what);
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "--rules") == 0) {
		if (argc > 4)
			rng_state ^= strtoull(argv[4], NULL, 10) * 0xD1B54A32D192ED03ULL;
		return write_rules(argv[2], (unsigned)strtoul(argv[3], NULL, 10));
	}
	if (argc < 3) {
		fprintf(stderr, "usage: gen_appmix OUT.pcap MEGABYTES [SEED [ACTIVE]]\n"
				"       gen_appmix --rules OUT.rules N [SEED]\n");
		return 2;
	}
	uint64_t target = strtoull(argv[2], NULL, 10) * 1000000ull;
	if (argc > 3)
		rng_state ^= strtoull(argv[3], NULL, 10) * 0xD1B54A32D192ED03ULL;
	out = fopen(argv[1], "wb");
	if (out == NULL) {
		perror(argv[1]);
		return 1;
	}
	static char obuf[1 << 20];
	setvbuf(out, obuf, _IOFBF, sizeof obuf);
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	fwrite(gh, sizeof gh, 1, out);
	n_bytes = sizeof gh;

	unsigned active = ACTIVE_MAX;
	if (argc > 4) {
		active = (unsigned)strtoul(argv[4], NULL, 10);
		if (active < 1 || active > ACTIVE_MAX)
			active = ACTIVE_MAX;
	}
	static Sess act[ACTIVE_MAX];
	for (unsigned i = 0; i < active; i++)
		sess_new(&act[i]);
	/* Replace finished sessions until the bytes written plus those the open sessions still
	 * hold reach the target, then drain the open ones (still interleaved), so that the file
	 * ends with closed flows and is about the size asked for. */
	unsigned live = active;
	int draining = 0;
	while (live > 0) {
		if (!draining && (n_packets & 1023) == 0) {
			uint64_t pending = 0;
			for (unsigned i = 0; i < active; i++)
				pending += act[i].data.len + act[i].data.len / 20;
			draining = n_bytes + pending / 2 >= target;
		}
		unsigned k = rn(live);
		if (step(&act[k]))
			continue;
		if (!draining) {
			sess_new(&act[k]);
		} else {
			Sess t = act[k];
			act[k] = act[live - 1];
			act[live - 1] = t;
			live--;
		}
	}
	if (fclose(out) != 0) {
		perror(argv[1]);
		return 1;
	}
	uint64_t n_att = 0;
	for (int k = 1; k < A_KINDS; k++)
		n_att += n_attack[k];
	printf("packets=%llu flows=%llu bytes=%llu http=%llu tls=%llu dns=%llu attacks=%llu\n",
	       (unsigned long long)n_packets, (unsigned long long)n_sessions, (unsigned long long)n_bytes,
	       (unsigned long long)n_kind[K_HTTP], (unsigned long long)n_kind[K_TLS], (unsigned long long)n_kind[K_DNS],
	       (unsigned long long)n_att);
	for (int k = 1; k < A_KINDS; k++)
		printf("attack sid=%u count=%llu what=%s\n", attacks[k].sid, (unsigned long long)n_attack[k], attacks[k].what);
	return 0;
}
