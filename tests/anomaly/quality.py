#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Detection quality of kasbah's anomaly detector on labelled public captures.

Not a pass/fail test: it prints a markdown table for docs/ANOMALY.md.

Protocol (the closest the stored data allows to the Kitsune paper's): the
38,363 benign packets of the Kitsune Mirai capture are the network's normal
traffic; kasbah maps features on the first fm-grace packets, trains on the next
ad-grace, and then scores the rest (13,362 benign packets: the benign test set).
Each attack capture is then appended, its timestamps shifted (editcap -t) to
start one second after the benign capture ends, as if the attack happened on
that network. Every packet of an attack capture is labelled attack (the labels
of these captures are file-level). Per capture: AUC (benign test packets vs
attack packets, ties counted half), detection rate (attack packets scoring
above the learned threshold) and false-positive rate (benign test packets
above it), and the anomaly events written to EVE.

Usage: quality.py KASBAH SHARED_DIR WORK_DIR [MODE]   (MODE: default | kitsune)
"""
import json
import os
import re
import subprocess
import sys

ATTACKS = [
    ("stopddos/pkt.TCP.synflood.spoofed.pcap", "SYN flood, spoofed sources"),
    ("stopddos/pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng", "SYN flood (ECN/CWR flags)"),
    ("stopddos/amp.TCP.reflection.SYNACK.pcap", "TCP SYN-ACK reflection"),
    ("stopddos/amp.UDP.isakmp.pcap", "UDP amplification (ISAKMP)"),
    ("stopddos/amp.dns.RRSIG.fragmented.pcap", "DNS amplification (RRSIG, fragmented)"),
    ("stopddos/amp.UDP.bacnet.IOT.37810.pcapng", "UDP amplification (IoT port 37810)"),
    ("slips-stratosphere/malicious-ssh-bruteforce.pcap", "SSH brute force"),
    ("slips-stratosphere/test7-malicious.pcap", "Hide'n'Seek IoT botnet"),
    ("slips-stratosphere/test8-malicious.pcap", "ARP scan"),
    ("slips-stratosphere/test12-icmp-portscan.pcap", "ICMP sweep"),
    ("esnet-curated/nmap_80_all.pcap", "nmap scan"),
    ("esnet-curated/tcp_0_1000_20190821.pcap", "masscan TCP"),
    ("esnet-curated/udp_0_1000_20190821.pcap", "masscan UDP"),
    ("sgr-pcaphunt/hs-arpScan.pcap", "ARP host discovery"),
    ("sgr-pcaphunt/hs-tcp_synPingSweepRand.pcapng", "TCP SYN ping sweep"),
    ("sgr-pcaphunt/hs-udpScan.pcap", "UDP scan"),
]
N_BENIGN = 38363
BENIGN_END = 1540447788  # after the last packet of mirai_first38363.pcap


def first_time(path):
    out = subprocess.run(["capinfos", "-a", "-S", "-T", "-r", path], capture_output=True,
                         text=True).stdout.strip().split("\t")
    return float(out[-1])


def auc(neg, pos):
    """P(score(pos) > score(neg)) + 0.5 P(equal), by ranking."""
    allv = sorted([(v, 0) for v in neg] + [(v, 1) for v in pos])
    rank_sum = 0.0
    i = 0
    while i < len(allv):
        j = i
        while j < len(allv) and allv[j][0] == allv[i][0]:
            j += 1
        r = (i + 1 + j) / 2.0
        rank_sum += r * sum(1 for k in range(i, j) if allv[k][1] == 1)
        i = j
    n1, n0 = len(pos), len(neg)
    return (rank_sum - n1 * (n1 + 1) / 2.0) / (n1 * n0)


def main():
    kasbah, shared, work = sys.argv[1:4]
    mode = sys.argv[4] if len(sys.argv) > 4 else "default"
    pcaps = os.path.join(shared, "data", "pcaps")
    benign = os.path.join(shared, "data", "kitsune", "mirai_first38363.pcap")
    os.makedirs(work, exist_ok=True)
    print("| attack capture | packets | AUC | detection rate | false-positive rate | events |")
    print("|---|---|---|---|---|---|")
    for rel, name in ATTACKS:
        src = os.path.join(pcaps, rel)
        d = os.path.join(work, os.path.basename(rel) + ".d")
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.symlink(benign, os.path.join(d, "00-benign.pcap"))
        shift = BENIGN_END - first_time(src)
        subprocess.run(["editcap", "-F", "pcap", "-t", "%.6f" % shift, src,
                        os.path.join(d, "01-attack.pcap")], check=True, capture_output=True)
        scores = os.path.join(work, "scores.csv")
        logdir = os.path.join(work, "log")
        os.makedirs(logdir, exist_ok=True)
        r = subprocess.run([kasbah, "-v", "-r", d, "-l", logdir, "--set", "anomaly.enabled=yes",
                            "--set", "anomaly.mode=" + mode, "--set", "anomaly.fm-grace=5000",
                            "--set", "anomaly.ad-grace=20000", "--set", "anomaly.dump-scores=" + scores],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("| %s | kasbah failed: %s |" % (name, r.stderr.strip()[-100:]))
            continue
        s = [float(line.split(",")[1]) for line in open(scores).readlines()[1:]]
        thr = None
        events = 0
        for line in open(os.path.join(logdir, "eve.json")):
            rec = json.loads(line)
            if rec.get("event_type") == "anomaly":
                events += 1
                thr = rec["anomaly"]["threshold"]
        neg = s[25001:N_BENIGN]
        pos = s[N_BENIGN:]
        m = re.search(r"anomaly: threshold (\S+)", r.stderr)
        if m:
            thr = float(m.group(1))
        if thr is None:
            thr = float("inf")
        a = auc(neg, pos)
        dr = sum(1 for v in pos if v > thr) / len(pos)
        fp = sum(1 for v in neg if v > thr) / len(neg)
        print("| %s (`%s`) | %d | %.3f | %.3f | %.4f | %d |" % (name, rel, len(pos), a, dr, fp, events))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
