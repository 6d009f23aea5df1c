/**
 * Which ports are representors of which e-switch, and preparing them for offload.
 *
 * <p>{@link org.offloadbridge.switchdev.SwitchdevModel} holds the answer: every netdev as a
 * {@link org.offloadbridge.switchdev.Port} with a {@link org.offloadbridge.switchdev.PortRole},
 * grouped into {@link org.offloadbridge.switchdev.Eswitch}es by switch id, and
 * {@code sameSwitch(a, b)} for the offload policy. Facts come from rtnetlink
 * (IFLA_PHYS_SWITCH_ID, IFLA_PHYS_PORT_NAME), sysfs ({@code /sys/class/net/<dev>}) and
 * devlink ports; {@link org.offloadbridge.switchdev.PhysPortName} parses the port names mlx5
 * and netdevsim produce. See docs/switchdev.md.
 */
package org.offloadbridge.switchdev;
