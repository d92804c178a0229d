/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_eve.c: unit tests for output/eve: timestamp and address formats,
 * the packet and flow headers, the exact text of flow and stats records for
 * hand-built flows, the `outputs.eve-log` configuration, and the writer's
 * guarantees on write errors (a file-size limit cutting a line in two, and
 * /dev/full): one message, no half line, eve_close() == -1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/stats.h"
#include "lib/json.h"
#include "output/eve.h"

#define T0 1491603877251547000LL /* 2017-04-07T22:24:37.251547 UTC */

/* ---- helpers ---- */

static char tmpdir[64];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kasbah-eve-XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* stderr into a pipe (a pipe is not subject to RLIMIT_FSIZE) */
static int saved_stderr = -1, pipe_rd = -1;
static char captured[16384];

static void capture_begin(void)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pipe_rd = p[0];
    saved_stderr = dup(STDERR_FILENO);
    dup2(p[1], STDERR_FILENO);
    close(p[1]);
}

static const char *capture_end(void)
{
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    size_t n = 0;
    ssize_t r;
    while (n < sizeof captured - 1 && (r = read(pipe_rd, captured + n, sizeof captured - 1 - n)) > 0)
        n += (size_t)r;
    captured[n] = '\0';
    close(pipe_rd);
    return captured;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static void ip4(IpAddr *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
    memset(a, 0, sizeof *a);
    a->b[0] = x;
    a->b[1] = y;
    a->b[2] = z;
    a->b[3] = w;
}

static void tcp_flow(Flow *f)
{
    memset(f, 0, sizeof *f);
    f->key.ip_ver = 4;
    f->key.proto = 6;
    ip4(&f->key.addr[0], 10, 0, 0, 1);
    ip4(&f->key.addr[1], 10, 0, 0, 2);
    f->key.port[0] = 1234;
    f->key.port[1] = 80;
    f->flow_id = 12345;
    f->start_ns = T0;
    f->last_ns = T0 + 2500000000LL;
    f->pkts[0] = 3;
    f->pkts[1] = 2;
    f->bytes[0] = 300;
    f->bytes[1] = 200;
    f->tcp_flags[0] = TCP_SYN | TCP_ACK | TCP_PSH | TCP_FIN;
    f->tcp_flags[1] = TCP_SYN | TCP_ACK | TCP_FIN;
    f->tcp_state = FLOW_TCP_CLOSED;
    f->state = FLOW_STATE_CLOSED;
}

static EveWriter *open_default(void)
{
    EveWriter *w = eve_open(NULL, tmpdir);
    assert_non_null(w);
    return w;
}

/* ---- formats ---- */

static void test_time_format(void **state)
{
    (void)state;
    char t[EVE_TIME_LEN];
    assert_int_equal(eve_format_time(t, T0), 31);
    assert_string_equal(t, "2017-04-07T22:24:37.251547+0000");
    eve_format_time(t, 0);
    assert_string_equal(t, "1970-01-01T00:00:00.000000+0000");
    eve_format_time(t, 951868799LL * 1000000000 + 999999999); /* microseconds truncate */
    assert_string_equal(t, "2000-02-29T23:59:59.999999+0000");
    eve_format_time(t, -1000); /* just before the epoch */
    assert_string_equal(t, "1969-12-31T23:59:59.999999+0000");
}

static void test_ip_format(void **state)
{
    (void)state;
    char s[EVE_IP_LEN];
    IpAddr a;
    ip4(&a, 192, 168, 0, 255);
    assert_int_equal(eve_format_ip(s, &a, 4), 13);
    assert_string_equal(s, "192.168.0.255");
    ip4(&a, 0, 0, 0, 0);
    eve_format_ip(s, &a, 4);
    assert_string_equal(s, "0.0.0.0");
    static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    memcpy(a.b, v6, 16);
    assert_int_equal(eve_format_ip(s, &a, 6), 39);
    assert_string_equal(s, "2001:0db8:0000:0000:0000:0000:0000:0001");
    memset(a.b, 0xff, 16);
    eve_format_ip(s, &a, 6);
    assert_string_equal(s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    assert_int_equal(eve_format_ip(s, &a, 0), 0);
    assert_string_equal(s, "");

    assert_string_equal(eve_proto_name(6), "TCP");
    assert_string_equal(eve_proto_name(17), "UDP");
    assert_string_equal(eve_proto_name(1), "ICMP");
    assert_string_equal(eve_proto_name(58), "IPv6-ICMP");
    assert_null(eve_proto_name(253));
}

/* ---- headers ---- */

static void test_packet_header(void **state)
{
    (void)state;
    Flow f;
    tcp_flow(&f);
    Packet p;
    memset(&p, 0, sizeof p);
    p.ts_ns = T0;
    p.pcap_cnt = 7;
    p.flags = PKT_HAS_ETH | PKT_HAS_IPV4 | PKT_HAS_TCP;
    p.ip_ver = 4;
    p.ip_proto = 6;
    ip4(&p.src, 10, 0, 0, 2); /* a reply: server to client */
    ip4(&p.dst, 10, 0, 0, 1);
    p.sp = 80;
    p.dp = 1234;
    p.flow = &f;
    p.to_server = false;
    p.vlan_id[0] = 5;
    p.n_vlan = 1;

    JsonBuf j;
    json_init(&j, NULL);
    eve_header_packet(&j, &p, "alert", EVE_DIR_FLOW);
    json_object_end(&j);
    assert_string_equal(json_cstr(&j),
                        "{\"timestamp\":\"2017-04-07T22:24:37.251547+0000\",\"flow_id\":12345,"
                        "\"pcap_cnt\":7,\"event_type\":\"alert\",\"vlan\":[5],"
                        "\"src_ip\":\"10.0.0.1\",\"src_port\":1234,\"dest_ip\":\"10.0.0.2\","
                        "\"dest_port\":80,\"proto\":\"TCP\",\"pkt_src\":\"wire/pcap\"}");

    eve_header_packet(&j, &p, "anomaly", EVE_DIR_PACKET);
    json_object_end(&j);
    assert_string_equal(json_cstr(&j),
                        "{\"timestamp\":\"2017-04-07T22:24:37.251547+0000\",\"flow_id\":12345,"
                        "\"pcap_cnt\":7,\"event_type\":\"anomaly\",\"vlan\":[5],"
                        "\"src_ip\":\"10.0.0.2\",\"src_port\":80,\"dest_ip\":\"10.0.0.1\","
                        "\"dest_port\":1234,\"proto\":\"TCP\",\"pkt_src\":\"wire/pcap\"}");

    /* ICMPv6, no flow, no pcap_cnt, reassembled */
    memset(&p, 0, sizeof p);
    p.ts_ns = T0;
    p.flags = PKT_HAS_IPV6 | PKT_HAS_ICMPV6 | PKT_IS_REASSEMBLED;
    p.ip_ver = 6;
    p.ip_proto = 58;
    p.src.b[0] = 0xfe;
    p.src.b[1] = 0x80;
    p.src.b[15] = 1;
    p.dst.b[0] = 0xff;
    p.dst.b[1] = 0x02;
    p.dst.b[15] = 2;
    p.icmp_type = 135;
    p.icmp_code = 0;
    eve_header_packet(&j, &p, "anomaly", EVE_DIR_FLOW);
    json_object_end(&j);
    assert_string_equal(json_cstr(&j),
                        "{\"timestamp\":\"2017-04-07T22:24:37.251547+0000\","
                        "\"event_type\":\"anomaly\","
                        "\"src_ip\":\"fe80:0000:0000:0000:0000:0000:0000:0001\","
                        "\"dest_ip\":\"ff02:0000:0000:0000:0000:0000:0000:0002\","
                        "\"proto\":\"IPv6-ICMP\",\"icmp_type\":135,\"icmp_code\":0,"
                        "\"pkt_src\":\"defrag\"}");

    /* not IP at all: no tuple */
    memset(&p, 0, sizeof p);
    p.ts_ns = T0;
    p.pcap_cnt = 1;
    p.flags = PKT_HAS_ETH | PKT_HAS_ARP;
    eve_header_packet(&j, &p, "arp", EVE_DIR_PACKET);
    json_object_end(&j);
    assert_string_equal(json_cstr(&j), "{\"timestamp\":\"2017-04-07T22:24:37.251547+0000\","
                                       "\"pcap_cnt\":1,\"event_type\":\"arp\","
                                       "\"pkt_src\":\"wire/pcap\"}");
    json_fini(&j);
}

/* ---- flow records ---- */

static const char *flow_text(const Flow *f, FlowEndReason reason, int64_t ts, const char *app)
{
    EveWriter *w = open_default();
    JsonBuf j;
    json_init(&j, NULL);
    assert_int_equal(eve_write_flow(w, &j, f, reason, ts, app), 0);
    assert_int_equal(json_len(&j), 0); /* reset after commit */
    json_fini(&j);
    assert_int_equal(eve_records_written(w), 0); /* still buffered */
    assert_int_equal(eve_close(w), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/eve.json", tmpdir);
    return read_all(path, NULL);
}

static void test_flow_record_tcp(void **state)
{
    (void)state;
    Flow f;
    tcp_flow(&f);
    const char *text = flow_text(&f, FLOW_END_SHUTDOWN, f.last_ns, "http");
    assert_string_equal(
        text,
        "{\"timestamp\":\"2017-04-07T22:24:39.751547+0000\",\"flow_id\":12345,"
        "\"event_type\":\"flow\",\"src_ip\":\"10.0.0.1\",\"src_port\":1234,"
        "\"dest_ip\":\"10.0.0.2\",\"dest_port\":80,\"proto\":\"TCP\",\"app_proto\":\"http\","
        "\"flow\":{\"pkts_toserver\":3,\"pkts_toclient\":2,\"bytes_toserver\":300,"
        "\"bytes_toclient\":200,\"start\":\"2017-04-07T22:24:37.251547+0000\","
        "\"end\":\"2017-04-07T22:24:39.751547+0000\",\"age\":2,\"state\":\"closed\","
        "\"reason\":\"shutdown\",\"alerted\":false},"
        "\"tcp\":{\"tcp_flags\":\"1b\",\"tcp_flags_ts\":\"1b\",\"tcp_flags_tc\":\"13\","
        "\"syn\":true,\"fin\":true,\"psh\":true,\"ack\":true,\"state\":\"closed\"}}\n");

    /* no TCP session (no SYN seen): Suricata shows "00" and no state */
    f.tcp_state = FLOW_TCP_NONE;
    f.state = FLOW_STATE_NEW;
    f.alerted = true;
    f.last_ns = T0 + 999999999; /* same second: age 0 */
    text = flow_text(&f, FLOW_END_TIMEOUT, T0 + 60000000000LL, NULL);
    assert_string_equal(
        text,
        "{\"timestamp\":\"2017-04-07T22:25:37.251547+0000\",\"flow_id\":12345,"
        "\"event_type\":\"flow\",\"src_ip\":\"10.0.0.1\",\"src_port\":1234,"
        "\"dest_ip\":\"10.0.0.2\",\"dest_port\":80,\"proto\":\"TCP\","
        "\"flow\":{\"pkts_toserver\":3,\"pkts_toclient\":2,\"bytes_toserver\":300,"
        "\"bytes_toclient\":200,\"start\":\"2017-04-07T22:24:37.251547+0000\","
        "\"end\":\"2017-04-07T22:24:38.251546+0000\",\"age\":1,\"state\":\"new\","
        "\"reason\":\"timeout\",\"alerted\":true},"
        "\"tcp\":{\"tcp_flags\":\"00\",\"tcp_flags_ts\":\"00\",\"tcp_flags_tc\":\"00\"}}\n");
}

static void test_flow_record_udp6_icmp_other(void **state)
{
    (void)state;
    Flow f;
    memset(&f, 0, sizeof f);
    f.key.ip_ver = 6;
    f.key.proto = 17;
    f.key.addr[0].b[0] = 0x20;
    f.key.addr[0].b[1] = 0x01;
    f.key.addr[0].b[2] = 0x0d;
    f.key.addr[0].b[3] = 0xb8;
    f.key.addr[0].b[15] = 0x01;
    f.key.addr[1].b[0] = 0xff;
    f.key.addr[1].b[1] = 0x02;
    f.key.addr[1].b[15] = 0xfb;
    f.key.port[0] = 5353;
    f.key.port[1] = 5353;
    f.key.vlan_id[0] = 10;
    f.key.vlan_id[1] = 20;
    f.key.n_vlan = 2;
    f.flow_id = 1;
    f.start_ns = T0;
    f.last_ns = T0;
    f.pkts[0] = 1;
    f.bytes[0] = 90;
    f.state = FLOW_STATE_NEW;
    const char *text = flow_text(&f, FLOW_END_FORCED, T0, "");
    assert_string_equal(
        text,
        "{\"timestamp\":\"2017-04-07T22:24:37.251547+0000\",\"flow_id\":1,"
        "\"event_type\":\"flow\",\"vlan\":[10,20],"
        "\"src_ip\":\"2001:0db8:0000:0000:0000:0000:0000:0001\",\"src_port\":5353,"
        "\"dest_ip\":\"ff02:0000:0000:0000:0000:0000:0000:00fb\",\"dest_port\":5353,"
        "\"proto\":\"UDP\",\"flow\":{\"pkts_toserver\":1,\"pkts_toclient\":0,"
        "\"bytes_toserver\":90,\"bytes_toclient\":0,"
        "\"start\":\"2017-04-07T22:24:37.251547+0000\","
        "\"end\":\"2017-04-07T22:24:37.251547+0000\",\"age\":0,\"state\":\"new\","
        "\"reason\":\"forced\",\"alerted\":false}}\n");

    /* ICMP echo with a reply: type/code both ways, no ports */
    memset(&f, 0, sizeof f);
    f.key.ip_ver = 4;
    f.key.proto = 1;
    ip4(&f.key.addr[0], 1, 2, 3, 4);
    ip4(&f.key.addr[1], 5, 6, 7, 8);
    f.key.port[0] = 8; /* whatever flow/ keys ICMP with: never printed */
    f.flow_id = 2;
    f.start_ns = T0;
    f.last_ns = T0;
    f.pkts[0] = f.pkts[1] = 1;
    f.icmp_type[0] = 8;
    f.icmp_type[1] = 0;
    f.state = FLOW_STATE_ESTABLISHED;
    text = flow_text(&f, FLOW_END_SHUTDOWN, T0, NULL);
    assert_non_null(strstr(text, "\"event_type\":\"flow\",\"src_ip\":\"1.2.3.4\",\"dest_ip\":\"5.6.7.8\","
                                 "\"proto\":\"ICMP\",\"icmp_type\":8,\"icmp_code\":0,"
                                 "\"response_icmp_type\":0,\"response_icmp_code\":0,\"flow\":{"));
    assert_non_null(strstr(text, "\"state\":\"established\""));
    assert_null(strstr(text, "port"));
    assert_null(strstr(text, "\"tcp\""));

    /* a protocol without a name: the number as a string; GRE by name */
    f.key.proto = 253;
    f.pkts[1] = 0;
    text = flow_text(&f, FLOW_END_SHUTDOWN, T0, NULL);
    assert_non_null(strstr(text, "\"dest_ip\":\"5.6.7.8\",\"proto\":\"253\",\"flow\":{"));
    f.key.proto = 47;
    text = flow_text(&f, FLOW_END_SHUTDOWN, T0, NULL);
    assert_non_null(strstr(text, "\"proto\":\"GRE\""));
}

/* ---- stats ---- */

static void test_stats_record(void **state)
{
    (void)state;
    stats_reset_registry();
    static const char *const names[] = { "decoder.pkts", "flow.udp", "decoder.bytes", "zz",
                                         "decoder.event.ipv4.trunc_pkt", "detect.alert",
                                         "decoder.ipv4", "flow.tcp", "a.b", "a.b.c" };
    Stats s;
    memset(&s, 0, sizeof s);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int id = stats_register(names[i]);
        assert_true(id >= 0);
        stats_set(&s, id, 100 + i);
    }
    MemAccount flow_acct, det_acct;
    mem_account_init(&flow_acct, "flow", 1000);
    mem_account_init(&det_acct, "detect", 0);
    void *blk = mem_alloc(&flow_acct, 100);
    assert_non_null(blk);
    assert_null(mem_alloc(&flow_acct, 2000)); /* refused by the cap */
    MemAccount *accts[] = { &flow_acct, &det_acct };
    EveStatsExtra x = { .uptime = 5, .has_detect = true, .last_reload_ns = T0,
                        .rules_loaded = 10, .rules_failed = 2, .accounts = accts,
                        .n_accounts = 2 };

    EveWriter *w = open_default();
    JsonBuf j;
    json_init(&j, NULL);
    capture_begin();
    assert_int_equal(eve_write_stats(w, &j, T0 + 5000000000LL, &s, &x), 0);
    const char *err = capture_end();
    assert_non_null(strstr(err, "counter 'a.b' is also a group name"));
    assert_int_equal(eve_close(w), 0);
    json_fini(&j);
    mem_free(&flow_acct, blk);

    char path[128];
    snprintf(path, sizeof path, "%s/eve.json", tmpdir);
    assert_string_equal(
        read_all(path, NULL),
        "{\"timestamp\":\"2017-04-07T22:24:42.251547+0000\",\"event_type\":\"stats\","
        "\"stats\":{\"uptime\":5,\"a\":{\"b\":{\"c\":109}},"
        "\"decoder\":{\"bytes\":102,\"event\":{\"ipv4\":{\"trunc_pkt\":104}},\"ipv4\":106,"
        "\"pkts\":100},"
        "\"detect\":{\"alert\":105,\"engines\":[{\"id\":0,"
        "\"last_reload\":\"2017-04-07T22:24:37.251547+0000\",\"rules_loaded\":10,"
        "\"rules_failed\":2}]},"
        "\"flow\":{\"tcp\":107,\"udp\":101},"
        "\"memcap\":{\"detect\":{\"cap\":0,\"failed\":0,\"peak\":0,\"refused\":0,\"used\":0},"
        "\"flow\":{\"cap\":1000,\"failed\":0,\"peak\":100,\"refused\":1,\"used\":100}},"
        "\"zz\":103}}\n");

    /* no extras, no counters */
    stats_reset_registry();
    w = open_default();
    json_init(&j, NULL);
    assert_int_equal(eve_write_stats(w, &j, T0, NULL, NULL), 0);
    assert_int_equal(eve_close(w), 0);
    json_fini(&j);
    assert_string_equal(read_all(path, NULL),
                        "{\"timestamp\":\"2017-04-07T22:24:37.251547+0000\",\"event_type\":\"stats\","
                        "\"stats\":{\"uptime\":0}}\n");
}

/* ---- configuration ---- */

static void test_types_and_config(void **state)
{
    (void)state;
    /* no config: every type, eve.json */
    EveWriter *w = open_default();
    assert_true(eve_type_enabled(w, "alert"));
    assert_true(eve_type_enabled(w, "dns"));
    assert_non_null(strstr(eve_path(w), "/eve.json"));
    assert_int_equal(eve_close(w), 0);
    assert_false(eve_type_enabled(NULL, "alert"));

    Config *c = conf_new();
    assert_int_equal(conf_load_string(c,
                                      "outputs:\n"
                                      "  - fast:\n      enabled: yes\n"
                                      "  - eve-log:\n"
                                      "      enabled: yes\n"
                                      "      filename: custom.json\n"
                                      "      types:\n"
                                      "        - alert:\n            payload: no\n"
                                      "        - flow\n"
                                      "        - stats:\n            enabled: no\n"
                                      "        - anomaly:\n            enabled: yes\n",
                                      "t.yaml"),
                     0);
    w = eve_open(c, tmpdir);
    assert_non_null(w);
    assert_true(eve_type_enabled(w, "alert"));
    assert_true(eve_type_enabled(w, "flow"));
    assert_true(eve_type_enabled(w, "anomaly"));
    assert_false(eve_type_enabled(w, "stats"));
    assert_false(eve_type_enabled(w, "dns"));
    char path[128];
    snprintf(path, sizeof path, "%s/custom.json", tmpdir);
    assert_string_equal(eve_path(w), path);
    /* a disabled type writes nothing */
    JsonBuf j;
    json_init(&j, NULL);
    assert_int_equal(eve_write_stats(w, &j, T0, NULL, NULL), 0);
    assert_int_equal(eve_close(w), 0);
    size_t len = 99;
    read_all(path, &len);
    assert_int_equal(len, 0);

    /* stats.enabled: no turns stats records off even with every type on */
    Config *c_stats = conf_new();
    assert_int_equal(conf_set(c_stats, "stats.enabled=no"), 0);
    w = eve_open(c_stats, tmpdir);
    assert_false(eve_type_enabled(w, "stats"));
    assert_true(eve_type_enabled(w, "flow"));
    assert_int_equal(eve_close(w), 0);
    conf_free(c_stats);

    /* disabled eve-log: no file, nothing enabled, records discarded */
    assert_int_equal(conf_set(c, "outputs.1.eve-log.enabled=no"), 0);
    assert_int_equal(conf_set(c, "outputs.1.eve-log.filename=never.json"), 0);
    w = eve_open(c, tmpdir);
    assert_non_null(w);
    assert_false(eve_type_enabled(w, "alert"));
    json_object_begin(&j);
    json_kv_u64(&j, "x", 1);
    assert_int_equal(eve_commit(w, &j), 0);
    assert_int_equal(eve_close(w), 0);
    snprintf(path, sizeof path, "%s/never.json", tmpdir);
    struct stat st;
    assert_int_equal(stat(path, &st), -1);

    /* an unwritable place: NULL and a message naming the path */
    assert_int_equal(conf_set(c, "outputs.1.eve-log.enabled=yes"), 0);
    capture_begin();
    w = eve_open(c, "/nonexistent-dir/x");
    const char *err = capture_end();
    assert_null(w);
    assert_non_null(strstr(err, "/nonexistent-dir/x/never.json: cannot create the EVE log"));
    json_fini(&j);
    conf_free(c);
}

/* ---- the writer ---- */

/* A record of exactly `len` bytes including its newline. */
static void make_record(JsonBuf *j, unsigned n, size_t len)
{
    char pad[512];
    /* {"n":NNNN,"pad":"<pl>"} plus the newline is 20 bytes + pl */
    size_t pl = len - 20;
    memset(pad, 'x', pl);
    json_reset(j);
    json_object_begin(j);
    json_key(j, "n");
    char num[8];
    snprintf(num, sizeof num, "%04u", n);
    json_raw(j, num, 4);
    json_kv_strn(j, "pad", pad, pl);
    /* left open: eve_commit closes it */
}

static void test_buffering_and_big_records(void **state)
{
    (void)state;
    EveWriter *w = open_default();
    eve_set_buffer_size(w, 250);
    JsonBuf j;
    json_init(&j, NULL);
    for (unsigned i = 0; i < 10; i++) {
        make_record(&j, i, i == 5 ? 400 : 100); /* one record bigger than the buffer */
        assert_int_equal(eve_commit(w, &j), 0);
    }
    /* a record that failed to build is dropped, not written in part */
    json_object_begin(&j);
    json_u64(&j, 1);
    assert_int_equal(eve_commit(w, &j), -1);
    assert_int_equal(eve_flush(w), 0);
    assert_int_equal(eve_records_written(w), 10);
    assert_int_equal(eve_records_dropped(w), 1);
    assert_int_equal(eve_close(w), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/eve.json", tmpdir);
    size_t len;
    const char *text = read_all(path, &len);
    assert_int_equal(len, 9 * 100 + 400);
    /* in order, one per line */
    const char *p = text;
    for (unsigned i = 0; i < 10; i++) {
        char want[16];
        snprintf(want, sizeof want, "{\"n\":%04u,", i);
        assert_memory_equal(p, want, strlen(want));
        p = strchr(p, '\n');
        assert_non_null(p);
        assert_int_equal(p[-1], '}');
        p++;
    }
    assert_int_equal(*p, '\0');
    json_fini(&j);
}

static void test_file_size_limit_leaves_no_half_line(void **state)
{
    (void)state;
    EveWriter *w = open_default();
    eve_set_buffer_size(w, 256); /* two 100-byte lines per write */
    JsonBuf j;
    json_init(&j, NULL);

    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 1050; /* the 11th line is cut in the middle */
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);

    capture_begin();
    int failures = 0;
    for (unsigned i = 0; i < 30; i++) {
        make_record(&j, i, 100);
        if (eve_commit(w, &j) != 0)
            failures++;
    }
    int rc = eve_close(w);
    const char *err = capture_end();

    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_sig);

    assert_int_equal(rc, -1);
    assert_true(failures > 0);
    assert_int_equal(count_of(err, "write failed"), 1);
    assert_non_null(strstr(err, "/eve.json: write failed: File too large"));

    char path[128];
    snprintf(path, sizeof path, "%s/eve.json", tmpdir);
    size_t len;
    const char *text = read_all(path, &len);
    assert_int_equal(len, 1000); /* ten whole lines; the cut one removed */
    assert_int_equal(text[len - 1], '\n');
    for (size_t off = 0; off < len; off += 100) {
        assert_int_equal(text[off], '{');
        assert_int_equal(text[off + 98], '}');
        assert_int_equal(text[off + 99], '\n');
    }
    json_fini(&j);
}

static void test_dev_full(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    Config *c = conf_new();
    assert_int_equal(conf_load_string(c, "outputs:\n  - eve-log:\n      filename: /dev/full\n", "f"),
                     0);
    EveWriter *w = eve_open(c, tmpdir);
    assert_non_null(w);
    assert_string_equal(eve_path(w), "/dev/full");
    JsonBuf j;
    json_init(&j, NULL);
    capture_begin();
    make_record(&j, 1, 100);
    assert_int_equal(eve_commit(w, &j), 0); /* buffered */
    make_record(&j, 2, 100);
    assert_int_equal(eve_commit(w, &j), 0);
    assert_int_equal(eve_flush(w), -1);
    make_record(&j, 3, 100);
    assert_int_equal(eve_commit(w, &j), -1); /* after the error: dropped */
    int rc = eve_close(w);
    const char *err = capture_end();
    assert_int_equal(rc, -1);
    assert_int_equal(count_of(err, "/dev/full: write failed: No space left on device"), 1);
    json_fini(&j);
    conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_ip_format),
        cmocka_unit_test(test_packet_header),
        cmocka_unit_test(test_flow_record_tcp),
        cmocka_unit_test(test_flow_record_udp6_icmp_other),
        cmocka_unit_test(test_stats_record),
        cmocka_unit_test(test_types_and_config),
        cmocka_unit_test(test_buffering_and_big_records),
        cmocka_unit_test(test_file_size_limit_leaves_no_half_line),
        cmocka_unit_test(test_dev_full),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
