# SPDX-License-Identifier: GPL-2.0-only
"""mkbroken.py: the broken and odd input files tests/badinput/run.py feeds to kasbah.

Where: test tooling for tests/suites/badinput. Every file is made here, deterministically
(fixed seeds), so nothing binary is committed and a failure can be reproduced with
`tests/badinput/run.py --keep`.

Each case is a Case: a file or directory to read, the exit status kasbah must give
(docs: 0 ok, 2 input error -- missing, unreadable, not a capture), the packet count it
must report (stats.decoder.pkts; None when no output is expected), and whether stderr must
name the file (an error or a warning about it).

Formats written (what libpcap reads, see capfile.py): classic pcap with any header and
record fields, pcapng blocks.
"""

import os
import random
import struct
from dataclasses import dataclass, field
from typing import Optional

ETH = 1
RAW = 101
USER0 = 147            # a link type kasbah has no decoder for: counted, never fatal


@dataclass
class Case:
    name: str
    path: str                       # file or directory passed to -r
    rc: int                         # expected exit status
    pkts: Optional[int]             # expected stats.decoder.pkts, None: no eve expected
    names: tuple = ()               # stderr must name each of these (file names)
    one_line: bool = False          # stderr must be exactly one line (input errors)
    note: str = ""
    extra_args: list = field(default_factory=list)


# ---------------------------------------------------------------- writers

def pcap_header(linktype=ETH, snaplen=65535, magic=0xA1B2C3D4, endian="<", version=(2, 4)):
    return struct.pack(endian + "IHHiIII", magic, version[0], version[1], 0, 0, snaplen, linktype)


def pcap_record(data, ts=1700000000, usec=0, caplen=None, wirelen=None, endian="<"):
    caplen = len(data) if caplen is None else caplen
    wirelen = len(data) if wirelen is None else wirelen
    return struct.pack(endian + "IIII", ts, usec, caplen, wirelen) + data


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1, flags_frag=0x4000, ihl=5, options=b"", tot=None):
    hdr_len = ihl * 4
    tot = hdr_len + len(payload) if tot is None else tot
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, ident, flags_frag, 64, proto, 0,
                    bytes(src), bytes(dst)) + options
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, flags=0x18, seq=1, ack=1, payload=b"", doff=5, options=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, 65535, 0, 0) \
        + options + payload


def eth(payload, ethertype=0x0800, vlans=()):
    out = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb"
    for v in vlans:
        out += struct.pack("!HH", 0x8100, v)
    return out + struct.pack("!H", ethertype) + payload


A = (10, 0, 0, 1)
B = (10, 0, 0, 2)


def good_frames(n=3):
    """n ordinary frames: a small UDP exchange."""
    out = []
    for i in range(n):
        if i % 2 == 0:
            out.append(eth(ipv4(A, B, 17, udp(40000, 53, b"q%d" % i), ident=i + 1)))
        else:
            out.append(eth(ipv4(B, A, 17, udp(53, 40000, b"answer%d" % i), ident=i + 1)))
    return out


def pcap_file(frames, linktype=ETH, snaplen=65535):
    return pcap_header(linktype, snaplen) + b"".join(
        pcap_record(f, usec=i) for i, f in enumerate(frames))


def pcapng_block(btype, body, endian="<"):
    pad = (-len(body)) % 4
    total = 12 + len(body) + pad
    return struct.pack(endian + "II", btype, total) + body + b"\0" * pad + struct.pack(endian + "I", total)


def pcapng_shb():
    return pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def pcapng_idb(linktype=ETH, snaplen=65535):
    return pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen))


def pcapng_epb(data, ts=0, caplen=None, wirelen=None):
    caplen = len(data) if caplen is None else caplen
    wirelen = len(data) if wirelen is None else wirelen
    return pcapng_block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, caplen, wirelen) + data)


# ---------------------------------------------------------------- hostile frames

