#!/usr/bin/python3
"""Frame corpus for the flow/ packet parser tests and the OVS golden capture.

  python3 frames.py write DIR      -> DIR/frames.pcap + DIR/frames.expected
  python3 frames.py send IFACE pN  -> sends the frames whose source port is pN (capture-ovs.sh)

frames.expected has one line per frame (same order as the pcap): the key fields an ideal
parser extracts, computed here from what scapy built (an oracle independent of our parser).
Values: integers in decimal, MACs/IPs in their usual text form. Regenerate with:
  /usr/bin/python3 flow/src/test/resources/pcap/frames.py write flow/src/test/resources/pcap
"""
import sys
from scapy.all import (Ether, Dot1Q, Dot1AD, IP, IPv6, TCP, UDP, ICMP, ARP, Raw, IPOption_Router_Alert,
                       ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrRouting, AH, wrpcap, sendp)
from scapy.layers.sctp import SCTP

M = {1: "02:00:00:00:00:01", 2: "02:00:00:00:00:02", 3: "02:00:00:00:00:03"}


def eth(s, d):
    return Ether(src=M[s], dst=M[d] if isinstance(d, int) else d)


# (source port, frame, expected fields)
FRAMES = [
    ("p1", eth(1, 2) / IP(src="10.0.0.1", dst="10.0.0.2", ttl=64) / TCP(sport=40000, dport=80, flags="S"),
     dict(eth_type=0x0800, ipv4_src="10.0.0.1", ipv4_dst="10.0.0.2", nw_proto=6, nw_ttl=64, nw_tos=0, nw_frag="no", tp_src=40000, tp_dst=80, tcp_flags=0x002)),
    ("p1", eth(1, 2) / IP(src="10.0.0.1", dst="10.0.0.2", tos=0x2e) / TCP(sport=40001, dport=4100, flags="PA") / Raw(b"x" * 20),
     dict(eth_type=0x0800, ipv4_src="10.0.0.1", ipv4_dst="10.0.0.2", nw_proto=6, nw_ttl=64, nw_tos=0x2e, nw_frag="no", tp_src=40001, tp_dst=4100, tcp_flags=0x018)),
    ("p1", eth(1, 2) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=5000, dport=53) / Raw(b"q" * 12),
     dict(eth_type=0x0800, ipv4_src="10.0.0.1", ipv4_dst="10.0.0.2", nw_proto=17, nw_ttl=64, nw_frag="no", tp_src=5000, tp_dst=53)),
    ("p1", eth(1, 2) / IPv6(src="fd00::1", dst="fd00::2", hlim=64, tc=0x20, fl=0x12345) / UDP(sport=5001, dport=53),
     dict(eth_type=0x86dd, ipv6_src="fd00::1", ipv6_dst="fd00::2", nw_proto=17, nw_ttl=64, nw_tos=0x20, ipv6_label=0x12345, nw_frag="no", tp_src=5001, tp_dst=53)),
    ("p1", eth(1, 2) / IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(type=8, code=0, id=1, seq=1),
     dict(eth_type=0x0800, ipv4_src="10.0.0.1", ipv4_dst="10.0.0.2", nw_proto=1, nw_ttl=64, nw_frag="no", icmp_type=8, icmp_code=0)),
    ("p1", eth(1, 2) / IPv6(src="fd00::1", dst="fd00::2") / ICMPv6EchoRequest(id=7, seq=1),
     dict(eth_type=0x86dd, ipv6_src="fd00::1", ipv6_dst="fd00::2", nw_proto=58, nw_ttl=64, nw_frag="no", icmp_type=128, icmp_code=0)),
    ("p1", eth(1, 2) / IPv6(src="fd00::1", dst="fd00::2") / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting(addresses=[]) / IPv6ExtHdrDestOpt() / TCP(sport=40002, dport=443, flags="S"),
     dict(eth_type=0x86dd, ipv6_src="fd00::1", ipv6_dst="fd00::2", nw_proto=6, nw_ttl=64, nw_frag="no", tp_src=40002, tp_dst=443, tcp_flags=0x002)),
    ("p1", eth(1, "ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=M[1], psrc="10.0.0.1", hwdst="00:00:00:00:00:00", pdst="10.0.0.2"),
     dict(eth_type=0x0806, arp_op=1, arp_spa="10.0.0.1", arp_tpa="10.0.0.2", arp_sha=M[1], arp_tha="00:00:00:00:00:00")),
    ("p1", eth(1, 2) / IP(src="10.0.0.1", dst="10.0.0.2", id=77, flags="MF", frag=0, proto=17) / Raw(bytes(UDP(sport=6000, dport=7000, len=1008, chksum=0)) + b"a" * 16),
     dict(eth_type=0x0800, ipv4_src="10.0.0.1", ipv4_dst="10.0.0.2", nw_proto=17, nw_ttl=64, nw_frag="first", tp_src=6000, tp_dst=7000)),
    ("p1", eth(1, 2) / IP(src="10.0.0.1", dst="10.0.0.2", id=77, flags=0, frag=3, proto=17) / Raw(b"b" * 24),
     dict(eth_type=0x0800, ipv4_src="10.0.0.1", ipv4_dst="10.0.0.2", nw_proto=17, nw_ttl=64, nw_frag="later")),
    ("p1", eth(1, 2) / IP(src="10.0.0.1", dst="10.0.0.2", options=[IPOption_Router_Alert()]) / TCP(sport=40003, dport=22, flags="S"),
     dict(eth_type=0x0800, ipv4_src="10.0.0.1", ipv4_dst="10.0.0.2", nw_proto=6, nw_ttl=64, nw_frag="no", tp_src=40003, tp_dst=22, tcp_flags=0x002)),
    ("p1", eth(1, 2) / IPv6(src="fd00::1", dst="fd00::2") / IPv6ExtHdrFragment(id=5, m=1, offset=0) / UDP(sport=6001, dport=7001) / Raw(b"c" * 16),
     dict(eth_type=0x86dd, ipv6_src="fd00::1", ipv6_dst="fd00::2", nw_proto=17, nw_ttl=64, nw_frag="first", tp_src=6001, tp_dst=7001)),
    ("p1", eth(1, 2) / IPv6(src="fd00::1", dst="fd00::2") / IPv6ExtHdrFragment(id=5, m=0, offset=2, nh=17) / Raw(b"d" * 16),
     # later IPv6 fragment: proto is 44 (IPPROTO_FRAGMENT), as OVS and the kernel datapath report it
     dict(eth_type=0x86dd, ipv6_src="fd00::1", ipv6_dst="fd00::2", nw_proto=44, nw_ttl=64, nw_frag="later")),
    ("p1", eth(1, 2) / IP(src="10.0.0.1", dst="10.0.0.2") / SCTP(sport=3868, dport=2905),
     dict(eth_type=0x0800, ipv4_src="10.0.0.1", ipv4_dst="10.0.0.2", nw_proto=132, nw_ttl=64, nw_frag="no", tp_src=3868, tp_dst=2905)),
    ("p1", eth(1, 2) / IPv6(src="fd00::1", dst="fd00::2") / AH(nh=6, payloadlen=4, spi=0x100, seq=1, icv=b"\0" * 12) / TCP(sport=40004, dport=8080, flags="A"),
     dict(eth_type=0x86dd, ipv6_src="fd00::1", ipv6_dst="fd00::2", nw_proto=6, nw_ttl=64, nw_frag="no", tp_src=40004, tp_dst=8080, tcp_flags=0x010)),
    ("p2", eth(2, 1) / IP(src="10.0.0.2", dst="10.0.0.1") / UDP(sport=5002, dport=9999),
     dict(eth_type=0x0800, ipv4_src="10.0.0.2", ipv4_dst="10.0.0.1", nw_proto=17, nw_ttl=64, nw_frag="no", tp_src=5002, tp_dst=9999)),
    ("p2", eth(2, 1) / IP(src="10.0.0.2", dst="10.0.0.1", tos=32, ttl=17) / UDP(sport=5003, dport=1234),
     dict(eth_type=0x0800, ipv4_src="10.0.0.2", ipv4_dst="10.0.0.1", nw_proto=17, nw_ttl=17, nw_tos=32, nw_frag="no", tp_src=5003, tp_dst=1234)),
    ("p2", eth(2, "33:33:ff:00:00:01") / IPv6(src="fd00::2", dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt="fd00::1") / ICMPv6NDOptSrcLLAddr(lladdr=M[2]),
     dict(eth_type=0x86dd, ipv6_src="fd00::2", ipv6_dst="ff02::1:ff00:1", nw_proto=58, nw_ttl=255, nw_frag="no", icmp_type=135, icmp_code=0, nd_target="fd00::1", nd_sll=M[2], nd_tll="00:00:00:00:00:00")),
    ("p3", eth(3, 2) / Dot1Q(vlan=20, prio=3) / IP(src="10.0.0.3", dst="10.0.0.2") / UDP(sport=5004, dport=4000),
     dict(vlan0_tpid=0x8100, vlan0_vid=20, vlan0_pcp=3, eth_type=0x0800, ipv4_src="10.0.0.3", ipv4_dst="10.0.0.2", nw_proto=17, nw_ttl=64, nw_frag="no", tp_src=5004, tp_dst=4000)),
    ("p3", eth(3, 1) / IP(src="192.168.1.5", dst="10.0.0.1") / UDP(sport=5005, dport=4001),
     dict(eth_type=0x0800, ipv4_src="192.168.1.5", ipv4_dst="10.0.0.1", nw_proto=17, nw_ttl=64, nw_frag="no", tp_src=5005, tp_dst=4001)),
    ("p3", eth(3, 2) / Dot1AD(vlan=100, prio=1) / Dot1Q(vlan=200, prio=2) / IP(src="10.0.0.3", dst="10.0.0.2") / UDP(sport=5006, dport=4002),
     dict(vlan0_tpid=0x88a8, vlan0_vid=100, vlan0_pcp=1, vlan1_tpid=0x8100, vlan1_vid=200, vlan1_pcp=2, eth_type=0x0800, ipv4_src="10.0.0.3", ipv4_dst="10.0.0.2", nw_proto=17, nw_ttl=64, nw_frag="no", tp_src=5006, tp_dst=4002)),
]


def main():
    if sys.argv[1] == "write":
        d = sys.argv[2]
        wrpcap(d + "/frames.pcap", [f for _, f, _ in FRAMES])
        with open(d + "/frames.expected", "w") as out:
            out.write("# one line per frame of frames.pcap, generated by frames.py (scapy); port eth_src eth_dst then fields\n")
            for port, f, exp in FRAMES:
                fields = " ".join("%s=%s" % (k, v) for k, v in exp.items())
                out.write("%s eth_src=%s eth_dst=%s %s\n" % (port, f[Ether].src, f[Ether].dst, fields))
    elif sys.argv[1] == "send":
        iface, port = sys.argv[2], sys.argv[3]
        sendp([f for p, f, _ in FRAMES if p == port], iface=iface, verbose=False)
    else:
        sys.exit("usage: frames.py write DIR | send IFACE pN")


if __name__ == "__main__":
    main()
