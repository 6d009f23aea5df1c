#!/bin/bash
# Captures golden datapath-flow text from a real Open vSwitch (userspace/netdev datapath; no
# kernel openvswitch module needed). Run as root on a scratch machine:
#   apt-get install openvswitch-switch python3-scapy
#   /usr/share/openvswitch/scripts/ovs-ctl start --system-id=random --no-monitor
#   bash flow/src/test/resources/golden/capture-ovs.sh flow/src/test/resources/golden
#   /usr/share/openvswitch/scripts/ovs-ctl stop
# Writes ovs-dump-flows.txt (no -m) and ovs-dump-flows-m.txt (-m) and removes its netns/bridge.
set -euo pipefail
out=${1:?output dir}
here=$(cd "$(dirname "$0")" && pwd)
BR=flwbr0
cleanup() {
  ovs-vsctl --if-exists del-br $BR || true
  for i in 1 2 3; do ip netns del flwns$i 2>/dev/null || true; ip link del flwp$i 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
ovs-vsctl add-br $BR -- set bridge $BR datapath_type=netdev
for i in 1 2 3; do
  ip netns add flwns$i
  ip link add flwp$i type veth peer name eth0 netns flwns$i
  ip link set flwp$i up
  ip -n flwns$i link set eth0 address 02:00:00:00:00:0$i up
  ip -n flwns$i addr add 10.0.0.$i/24 dev eth0
  ip -n flwns$i -6 addr add fd00::$i/64 dev eth0 nodad
  ovs-vsctl add-port $BR flwp$i -- set interface flwp$i ofport_request=$i
done
ovs-ofctl del-flows $BR
ovs-ofctl add-flows $BR - <<'RULES'
priority=100,in_port=flwp1,tcp,nw_dst=10.0.0.0/24,tp_dst=80,actions=mod_vlan_vid:10,output:flwp2
priority=95,in_port=flwp1,tcp,tp_dst=0x1000/0xf000,actions=mod_dl_src:02:00:00:00:00:aa,output:flwp2
priority=90,in_port=flwp1,udp,nw_src=10.0.0.1,actions=mod_nw_src:10.0.0.99,dec_ttl,output:flwp2
priority=85,in_port=flwp1,udp6,actions=mod_tp_dst:5353,output:flwp3
priority=80,in_port=flwp1,icmp,actions=drop
priority=75,in_port=flwp1,icmp6,icmp_type=128,actions=output:flwp2
priority=70,in_port=flwp1,ipv6,actions=output:flwp2
priority=60,in_port=flwp1,arp,arp_op=1,actions=output:flwp2,output:flwp3
priority=55,in_port=flwp3,dl_vlan=20,actions=strip_vlan,output:flwp2
priority=50,in_port=flwp2,udp,tp_dst=9999,actions=controller
priority=45,in_port=flwp2,ip,nw_tos=32,actions=mod_nw_tos:64,output:flwp1
priority=40,in_port=flwp2,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=output:flwp1
priority=30,in_port=flwp3,ip,nw_src=192.168.0.0/16,actions=mod_vlan_vid:30,mod_vlan_pcp:5,output:flwp1
priority=0,actions=drop
RULES
# Sends the frames of the parser corpus (same generator) out of each namespace.
ip netns exec flwns1 /usr/bin/python3 "$here/../pcap/frames.py" send eth0 p1
ip netns exec flwns2 /usr/bin/python3 "$here/../pcap/frames.py" send eth0 p2
ip netns exec flwns3 /usr/bin/python3 "$here/../pcap/frames.py" send eth0 p3
sleep 1
{
  echo "# ovs-appctl dpctl/dump-flows  (Open vSwitch $(ovs-vswitchd --version | head -1 | awk '{print $NF}'), datapath_type=netdev, $(date -u +%F))"
  echo "# port numbers: $(ovs-appctl dpctl/show | grep -o 'port [0-9]*: [a-z0-9-]*' | tr '\n' ';')"
  ovs-appctl dpctl/dump-flows
} > "$out/ovs-dump-flows.txt"
{
  echo "# ovs-appctl dpctl/dump-flows -m  (Open vSwitch $(ovs-vswitchd --version | head -1 | awk '{print $NF}'), datapath_type=netdev, $(date -u +%F))"
  echo "# port numbers: $(ovs-appctl dpctl/show | grep -o 'port [0-9]*: [a-z0-9-]*' | tr '\n' ';')"
  ovs-appctl dpctl/dump-flows -m
} > "$out/ovs-dump-flows-m.txt"
{
  echo "# ovs-appctl dpctl/dump-flows --names  (Open vSwitch, datapath_type=netdev)"
  echo "# port numbers: $(ovs-appctl dpctl/show | grep -o 'port [0-9]*: [a-z0-9-]*' | tr '\n' ';')"
  ovs-appctl dpctl/dump-flows --names
} > "$out/ovs-dump-flows-names.txt"
