package org.offloadbridge.switchdev;

import java.util.List;

/**
 * Told about model changes, on the thread that updated the model, after the new snapshot is
 * visible. One call per update with every change of that update, ports before e-switches.
 * Keep it short: the updating thread is the one that reads netlink events.
 */
@FunctionalInterface
public interface SwitchdevListener {
    void onChanges(SwitchdevModel.Snapshot snapshot, List<ModelChange> changes);
}
