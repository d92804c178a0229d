#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""mkevasion.py: write the TCP evasion end-to-end cases under tests/e2e/cases/.

Each case carries one HTTP request for "/evil/path" (or a competing "/good/path" copy of
some bytes) through a different segmentation, so that the reassembled stream -- and what
the rules see -- is decided by kasbah's reassembly and its overlap policy (documented in
src/stream/reassembly.c; default "bsd"):

  evasion-http-1byte          the request in 1-byte segments: reassembled whole.
  evasion-http-out-of-order   the request in 4 segments sent 3, 1, 4, 2: reassembled whole.
  evasion-http-overlap-bsd    "GET", then "/evil/path" at offset 4 (ahead of a one-byte
                              hole), then " /good/path" at offset 3 covers it. The new segment
                              starts before the stored one: bsd takes the new bytes, so
                              the request is for /good/path.
  evasion-http-overlap-first  the same packets with overlap-policy "first": the first copy
                              stays, the request is for /evil/path.
  evasion-http-retrans-bsd    "GET", then the rest of a request for /evil/path, then
                              (before the ACK) a retransmission of that same sequence
                              range carrying /good/path. Same start and end: bsd keeps the old bytes.
  evasion-http-retrans-last   the same packets with overlap-policy "last": the
                              retransmitted copy wins, the request is for /good/path.
Every overlap with different bytes raises stream event reassembly_overlap_different_data
(counted as stats tcp.overlap_diff_data). No single packet holds "GET /evil/" or
"GET /good/" (the segments are cut inside them), so the tcp-stream rules for them can only
match the reassembled stream; the tcp-pkt rule for "/good/path" shows that a packet still
carries the other copy.

The cases are committed; rerun this script after changing it:
    tests/applayer/mkevasion.py [cases-dir]
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(os.path.dirname(HERE), "e2e", "cases")

CLI, SRV = "10.9.0.1:43000", "10.9.0.2:8080"
C_ISN, S_ISN = 1000, 7000
REQ_EVIL = "GET /evil/path HTTP/1.1\r\nHost: victim.example\r\nUser-Agent: e2e\r\n\r\n"
REQ_GOOD = REQ_EVIL.replace("/evil/", "/good/")
RESP = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

RULES = """\
alert http any any -> any any (msg:"evasion: evil uri"; flow:to_server; http.uri; content:"/evil/"; sid:1; rev:1;)
alert http any any -> any any (msg:"evasion: good uri"; flow:to_server; http.uri; content:"/good/"; sid:2; rev:1;)
alert tcp-stream any any -> any any (msg:"evasion: evil on the stream"; flow:to_server; content:"GET /evil/"; sid:3; rev:1;)
alert tcp-stream any any -> any any (msg:"evasion: good on the stream"; flow:to_server; content:"GET /good/"; sid:4; rev:1;)
alert tcp-pkt any any -> any any (msg:"evasion: good in one packet"; flow:to_server; content:"/good/path"; sid:5; rev:1;)
"""


def yq(s):
    """A YAML double-quoted scalar for s."""
    out = []
    for ch in s:
        if ch == "\r":
            out.append("\\r")
        elif ch == "\n":
            out.append("\\n")
        elif ch in "\\\"":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


class Trace:
    def __init__(self):
        self.lines = []
        self.t = 0.0

    def pkt(self, src, dst, flags, seq, ack, payload=None, note=None):
        self.t += 0.001
        s = "  - {t: %.3f, src: \"%s\", dst: \"%s\", flags: %s, seq: %d, ack: %d" % (
            self.t, src, dst, flags, seq, ack)
        if payload is not None:
            s += ", payload: %s" % yq(payload)
        s += "}"
        if note:
            s += "  # " + note
        self.lines.append(s)

    def c(self, flags, off, payload=None, note=None, ack_srv=1):
        self.pkt(CLI, SRV, flags, C_ISN + 1 + off, S_ISN + ack_srv, payload, note)

    def s(self, flags, off, ack_cli, payload=None, note=None):
        self.pkt(SRV, CLI, flags, S_ISN + 1 + off, C_ISN + 1 + ack_cli, payload, note)


def opening():
    tr = Trace()
    tr.pkt(CLI, SRV, "S", C_ISN, 0)
    tr.pkt(SRV, CLI, "SA", S_ISN, C_ISN + 1)
    tr.pkt(CLI, SRV, "A", C_ISN + 1, S_ISN + 1)
    return tr


def closing(tr, req_len):
    """Server ACKs the request, answers, both sides close."""
    tr.s("A", 0, req_len, note="the request is acknowledged: delivered now")
    tr.s("PA", 0, req_len, RESP)
    n = len(RESP)
    tr.c("A", req_len, ack_srv=1 + n)
    tr.t += 1.0
    tr.c("FA", req_len, ack_srv=1 + n)
    tr.s("FA", n, req_len + 1)
    tr.c("A", req_len + 1, ack_srv=2 + n)
    return tr


