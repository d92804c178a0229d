#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A Python model of the reference Kitsune feature extractor, for captures the
reference's stored outputs do not cover.

Written from ../shared/KITSUNE.md sections 1-3 (the reference's tshark field
export, incStat / incStat_cov / incStatDB, netStat's 100 features); it
reproduces the stored reference features of mirai_first38363 bit for bit
(`refmodel.py --compare mirai_first38363.pcap mirai_first38363.features.f64`),
so it can stand in for the reference on other captures: `refmodel.py PCAP
OUT.f64` runs tshark with the reference's field list and writes the features
as raw little-endian float64, 100 per packet.

Usage:
  refmodel.py PCAP OUT.f64
  refmodel.py --compare PCAP KASBAH_FEATURES.f64   (exit 1 when they differ)
"""
import csv
import math
import struct
import subprocess
import sys

FIELDS = ["frame.time_epoch", "frame.len", "eth.src", "eth.dst", "ip.src", "ip.dst",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "icmp.type", "icmp.code",
          "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac",
          "arp.dst.proto_ipv4", "ipv6.src", "ipv6.dst"]
LAMBDAS = [5, 3, 1, .1, .01]


class Stream:
    def __init__(self, sid, lam, t, jitter):
        self.id, self.lam, self.t, self.jitter = sid, lam, t, jitter
        self.cf1 = 0
        self.cf2 = 0
        self.w = 1e-20
        self.m = math.nan
        self.v = math.nan
        self.links = []

    def decay(self, t):
        d = t - self.t
        if d > 0:
            f = math.pow(2, -self.lam * d)
            self.cf1 *= f
            self.cf2 *= f
            self.w *= f
            self.t = t

    def insert(self, v, t):
        if self.jitter:
            d = t - self.t
            v = d if d > 0 else 0
        self.decay(t)
        self.cf1 += v
        self.cf2 += math.pow(v, 2)
        self.w += 1
        self.m = math.nan
        self.v = math.nan
        for link in self.links:
            link.update(self.id, v, t)

    def mean(self):
        if math.isnan(self.m):
            self.m = self.cf1 / self.w
        return self.m

    def var(self):
        if math.isnan(self.v):
            self.v = abs(self.cf2 / self.w - math.pow(self.mean(), 2))
        return self.v

    def stats1(self):
        self.m = self.cf1 / self.w
        self.v = abs(self.cf2 / self.w - math.pow(self.m, 2))
        return [self.w, self.m, self.v]


class Link:
    def __init__(self, a, b, t):
        self.s = [a, b]
        self.res = [0, 0]
        self.cf3 = 0
        self.w3 = 1e-20
        self.t = t

    def update(self, sid, v, t):
        k = 0 if sid == self.s[0].id else 1
        self.s[1 - k].decay(t)
        d = t - self.t
        if d > 0:
            f = math.pow(2, -(self.s[k].lam * d))
            self.cf3 *= f
            self.w3 *= f
            self.t = t
            self.res[k] *= f
        r = v - self.s[k].mean()
        self.cf3 += r * self.res[1 - k]
        self.w3 += 1
        self.res[k] = r

    def stats2(self):
        a, b = self.s
        rad = math.sqrt(math.pow(a.var(), 2) + math.pow(b.var(), 2))
        mag = math.sqrt(math.pow(a.mean(), 2) + math.pow(b.mean(), 2))
        cov = self.cf3 / self.w3
        ss = math.sqrt(a.var()) * math.sqrt(b.var())
        return [rad, mag, cov, cov / ss if ss != 0 else 0]


class Db:
    def __init__(self, jitter=False):
        self.ht = {}
        self.jitter = jitter

    def get(self, sid, lam, t):
        key = sid + "_" + str(lam)
        s = self.ht.get(key)
        if s is None:
            s = self.ht[key] = Stream(sid, lam, t, self.jitter)
        return s

    def one(self, sid, t, v):
        out = []
        for lam in LAMBDAS:
            s = self.get(sid, lam, t)
            s.insert(v, t)
            out += s.stats1()
        return out

    def two(self, a, b, t, v):
        out = []
        for lam in LAMBDAS:
            sa = self.get(a, lam, t)
            sa.insert(v, t)
            o = sa.stats1()
            sb = self.get(b, lam, t)
            link = None
            for c in sa.links:
                if c.s[0].id == b or c.s[1].id == b:
                    link = c
                    break
            if link is None:
                link = Link(sa, sb, t)
                sa.links.append(link)
                sb.links.append(link)
            link.update(a, v, t)
            out += o + link.stats2()
        return out


def rows_of(pcap):
    cmd = ["tshark", "-r", pcap, "-T", "fields", "-E", "header=y", "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rows = list(csv.reader(out.splitlines(), delimiter="\t"))
    return [r + [""] * (len(FIELDS) - len(r)) for r in rows[1:]]


def features(rows):
    mi, hh, jit, hp = Db(), Db(), Db(jitter=True), Db()
    for row in rows:
        t = float(row[0])
        size = int(row[1])
        sip = dip = ""
        if row[4] != "":
            sip, dip = row[4], row[5]
        elif row[17] != "":
            sip, dip = row[17], row[18]
        sp = row[6] + row[8]
        dp = row[7] + row[9]
        smac, dmac = row[2], row[3]
        if sp == "":
            if row[12] != "":
                sp = dp = "arp"
                sip, dip = row[14], row[16]
            elif row[10] != "":
                sp = dp = "icmp"
            elif sip + sp + dip + dp == "":
                sip, dip = row[2], row[3]
        x = mi.one(smac + sip, t, size)
        x += hh.two(sip, dip, t, size)
        x += jit.one(sip + dip, t, 0)
        if sp == "arp":
            x += hp.two(smac, dmac, t, size)
        else:
            x += hp.two(sip + sp, dip + dp, t, size)
        yield x


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--compare":
        got = open(sys.argv[3], "rb").read()
        n = len(got) // 8
        mine = struct.unpack("<%dd" % n, got)
        diff = rows = 0
        first = None
        for i, x in enumerate(features(rows_of(sys.argv[2]))):
            rows += 1
            for j, v in enumerate(x):
                k = i * 100 + j
                if k >= n or struct.pack("<d", float(v)) != struct.pack("<d", mine[k]):
                    diff += 1
                    if first is None:
                        first = (i, j, v, mine[k] if k < n else None)
        same_len = rows * 100 == n
        print("%s: %d packets, %d of %d values differ%s%s" % (
            sys.argv[2], rows, diff, rows * 100, "" if same_len else
            " (kasbah wrote %d values)" % n, "" if first is None else
            "; first: packet %d feature %d, reference %r, kasbah %r" % first))
        return 0 if diff == 0 and same_len else 1
    if len(sys.argv) == 3:
        with open(sys.argv[2], "wb") as f:
            for x in features(rows_of(sys.argv[1])):
                f.write(struct.pack("<100d", *x))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
