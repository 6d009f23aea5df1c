#!/usr/bin/env bash
# Captures the golden netlink requests iproute2's devlink and ethtool send, inside the
# kernel test VM (netdevsim), for switchdev's codec tests:
#
#   tests/vm/run --share /tmp/golden -- switchdev/src/test/resources/golden/capture.sh /tmp/golden
#
# Each capture is a file <name>.strace holding the command line and strace's sendmsg/sendto
# lines (-xx: every byte in hex). Tests mask nlmsg_seq and nlmsg_pid and compare whole messages.
# <name>.recv holds what the kernel answered (recvmsg), and <name>.out the tool's printed
# output from the same run: parser tests decode the answers and compare with the output.
set -euo pipefail
out=${1:?usage: capture.sh OUTDIR}
mkdir -p "$out"

echo "1 1" > /sys/bus/netdevsim/new_device
for _ in $(seq 50); do [ -e /sys/bus/netdevsim/devices/netdevsim1/net ] && break; sleep 0.1; done
echo 2 > /sys/bus/netdevsim/devices/netdevsim1/sriov_numvfs
dev=$(ls /sys/bus/netdevsim/devices/netdevsim1/net | head -1)
ip link set "$dev" up

caprecv() {
  local name=$1; shift
  { echo "# command: $*"; echo "# kernel: $(uname -r)"
    strace -f -e trace=recvmsg -xx -s 65536 "$@" 2>&1 >"$out/$name.out"; } > "$out/$name.recv" || true
  sed -i "1i # output of: $*" "$out/$name.out"
}

cap() {
  local name=$1; shift
  { echo "# command: $*"; echo "# kernel: $(uname -r); $(devlink -V 2>/dev/null || true); $(ethtool --version | head -1)"
    strace -f -e trace=sendmsg,sendto -xx -s 4096 "$@" 2>&1 >/dev/null; } > "$out/$name.strace" || true
  echo "# output of: $*" > "$out/$name.out"; "$@" >> "$out/$name.out" 2>&1 || true
}

cap devlink-port-show devlink port show
cap devlink-eswitch-show devlink dev eswitch show netdevsim/netdevsim1
cap devlink-eswitch-set-switchdev devlink dev eswitch set netdevsim/netdevsim1 mode switchdev
cap devlink-eswitch-set-legacy-inline-encap devlink dev eswitch set netdevsim/netdevsim1 mode legacy inline-mode none encap-mode basic
devlink dev eswitch set netdevsim/netdevsim1 mode switchdev
cap devlink-port-show-switchdev devlink port show
cap devlink-port-show-json devlink port show -j
cap ethtool-k ethtool -k "$dev"
caprecv devlink-port-show-switchdev-reply devlink port show
caprecv devlink-eswitch-show-switchdev-reply devlink dev eswitch show netdevsim/netdevsim1
caprecv ethtool-k-reply ethtool -k "$dev"
rep=$(ls /sys/bus/netdevsim/devices/netdevsim1/net | sed -n 2p)
ethtool -K "$rep" hw-tc-offload on
caprecv ethtool-k-rep-reply ethtool -k "$rep"
cap ethtool-K-hw-tc-offload-on ethtool -K "$dev" hw-tc-offload on
cap ethtool-K-hw-tc-offload-off ethtool -K "$dev" hw-tc-offload off
echo "# dev=$dev" > "$out/ip-d-link.out"; ip -d link show >> "$out/ip-d-link.out" 2>&1
for n in /sys/class/net/*; do echo "$n ppn=$(cat $n/phys_port_name 2>&1) sid=$(cat $n/phys_switch_id 2>&1) dev=$(readlink $n/device 2>&1)"; done > "$out/sysfs.out"