def case_1byte():
    tr = opening()
    for i, ch in enumerate(REQ_EVIL):
        tr.c("PA", i, ch)
    return closing(tr, len(REQ_EVIL))


def case_ooo():
    tr = opening()
    cuts = [0, 9, 25, 45, len(REQ_EVIL)]
    parts = [(cuts[i], REQ_EVIL[cuts[i]:cuts[i + 1]]) for i in range(4)]
    for k in (2, 0, 3, 1):
        off, data = parts[k]
        tr.c("PA", off, data, note="part %d of 4" % (k + 1))
    return closing(tr, len(REQ_EVIL))


def case_overlap():
    tr = opening()
    tr.c("PA", 0, "GET", note="offsets 0..3")
    tr.c("PA", 4, "/evil/path", note="offsets 4..14, ahead of a one-byte hole")
    tr.c("PA", 3, " /good/path", note="offsets 3..14: starts before the stored segment")
    tr.c("PA", 14, REQ_EVIL[14:], note="the rest of the request")
    return closing(tr, len(REQ_EVIL))


def case_retrans():
    tr = opening()
    tr.c("PA", 0, "GET", note="offsets 0..3")
    tr.c("PA", 3, REQ_EVIL[3:], note="the rest: a request for /evil/path")
    tr.c("PA", 3, REQ_GOOD[3:], note="retransmission, same range, different bytes")
    return closing(tr, len(REQ_EVIL))


def checks(winner, loser, policy, diff_events, good_packets):
    sid = {"evil": (1, 3), "good": (2, 4)}
    out = ["checks:"]
    out += ["  - filter:", "      count: %d" % good_packets, "      match:",
            "        event_type: alert", "        alert.signature_id: 5"]
    for who, count in ((winner, 1), (loser, 0)):
        for s in sid[who]:
            out += ["  - filter:", "      count: %d" % count, "      match:",
                    "        event_type: alert", "        alert.signature_id: %d" % s]
    out += ["  - filter:", "      count: 1", "      match:", "        event_type: http",
            "        http.url: \"/%s/path\"" % winner, "        http.hostname: victim.example",
            "        http.status: 200"]
    out += ["  - filter:", "      count: 1", "      match:", "        event_type: stats",
            "        stats.tcp.overlap_diff_data: %d" % diff_events]
    return out


def write_case(name, trace, comment, winner, policy, diff_events, good_packets):
    d = os.path.join(CASES, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "packets.yaml"), "w", encoding="utf-8") as f:
        f.write("# Written by tests/applayer/mkevasion.py; edit that script, not this file.\n")
        for ln in comment:
            f.write("# %s\n" % ln)
        f.write("start: 1700000000\npackets:\n")
        f.write("\n".join(trace.lines) + "\n")
    with open(os.path.join(d, "test.rules"), "w", encoding="utf-8") as f:
        f.write(RULES)
    loser = "good" if winner == "evil" else "evil"
    with open(os.path.join(d, "test.yaml"), "w", encoding="utf-8") as f:
        f.write("# Written by tests/applayer/mkevasion.py; edit that script, not this file.\n")
        for ln in comment:
            f.write("# %s\n" % ln)
        f.write("# Overlap policy %s (src/stream/reassembly.c): the request is for /%s/path,\n"
                "# the /%s/ rules (http.uri and tcp-stream content) alert once each, the /%s/\n"
                "# ones never; the tcp-pkt rule sees single packets, so it alerts on each\n"
                "# packet that carries '/good/path' (%d here), whatever the stream holds.\n"
                % (policy, winner, winner, loser, good_packets))
        if policy != "bsd":
            f.write("args:\n  - --set stream.reassembly.overlap-policy=%s\n" % policy)
        f.write("\n".join(checks(winner, loser, policy, diff_events, good_packets)) + "\n")


def main(argv):
    global CASES
    if len(argv) > 1:
        CASES = argv[1]
    write_case("evasion-http-1byte", case_1byte(),
               ["One HTTP request cut into 1-byte TCP segments."], "evil", "bsd", 0, 0)
    write_case("evasion-http-out-of-order", case_ooo(),
               ["One HTTP request in four segments sent in the order 3, 1, 4, 2."],
               "evil", "bsd", 0, 0)
    ov = ["'GET', then '/evil/path' at offset 4 (a one-byte hole before it), then",
          "' /good/path' at offset 3 overlaps it with different bytes."]
    write_case("evasion-http-overlap-bsd", case_overlap(), ov, "good", "bsd", 1, 1)
    write_case("evasion-http-overlap-first", case_overlap(), ov, "evil", "first", 1, 1)
    rt = ["'GET', the rest of a request for /evil/path, then before any ACK a",
          "retransmission of that sequence range carrying /good/path."]
    write_case("evasion-http-retrans-bsd", case_retrans(), rt, "evil", "bsd", 1, 1)
    write_case("evasion-http-retrans-last", case_retrans(), rt, "good", "last", 1, 1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
