package org.offloadbridge.ebpf;

import java.util.Arrays;

/**
 * A program ready to load.
 *
 * @param name    the kernel's name for it ({@code bpftool prog} shows it): up to 15 characters
 *                of {@code [A-Za-z0-9_.]}
 * @param type    what it attaches to
 * @param insns   the instructions ({@link Asm#assemble()})
 * @param license the license string the kernel gates GPL-only helpers on
 */
public record BpfProgram(String name, Type type, byte[] insns, String license) {
    public BpfProgram {
        if (name.isEmpty() || name.length() > 15 || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.')) {
            throw new IllegalArgumentException("eBPF program name \"" + name + "\": 1 to 15 characters of [A-Za-z0-9_.]");
        }
        if (insns.length == 0 || insns.length % 8 != 0) {
            throw new IllegalArgumentException("eBPF program " + name + ": " + insns.length + " bytes is not a whole number of instructions");
        }
        insns = insns.clone();
    }

    @Override
    public byte[] insns() {
        return insns.clone();
    }

    public int insnCount() {
        return insns.length / 8;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BpfProgram p && p.name.equals(name) && p.type == type && Arrays.equals(p.insns, insns) && p.license.equals(license);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(insns);
    }

    /** Program types ({@code enum bpf_prog_type}). */
    public enum Type {
        /** tc classifier ({@code cls_bpf}, "sched_cls"), run direct-action. */
        SCHED_CLS(3);

        final int value;

        Type(int value) {
            this.value = value;
        }
    }
}
