#!/bin/bash
# Captures datapath flows that match on tunnel metadata from a real Open vSwitch (userspace
# datapath, native VXLAN tunnelling; no kernel openvswitch module needed). Run as root:
#   apt-get install openvswitch-switch ethtool
#   /usr/share/openvswitch/scripts/ovs-ctl start --system-id=random --no-monitor
#   bash flow/src/test/resources/golden/capture-ovs-tunnel.sh flow/src/test/resources/golden
#   /usr/share/openvswitch/scripts/ovs-ctl stop
# A kernel vxlan device in namespace flwns1 encapsulates pings towards OVS's tunnel endpoint
# 172.31.0.1 (bridge flwphy); OVS pops the header (tnl_pop) and the inner packets hit flows
# that match tunnel(...). Only those lines are kept: the tnl_pop/tnl_push actions of the
# underlay flows are OVS-userspace-only and not part of our action vocabulary.
set -euo pipefail
out=${1:?output dir}
cleanup() {
  ovs-vsctl --if-exists del-br flwint -- --if-exists del-br flwphy || true
  for i in 1 2; do ip netns del flwns$i 2>/dev/null || true; ip link del flwp$i 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
ovs-vsctl add-br flwint -- set bridge flwint datapath_type=netdev
ovs-vsctl add-br flwphy -- set bridge flwphy datapath_type=netdev
ip netns add flwns1
ip link add flwp1 type veth peer name eth0 netns flwns1
ip link set flwp1 up
ip -n flwns1 link set eth0 address 02:00:00:00:01:02 up
ip -n flwns1 addr add 172.31.0.2/24 dev eth0
ip netns exec flwns1 ethtool -K eth0 tx off >/dev/null   # OVS's tnl_pop rejects partial checksums
ip netns add flwns2
ip link add flwp2 type veth peer name eth0 netns flwns2
ip link set flwp2 up
ip -n flwns2 link set eth0 address 02:00:00:00:00:02 up
ovs-vsctl add-port flwphy flwp1
ovs-vsctl add-port flwint flwp2 -- set interface flwp2 ofport_request=2
ovs-vsctl add-port flwint flwvx -- set interface flwvx type=vxlan options:remote_ip=172.31.0.2 options:key=flow ofport_request=9
ip addr add 172.31.0.1/24 dev flwphy
ip link set flwphy up
ovs-appctl tnl/arp/set flwphy 172.31.0.2 02:00:00:00:01:02 >/dev/null
ovs-ofctl add-flow flwint "priority=20,in_port=flwvx,tun_id=42,icmp,actions=output:flwp2"
ovs-ofctl add-flow flwint "priority=10,in_port=flwvx,actions=drop"
# VNI 42: default tos/ttl; VNI 7: tos 0x20, ttl 33, fixed source port range.
ip -n flwns1 link add vx type vxlan id 42 remote 172.31.0.1 dstport 4789 dev eth0
ip -n flwns1 link add vx7 type vxlan id 7 remote 172.31.0.1 dstport 4789 dev eth0 srcport 5000 5001 tos 0x20 ttl 33
for d in vx vx7; do ip netns exec flwns1 ethtool -K $d tx off >/dev/null; ip -n flwns1 link set $d up; done
ip -n flwns1 link set vx address 02:00:00:00:0a:01
ip -n flwns1 addr add 192.168.50.2/24 dev vx
ip -n flwns1 addr add 192.168.7.2/24 dev vx7
ip netns exec flwns1 ping -c 2 -i 0.2 -W 1 192.168.50.9 >/dev/null 2>&1 || true   # ARP over the tunnel
ip -n flwns1 neigh replace 192.168.50.9 lladdr 02:00:00:00:0a:09 dev vx
ip -n flwns1 neigh replace 192.168.7.9 lladdr 02:00:00:00:07:09 dev vx7
ip netns exec flwns1 ping -c 2 -i 0.2 -W 1 192.168.50.9 >/dev/null 2>&1 || true
ip netns exec flwns1 ping -c 2 -i 0.2 -W 1 192.168.7.9 >/dev/null 2>&1 || true
sleep 1
ports="# port numbers: $(ovs-appctl dpctl/show | grep -o 'port [0-9]*: [a-z0-9_-]*' | tr '\n' ';')"
{
  echo "# ovs-appctl dpctl/dump-flows | grep 'tunnel('  (Open vSwitch $(ovs-vswitchd --version | head -1 | awk '{print $NF}'), datapath_type=netdev, $(date -u +%F))"
  echo "$ports"
  ovs-appctl dpctl/dump-flows | grep 'tunnel('
} > "$out/ovs-dump-flows-tunnel.txt"
{
  echo "# ovs-appctl dpctl/dump-flows -m | grep 'tunnel('  (Open vSwitch $(ovs-vswitchd --version | head -1 | awk '{print $NF}'), datapath_type=netdev, $(date -u +%F))"
  echo "$ports"
  ovs-appctl dpctl/dump-flows -m | grep 'tunnel('
} > "$out/ovs-dump-flows-tunnel-m.txt"
