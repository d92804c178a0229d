#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""agree.py: kasbah's packet and flow counts against capinfos and tshark.

Where: tests/agreement, run by tests/suites/agreement over the fixed CI selection
(ci-selection.txt) and by hand over every capture (`tests/agreement/agree.py --all`).

For each capture, kasbah runs once (`-k none`, no rules) and tshark runs once
(`-z conv,tcp -z conv,udp` plus per-frame fields used only to explain differences).
Two checks:
  1. packets: stats.decoder.pkts == the capture's packet count (MANIFEST.tsv's capinfos
     count; capfile.py's own count where capinfos could not open the file);
  2. flows: for every TCP and UDP conversation, keyed by protocol and the unordered pair of
     endpoints, the multiset of per-direction (packets, bytes) of kasbah's flows equals
     that of tshark's conversations. tshark prints byte totals of 10,000 and more in kB/MB
     (truncated, SI); kasbah's exact count is compared in tshark's own rendering.
A difference is either an exception with a known, listed reason (counted per reason and
printed in the summary, never skipped silently) or a failure. The reasons:

  libpcap-refuses     a format kasbah's capture stage does not read (snoop), so kasbah exits
                      2; or, with a capture stage that is libpcap alone, a file libpcap
                      stops early in (gzip, pcapng interfaces with different link types or
                      snaplens): kasbah must then have exactly libpcap's packet count, and
                      its flows are not compared.
  broken-file         the file is cut short or has an impossible record; capinfos fails.
                      kasbah must count exactly the records before the damage.
  tshark-unreadable   tshark cannot read the file (link type it does not know); no flows
                      to compare.
  vlan                kasbah keys flows by VLAN id, tshark does not: kasbah splits the
                      conversation by VLAN, the totals agree.
  split               kasbah (flow timeout, TCP session reuse) and tshark (TCP stream index)
                      split one endpoint pair into different numbers of flows; the totals
                      agree (exactly, or within tshark's kB rounding).
  tunnel-carrier      the outer UDP conversation of a tunnel (VXLAN, GTP-U, Geneve,
                      Teredo, L2TP, CAPWAP, ...): tshark counts its frames there and again
                      in the inner conversation; kasbah, where it decodes the tunnel, counts
                      the packet in the inner flow.
  tunnel-not-decoded  tshark decodes a tunnel kasbah does not (L2TP, CAPWAP, ...), so
                      kasbah has no flow for the inner conversation.
  tunnel-inner-bytes  kasbah decodes the tunnel (GRE, GTP-U, ...): same packets per
                      direction, but tshark counts whole frames and kasbah the inner packet,
                      so kasbah's bytes are smaller.
  ip-fragments        the conversation carries IP fragments: tshark counts a reassembled
                      datagram once, with the bytes of its last fragment's frame; kasbah
                      counts the reassembled datagram. Accepted when the packet counts
                      differ by at most the number of such frames.
  icmp-error-quote    an ICMP error quotes this conversation's header; tshark does not count
                      it in the conversation, a Suricata-style engine does. Only accepted
                      when the difference is exactly the number of quoting frames.
  malformed-header    frames of the conversation have a header tshark marks as an error
                      (IPv4 total length beyond the frame, UDP length beyond the IP payload,
                      TCP options past the header): tshark still counts them in the
                      conversation, kasbah (as Suricata) records a decoder event and keeps
                      the packet out of flows. Accepted when kasbah is short by at most the
                      number of such frames.
  truncated-frames    frames of the conversation were cut by the snaplen; accepted when the
                      packet counts differ by at most the number of such frames.
  mobile-ipv6         a Mobile IPv6 home address option or type 2 routing header (RFC 6275):
                      tshark keys the conversation by the home address, kasbah (as
                      Suricata) by the addresses in the IPv6 header.
  ipv4-length-zero    IPv4 total length 0 (TCP segmentation offload, BIG TCP): tshark takes
                      the frame's length, kasbah rejects the header (ipv4
                      iplen_smaller_than_hlen); accepted up to that counter.
  link-type-not-decoded  kasbah counts packets of a link type it has no decoder for
                      (stats decoder.unknown_datalink) and has no flow for the conversation.
  ipv6-routing-header a routing header with segments left (type 0, segment routing, ...):
                      tshark keys the conversation by the final destination (the routing
                      header's last address), kasbah (as Suricata) by the destination in the
                      IPv6 header, where the packet is going next; the packet is counted in
                      a conversation of another name.
  macsec-not-decoded  IEEE 802.1AE (MACsec) frames: tshark decodes unencrypted ones; kasbah,
                      as Suricata, has no MACsec decoder (decoder.unknown_ethertype) and no
                      flow for the conversation. Accepted when kasbah is short by at most
                      the number of such frames.
Anything else is a failure, printed with both sides' numbers.

A long sweep can be interrupted and resumed: `--results FILE` appends every capture's
verdict to FILE as it is judged, and `--results FILE --resume` judges only the captures FILE
does not hold yet (the summary then counts FILE's verdicts too).

Exit status: 0 when every capture passed, 1 when any failed, 2 on a usage error.
The last line is `agreement: N passed, M failed`.
"""

import argparse
import collections
import concurrent.futures
import csv
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from capfile import capfile_inspect  # noqa: E402

KASBAH_TIMEOUT = 300
TSHARK_TIMEOUT = 600

# Reasons in the order they are tried; the summary lists them in this order.
REASONS = collections.OrderedDict([
    ("libpcap-refuses", "format kasbah does not read (snoop), or libpcap stops early"),
    ("broken-file", "file cut short or with an impossible record (capinfos fails)"),
    ("tshark-unreadable", "tshark cannot read the file; flows not compared"),
    ("vlan", "kasbah splits the conversation by VLAN id; totals agree"),
    ("split", "conversation split into a different number of flows; totals agree"),
    ("tunnel-carrier", "outer UDP of a tunnel: tshark counts it, kasbah hands it inward"),
    ("tunnel-not-decoded", "conversation inside a tunnel kasbah does not decode"),
    ("tunnel-inner-bytes", "inside a tunnel: same packets, kasbah counts inner bytes"),
    ("ip-fragments", "IP fragments: tshark counts one frame per datagram"),
    ("icmp-error-quote", "ICMP error quoting the conversation, counted only by kasbah"),
    ("malformed-header", "invalid IP/UDP/TCP header: tshark counts it, kasbah flags it"),
    ("truncated-frames", "frames cut by the snaplen"),
    ("mobile-ipv6", "Mobile IPv6 home address: tshark swaps it in, kasbah keys by header"),
    ("ipv4-length-zero", "IPv4 total length 0 (TSO): tshark infers it, kasbah rejects"),
    ("link-type-not-decoded", "link type kasbah only counts (decoder.unknown_datalink)"),
    ("ipv6-routing-header", "IPv6 routing header: tshark keys by the final destination"),
    ("macsec-not-decoded", "MACsec frames: kasbah, as Suricata, does not decode 802.1AE"),
])


def shared_dir():
    """$KASBAH_SHARED, else <repo>/../shared, else /work/shared."""
    env = os.environ.get("KASBAH_SHARED")
    if env:
        return env
    sibling = os.path.join(os.path.dirname(REPO), "shared")
    if os.path.isdir(sibling):
        return sibling
    return "/work/shared"


def load_manifest(pcaps):
    rows = collections.OrderedDict()
    with open(os.path.join(pcaps, "MANIFEST.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            rows[row["path"]] = row
    return rows


# ---------------------------------------------------------------- endpoints and keys

def norm_ip(s):
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s


def ep_sort_key(ep):
    ip, port = ep
    try:
        a = ipaddress.ip_address(ip)
        return (a.version, int(a), port)
    except ValueError:
        return (9, 0, port)


def conv_key(proto, ep1, ep2):
    """(proto, A, B) with A <= B: the direction-agnostic identity of a conversation."""
    a, b = sorted([ep1, ep2], key=ep_sort_key)
    return (proto, a, b)


def fmt_size(n):
    """tshark 4.0's rendering of a byte count in conversation tables (format_size, SI):
    the unit is chosen while the value stays >= 10 of it, the value is truncated."""
    for unit, div in (("PB", 10**15), ("TB", 10**12), ("GB", 10**9), ("MB", 10**6),
                      ("kB", 10**3)):
        if n // div >= 10:
            return "%d %s" % (n // div, unit)
    return "%d bytes" % n


# ---------------------------------------------------------------- tshark

CONV_RE = re.compile(
    r"^(\S+)\s+<->\s+(\S+)\s+"
    r"(\d+)\s+(\d+\s+\S+)\s+"      # B -> A: frames, bytes (with unit)
    r"(\d+)\s+(\d+\s+\S+)\s+"      # A -> B
    r"(\d+)\s+(\d+\s+\S+)\s+"      # total
    r"\S+\s+\S+\s*$")

FIELDS = ["frame.number", "frame.len", "frame.cap_len", "frame.protocols",
          "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
          "ip.flags.mf", "ip.frag_offset", "_ws.expert.severity", "_ws.expert.message",
          "ipv6.opt.mipv6.home_address", "ipv6.routing.mipv6.home_address",
          "ipv6.routing.segleft", "ipv6.routing.src.addr", "ipv6.routing.srh.addr",
          "ipv6.routing.rpl.full_address"]

# tshark expert severities (epan/proto.h): PI_ERROR and above mark a malformed field.
PI_ERROR = 0x00800000
# Notes tshark files under a lower severity that still make a header invalid for a
# Suricata-style decoder (TCP options running past the header).
MALFORMED_NOTES = re.compile(r"option goes past end|option length|Bogus|Invalid length|"
                             r"payload length exceeds framing length")


def split_ep(s):
    host, _, port = s.rpartition(":")
    return (norm_ip(host), int(port))


def run_tshark(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=/t",
           "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    cmd += ["-z", "conv,tcp", "-z", "conv,udp"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                           timeout=TSHARK_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, None, "tshark timed out"
    convs, frames = [], []
    section = None
    for line in p.stdout.splitlines():
        if line.startswith("TCP Conversations"):
            section = "TCP"
            continue
        if line.startswith("UDP Conversations"):
            section = "UDP"
            continue
        if line.startswith("====="):
            section = section or "tables"
            continue
        if section is None:
            frames.append(line.split("\t"))
            continue
        m = CONV_RE.match(line)
        if m and section in ("TCP", "UDP"):
            a, b = split_ep(m.group(1)), split_ep(m.group(2))
            convs.append({"proto": section, "a": a, "b": b,
                          "b2a": (int(m.group(3)), " ".join(m.group(4).split())),
                          "a2b": (int(m.group(5)), " ".join(m.group(6).split()))})
    err = ""
    if p.returncode != 0 and not frames:
        err = (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]
    return convs, frames, err


MIPV6 = ("mipv6-addresses",)
RH6 = ("routing-header-addresses",)


def frame_attributes(frames):
    """Per conversation key and per IP pair, what the frames say: tunneled, fragment,
    quoted by an ICMP error (with a count), truncated or malformed."""
    by_key = collections.defaultdict(collections.Counter)
    by_ippair = collections.defaultdict(collections.Counter)
    idx = {f: i for i, f in enumerate(FIELDS)}

    def col(row, name):
        i = idx[name]
        v = row[i] if i < len(row) else ""
        return v.split(",") if v else []

    for row in frames:
        if len(row) < 4:
            continue
        try:
            flen, clen = int(row[idx["frame.len"]]), int(row[idx["frame.cap_len"]])
        except ValueError:
            continue
        tokens = row[idx["frame.protocols"]].split(":")
        ip_src, ip_dst = col(row, "ip.src"), col(row, "ip.dst")
        ip6_src, ip6_dst = col(row, "ipv6.src"), col(row, "ipv6.dst")
        mf, fo = col(row, "ip.flags.mf"), col(row, "ip.frag_offset")
        ports = {"tcp": (col(row, "tcp.srcport"), col(row, "tcp.dstport")),
                 "udp": (col(row, "udp.srcport"), col(row, "udp.dstport"))}
        n = {"ip": 0, "ipv6": 0, "tcp": 0, "udp": 0}
        l3 = None            # (src, dst) of the innermost IP layer so far
        depth = 0            # IP layers outside any ICMP error
        quoted = False
        frag = False
        flags = set()
        if clen < flen:
            flags.add("truncated")
        if "_ws.malformed" in tokens or "_ws.short" in tokens:
            flags.add("truncated")
        sev = [int(v) for v in col(row, "_ws.expert.severity") if v.isdigit()]
        msg = row[idx["_ws.expert.message"]] if len(row) > idx["_ws.expert.message"] else ""
        if any(v >= PI_ERROR for v in sev) or MALFORMED_NOTES.search(msg):
            flags.add("malformed")
        hoa = col(row, "ipv6.opt.mipv6.home_address") + col(row, "ipv6.routing.mipv6.home_address")
        if hoa:
            # Mobile IPv6 (RFC 6275): tshark puts the home address in place of the header's
            # source (or destination); remember every address such a frame touches.
            by_ippair[MIPV6].update(norm_ip(x) for x in hoa + ip6_src + ip6_dst)
        segleft = [v for v in col(row, "ipv6.routing.segleft") if v not in ("", "0")]
        if "ipv6.routing" in tokens and segleft:
            # tshark names the conversation after the final destination: remember every
            # address of the frame, header and routing header alike
            rh = (col(row, "ipv6.routing.src.addr") + col(row, "ipv6.routing.srh.addr")
                  + col(row, "ipv6.routing.rpl.full_address"))
            by_ippair[RH6].update(norm_ip(x) for x in rh + ip6_src + ip6_dst)
        if "macsec" in tokens:
            flags.add("macsec")
        pairs = []
        l3pairs = set()
        for i, t in enumerate(tokens):
            if t in ("icmp", "icmpv6") and i + 1 < len(tokens) and tokens[i + 1] in ("ip", "ipv6"):
                quoted = True
            elif t == "ip":
                k = n["ip"]
                n["ip"] += 1
                if k < len(ip_src) and k < len(ip_dst):
                    l3 = (norm_ip(ip_src[k]), norm_ip(ip_dst[k]))
                if not quoted:
                    depth += 1
                if (k < len(mf) and mf[k] in ("1", "True")) or (k < len(fo) and fo[k] not in ("0", "")):
                    frag = True
            elif t == "ipv6":
                k = n["ipv6"]
                n["ipv6"] += 1
                if k < len(ip6_src) and k < len(ip6_dst):
                    l3 = (norm_ip(ip6_src[k]), norm_ip(ip6_dst[k]))
                if not quoted:
                    depth += 1
            elif t == "ipv6.fraghdr":
                frag = True
            elif t in ("tcp", "udp"):
                k = n[t]
                n[t] += 1
                sp, dp = ports[t]
                if l3 is None or k >= len(sp) or k >= len(dp):
                    continue
                try:
                    key = conv_key(t.upper(), (l3[0], int(sp[k])), (l3[1], int(dp[k])))
                except ValueError:
                    continue
                pairs.append((key, quoted, depth))
            if l3 is not None:
                l3pairs.add(tuple(sorted(l3)))
        for ipk in l3pairs:
            if frag:
                by_ippair[ipk]["fragment"] += 1
            for fl in flags:
                by_ippair[ipk][fl] += 1
        for j, (key, q, d) in enumerate(pairs):
            c = by_key[key]
            if not q and d < depth:     # more IP layers follow: this one carries a tunnel
                c["carrier"] += 1
            if q:
                c["quoted"] += 1
            if d > 1:
                c["tunneled"] += 1
            if frag:
                c["fragment"] += 1
            for fl in flags:
                c[fl] += 1
    return by_key, by_ippair


# ---------------------------------------------------------------- kasbah

def kasbah_binary(arg):
    builddir = os.environ.get("KASBAH_BUILDDIR", "build")
    for cand in (arg, os.environ.get("KASBAH_BIN"), os.path.join(REPO, builddir, "src", "kasbah")):
        if cand:
            return os.path.abspath(cand)
    return None


def run_kasbah(kasbah, path, workdir):
    logdir = os.path.join(workdir, "log")
    os.makedirs(logdir, exist_ok=True)
    cmd = [kasbah, "-r", path, "-l", logdir, "-k", "none"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                           timeout=KASBAH_TIMEOUT)
        rc, stderr = p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        return {"rc": None, "stderr": "timed out after %ds" % KASBAH_TIMEOUT,
                "flows": [], "stats": None, "bad_lines": 0}
    flows, stats, bad = [], None, 0
    eve = os.path.join(logdir, "eve.json")
    if os.path.exists(eve):
        with open(eve, "rb") as f:
            for raw in f:
                try:
                    rec = json.loads(raw)
                except ValueError:
                    bad += 1
                    continue
                if not raw.endswith(b"\n") or not isinstance(rec, dict):
                    bad += 1
                    continue
                if rec.get("event_type") == "flow":
                    flows.append(rec)
                elif rec.get("event_type") == "stats":
                    stats = rec.get("stats")
    return {"rc": rc, "stderr": stderr, "flows": flows, "stats": stats, "bad_lines": bad}


def kasbah_groups(flows):
    groups = collections.defaultdict(list)
    for fl in flows:
        proto = fl.get("proto")
        if proto not in ("TCP", "UDP"):
            continue
        f = fl.get("flow", {})
        try:
            src = (norm_ip(fl["src_ip"]), int(fl["src_port"]))
            dst = (norm_ip(fl["dest_ip"]), int(fl["dest_port"]))
            ts = (int(f["pkts_toserver"]), int(f["bytes_toserver"]))
            tc = (int(f["pkts_toclient"]), int(f["bytes_toclient"]))
        except (KeyError, TypeError, ValueError):
            groups[("bad-record",)].append(fl)
            continue
        key = conv_key(proto, src, dst)
        a2b, b2a = (ts, tc) if src == key[1] else (tc, ts)
        if src == dst:                        # both ends the same: direction is moot
            a2b, b2a = sorted([ts, tc])
        groups[key].append({"a2b": a2b, "b2a": b2a, "vlan": tuple(fl.get("vlan") or ()),
                            "reason": f.get("reason", ""), "flow_id": fl.get("flow_id")})
    return groups


# ---------------------------------------------------------------- comparison

def t_oriented(key, c):
    """A tshark conversation as ((pkts, bytes text) A->B, (pkts, bytes text) B->A) with A
    the key's first endpoint."""
    if c["a"] == c["b"]:
        return tuple(sorted([c["a2b"], c["b2a"]]))
    return (c["a2b"], c["b2a"]) if c["a"] == key[1] else (c["b2a"], c["a2b"])


def k_rendered(f):
    """A kasbah flow in tshark's rendering."""
    return ((f["a2b"][0], fmt_size(f["a2b"][1])), (f["b2a"][0], fmt_size(f["b2a"][1])))


def explain(key, tsides, kb, attrs, kstats, mipv6, rh6=frozenset()):
    """Pick the reason for a conversation's difference, or None (a failure)."""
    t_pk = tuple(sum(s[d][0] for s in tsides) for d in (0, 1))
    k_pk = (sum(f["a2b"][0] for f in kb), sum(f["b2a"][0] for f in kb))
    k_by = (sum(f["a2b"][1] for f in kb), sum(f["b2a"][1] for f in kb))
    if tsides and kb and t_pk == k_pk:
        same = all(byte_range(tsides, d)[0] <= k_by[d] <= byte_range(tsides, d)[1] for d in (0, 1))
        if same:
            if len(set(f["vlan"] for f in kb)) > 1:
                return "vlan"
            return "split"
    a = attrs.get(key, collections.Counter())
    missing = sum(t_pk) - sum(k_pk)
    if a["carrier"]:
        return "tunnel-carrier"
    if a["tunneled"] and not kb:
        return "tunnel-not-decoded"
    if a["tunneled"] and t_pk == k_pk and all(
            k_by[d] <= byte_range(tsides, d)[1] for d in (0, 1)):
        return "tunnel-inner-bytes"
    if a["fragment"] and abs(missing) <= a["fragment"]:
        return "ip-fragments"
    if a["quoted"] and -missing == a["quoted"]:
        return "icmp-error-quote"
    if a["malformed"] and 0 < missing <= a["malformed"]:
        return "malformed-header"
    if a["truncated"] and 0 < abs(missing) <= a["truncated"]:
        return "truncated-frames"
    if key[1][0] in mipv6 or key[2][0] in mipv6:
        return "mobile-ipv6"
    if 0 < missing <= kstats_event(kstats, "ipv4", "iplen_smaller_than_hlen"):
        return "ipv4-length-zero"
    if kstats.get("decoder", {}).get("unknown_datalink") and not kb:
        return "link-type-not-decoded"
    if key[1][0] in rh6 or key[2][0] in rh6:
        return "ipv6-routing-header"
    if a["macsec"] and 0 < missing <= a["macsec"]:
        return "macsec-not-decoded"
    return None


def byte_range(tsides, d):
    """The exact byte total tshark's rendered parts of direction d allow: (lo, hi)."""
    lo = hi = 0
    for s in tsides:
        n, unit = s[d][1].split()
        mult = {"bytes": 1, "kB": 10**3, "MB": 10**6, "GB": 10**9}.get(unit, 10**12)
        lo += int(n) * mult
        hi += int(n) * mult + (mult - 1)
    return lo, hi


def kstats_event(kstats, layer, name):
    try:
        return int(kstats["decoder"]["event"][layer][name])
    except (KeyError, TypeError, ValueError):
        return 0


def analyse(job):
    rel, pcaps, manifest_row, kasbah = job
    path = os.path.join(pcaps, rel)
    res = {"path": rel, "fail": [], "exc": collections.Counter(), "notes": []}
    info = capfile_inspect(path)
    work = tempfile.mkdtemp(prefix="agree-")
    try:
        kr = run_kasbah(kasbah, path, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    # -- kasbah ran sanely?
    if kr["rc"] is None or kr["rc"] < 0 or kr["rc"] >= 128:
        res["fail"].append("kasbah crashed or hung: status %s: %s"
                           % (kr["rc"], kr["stderr"].strip()[-300:]))
        return res
    if kr["bad_lines"]:
        res["fail"].append("eve.json has %d incomplete or invalid lines" % kr["bad_lines"])
    pkts = None
    if kr["stats"] is not None:
        pkts = kr["stats"].get("decoder", {}).get("pkts")

    # -- packets
    capinfos_ok = manifest_row is not None and manifest_row.get("capinfos_status") == "OK"
    if capinfos_ok:
        want = int(manifest_row["packets"])
    else:
        want = max(info.reader_count, 0)
    lp = info.libpcap_count
    refused = capinfos_ok and lp != want
    if pkts is None:
        if info.reader_count <= 0 and kr["rc"] == 2:
            res["exc"]["libpcap-refuses" if capinfos_ok else "broken-file"] += 1
            res["notes"].append("kasbah exit 2 (%s)" % kr["stderr"].strip().splitlines()[-1:])
            return res
        res["fail"].append("no stats record (exit %s): %s" % (kr["rc"], kr["stderr"].strip()[-300:]))
        return res
    if pkts != want:
        if refused and pkts == max(lp, 0):
            res["exc"]["libpcap-refuses"] += 1
            res["notes"].append("packets: kasbah %d = libpcap %d, capinfos %d (%s)"
                                % (pkts, lp, want, info.libpcap_error or info.fmt
                                   + (" gzip" if info.gzipped else "")))
            return res                      # flows over a partial read are not compared
        res["fail"].append("packets: kasbah decoder.pkts %s, expected %d%s"
                           % (pkts, want, "" if capinfos_ok else " (complete records)"))
    elif not capinfos_ok:
        res["notes"].append("capinfos cannot open it; kasbah reads its %d complete records" % want)
        if info.error or not info.libpcap_readable:
            res["exc"]["broken-file"] += 1      # flows of what was read are still compared
        else:
            res["exc"]["tshark-unreadable"] += 1  # a link type Wireshark does not know
            return res
    if kr["rc"] not in (0,) and not info.error:
        res["fail"].append("kasbah exit status %d on a readable capture: %s"
                           % (kr["rc"], kr["stderr"].strip()[-200:]))

    # -- flows
    convs, frames, terr = run_tshark(path)
    if convs is None or (terr and not convs):
        res["exc"]["tshark-unreadable"] += 1
        res["notes"].append("tshark: %s" % terr)
        return res
    attrs, ipattrs = frame_attributes(frames)
    mipv6 = set(ipattrs.get(MIPV6, ()))
    rh6 = set(ipattrs.get(RH6, ()))
    tg = collections.defaultdict(list)
    for c in convs:
        tg[conv_key(c["proto"], c["a"], c["b"])].append(c)
    kg = kasbah_groups(kr["flows"])
    if ("bad-record",) in kg:
        res["fail"].append("%d flow records lack 5-tuple or counters" % len(kg.pop(("bad-record",))))
    for key in sorted(set(tg) | set(kg), key=lambda k: (k[0], ep_sort_key(k[1]), ep_sort_key(k[2]))):
        tsides = sorted(t_oriented(key, c) for c in tg.get(key, []))
        kb = kg.get(key, [])
        ksides = sorted(k_rendered(f) for f in kb)
        if tsides == ksides:
            continue
        reason = explain(key, tsides, kb, attrs, kr["stats"], mipv6, rh6)
        desc = "%s %s:%d <-> %s:%d tshark %s kasbah %s" % (
            key[0], key[1][0], key[1][1], key[2][0], key[2][1],
            fmt_side(tsides), fmt_side(ksides))
        if reason in ("split", "vlan"):
            why = collections.Counter(f["reason"] or "?" for f in kb)
            desc += " (kasbah flow end: %s)" % ", ".join("%s x%d" % kv for kv in sorted(why.items()))
        if reason is None:
            res["fail"].append(desc)
        else:
            res["exc"][reason] += 1
            res["notes"].append("%s: %s" % (reason, desc))
    return res


def fmt_side(items):
    if not items:
        return "[]"
    return "[" + "; ".join("%d pkts %s -> / %d pkts %s <-" % (a[0], a[1], b[0], b[1])
                           for a, b in items) + "]"


# ---------------------------------------------------------------- selection

def make_selection(manifest, every):
    """The deterministic CI selection (ci-selection.txt is this function's output, K=12):
      - every capture of a top-level folder holding at most `every` captures;
      - every capture capinfos could not open (the broken and exotic ones);
      - per directory holding captures: all of them if at most 3, else every K-th in
        name order starting with the first, so every directory is represented."""
    by_dir = collections.defaultdict(list)
    by_top = collections.Counter()
    for rel in manifest:
        by_dir[os.path.dirname(rel)].append(rel)
        by_top[rel.split("/", 1)[0]] += 1
    chosen = set()
    for rel, row in manifest.items():
        if by_top[rel.split("/", 1)[0]] <= every or row.get("capinfos_status") != "OK":
            chosen.add(rel)
    for d, files in by_dir.items():
        files = sorted(files)
        chosen.update(files if len(files) <= 3 else files[::every])
    return sorted(chosen)


# ---------------------------------------------------------------- main

def load_results(path):
    """Verdicts already written to a --results file, by capture; a missing file is empty
    and a last line cut short (the sweep was interrupted mid-write) is ignored."""
    done = collections.OrderedDict()
    try:
        with open(path) as f:
            for ln in f:
                try:
                    rec = json.loads(ln)
                except ValueError:
                    continue
                rec["exc"] = collections.Counter(rec.get("exc", {}))
                done[rec["path"]] = rec
    except FileNotFoundError:
        pass
    return done


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("captures", nargs="*", help="captures (relative to the pcaps folder or paths)")
    ap.add_argument("--all", action="store_true", help="every capture in MANIFEST.tsv")
    ap.add_argument("--selection", default=os.path.join(HERE, "ci-selection.txt"))
    ap.add_argument("--kasbah", help="binary (default $KASBAH_BIN, else <repo>/$KASBAH_BUILDDIR/src/kasbah, "
                    "KASBAH_BUILDDIR defaulting to build)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every exception too")
    ap.add_argument("--results", metavar="FILE",
                    help="append each capture's verdict to FILE (one JSON object a line); "
                    "with --resume, captures already in FILE are not run again and the "
                    "summary covers FILE's verdicts too")
    ap.add_argument("--resume", action="store_true",
                    help="skip captures whose verdict --results FILE already holds")
    ap.add_argument("--make-selection", type=int, metavar="K",
                    help="print a selection (every K-th capture per folder) and exit")
    args = ap.parse_args()

    pcaps = os.path.join(shared_dir(), "data", "pcaps")
    manifest = load_manifest(pcaps)
    if args.make_selection:
        print("# CI selection for tests/suites/agreement, generated by")
        print("#   tests/agreement/agree.py --make-selection %d" % args.make_selection)
        for rel in make_selection(manifest, args.make_selection):
            print(rel)
        return 0
    kasbah = kasbah_binary(args.kasbah)
    if not kasbah or not os.access(kasbah, os.X_OK):
        print("agree.py: kasbah binary not found: %s (build it, or set KASBAH_BIN)" % kasbah,
              file=sys.stderr)
        return 2
    if shutil.which("tshark") is None:
        print("agree.py: tshark not found (scripts/install-deps installs it)", file=sys.stderr)
        return 2
    if args.all:
        todo = list(manifest)
    elif args.captures:
        todo = [os.path.relpath(os.path.abspath(c), pcaps) if os.path.exists(c) else c
                for c in args.captures]
    else:
        with open(args.selection) as f:
            todo = [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    missing = [r for r in todo if not os.path.exists(os.path.join(pcaps, r))]
    if missing:
        print("agree.py: %d selected captures missing under %s, first: %s"
              % (len(missing), pcaps, missing[0]), file=sys.stderr)
        return 2

    if args.resume and not args.results:
        print("agree.py: --resume needs --results FILE", file=sys.stderr)
        return 2
    done = load_results(args.results) if args.resume else collections.OrderedDict()
    wanted = set(todo)
    earlier = [res for rel, res in done.items() if rel in wanted]
    if earlier:
        print("resuming: %d of %d captures already judged in %s"
              % (len(earlier), len(todo), args.results))
    jobs = [(rel, pcaps, manifest.get(rel), kasbah) for rel in todo if rel not in done]
    out = open(args.results, "a") if args.results else None
    passed = failed = 0
    exc_total = collections.Counter()
    exc_files = collections.defaultdict(list)
    for res in earlier:                      # judged by an earlier, interrupted run
        if res["fail"]:
            failed += 1
        else:
            passed += 1
        for reason, n in res["exc"].items():
            exc_total[reason] += n
            exc_files[reason].append(res["path"])
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        for res in ex.map(analyse, jobs):
            if out is not None:
                out.write(json.dumps({"path": res["path"], "fail": res["fail"],
                                      "exc": dict(res["exc"]), "notes": res["notes"]}) + "\n")
                out.flush()
            if res["fail"]:
                failed += 1
                print("FAIL %s" % res["path"])
                for line in res["fail"][:20]:
                    print("  %s" % line)
                if len(res["fail"]) > 20:
                    print("  ... %d more" % (len(res["fail"]) - 20))
            else:
                passed += 1
            for reason, n in res["exc"].items():
                exc_total[reason] += n
                exc_files[reason].append(res["path"])
            if args.verbose and res["notes"]:
                print("note %s" % res["path"])
                for line in res["notes"][:20]:
                    print("  %s" % line)
            sys.stdout.flush()

    if out is not None:
        out.close()
    print("exceptions by reason (conversations or files, in how many captures):")
    for reason, text in REASONS.items():
        files = exc_files.get(reason, [])
        print("  %-22s %5d in %4d captures  %s" % (reason, exc_total[reason], len(files), text))
        if files and args.verbose:
            print("      e.g. %s" % ", ".join(files[:5]))
    print("agreement: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
