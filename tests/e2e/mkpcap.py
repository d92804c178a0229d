#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""mkpcap: turn a readable packet list (packets.yaml) into a classic pcap file.

Used by the end-to-end cases under tests/e2e/cases/ so that their captures are reviewed as
text. Every checksum (IPv4 header, TCP, UDP, ICMP, ICMPv6) is computed unless the packet
asks for a broken one. Output is deterministic: the same text gives the same bytes.

packets.yaml:

    start: 1700000000          # epoch seconds of t = 0 (default 1700000000)
    linktype: ethernet         # ethernet (1, default) or raw (101: IP without link header)
    packets:
      - t: 0.25                # seconds after start (microsecond precision)
        src: 10.0.0.1:40000    # IPv6 as [2001:db8::1]:40000; no port for icmp
        dst: 10.0.0.2:80
        proto: tcp             # tcp, udp, icmp, icmpv6
        flags: S               # tcp flag letters: F S R P A U E C (default A)
        seq: 1000              # tcp (default 0)
        ack: 0                 # tcp (default 0)
        win: 65535             # tcp (default 65535)
        payload: "text"        # application bytes as text (YAML escapes apply), or
        payload_hex: "de ad"   # the same as hex
        ttl: 64                # IPv4 ttl / IPv6 hop limit (default 64)
        ipid: 1                # IPv4 identification (default: packet index + 1)
        vlan: 100              # optional 802.1Q tag (ethernet only)
        icmp: {type: 8, code: 0, id: 1, seq: 1}
        bad_checksum: tcp      # one of ip, tcp, udp, icmp: store checksum + 1
      - raw_hex: "..."         # or a whole frame, bytes as given

