#!/usr/bin/python3
"""Malformed frames for the OVS-oracle parser test: each frame of frames.pcap with 1-3 header
bytes (first 96 bytes) replaced, 40 variants per frame, from a fixed seed; frames are written
both to mutated.pcap.gz (input) and parsed by Open vSwitch itself:

  /usr/bin/python3 mutations.py frames.pcap /tmp/mutated.pcap && gzip -9c /tmp/mutated.pcap > mutated.pcap.gz
  ovs-ofctl parse-pcap /tmp/mutated.pcap | gzip -9 > ovs-parse-mutated.txt.gz     (Open vSwitch 3.1.0)
"""
import random
import struct
import sys

from truncations import frames


def main():
    rnd = random.Random(20261122)
    out = open(sys.argv[2], "wb")
    out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    i = 0
    for f in frames(sys.argv[1]):
        for _ in range(40):
            b = bytearray(f)
            for _ in range(rnd.randint(1, 3)):
                pos = rnd.randrange(12, min(len(b), 96))
                b[pos] = rnd.choice([0, 0xff, rnd.randrange(256), b[pos] ^ (1 << rnd.randrange(8))])
            n = len(b) if rnd.random() < 0.7 else rnd.randint(14, len(b))
            out.write(struct.pack("<IIII", i, 0, n, n) + bytes(b[:n]))
            i += 1


if __name__ == "__main__":
    main()