def hostile_frames(seed=20261129, n=3000):
    """Frames that start plausibly and then lie: wrong lengths, bad IHL and data offsets,
    fragments that overlap and never finish, IPv6 extension chains, ICMP errors quoting
    garbage, stacked VLANs, and plain random bytes. Deterministic for a given seed."""
    rnd = random.Random(seed)

    def rbytes(k):
        return bytes(rnd.getrandbits(8) for _ in range(k))

    out = []
    for i in range(n):
        kind = i % 12
        src = (10, 1, rnd.randrange(4), rnd.randrange(1, 255))
        dst = (10, 2, rnd.randrange(4), rnd.randrange(1, 255))
        if kind == 0:       # IPv4 with a lying total length
            out.append(eth(ipv4(src, dst, 6, tcp(1000 + i, 80, payload=rbytes(20)),
                                tot=rnd.choice([0, 19, 20, 65535, 61]))))
        elif kind == 1:     # bad IHL (0..4, or longer than the packet)
            ihl = rnd.choice([0, 1, 4, 15])
            p = bytearray(ipv4(src, dst, 17, udp(5000, 53, rbytes(8))))
            p[0] = 0x40 | ihl
            out.append(eth(bytes(p)))
        elif kind == 2:     # TCP data offset out of range, options that run off the end
            doff = rnd.choice([0, 4, 15])
            opts = rnd.choice([b"\x02\x04\x05", b"\x08\x0a" + rbytes(3), b"\x03\x00", b"\x01\x01\x01\x00"])
            seg = tcp(2000 + i % 50, 443, flags=rnd.getrandbits(8), doff=doff, options=opts)
            out.append(eth(ipv4(src, dst, 6, seg)))
        elif kind == 3:     # IPv4 fragments: overlapping, duplicate, never completed
            ident = rnd.randrange(65536)
            payload = udp(7000, 7001, rbytes(40))
            for off, mf in ((0, 1), (1, 1), (0, 1), (2, 0), (8191, 0)):
                chunk = payload[off * 8: off * 8 + 16] or rbytes(8)
                out.append(eth(ipv4(src, dst, 17, chunk, ident=ident,
                                    flags_frag=(0x2000 if mf else 0) | off)))
        elif kind == 4:     # IPv6 with an extension header chain, some looping or cut
            nh_chain = rnd.choice([[0, 60, 43, 44], [0, 0, 0], [60] * 12, [44, 44], [43]])
            body = rbytes(rnd.randrange(0, 30))
            ext = b""
            for j, nh in enumerate(nh_chain):
                nxt = nh_chain[j + 1] if j + 1 < len(nh_chain) else rnd.choice([6, 17, 58, 59])
                ext += bytes([nxt, rnd.choice([0, 1, 255])]) + rbytes(6)
            pl = ext + body
            hdr = struct.pack("!IHBB", 0x60000000, len(pl) + rnd.choice([0, 0, 100]),
                              nh_chain[0], 64) + rbytes(32)
            out.append(eth(hdr + pl, ethertype=0x86DD))
        elif kind == 5:     # ICMP errors quoting truncated or nonsense IP headers
            quote = ipv4(dst, src, rnd.choice([6, 17, 1]), rbytes(rnd.randrange(0, 12)))
            quote = quote[:rnd.randrange(0, len(quote) + 1)]
            icmp = bytes([rnd.choice([3, 11, 12, 5]), 0, 0, 0, 0, 0, 0, 0]) + quote
            out.append(eth(ipv4(src, dst, 1, icmp)))
        elif kind == 6:     # stacked VLAN tags, some with nothing after them
            vl = [rnd.randrange(4096) for _ in range(rnd.randrange(1, 6))]
            f = eth(ipv4(src, dst, 17, udp(1, 2, b"x")), vlans=vl)
            out.append(f[:rnd.randrange(14, len(f) + 1)])
        elif kind == 7:     # ARP, short and long
            out.append(eth(rbytes(rnd.choice([0, 7, 28, 60])), ethertype=0x0806))
        elif kind == 8:     # a frame cut anywhere
            f = eth(ipv4(src, dst, 6, tcp(3000, 22, payload=rbytes(10))))
            out.append(f[:rnd.randrange(0, len(f))])
        elif kind == 9:     # ICMPv6 errors and ND with short options
            t = rnd.choice([1, 2, 3, 4, 133, 134, 135, 136, 137])
            icmp6 = bytes([t, 0, 0, 0]) + rbytes(rnd.randrange(0, 48))
            hdr = struct.pack("!IHBB", 0x60000000, len(icmp6), 58, 255) + rbytes(32)
            out.append(eth(hdr + icmp6, ethertype=0x86DD))
        elif kind == 10:    # UDP length fields that lie
            u = bytearray(udp(9000, 9001, rbytes(12)))
            u[4:6] = struct.pack("!H", rnd.choice([0, 7, 9, 65535]))
            out.append(eth(ipv4(src, dst, 17, bytes(u))))
        else:               # random bytes after an Ethernet header with a random type
            out.append(eth(rbytes(rnd.randrange(0, 80)),
                           ethertype=rnd.choice([0x0800, 0x86DD, 0x8100, 0x88A8, 0x0806, 0x9999])))
    return out


