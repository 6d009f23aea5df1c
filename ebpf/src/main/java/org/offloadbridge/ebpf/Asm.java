package org.offloadbridge.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An eBPF assembler for the handful of instructions our tc programs need, with named labels
 * for forward jumps. Encodings are the kernel's ({@code <linux/bpf.h>}, {@code struct bpf_insn}:
 * opcode, dst and src register nibbles, signed 16-bit offset, signed 32-bit immediate), in the
 * host's byte order as the kernel reads them. The verifier is the real check of a program; this
 * class only refuses what cannot be encoded (a register out of range, an offset that does not
 * fit, a label used but never placed).
 *
 * <p>Why assemble and not compile: the programs are a few dozen instructions, and carrying
 * clang, an ELF loader and BTF for them would be more code and more to install than the
 * programs themselves. The method names follow the kernel's {@code BPF_*} instruction macros
 * ({@code include/linux/filter.h}) so a reader can check them against the verifier's log.
 */
public final class Asm {
    public static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8, R9 = 9;
    /** The read-only frame pointer: the stack is the 512 bytes below it. */
    public static final int R10 = 10;

    // Instruction classes, sizes, modes, operations and sources (<linux/bpf_common.h>, <linux/bpf.h>).
    static final int BPF_LDX = 0x01, BPF_ST = 0x02, BPF_STX = 0x03, BPF_JMP = 0x05, BPF_ALU64 = 0x07;
    static final int BPF_W = 0x00, BPF_H = 0x08, BPF_B = 0x10, BPF_DW = 0x18;
    static final int BPF_MEM = 0x60;
    static final int BPF_ADD = 0x00, BPF_SUB = 0x10, BPF_MOV = 0xb0;
    static final int BPF_JA = 0x00, BPF_JEQ = 0x10, BPF_JGT = 0x20, BPF_JNE = 0x50, BPF_JLT = 0xa0, BPF_CALL = 0x80, BPF_EXIT = 0x90;
    static final int BPF_K = 0x00, BPF_X = 0x08;

    /** One instruction as the kernel lays it out. */
    private record Insn(int code, int dst, int src, int off, int imm, String target) {
    }

    private final List<Insn> insns = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    /** Places {@code name} at the next instruction. */
    public Asm label(String name) {
        if (labels.putIfAbsent(name, insns.size()) != null) {
            throw new IllegalArgumentException("label \"" + name + "\" placed twice");
        }
        return this;
    }

    /** {@code dst = src} (64 bit). */
    public Asm mov64(int dst, int src) {
        return add(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
    }

    /** {@code dst = imm} (sign-extended to 64 bit). */
    public Asm mov64Imm(int dst, int imm) {
        return add(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
    }

    /** {@code dst += imm}. */
    public Asm add64Imm(int dst, int imm) {
        return add(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm);
    }

    /** {@code dst -= imm}. */
    public Asm sub64Imm(int dst, int imm) {
        return add(BPF_ALU64 | BPF_SUB | BPF_K, dst, 0, 0, imm);
    }

    /** {@code dst = *(u32 *)(src + off)}. */
    public Asm ldxW(int dst, int src, int off) {
        return add(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
    }

    /** {@code *(u32 *)(dst + off) = imm}. */
    public Asm stW(int dst, int off, int imm) {
        return add(BPF_ST | BPF_MEM | BPF_W, dst, 0, off, imm);
    }

    /** {@code *(u16 *)(dst + off) = imm}. */
    public Asm stH(int dst, int off, int imm) {
        return add(BPF_ST | BPF_MEM | BPF_H, dst, 0, off, imm);
    }

    /** {@code *(u8 *)(dst + off) = imm}. */
    public Asm stB(int dst, int off, int imm) {
        return add(BPF_ST | BPF_MEM | BPF_B, dst, 0, off, imm);
    }

    /** {@code *(u32 *)(dst + off) = src}. */
    public Asm stxW(int dst, int off, int src) {
        return add(BPF_STX | BPF_MEM | BPF_W, dst, src, off, 0);
    }

    /** {@code goto label}. */
    public Asm ja(String label) {
        return jump(BPF_JMP | BPF_JA | BPF_K, 0, 0, label);
    }

    /** {@code if (reg == imm) goto label}. */
    public Asm jeqImm(int reg, int imm, String label) {
        return jump(BPF_JMP | BPF_JEQ | BPF_K, reg, imm, label);
    }

    /** {@code if (reg != imm) goto label}. */
    public Asm jneImm(int reg, int imm, String label) {
        return jump(BPF_JMP | BPF_JNE | BPF_K, reg, imm, label);
    }

    /** {@code if (reg < imm) goto label}, unsigned. */
    public Asm jltImm(int reg, int imm, String label) {
        return jump(BPF_JMP | BPF_JLT | BPF_K, reg, imm, label);
    }

    /** {@code if (reg > imm) goto label}, unsigned. */
    public Asm jgtImm(int reg, int imm, String label) {
        return jump(BPF_JMP | BPF_JGT | BPF_K, reg, imm, label);
    }

    /** Calls a kernel helper: arguments in R1..R5, result in R0; R1..R5 are clobbered. */
    public Asm call(Helper helper) {
        return add(BPF_JMP | BPF_CALL, 0, 0, 0, helper.id);
    }

    /** Returns R0. */
    public Asm exit() {
        return add(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }

    /** The instructions so far, jumps resolved: 8 bytes each, host byte order. */
    public byte[] assemble() {
        ByteBuffer b = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.nativeOrder());
        for (int i = 0; i < insns.size(); i++) {
            Insn in = insns.get(i);
            int off = in.off;
            if (in.target != null) {
                Integer at = labels.get(in.target);
                if (at == null) {
                    throw new IllegalStateException("jump at instruction " + i + " to label \"" + in.target + "\" that was never placed");
                }
                off = at - (i + 1);
                if (off != (short) off) {
                    throw new IllegalStateException("jump at instruction " + i + " to \"" + in.target + "\" is too far (" + off + ")");
                }
            }
            b.put((byte) in.code);
            b.put((byte) ((in.src << 4) | in.dst));
            b.putShort((short) off);
            b.putInt(in.imm);
        }
        return b.array();
    }

    /** How many instructions so far. */
    public int size() {
        return insns.size();
    }

    private Asm jump(int code, int reg, int imm, String label) {
        reg(reg);
        insns.add(new Insn(code, reg, 0, 0, imm, label));
        return this;
    }

    private Asm add(int code, int dst, int src, int off, int imm) {
        reg(dst);
        reg(src);
        if (off != (short) off) {
            throw new IllegalArgumentException("offset " + off + " does not fit 16 bits");
        }
        insns.add(new Insn(code, dst, src, off, imm, null));
        return this;
    }

    private static void reg(int r) {
        if (r < 0 || r > R10) {
            throw new IllegalArgumentException("no register r" + r + " (r0..r10)");
        }
    }

    /** The kernel helpers our programs call, numbered as {@code __BPF_FUNC_MAPPER} numbers them. */
    public enum Helper {
        SKB_STORE_BYTES(9),
        SKB_GET_TUNNEL_KEY(20),
        SKB_SET_TUNNEL_KEY(21),
        REDIRECT(23),
        SKB_LOAD_BYTES(26),
        SKB_CHANGE_TAIL(38),
        SKB_CHANGE_HEAD(43);

        final int id;

        Helper(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }
    }
}
