#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Kitsune fidelity check: kasbah's kitsune mode against the reference outputs.

Runs `kasbah -r mirai_first38363.pcap` in kitsune mode (fm-grace 5000,
ad-grace 20000, max-ae 10) with feature and score dumps and a saved model, then
checks (see ../shared/data/kitsune/README.md for the reference run):
  - features: 38,363 x 100 float64, bit-identical to the reference
    (a value that differs counts as a failure; the largest relative
    difference is printed);
  - feature map (read from the saved model file) equals feature_map.json;
  - scores: packets 0..25,000 are 0 and the 13,362 scored packets agree with
    the reference within 1e-9 relative;
  - the saved model loads again (anomaly.model-load) and, fed the same pcap,
    scores every packet from the first;
  - on a few other captures (tunnels, fragments, ARP, IPv6, ICMP errors), the
    features equal those of refmodel.py, a Python model of the reference fed
    by tshark with the reference's own field list (skipped without tshark).
Usage: fidelity.py KASBAH_BINARY SHARED_DIR WORK_DIR
Prints one line per check and `N passed, M failed` last; exit 1 on failure.
"""
import json
import math
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refmodel  # noqa: E402

# Captures whose features refmodel.py must reproduce: tunnels (GRE, 6in4, Teredo),
# IP fragments, ARP, VLAN, PPPoE, MPLS, IPv6/ICMPv6, ICMP errors, a mixed LAN capture.
OTHER = [
    "pcapplusplus/PcapExamples/example.pcap",
    "arkime-tests/gre-sample.pcap",
    "ndpi/pcap/6in4tunnel.pcap",
    "ndpi/pcap/teredo.pcap",
    "pcapplusplus/PcapExamples/ip4_fragments.pcap",
    "ndpi/pcap/dns_fragmented.pcap",
    "chrissanders-packets/arppoison.pcapng",
    "arkime-tests/twovlan.pcap",
    "arkime-tests/pppoe.pcap",
    "arkime-tests/mpls-basic.pcap",
    "ndpi/pcap/http_ipv6.pcap",
    "chrissanders-packets/ipv6_fragments.pcapng",
    "slips-stratosphere/test12-icmp-portscan.pcap",
    "esnet-curated/udp_0_1000_20190821.pcap",
]


def run(kasbah, args):
    r = subprocess.run([kasbah] + args, capture_output=True, text=True)
    return r.returncode, r.stderr


def read_scores(path):
    out = []
    with open(path) as f:
        head = f.readline().strip()
        for line in f:
            i, s = line.strip().split(",")
            out.append((int(i), float(s)))
    return head, out


def model_map(path):
    b = open(path, "rb").read()
    if b[:8] != b"KSBHANML":
        raise ValueError("bad magic")
    n, max_ae, n_ae = struct.unpack_from("<III", b, 20)
    off = struct.unpack_from("<%dI" % (n_ae + 1), b, 104)
    idx = struct.unpack_from("<%dI" % n, b, 104 + 4 * (n_ae + 1))
    return [list(idx[off[i]:off[i + 1]]) for i in range(n_ae)]


def main():
    kasbah, shared, work = sys.argv[1], sys.argv[2], sys.argv[3]
    data = os.path.join(shared, "data", "kitsune")
    os.makedirs(work, exist_ok=True)
    feat = os.path.join(work, "features.f64")
    scores = os.path.join(work, "scores.csv")
    model = os.path.join(work, "model.bin")
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        print(("ok   " if ok else "FAIL ") + what)
        if ok:
            passed += 1
        else:
            failed += 1

    pcap = os.path.join(data, "mirai_first38363.pcap")
    base = ["-r", pcap, "-l", work, "--set", "anomaly.enabled=yes", "--set", "anomaly.mode=kitsune",
            "--set", "anomaly.fm-grace=5000", "--set", "anomaly.ad-grace=20000",
            "--set", "anomaly.max-ae=10"]
    rc, err = run(kasbah, base + ["--set", "anomaly.dump-features=" + feat,
                                  "--set", "anomaly.dump-scores=" + scores,
                                  "--set", "anomaly.model-save=" + model])
    check(rc == 0, "kasbah exit status 0 (got %d) %s" % (rc, err.strip()[-200:] if rc else ""))

    # features, bit for bit
    ref = open(os.path.join(data, "mirai_first38363.features.f64"), "rb").read()
    got = open(feat, "rb").read() if os.path.exists(feat) else b""
    check(len(got) == len(ref), "features: %d bytes (reference %d)" % (len(got), len(ref)))
    if len(got) == len(ref):
        n = len(ref) // 8
        a = struct.unpack("<%dd" % n, ref)
        b = struct.unpack("<%dd" % n, got)
        diff = 0
        maxrel = 0.0
        for x, y in zip(a, b):
            if struct.pack("<d", x) != struct.pack("<d", y):
                diff += 1
                den = abs(x) if x != 0 else 1.0
                maxrel = max(maxrel, abs(x - y) / den)
        check(diff == 0, "features: %d of %d values differ from the reference (max relative "
              "difference %.3g)" % (diff, n, maxrel))

    # feature map
    want = json.load(open(os.path.join(data, "feature_map.json")))
    try:
        fm = model_map(model)
    except (OSError, ValueError, struct.error) as e:
        fm = "unreadable model: %s" % e
    check(fm == want, "feature map equals feature_map.json (%s autoencoders)"
          % (len(fm) if isinstance(fm, list) else fm))

    # scores
    _, rs = read_scores(os.path.join(data, "mirai_first38363.scores.csv"))
    head, gs = read_scores(scores) if os.path.exists(scores) else ("", [])
    check(head == "packet_index,score", "scores header is packet_index,score (got %r)" % head)
    check(len(gs) == len(rs) and all(i == j for (i, _), (j, _) in zip(gs, rs)),
          "scores: %d rows indexed from 0 (reference %d)" % (len(gs), len(rs)))
    if len(gs) == len(rs):
        zero_ok = all(g == 0 for (_, g), (_, r) in zip(gs, rs) if r == 0)
        scored = [(g, r) for (_, g), (_, r) in zip(gs, rs) if r != 0]
        maxrel = max((abs(g - r) / abs(r) for g, r in scored), default=math.inf)
        check(zero_ok, "scores: packets the reference scores 0 score 0")
        check(len(scored) == 13362 and maxrel <= 1e-9,
              "scores: %d scored packets, max relative difference %.3g (limit 1e-9)"
              % (len(scored), maxrel))

    # the saved model loads and scores from the first packet
    scores2 = os.path.join(work, "scores-loaded.csv")
    rc, err = run(kasbah, ["-r", pcap, "-l", work, "--set", "anomaly.enabled=yes",
                           "--set", "anomaly.mode=kitsune", "--set", "anomaly.model-load=" + model,
                           "--set", "anomaly.dump-scores=" + scores2])
    ok = rc == 0 and os.path.exists(scores2)
    if ok:
        _, ls = read_scores(scores2)
        ok = len(ls) == len(rs) and ls[0][1] > 0 and all(s > 0 for _, s in ls)
    check(ok, "model-load: the saved model scores every packet from the first (rc %d)" % rc)

    # other captures against the Python model of the reference
    if shutil.which("tshark") is None:
        print("skip other captures: no tshark")
    for rel in OTHER if shutil.which("tshark") else []:
        path = os.path.join(shared, "data", "pcaps", rel)
        if not os.path.exists(path):
            check(False, "%s: capture missing" % rel)
            continue
        out = os.path.join(work, "other.f64")
        rc, err = run(kasbah, ["-r", path, "-l", work, "--set", "anomaly.enabled=yes",
                               "--set", "anomaly.mode=kitsune",
                               "--set", "anomaly.dump-features=" + out])
        got = open(out, "rb").read() if rc == 0 and os.path.exists(out) else b""
        want = b"".join(struct.pack("<100d", *x) for x in refmodel.features(refmodel.rows_of(path)))
        n = len(want) // 800
        diff = sum(1 for i in range(0, min(len(got), len(want)), 8) if got[i:i + 8] != want[i:i + 8])
        check(rc == 0 and len(got) == len(want) and diff == 0,
              "%s: %d packets, features equal the reference model's (%d values differ%s)"
              % (rel, n, diff, "" if len(got) == len(want) else ", kasbah wrote %d bytes" % len(got)))

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