# ---------------------------------------------------------------- the cases

def make_cases(outdir):
    """Write every case's input under outdir and return the list of Case."""
    os.makedirs(outdir, exist_ok=True)
    cases = []

    def put(name, data):
        p = os.path.join(outdir, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    good = pcap_file(good_frames(3))
    two = pcap_header() + pcap_record(good_frames(2)[0]) + pcap_record(good_frames(2)[1])

    # Input errors: exit 2 and one line naming the file.
    p = put("empty.pcap", b"")
    cases.append(Case("empty-file", p, 2, None, ("empty.pcap",), True))
    p = put("text.pcap", b"this is not a capture file\nsecond line\n" * 20)
    cases.append(Case("not-a-capture", p, 2, None, ("text.pcap",), True))
    p = put("short-header.pcap", pcap_header()[:10])
    cases.append(Case("file-header-cut", p, 2, None, ("short-header.pcap",), True))
    p = os.path.join(outdir, "does-not-exist.pcap")
    cases.append(Case("missing-file", p, 2, None, ("does-not-exist.pcap",), True))
    p = put("bad-shb.pcapng", pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x11223344, 1, 0, -1)))
    cases.append(Case("pcapng-bad-byte-order-magic", p, 2, None, ("bad-shb.pcapng",), True))
    d = os.path.join(outdir, "dir-no-captures")
    os.makedirs(d, exist_ok=True)
    put("dir-no-captures/a.txt", b"hello\n")
    put("dir-no-captures/b.pcap", b"")
    cases.append(Case("directory-without-captures", d, 2, None, ("dir-no-captures", "a.txt", "b.pcap")))

    # Readable files with damage: exit 0, the good records counted, a warning naming the file.
    p = put("header-only.pcap", pcap_header())
    cases.append(Case("header-only", p, 0, 0))
    p = put("cut-mid-record.pcap", two + pcap_record(good_frames(3)[2])[:30])
    cases.append(Case("truncated-mid-record", p, 0, 2, ("cut-mid-record.pcap",)))
    p = put("cut-mid-record-header.pcap", two + pcap_record(good_frames(3)[2])[:9])
    cases.append(Case("truncated-mid-record-header", p, 0, 2, ("cut-mid-record-header.pcap",)))
    # caplen 100 in a file whose snaplen is 64: libpcap keeps the first 64 bytes.
    fr = eth(ipv4(A, B, 17, udp(1, 2, b"z" * 58)))
    p = put("caplen-over-snaplen.pcap", pcap_header(snaplen=64) + pcap_record(fr) + pcap_record(fr))
    cases.append(Case("record-longer-than-snaplen", p, 0, 2))
    p = put("huge-caplen.pcap", two + struct.pack("<IIII", 1700000001, 0, 0xFFFFFF00, 0xFFFFFF00) + b"x" * 64)
    cases.append(Case("huge-caplen-field", p, 0, 2, ("huge-caplen.pcap",)))
    p = put("zero-length.pcap", pcap_header() + pcap_record(b"") + pcap_record(b"", wirelen=60)
            + pcap_record(good_frames(1)[0]) + pcap_record(b"", wirelen=0))
    cases.append(Case("zero-length-packets", p, 0, 4))
    p = put("wirelen-below-caplen.pcap", pcap_header()
            + pcap_record(good_frames(1)[0], wirelen=10) + pcap_record(good_frames(2)[1], wirelen=0))
    cases.append(Case("wire-length-below-caplen", p, 0, 2))
    p = put("snaplen-cut.pcap", pcap_header(snaplen=40) + b"".join(
        pcap_record(f[:40], wirelen=len(f)) for f in good_frames(3)))
    cases.append(Case("frames-cut-by-snaplen", p, 0, 3))
    p = put("ns-bigendian.pcap", pcap_header(magic=0xA1B23C4D, endian=">") + b"".join(
        pcap_record(f, usec=999999999, endian=">") for f in good_frames(3)))
    cases.append(Case("nanosecond-big-endian", p, 0, 3))
    p = put("old-version.pcap", pcap_header(version=(2, 2)) + b"".join(
        pcap_record(f) for f in good_frames(2)))
    cases.append(Case("pcap-version-2.2", p, 0, 2))
    p = put("unknown-linktype.pcap", pcap_file(good_frames(3), linktype=USER0))
    cases.append(Case("unsupported-link-type", p, 0, 3, ("unknown-linktype.pcap",)))
    p = put("raw-garbage.pcap", pcap_file([b"\x45" + bytes(range(40)), b"\x60" * 3, b"\xff" * 70], linktype=RAW))
    cases.append(Case("raw-ip-garbage", p, 0, 3))

    # pcapng damage.
    epb = pcapng_epb(good_frames(1)[0])
    p = put("good.pcapng", pcapng_shb() + pcapng_idb() + epb + pcapng_epb(good_frames(2)[1]))
    cases.append(Case("pcapng-good", p, 0, 2))
    bad_len = bytearray(pcapng_epb(good_frames(2)[1]))
    bad_len[4:8] = struct.pack("<I", 13)                # not a multiple of 4
    p = put("bad-block-length.pcapng", pcapng_shb() + pcapng_idb() + epb + bytes(bad_len))
    cases.append(Case("pcapng-bad-block-length", p, 0, 1, ("bad-block-length.pcapng",)))
    bad_trail = bytearray(pcapng_epb(good_frames(2)[1]))
    bad_trail[-4:] = struct.pack("<I", 0x7FFFFFFC)
    p = put("bad-block-trailer.pcapng", pcapng_shb() + pcapng_idb() + epb + bytes(bad_trail))
    cases.append(Case("pcapng-bad-block-trailer", p, 0, 1, ("bad-block-trailer.pcapng",)))
    p = put("epb-caplen-beyond-block.pcapng", pcapng_shb() + pcapng_idb() + epb
            + pcapng_epb(good_frames(1)[0], caplen=5000))
    cases.append(Case("pcapng-caplen-beyond-block", p, 0, 1, ("epb-caplen-beyond-block.pcapng",)))
    p = put("epb-no-idb.pcapng", pcapng_shb() + epb)
    cases.append(Case("pcapng-packet-before-interface", p, 0, 0, ("epb-no-idb.pcapng",)))
    p = put("huge-block.pcapng", pcapng_shb() + pcapng_idb() + epb + struct.pack("<II", 6, 0xFFFFFFF0) + b"\0" * 40)
    cases.append(Case("pcapng-huge-block-length", p, 0, 1, ("huge-block.pcapng",)))

    # Hostile packet contents (decoders, defragmentation, flows): all records count.
    hf = hostile_frames()
    p = put("hostile.pcap", pcap_file(hf))
    cases.append(Case("hostile-frames", p, 0, len(hf)))
    p = put("hostile-raw.pcap", pcap_file([f[14:] for f in hf if len(f) > 14], linktype=RAW))
    cases.append(Case("hostile-frames-raw-ip", p, 0, sum(1 for f in hf if len(f) > 14)))

    # A directory mixing good, damaged and foreign files: read on, warn about each bad one.
    d = os.path.join(outdir, "mixed-dir")
    os.makedirs(d, exist_ok=True)
    put("mixed-dir/1-good.pcap", good)
    put("mixed-dir/2-text.pcap", b"not a capture\n")
    put("mixed-dir/3-cut.pcap", two + b"\x01\x02\x03")
    put("mixed-dir/4-empty.pcap", b"")
    put("mixed-dir/5-good.pcapng", pcapng_shb() + pcapng_idb() + epb)
    cases.append(Case("directory-mixed", d, 0, 3 + 2 + 1, ("2-text.pcap", "3-cut.pcap", "4-empty.pcap")))
    return cases
