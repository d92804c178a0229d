# SPDX-License-Identifier: GPL-2.0-only
"""capfile.py: count the records of a capture file without libpcap or Wireshark.

Where: test tooling for tests/agreement/agree.py (a second, independent opinion on a
capture's packet count where capinfos cannot open the file, and an explanation of why a
file is unreadable) and tests/badinput (the same classification for generated files).

Formats: classic pcap (libpcap's savefile format, microsecond and nanosecond magic, both
byte orders), pcapng (blocks EPB, SPB and the obsolete PB are packets), Sun snoop (RFC 1761)
and any of these compressed with gzip.

What libpcap does, which this mirrors (libpcap 1.10, sf-pcap.c / sf-pcapng.c):
  - a record header cut short, or record data cut short, ends the file with an error after
    the complete records before it;
  - a record whose caplen exceeds the largest snaplen libpcap accepts is an error;
  - libpcap reads neither snoop nor gzip; this module reports them as such so that a caller
    can tell "not a libpcap format" from "broken".
Invariant: never raises on any file content; every outcome is a CapInfo.
"""

import gzip
import struct
from dataclasses import dataclass, field

# libpcap's MAXIMUM_SNAPLEN (pcap-int.h); larger caplens are refused by the savefile reader
# for ordinary link types.
MAXIMUM_SNAPLEN = 262144

PCAP_MAGICS = {
    0xA1B2C3D4: ("<", False), 0xD4C3B2A1: (">", False),
    0xA1B23C4D: ("<", True), 0x4D3CB2A1: (">", True),
}


@dataclass
class CapInfo:
    """What a file holds: format, link types, complete packets and the first problem."""
    fmt: str = "unknown"          # pcap, pcapng, snoop, empty, unknown
    gzipped: bool = False
    linktypes: list = field(default_factory=list)
    packets: int = 0              # complete packet records before any error
    libpcap_packets: int = -1     # what libpcap 1.10 delivers before refusing (-1: all)
    libpcap_error: str = ""       # why libpcap stops early where the format is fine
    error: str = ""               # first structural problem, "" if none
    truncated_records: int = 0    # records whose caplen < original length (snaplen cut)
    zero_length: int = 0          # records with caplen 0

    @property
    def libpcap_readable(self):
        return self.fmt in ("pcap", "pcapng") and not self.gzipped

    @property
    def libpcap_count(self):
        """Packets libpcap delivers; -1 if libpcap cannot open the file at all."""
        if not self.libpcap_readable or (self.packets == 0 and self.fmt == "empty"):
            return -1
        return self.packets if self.libpcap_packets < 0 else self.libpcap_packets

    @property
    def reader_count(self):
        """Packets kasbah's capture stage delivers: libpcap, plus gzip decompression and
        its own reader for pcapng files libpcap refuses (differing interfaces); so every
        complete record of a pcap or pcapng file. -1 if it cannot open the file."""
        if self.fmt not in ("pcap", "pcapng"):
            return -1
        return self.packets

    @property
    def multi_linktype(self):
        return len(set(self.linktypes)) > 1


def _read_pcap(data, info):
    magic = struct.unpack_from("<I", data, 0)[0]
    endian, _nsec = PCAP_MAGICS[magic]
    if len(data) < 24:
        info.error = "file header cut short"
        return
    vmaj, vmin, _tz, _sig, snaplen, linktype = struct.unpack_from(endian + "HHiIII", data, 4)
    info.linktypes.append(linktype & 0x03FFFFFF)
    # Files older than version 2.3 stored the two lengths the other way round; libpcap swaps.
    swapped = (vmaj, vmin) < (2, 3)
    off = 24
    while off < len(data):
        if len(data) - off < 16:
            info.error = "record header cut short at offset %d" % off
            return
        _sec, _usec, caplen, wirelen = struct.unpack_from(endian + "IIII", data, off)
        if swapped:
            caplen, wirelen = wirelen, caplen
        if caplen > MAXIMUM_SNAPLEN and caplen > snaplen:
            info.error = "record at offset %d has caplen %d beyond any snaplen" % (off, caplen)
            return
        if len(data) - off - 16 < caplen:
            info.error = "record data cut short at offset %d" % off
            return
        if caplen < wirelen:
            info.truncated_records += 1
        if caplen == 0:
            info.zero_length += 1
        info.packets += 1
        off += 16 + caplen