Usage: mkpcap.py packets.yaml out.pcap
"""

import ipaddress
import struct
import sys

import yaml

LINKTYPES = {"ethernet": 1, "raw": 101}
TCP_FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20,
             "E": 0x40, "C": 0x80}
PROTO_NUM = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}


class SpecError(Exception):
    pass


def checksum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def parse_endpoint(text, need_port):
    """'10.0.0.1:80' / '[2001:db8::1]:80' / '10.0.0.1' -> (ip_address, port or None)."""
    text = str(text)
    port = None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest.startswith(":"):
            port = int(rest[1:])
    elif text.count(":") == 1:
        host, p = text.split(":")
        port = int(p)
    else:
        host = text
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        raise SpecError("bad address %r" % text)
    if need_port and port is None:
        raise SpecError("%r needs a port" % text)
    if port is not None and not 0 <= port <= 65535:
        raise SpecError("bad port in %r" % text)
    return addr, port


def mac_for(addr):
    """A locally administered MAC derived from the IP, so each host keeps one MAC."""
    return b"\x02" + addr.packed[-5:].rjust(5, b"\0")


def payload_of(pkt):
    if "payload" in pkt and "payload_hex" in pkt:
        raise SpecError("payload and payload_hex both given")
    if "payload_hex" in pkt:
        return bytes.fromhex(str(pkt["payload_hex"]).replace(" ", ""))
    p = pkt.get("payload", "")
    return p.encode("latin-1") if isinstance(p, str) else bytes(p)


def build_l4(pkt, proto, src, dst, sport, dport, payload, pseudo):
    bad = pkt.get("bad_checksum")
    if proto == "tcp":
        flags = 0
        for ch in str(pkt.get("flags", "A")):
            if ch not in TCP_FLAGS:
                raise SpecError("bad tcp flag %r" % ch)
            flags |= TCP_FLAGS[ch]
        hdr = struct.pack("!HHIIBBHHH", sport, dport, int(pkt.get("seq", 0)) & 0xFFFFFFFF,
                          int(pkt.get("ack", 0)) & 0xFFFFFFFF, 5 << 4, flags,
                          int(pkt.get("win", 65535)), 0, 0)
        seg = hdr + payload
        ck = checksum(pseudo(len(seg)) + seg)
        if bad == "tcp":
            ck = (ck + 1) & 0xFFFF
        return seg[:16] + struct.pack("!H", ck) + seg[18:]
    if proto == "udp":
        seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        ck = checksum(pseudo(len(seg)) + seg)
        if ck == 0:
            ck = 0xFFFF  # RFC 768: a computed zero is sent as all ones
        if bad == "udp":
            ck = (ck + 1) & 0xFFFF
        return seg[:6] + struct.pack("!H", ck) + seg[8:]
    if proto in ("icmp", "icmpv6"):
        ic = pkt.get("icmp") or {}
        default_type = 8 if proto == "icmp" else 128
        body = struct.pack("!BBHHH", int(ic.get("type", default_type)), int(ic.get("code", 0)),
                           0, int(ic.get("id", 0)), int(ic.get("seq", 0))) + payload
        if proto == "icmp":
            ck = checksum(body)
        else:
            ck = checksum(pseudo(len(body)) + body)
        if bad == "icmp":
            ck = (ck + 1) & 0xFFFF
        return body[:2] + struct.pack("!H", ck) + body[4:]
    raise SpecError("unknown proto %r" % proto)


def build_packet(pkt, index, linktype):
    if "raw_hex" in pkt:
        return bytes.fromhex(str(pkt["raw_hex"]).replace(" ", ""))
    proto = str(pkt.get("proto", "tcp"))
    if proto not in PROTO_NUM:
        raise SpecError("unknown proto %r" % proto)
    need_port = proto in ("tcp", "udp")
    src, sport = parse_endpoint(pkt["src"], need_port)
    dst, dport = parse_endpoint(pkt["dst"], need_port)
    if src.version != dst.version:
        raise SpecError("src and dst are different IP versions")
    payload = payload_of(pkt)
    ttl = int(pkt.get("ttl", 64))
    num = PROTO_NUM[proto]
    if src.version == 4:
        if proto == "icmpv6":
            raise SpecError("icmpv6 over IPv4")

        def pseudo(n):
            return src.packed + dst.packed + struct.pack("!BBH", 0, num, n)
        l4 = build_l4(pkt, proto, src, dst, sport, dport, payload, pseudo)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), int(pkt.get("ipid", index + 1)),
                         0, ttl, num, 0, src.packed, dst.packed)
        ck = checksum(ip)
        if pkt.get("bad_checksum") == "ip":
            ck = (ck + 1) & 0xFFFF
        l3 = ip[:10] + struct.pack("!H", ck) + ip[12:] + l4
        ethertype = 0x0800
    else:
        if proto == "icmp":
            raise SpecError("icmp over IPv6 (use icmpv6)")

        def pseudo(n):
            return src.packed + dst.packed + struct.pack("!I3xB", n, num)
        l4 = build_l4(pkt, proto, src, dst, sport, dport, payload, pseudo)
        l3 = struct.pack("!IHBB16s16s", 6 << 28, len(l4), num, ttl, src.packed, dst.packed) + l4
        ethertype = 0x86DD
    if linktype == LINKTYPES["raw"]:
        return l3
    eth = mac_for(dst) + mac_for(src)
    if "vlan" in pkt:
        eth += struct.pack("!HH", 0x8100, int(pkt["vlan"]) & 0x0FFF)
    return eth + struct.pack("!H", ethertype) + l3


def build(spec):
    """The bytes of a pcap file for a parsed packets.yaml."""
    if not isinstance(spec, dict) or not isinstance(spec.get("packets"), list):
        raise SpecError("packets.yaml needs a 'packets' list")
    lt_name = spec.get("linktype", "ethernet")
    if lt_name not in LINKTYPES:
        raise SpecError("unknown linktype %r" % lt_name)
    linktype = LINKTYPES[lt_name]
    start_us = int(round(float(spec.get("start", 1700000000)) * 1000000))
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)]
    for i, pkt in enumerate(spec["packets"]):
        if not isinstance(pkt, dict):
            raise SpecError("packet %d is not a map" % (i + 1))
        try:
            frame = build_packet(pkt, i, linktype)
        except (KeyError, ValueError, SpecError) as e:
            raise SpecError("packet %d: %s" % (i + 1, e))
        ts = start_us + int(round(float(pkt.get("t", 0)) * 1000000))
        out.append(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(frame), len(frame)))
        out.append(frame)
    return b"".join(out)


def build_file(yaml_path, out_path):
    with open(yaml_path, "rb") as f:
        spec = yaml.safe_load(f)
    data = build(spec)
    with open(out_path, "wb") as f:
        f.write(data)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: mkpcap.py packets.yaml out.pcap\n")
        return 1
    try:
        build_file(argv[1], argv[2])
    except (OSError, SpecError, yaml.YAMLError) as e:
        sys.stderr.write("mkpcap: %s: %s\n" % (argv[1], e))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
