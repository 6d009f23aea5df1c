/**
 * Which ports are representors of which e-switch (rtnetlink, sysfs, devlink), e-switch mode, the hw-tc-offload feature, and link hotplug events.
 *
 * <p>Not built yet: this module holds only its build file and this description.
 */
package org.offloadbridge.switchdev;
