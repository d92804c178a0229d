#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""agree.py: kasbah's EVE http/dns/tls records against tshark's fields for the same traffic.

Where: tests/applayer, run by tests/suites/applayer-agreement over selection.txt (captures
under ../shared/data/pcaps carrying HTTP/1.x, DNS and TLS).

For each capture kasbah runs once (`-k none`, no rules, `stream.midstream` on so that a
capture that starts after the handshake is parsed as tshark parses it) and tshark runs once
(`-T fields`, TCP reassembly with out-of-order segments). Per capture, five multisets are
compared, each item printed on a mismatch with the side that has it:

  http-request  (method, uri, host) of every request. kasbah: http.http_method, http.url,
                http.hostname. tshark: http.request.method, http.request.uri, and the host
                as Suricata logs it: the authority of an absolute URI, else the Host header,
                lower-cased, without the port.
  http-status   the status code of every response (http.status / http.response.code).
  dns-query     (name, type) of every question of every query (dns records of type query /
                dns.qry.name, dns.qry.type of frames with dns.flags.response 0).
  dns-answer    (name, type) of the first question of every response (dns records of type
                answer: Suricata's version 2 answer record names its first question).
  tls-hello     (sni, ja3 hash) of every ClientHello (tls records: tls.sni, tls.ja3.hash /
                tls.handshake.extensions_server_name, tls.handshake.ja3).
  tls-ja4       the JA4 fingerprint of every ClientHello (tls records: tls.ja4). tshark 4.0
                has no JA4 field, so this script computes it from tshark's fields of the
                hello (versions, ciphers, extension types, signature algorithms, ALPN) after
                the FoxIO JA4 specification (technical_details/JA4.md): an implementation
                independent of kasbah's. Only frames holding exactly one handshake message,
                a TLS ClientHello with a JA3, are used (tshark's fields cannot be split
                per message; an SSLv2 hello has neither JA3 nor JA4).

tshark's HTTP fields are taken from TCP frames only (SSDP over UDP reuses them) and no field
is taken from a frame that carries ICMP (a quoted DNS header in an ICMP error is not DNS
traffic). tshark writes the DNS root name as "<Root>": it is compared as "".

A difference is allowed only when differences.txt lists it: capture, set, the side that has
the item (kasbah or tshark), the item, and the reason in words. A difference not listed is a
failure, and so is a listed difference that no longer occurs (the list must stay true).

Exit status: 0 when every capture agrees (up to the listed differences), 1 otherwise,
2 on a usage error. The last line is `applayer-agreement: N passed, M failed`.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = 120
SETS = ("http-request", "http-status", "dns-query", "dns-answer", "tls-hello", "tls-ja4")
SEP = "\x1e"       # tshark's aggregator for repeated fields: never in the values compared

TSHARK_FIELDS = ["frame.number", "frame.protocols", "tcp.stream",
                 "http.request.method", "http.request.uri", "http.host", "http.response.code",
                 "dns.flags.response", "dns.qry.name", "dns.qry.type",
                 "tls.handshake.type", "tls.handshake.extensions_server_name",
                 "tls.handshake.ja3", "tls.handshake.version", "tls.handshake.ciphersuite",
                 "tls.handshake.extension.type", "tls.handshake.sig_hash_alg",
                 "tls.handshake.extensions.supported_version",
                 "tls.handshake.extensions_alpn_str"]


def shared_dir():
    env = os.environ.get("KASBAH_SHARED")
    if env:
        return env
    sibling = os.path.join(os.path.dirname(REPO), "shared")
    return sibling if os.path.isdir(sibling) else "/work/shared"


def kasbah_binary(arg):
    builddir = os.environ.get("KASBAH_BUILDDIR", "build")
    for cand in (arg, os.environ.get("KASBAH_BIN"), os.path.join(REPO, builddir, "src", "kasbah")):
        if cand:
            return os.path.abspath(cand)
    return None


# ---------------------------------------------------------------- normalisation

def host_of(uri, host):
    """The hostname as Suricata logs it: absolute-URI authority, else Host; lower case, no port."""
    h = host or ""
    low = (uri or "").lower()
    for scheme in ("http://", "https://"):
        if low.startswith(scheme):
            rest = uri[len(scheme):]
            h = rest.split("/", 1)[0].split("?", 1)[0]
            if "@" in h:
                h = h.rsplit("@", 1)[1]
            break
    h = h.strip()
    if h.startswith("["):
        h = h.split("]", 1)[0] + "]"
    elif h.count(":") == 1:
        h = h.split(":", 1)[0]
    return h.lower()


def dns_name(n):
    return "" if n == "<Root>" else n


# ---------------------------------------------------------------- the two sides

def run_kasbah(kasbah, path, workdir):
    """The five multisets from kasbah's EVE, or (None, message) on failure."""
    cmd = [kasbah, "-r", path, "-l", workdir, "-k", "none", "--set", "stream.midstream=true"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "kasbah timed out"
    except OSError as e:
        return None, "cannot run kasbah: %s" % e
    if p.returncode != 0:
        return None, "kasbah exit %d: %s" % (p.returncode, p.stderr.strip()[-300:])
    sets = {s: collections.Counter() for s in SETS}
    try:
        with open(os.path.join(workdir, "eve.json"), encoding="utf-8", errors="replace") as f:
            for raw in f:
                rec = json.loads(raw)
                et = rec.get("event_type")
                if et == "http":
                    h = rec.get("http", {})
                    if "http_method" in h:
                        sets["http-request"][(h.get("http_method", ""), h.get("url", ""),
                                              h.get("hostname", ""))] += 1
                    if "status" in h:
                        sets["http-status"][str(h["status"])] += 1
                elif et == "dns":
                    d = rec.get("dns", {})
                    if d.get("type") == "query":
                        sets["dns-query"][(d.get("rrname", ""), d.get("rrtype", ""))] += 1
                    elif d.get("type") == "answer" and "rrname" in d:
                        sets["dns-answer"][(d.get("rrname", ""), d.get("rrtype", ""))] += 1
                elif et == "tls":
                    t = rec.get("tls", {})
                    if "ja3" in t:
                        sets["tls-hello"][(t.get("sni", ""), t["ja3"].get("hash", ""))] += 1
                    if "ja4" in t:
                        sets["tls-ja4"][t["ja4"]] += 1
    except (OSError, ValueError) as e:
        return None, "cannot read kasbah's EVE: %s" % e
    return sets, ""


# DNS RR type numbers to the names kasbah (as Suricata) prints; others print as numbers.
RRTYPES = {1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG", 9: "MR",
           10: "NULL", 11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO", 15: "MX", 16: "TXT",
           17: "RP", 18: "AFSDB", 19: "X25", 20: "ISDN", 21: "RT", 22: "NSAP", 23: "NSAPPTR",
           24: "SIG", 25: "KEY", 26: "PX", 27: "GPOS", 28: "AAAA", 29: "LOC", 30: "NXT",
           33: "SRV", 34: "ATMA", 35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6", 39: "DNAME",
           41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP", 45: "IPSECKEY", 46: "RRSIG", 47: "NSEC",
           48: "DNSKEY", 49: "DHCID", 50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 55: "HIP",
           59: "CDS", 60: "CDNSKEY", 64: "SVCB", 65: "HTTPS", 99: "SPF", 249: "TKEY",
           250: "TSIG", 253: "MAILB", 254: "MAILA", 255: "ANY", 256: "URI"}


def rrtype(v):
    try:
        n = int(v, 0)
    except ValueError:
        return v
    return RRTYPES.get(n, str(n))


def run_tshark(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=/t",
           "-E", "occurrence=a", "-E", "aggregator=" + SEP,
           "-o", "tcp.desegment_tcp_streams:TRUE", "-o", "tcp.reassemble_out_of_order:TRUE"]
    for f in TSHARK_FIELDS:
        cmd += ["-e", f]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "tshark timed out"
    except OSError as e:
        return None, "cannot run tshark: %s" % e
    if p.returncode != 0 and not p.stdout:
        return None, "tshark exit %d: %s" % (p.returncode, p.stderr.strip()[-300:])
    idx = {f: i for i, f in enumerate(TSHARK_FIELDS)}
    sets = {s: collections.Counter() for s in SETS}
    for line in p.stdout.split("\n"):  # not splitlines(): it splits at SEP too
        row = line.split("\t")

        def col(name):
            i = idx[name]
            v = row[i] if i < len(row) else ""
            return v.split(SEP) if v else []

        protos = (col("frame.protocols") or [""])[0].split(":")
        if "icmp" in protos or "icmpv6" in protos:
            continue
        if col("tcp.stream"):
            meth, uri, host = col("http.request.method"), col("http.request.uri"), col("http.host")
            for i, m in enumerate(meth):
                u = uri[i] if i < len(uri) else ""
                h = host[i] if i < len(host) else ""
                sets["http-request"][(m, u, host_of(u, h))] += 1
            for c in col("http.response.code"):
                sets["http-status"][c] += 1
        resp = col("dns.flags.response")
        names, types = col("dns.qry.name"), col("dns.qry.type")
        # one frame may carry several DNS messages (TCP); split questions per message only
        # when there is one message, else take every question as a query of its message
        if resp:
            pairs = [(dns_name(n), rrtype(types[i]) if i < len(types) else "")
                     for i, n in enumerate(names)]
            if len(resp) == 1:
                if resp[0] in ("1", "True"):
                    if pairs:
                        sets["dns-answer"][pairs[0]] += 1
                else:
                    for pr in pairs:
                        sets["dns-query"][pr] += 1
            else:
                # several messages in one frame: assume one question each (the usual case)
                for i, r in enumerate(resp):
                    if i >= len(pairs):
                        break
                    sets["dns-answer" if r in ("1", "True") else "dns-query"][pairs[i]] += 1
        ht, sni, ja3 = col("tls.handshake.type"), col("tls.handshake.extensions_server_name"), \
            col("tls.handshake.ja3")
        n_ch = sum(1 for t in ht if t == "1")
        for i in range(len(ja3)):
            # sni is present only for hellos that carry it: pair it when the counts allow
            s = sni[i] if len(sni) == len(ja3) else (sni[0] if n_ch == 1 and sni else "")
            sets["tls-hello"][(s, ja3[i])] += 1
        if ht == ["1"] and len(ja3) == 1:   # no JA3 (nor JA4) for an SSLv2 hello
            sets["tls-ja4"][ja4_of(col)] += 1
    return sets, ""


def is_grease(v):
    """RFC 8701 GREASE values: 0x?a?a with both bytes equal."""
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


def ja4_of(col):
    """JA4 (FoxIO JA4.md) of the ClientHello whose tshark fields col() returns."""
    import hashlib

    def nums(name):
        out = []
        for v in col(name):
            try:
                out.append(int(v, 0))
            except ValueError:
                pass
        return [v for v in out if not is_grease(v)]

    versions = nums("tls.handshake.extensions.supported_version")
    ver = max(versions) if versions else (nums("tls.handshake.version") or [0])[0]
    vs = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3",
          0x0002: "s2", 0xFEFF: "d1", 0xFEFD: "d2", 0xFEFC: "d3"}.get(ver, "00")
    ciphers = nums("tls.handshake.ciphersuite")
    exts = nums("tls.handshake.extension.type")
    sni = "d" if 0 in exts else "i"
    alpn = col("tls.handshake.extensions_alpn_str")
    a = "00"
    if alpn and alpn[0]:
        first = alpn[0]
        if first[0].isascii() and first[0].isalnum() and first[-1].isascii() \
                and first[-1].isalnum():
            a = first[0] + first[-1]
        else:
            b0, b1 = first.encode("utf-8", "replace")[0], first.encode("utf-8", "replace")[-1]
            a = "%x%x" % (b0 >> 4, b1 & 15)

    def h12(text, empty):
        return "000000000000" if empty else hashlib.sha256(text.encode()).hexdigest()[:12]

    b = h12(",".join("%04x" % v for v in sorted(ciphers)), not ciphers)
    rest = sorted(v for v in exts if v not in (0x0000, 0x0010))
    text = ",".join("%04x" % v for v in rest)
    sig = nums("tls.handshake.sig_hash_alg")
    if sig:
        text += "_" + ",".join("%04x" % v for v in sig)
    c = h12(text, not rest)
    return "t%s%s%02d%02d%s_%s_%s" % (vs, sni, min(len(ciphers), 99), min(len(exts), 99), a, b, c)


# ---------------------------------------------------------------- expected differences

def fmt_item(item):
    if isinstance(item, tuple):
        return "|".join(item)
    return item


def load_differences(path):
    """{(capture, set, side, item): reason} from differences.txt (tab-separated)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 5 or parts[1] not in SETS or parts[2] not in ("kasbah", "tshark"):
                raise SystemExit("%s:%d: expected capture<TAB>set<TAB>kasbah|tshark<TAB>item"
                                 "<TAB>reason, with set one of %s" % (path, n, ", ".join(SETS)))
            out[tuple(parts[:4])] = parts[4]
    return out


# ---------------------------------------------------------------- one capture

def compare(job):
    rel, path, kasbah = job
    with tempfile.TemporaryDirectory(prefix="kasbah-appagree-") as tmp:
        ks, kerr = run_kasbah(kasbah, path, tmp)
    ts, terr = run_tshark(path)
    if ks is None or ts is None:
        return rel, None, kerr or terr
    diffs = []
    counts = {}
    for s in SETS:
        counts[s] = sum(ts[s].values())
        for item in sorted(set(ks[s]) | set(ts[s])):
            d = ks[s][item] - ts[s][item]
            for _ in range(abs(d)):
                diffs.append((s, "kasbah" if d > 0 else "tshark", fmt_item(item)))
    return rel, (counts, diffs), ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("captures", nargs="*", help="captures relative to the pcaps folder")
    ap.add_argument("--selection", default=os.path.join(HERE, "selection.txt"))
    ap.add_argument("--differences", default=os.path.join(HERE, "differences.txt"))
    ap.add_argument("--kasbah", help="binary (default $KASBAH_BIN, else "
                                     "<repo>/$KASBAH_BUILDDIR/src/kasbah)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("-v", "--verbose", action="store_true", help="print the listed differences too")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # one line per capture as it finishes

    kasbah = kasbah_binary(args.kasbah)
    if not kasbah or not os.access(kasbah, os.X_OK):
        print("applayer-agreement: kasbah binary %s is missing; build it first" % kasbah)
        print("applayer-agreement: 0 passed, 1 failed")
        return 1
    pcaps = os.path.join(shared_dir(), "data", "pcaps")
    caps = args.captures
    if not caps:
        with open(args.selection, encoding="utf-8") as f:
            caps = [ln.strip() for ln in f if ln.strip() and not ln.lstrip().startswith("#")]
    allowed = load_differences(args.differences) if os.path.exists(args.differences) else {}
    missing = [c for c in caps if not os.path.exists(os.path.join(pcaps, c))]
    passed = failed = 0
    for c in missing:
        print("FAIL %s: capture not found under %s" % (c, pcaps))
        failed += 1
    jobs = [(c, os.path.join(pcaps, c), kasbah) for c in caps if c not in missing]
    used = set()
    totals = collections.Counter()
    n_listed = collections.Counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        for rel, res, err in ex.map(compare, jobs):
            if res is None:
                print("FAIL %s: %s" % (rel, err))
                failed += 1
                continue
            counts, diffs = res
            totals.update(counts)
            bad = []
            for s, side, item in diffs:
                key = (rel, s, side, item)
                if key in allowed:
                    used.add(key)
                    n_listed[allowed[key]] += 1
                    if args.verbose:
                        print("     %s %s: only %s has %r (listed: %s)" % (rel, s, side, item,
                                                                        allowed[key]))
                else:
                    bad.append((s, side, item))
            summary = ", ".join("%s %d" % (s, counts[s]) for s in SETS if counts[s])
            if bad:
                failed += 1
                print("FAIL %s (%s)" % (rel, summary or "nothing"))
                for s, side, item in bad:
                    print("     %s: only %s has %r" % (s, side, item))
            else:
                passed += 1
                print("ok   %s (%s)" % (rel, summary or "nothing"))
    ran = {j[0] for j in jobs}
    stale = [k for k in allowed if k[0] in ran and k not in used]
    for k in stale:
        print("FAIL %s: listed difference no longer occurs: %s only in %s: %r (%s)"
              % (k[0], k[1], k[2], k[3], allowed[k]))
    failed += len(stale)
    print("applayer-agreement: items compared (tshark's count): %s" %
          ", ".join("%s %d" % (s, totals[s]) for s in SETS))
    for reason, n in sorted(n_listed.items()):
        print("applayer-agreement: listed difference x%d: %s" % (n, reason))
    print("applayer-agreement: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
