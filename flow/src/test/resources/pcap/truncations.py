#!/usr/bin/python3
"""Every truncation of every frame of frames.pcap, parsed by Open vSwitch itself: the oracle
for PacketParserOvsOracleTest.

  /usr/bin/python3 truncations.py frames.pcap /tmp/truncations.pcap
  ovs-ofctl parse-pcap /tmp/truncations.pcap > ovs-parse-pcap.txt     (Open vSwitch 3.1.0)

Record i of truncations.pcap is frame f truncated to n bytes, in order f = 0.., n = 14..len(f)
(shorter than an Ethernet header is not interesting to OVS). Deterministic: timestamps are the
record index, so the .pcap need not be committed.
"""
import struct
import sys


def frames(path):
    data = open(path, "rb").read()
    endian = "<" if struct.unpack("<I", data[:4])[0] == 0xa1b2c3d4 else ">"
    p = 24
    while p + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[p + 8:p + 12])[0]
        yield data[p + 16:p + 16 + incl]
        p += 16 + incl


def main():
    out = open(sys.argv[2], "wb")
    out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    i = 0
    for f in frames(sys.argv[1]):
        for n in range(14, len(f) + 1):
            out.write(struct.pack("<IIII", i, 0, n, n) + f[:n])
            i += 1


if __name__ == "__main__":
    main()
