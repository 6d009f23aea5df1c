package org.offloadbridge.flow;

/**
 * What became of one flow in one {@link FlowTarget} operation. Never thrown: an expected refusal
 * is a value, so a batch reports each flow on its own and the caller can fall back flow by flow.
 *
 * @param ufid       the flow
 * @param status     {@link Status#OK}, {@link Status#REFUSED} (nothing was sent to the layer's
 *                   kernel or tables) or {@link Status#FAILED} (the layer said no; nothing of the
 *                   flow is left installed)
 * @param reason     why it was refused or failed, from the fixed vocabulary; {@link Reason#NONE} when OK
 * @param detail     what the user wrote that caused it (field, action, device), or null
 * @param layer      where the flow landed when OK (put, modify), where it was (delete), else {@link FlowLayer#NONE}
 * @param fellBack   it landed in a layer other than the first one its preference and policy allowed
 * @param errno      the kernel's errno (positive) when FAILED by the kernel, else 0
 * @param kernelText the kernel's own text (netlink extack), or null
 * @param stats      counters: the final ones for a delete, the kept ones for a modify, else {@link FlowStats#ZERO}
 */
public record FlowResult(Ufid ufid, Status status, Reason reason, String detail, FlowLayer layer, boolean fellBack,
                         int errno, String kernelText, FlowStats stats) {

    public enum Status { OK, REFUSED, FAILED }

    /**
     * Why a flow is not (or not only) where it might have been. The {@link #token()}s are the
     * project's reason vocabulary: flows keep them, metrics count by them, {@code obctl explain}
     * prints them, docs/operating.md says what each means and what to do.
     */
    public enum Reason {
        NONE("ok"),
        /** {@code hw-offload=false}: no tc filter of ours at all. */
        HW_OFFLOAD_OFF("hw-offload=false"),
        /** The global tc-policy forbids the layer the preference needs (detail: the policy). */
        TC_POLICY("tc-policy"),
        /** A rule said {@code offload=never}. */
        OFFLOAD_NEVER("offload=never"),
        /** A matched field the layer has no key for (detail: the field as the user spells it). */
        UNSUPPORTED_KEY("unsupported-key"),
        /** A field the layer has, but not with this mask (a partial VLAN id, partial ip_proto). */
        UNSUPPORTED_MASK("unsupported-mask"),
        /** An action the layer can't execute (detail: the action). */
        UNSUPPORTED_ACTION("unsupported-action"),
        /** {@code userspace(...)}: needs the daemon for every packet; never installed where it would be skipped. */
        USERSPACE_ACTION("userspace-action"),
        /** More actions than the layer takes. */
        TOO_MANY_ACTIONS("too-many-actions"),
        /** A value out of its attribute's range (tun_id over 32 bits for VXLAN, ...). */
        OUT_OF_RANGE("out-of-range"),
        /** in_port or an output port with no device in this layer, or a device that vanished. */
        NO_DEVICE("no-device"),
        /** The in_port and an output are on different e-switches (or one is not a representor). */
        CROSS_SWITCH("cross-switch"),
        /** Above the flow limit: executed, not installed. */
        FLOW_LIMIT("flow-limit"),
        /** The device refused the filter in hardware ({@code skip_sw} failed). */
        DEVICE_REFUSED("device-refused"),
        /** The kernel lacks a classifier, action or feature. */
        KERNEL_UNSUPPORTED("kernel-unsupported"),
        /** Out of table space or memory (ENOSPC, ENOMEM). */
        NO_SPACE("no-space"),
        /**
         * Held out of NIC hardware by capacity-aware placement: the e-switch's table (hw-capacity,
         * hw-watermark) holds critical and hotter flows (detail: the flow's class and rate).
         */
        HW_CAPACITY("hw-capacity"),
        /** A flow with this identity or match exists already. */
        EXISTS("exists"),
        /** No such flow (modify, delete, get of something gone). */
        NOT_FOUND("not-found"),
        /** The layer refused it for another reason (detail and kernel text say which). */
        KERNEL_REFUSED("kernel-refused"),
        /** The layer is not running (DPDK unavailable or turned off). */
        LAYER_UNAVAILABLE("layer-unavailable");

        private final String token;

        Reason(String token) {
            this.token = token;
        }

        /** The vocabulary word: {@code unsupported-key}, {@code no-space}, ... */
        public String token() {
            return token;
        }

        /** The reason whose {@link #token()} is {@code token}, or null. */
        public static Reason ofToken(String token) {
            for (Reason r : values()) {
                if (r.token.equals(token)) {
                    return r;
                }
            }
            return null;
        }
    }

    public FlowResult {
        if (status == null || reason == null || layer == null || stats == null) {
            throw new IllegalArgumentException("status, reason, layer and stats must not be null");
        }
    }

    public static FlowResult ok(Ufid ufid, FlowLayer layer) {
        return new FlowResult(ufid, Status.OK, Reason.NONE, null, layer, false, 0, null, FlowStats.ZERO);
    }

    public static FlowResult ok(Ufid ufid, FlowLayer layer, boolean fellBack, FlowStats stats) {
        return new FlowResult(ufid, Status.OK, Reason.NONE, null, layer, fellBack, 0, null, stats);
    }

    public static FlowResult refused(Ufid ufid, Reason reason, String detail) {
        return new FlowResult(ufid, Status.REFUSED, reason, detail, FlowLayer.NONE, false, 0, null, FlowStats.ZERO);
    }

    public static FlowResult failed(Ufid ufid, Reason reason, String detail, int errno, String kernelText) {
        return new FlowResult(ufid, Status.FAILED, reason, detail, FlowLayer.NONE, false, errno, kernelText, FlowStats.ZERO);
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /**
     * The reason as the vocabulary writes it: {@code unsupported-key:ipv6_label},
     * {@code kernel-refused:EOPNOTSUPP:<the kernel's text>}, {@code tc-policy=skip_hw}; {@code ok}.
     *
     * @param errnoName the symbolic name of {@link #errno} (e.g. from netlink's Errno), or null
     */
    public String reasonText(String errnoName) {
        StringBuilder b = new StringBuilder(reason.token());
        if (reason == Reason.TC_POLICY && detail != null) {
            return b.append('=').append(detail).toString();
        }
        if (errno != 0) {
            b.append(':').append(errnoName != null ? errnoName : Integer.toString(errno));
        }
        if (kernelText != null && !kernelText.isEmpty()) {
            b.append(':').append(kernelText);
        } else if (detail != null && !detail.isEmpty()) {
            b.append(':').append(detail);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return switch (status) {
            case OK -> "ok " + ufid + " " + layer + (fellBack ? " (fell back)" : "");
            case REFUSED, FAILED -> status.name().toLowerCase(java.util.Locale.ROOT) + " " + ufid + " " + reasonText(null);
        };
    }
}
