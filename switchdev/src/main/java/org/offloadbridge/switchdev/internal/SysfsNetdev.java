package org.offloadbridge.switchdev.internal;

import java.util.List;
import org.offloadbridge.switchdev.Problem;
import org.offloadbridge.switchdev.SwitchId;

/**
 * What {@code /sys/class/net/<name>} says about one netdev. Absent facts are null or -1; facts
 * that could not be read are absent too and carry a {@link Problem}.
 *
 * @param name         the directory name
 * @param ifindex      {@code ifindex}, or -1
 * @param physPortName {@code phys_port_name}, or null when the driver has none (EOPNOTSUPP)
 * @param switchId     {@code phys_switch_id}, or null
 * @param deviceBus    the bus of {@code device} ({@code pci}, {@code netdevsim}), or null for virtual netdevs
 * @param deviceName   the name of {@code device} ({@code 0000:08:00.0}, {@code netdevsim1}), or null
 * @param driver       the name of {@code device/driver}, or null
 * @param numVfs       {@code device/sriov_numvfs}, or -1
 * @param totalVfs     {@code device/sriov_totalvfs}, or -1
 * @param physfn       the PF's device name when this netdev's device is itself a VF ({@code device/physfn}), or null
 * @param problems     what could not be read
 */
public record SysfsNetdev(String name, int ifindex, String physPortName, SwitchId switchId, String deviceBus,
                          String deviceName, String driver, int numVfs, int totalVfs, String physfn,
                          List<Problem> problems) {
    public SysfsNetdev {
        problems = List.copyOf(problems);
    }
}
