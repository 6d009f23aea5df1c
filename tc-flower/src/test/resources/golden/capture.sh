#!/bin/sh
# Captures iproute2's RTM_NEWTFILTER requests for the golden-byte tests (FlowerGoldenTest).
# Run inside the kernel test VM (cls_flower & act_* loaded), from the repo root:
#   tests/vm/run --share /tmp/tcgolden -- sh tc-flower/src/test/resources/golden/capture.sh /tmp/tcgolden
# then copy /tmp/tcgolden/*.txt next to this script. Everything runs in a fresh netns, so the
# ifindexes are fixed: lo=1, ob0=2, ob1=3, obvx=4 (a vxlan "external" tunnel device).
# Each case file holds the command (line 1, "# cmd: ...") and the request as hex (line 2).
set -eu
out=$1
ip netns add golden
ip netns exec golden sh -c '
set -eu
out=$1
ip link add ob0 type veth peer name ob1
ip link add obvx type vxlan external dstport 4789
ip link set ob0 up; ip link set ob1 up; ip link set obvx up
tc qdisc add dev ob0 clsact
tc qdisc add dev obvx clsact
ck=00112233445566778899aabbccddeeff
n=0
cap() {
  name=$1; shift
  n=$((n + 1))
  dev=ob0; [ "$name" = "${name#tun_match}" ] || dev=obvx
  set -- tc filter add dev $dev ingress prio $n "$@"
  rc=0
  strace -f -qq -e trace=sendmsg -e write=all -o /tmp/st.$name "$@" 2>/tmp/err.$name || rc=$?
  echo "# cmd: $*" > $out/$name.txt
  if [ $rc != 0 ]; then echo "# exit $rc: $(tr "\n" " " < /tmp/err.$name)" >> $out/$name.txt; fi
  # hexdump lines of the write= dump: " | 00000  3c 00 ...  ascii |"; keep the request whose
  # nlmsg_type is 0x2c (RTM_NEWTFILTER) at bytes 4..5.
  awk "/^ \\| [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  /{ line=substr(\$0, 11, 49); gsub(/ /, \"\", line); buf=buf line; next } { if (buf != \"\") print buf; buf=\"\" } END { if (buf != \"\") print buf }" /tmp/st.$name \
    | grep -E "^.{8}2c00" | head -1 >> $out/$name.txt
}
A="action mirred egress redirect dev ob1 cookie $ck"
cap eth_all protocol all flower dst_mac 00:11:22:33:44:55 src_mac 66:77:88:00:00:00/ff:ff:ff:00:00:00 $A
cap eth_ip protocol ip flower dst_mac 00:11:22:33:44:55 $A
cap ipv4_tcp protocol ip flower ip_proto tcp src_ip 10.0.0.1 dst_ip 10.1.0.0/16 src_port 1234/0xffff dst_port 80/0xffff $A
cap ipv4_udp protocol ip flower ip_proto udp src_ip 10.0.0.1 dst_ip 10.0.0.2 src_port 5000/0xffff dst_port 0x3500/0xff00 $A
cap ipv4_sctp protocol ip flower ip_proto sctp dst_ip 10.0.0.2 dst_port 9/0xffff $A
cap ipv4_tos_ttl protocol ip flower ip_proto tcp ip_tos 0x10/0xfc ip_ttl 64/0xff $A
cap tcp_flags protocol ip flower ip_proto tcp tcp_flags 0x2/0x12 $A
cap ipv4_frag protocol ip flower ip_flags frag/nofirstfrag $A
cap ipv4_nofrag protocol ip flower ip_proto udp ip_flags nofrag $A
cap icmp protocol ip flower ip_proto icmp type 8 code 0 $A
cap ipv6_tcp protocol ipv6 flower ip_proto tcp src_ip 2001:db8::1 dst_ip 2001:db8:1::/48 dst_port 443/0xffff $A
cap icmpv6 protocol ipv6 flower ip_proto icmpv6 type 135 code 0 $A
cap arp protocol arp flower arp_sip 10.0.0.1 arp_tip 10.0.0.0/24 arp_op 1 arp_sha 00:11:22:33:44:55 arp_tha 00:00:00:00:00:00 $A
cap vlan protocol 802.1Q flower vlan_id 100 vlan_prio 3 vlan_ethtype ip ip_proto udp $A
cap qinq protocol 802.1ad flower vlan_id 10 vlan_ethtype 802.1Q cvlan_id 20 cvlan_prio 5 cvlan_ethtype ip $A
cap tun_match protocol ip flower enc_src_ip 192.168.0.1 enc_dst_ip 192.168.0.2 enc_key_id 42 enc_dst_port 4789 enc_tos 0/0xff enc_ttl 64/0xff action tunnel_key unset pipe cookie $ck $A
cap tun_match6 protocol ip flower enc_src_ip 2001:db8::a enc_dst_ip 2001:db8::b enc_key_id 7 enc_dst_port 4789 action tunnel_key unset pipe cookie $ck $A
cap skip_hw protocol ip flower skip_hw $A
cap act_drop protocol ip flower action gact drop cookie $ck
cap act_mirror protocol ip flower action mirred egress mirror dev ob1 cookie $ck action mirred egress mirror dev ob0 cookie $ck $A
cap act_push_vlan protocol ip flower action vlan push id 100 protocol 802.1Q priority 3 pipe cookie $ck $A
cap act_push_vlan_ad protocol ip flower action vlan push id 200 protocol 802.1ad priority 0 pipe cookie $ck $A
cap act_pop_vlan protocol 802.1Q flower vlan_id 5 action vlan pop pipe cookie $ck $A
cap act_modify_vlan protocol 802.1Q flower vlan_id 5 action vlan modify id 6 priority 0 pipe cookie $ck $A
cap act_pedit_eth protocol ip flower action pedit ex munge eth dst set 02:00:00:00:00:01 munge eth src set 02:00:00:00:00:02 pipe cookie $ck $A
cap act_pedit_ip4 protocol ip flower ip_proto tcp action pedit ex munge ip src set 10.9.9.9 munge ip ttl set 9 pipe cookie $ck action csum iph and tcp pipe cookie $ck $A
cap act_pedit_ports protocol ip flower ip_proto udp action pedit ex munge udp sport set 1111 munge udp dport set 2222 pipe cookie $ck action csum udp pipe cookie $ck $A
cap act_pedit_tcp protocol ip flower ip_proto tcp action pedit ex munge tcp dport set 8080 pipe cookie $ck action csum tcp pipe cookie $ck $A
cap act_pedit_ip6 protocol ipv6 flower ip_proto udp action pedit ex munge ip6 dst set 2001:db8::99 munge ip6 hoplimit set 7 pipe cookie $ck action csum udp pipe cookie $ck $A
cap act_pedit_tos protocol ip flower action pedit ex munge ip tos set 0x20 pipe cookie $ck action csum iph pipe cookie $ck $A
cap act_tunnel_set protocol ip flower action tunnel_key set src_ip 192.168.0.1 dst_ip 192.168.0.2 id 42 dst_port 4789 tos 0 ttl 64 csum pipe cookie $ck action mirred egress redirect dev obvx cookie $ck
cap act_tunnel_set6 protocol ip flower action tunnel_key set src_ip 2001:db8::a dst_ip 2001:db8::b id 7 dst_port 4789 tos 0 ttl 64 nocsum pipe cookie $ck action mirred egress redirect dev obvx cookie $ck
cap act_flags_skip_hw protocol ip flower skip_hw action mirred egress redirect dev ob1 cookie $ck skip_hw
' sh "$out"
ip netns del golden
ls "$out" | wc -l