def _read_pcapng(data, info):
    off = 0
    endian = "<"
    idbs = []
    while off < len(data):
        if len(data) - off < 12:
            info.error = "block header cut short at offset %d" % off
            return
        btype = struct.unpack_from(endian + "I", data, off)[0]
        if btype == 0x0A0D0D0A:
            if len(data) - off < 12:
                info.error = "section header cut short"
                return
            bom = struct.unpack_from("<I", data, off + 8)[0]
            if bom == 0x1A2B3C4D:
                endian = "<"
            elif bom == 0x4D3C2B1A:
                endian = ">"
            else:
                info.error = "bad byte-order magic at offset %d" % off
                return
        blen = struct.unpack_from(endian + "I", data, off + 4)[0]
        if blen < 12 or blen % 4 != 0:
            info.error = "block at offset %d has bad length %d" % (off, blen)
            return
        if len(data) - off < blen:
            info.error = "block at offset %d cut short" % off
            return
        trailer = struct.unpack_from(endian + "I", data, off + blen - 4)[0]
        if trailer != blen:
            info.error = "block at offset %d: trailing length %d != %d" % (off, trailer, blen)
            return
        if btype == 1 and blen >= 20:                      # interface description
            linktype = struct.unpack_from(endian + "H", data, off + 8)[0]
            snaplen = struct.unpack_from(endian + "I", data, off + 12)[0]
            info.linktypes.append(linktype)
            idbs.append((linktype, snaplen))
            # libpcap 1.10 (sf-pcapng.c) refuses a file whose interfaces differ from the
            # first one in link type or snaplen, after delivering the packets before.
            if info.libpcap_packets < 0 and idbs[-1] != idbs[0]:
                info.libpcap_packets = info.packets
                info.libpcap_error = ("interface %d has link type %d snaplen %d, the first %d/%d"
                                      % (len(idbs) - 1, linktype, snaplen, *idbs[0]))
        elif btype == 6 and blen >= 32:                    # enhanced packet
            caplen, wirelen = struct.unpack_from(endian + "II", data, off + 20)
            if 28 + caplen > blen - 4:
                info.error = "packet at offset %d: caplen %d beyond its block" % (off, caplen)
                return
            info.packets += 1
            info.truncated_records += caplen < wirelen
            info.zero_length += caplen == 0
        elif btype == 3:                                   # simple packet
            info.packets += 1
        elif btype == 2:                                   # obsolete packet block
            info.packets += 1
        off += blen


def _read_snoop(data, info):
    if len(data) < 16:
        info.error = "file header cut short"
        return
    info.linktypes.append(struct.unpack_from(">I", data, 12)[0])
    off = 16
    while off < len(data):
        if len(data) - off < 24:
            info.error = "record header cut short at offset %d" % off
            return
        wirelen, caplen, reclen = struct.unpack_from(">III", data, off)
        if reclen < 24 + caplen or len(data) - off < reclen:
            info.error = "record at offset %d cut short" % off
            return
        info.packets += 1
        info.truncated_records += caplen < wirelen
        off += reclen


def capfile_inspect(path):
    """Read PATH and return a CapInfo; never raises for file content (OSError propagates)."""
    with open(path, "rb") as f:
        data = f.read()
    info = CapInfo()
    if data[:2] == b"\x1f\x8b":
        info.gzipped = True
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, ValueError) as e:
            info.error = "gzip: %s" % e
            return info
    if not data:
        info.fmt = "empty"
        info.error = "empty file"
        return info
    try:
        if len(data) >= 4 and struct.unpack_from("<I", data, 0)[0] in PCAP_MAGICS:
            info.fmt = "pcap"
            _read_pcap(data, info)
        elif data[:4] == b"\x0a\x0d\x0d\x0a":
            info.fmt = "pcapng"
            _read_pcapng(data, info)
        elif data[:8] == b"snoop\0\0\0":
            info.fmt = "snoop"
            _read_snoop(data, info)
        else:
            info.error = "not a capture file (unknown magic)"
    except struct.error as e:                              # belt and braces: report, never raise
        info.error = "structure: %s" % e
    return info


if __name__ == "__main__":
    import sys
    for p in sys.argv[1:]:
        print(p, capfile_inspect(p))
