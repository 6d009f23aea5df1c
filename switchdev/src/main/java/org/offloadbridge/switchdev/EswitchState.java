package org.offloadbridge.switchdev;

/**
 * What {@code DEVLINK_CMD_ESWITCH_GET} answered for one devlink instance. Fields the driver
 * does not report are null (netdevsim reports no inline or encap mode).
 */
public record EswitchState(EswitchMode mode, EswitchInlineMode inlineMode, EswitchEncapMode encapMode) {
}
