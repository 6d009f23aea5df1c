/**
 * Smoke tests of the kernel test VM tier ({@code tests/vm}): they run only inside the VM
 * ({@code @Tag("kernel-vm")}, started by {@code tests/vm/junit}) and prove that the stock
 * kernel there gives the project what the build machines' kernel lacks — software tc
 * flower, its offload refusal paths, netdevsim's switchdev e-switch with VF representors,
 * and openvswitch.
 *
 * <p>They drive the kernel through iproute2 ({@code ip}, {@code tc}, {@code devlink}) and
 * sysfs, the tools a user would reach for, each test in a network namespace of its own (testkit's {@code Topology}, commands through its {@code Shell}).
 */
package org.offloadbridge.tests.vm;
