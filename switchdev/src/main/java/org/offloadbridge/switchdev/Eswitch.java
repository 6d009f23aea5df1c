package org.offloadbridge.switchdev;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One hardware e-switch: its ports grouped by role, keyed in the model by switch id (or by
 * devlink instance when its ports report no switch id, as drivers may in legacy mode).
 *
 * @param key            the model key: the switch id in hex, or {@code devlink:<handle>}
 * @param switchId       the switch id, or null
 * @param devlinks       the devlink instances whose ports are on it (one per PF; several with LAG)
 * @param state          the e-switch mode as devlink reported it for the first devlink, or null
 * @param uplinks        physical ports
 * @param vfRepresentors VF number → representor, in VF order, for the local controller and the uplink's PF;
 *                       other controllers' and PFs' VFs are in {@link #representors()}
 * @param representors   every representor (VF, SF, host PF), in ifindex order
 * @param others         switch ports we could not classify
 * @param problems       what did not add up (e.g. two representors claiming one VF)
 */
public record Eswitch(String key, SwitchId switchId, List<DevlinkHandle> devlinks, EswitchState state,
                      List<Port> uplinks, Map<Integer, Port> vfRepresentors, List<Port> representors,
                      List<Port> others, List<Problem> problems) {
    public Eswitch {
        Objects.requireNonNull(key, "key");
        devlinks = List.copyOf(devlinks);
        uplinks = List.copyOf(uplinks);
        vfRepresentors = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(vfRepresentors));
        representors = List.copyOf(representors);
        others = List.copyOf(others);
        problems = List.copyOf(problems);
    }

    /** The devlink instance to ask about mode, or null when none is known. */
    public DevlinkHandle devlink() {
        return devlinks.isEmpty() ? null : devlinks.getFirst();
    }

    /** The e-switch mode, or null when unknown. */
    public EswitchMode mode() {
        return state == null ? null : state.mode();
    }
}
