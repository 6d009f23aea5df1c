package org.offloadbridge.switchdev;

/** One change to the switchdev model, as told to {@link SwitchdevListener}s. */
public sealed interface ModelChange {
    record PortAdded(Port port) implements ModelChange {
    }

    record PortRemoved(Port port) implements ModelChange {
    }

    /** Same ifindex, something else differs (name after a rename, role, switch, offload state). */
    record PortChanged(Port before, Port after) implements ModelChange {
    }

    record EswitchAdded(Eswitch eswitch) implements ModelChange {
    }

    record EswitchRemoved(Eswitch eswitch) implements ModelChange {
    }

    /** Mode, member ports or devlink instances changed. */
    record EswitchChanged(Eswitch before, Eswitch after) implements ModelChange {
    }
}
