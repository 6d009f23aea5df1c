package org.offloadbridge.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Encodings against the kernel's: each expected instruction is what the kernel's own macros
 * ({@code include/linux/filter.h}) produce, as {@code bpftool prog dump xlated opcodes} prints
 * them on a little-endian host.
 */
class AsmTest {

    private static String hex(Asm a) {
        return HexFormat.of().formatHex(a.assemble());
    }

    @Test
    void encodesEachInstructionAsTheKernelMacrosDo() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new AssertionError("the expected bytes below are little-endian; this host is not");
        }
        assertEquals("bf16000000000000", hex(new Asm().mov64(Asm.R6, Asm.R1)), "BPF_MOV64_REG(R6, R1)");
        assertEquals("b700000002000000", hex(new Asm().mov64Imm(Asm.R0, 2)), "BPF_MOV64_IMM(R0, 2)");
        assertEquals("07020000d0ffffff", hex(new Asm().add64Imm(Asm.R2, -48)), "BPF_ALU64_IMM(BPF_ADD, R2, -48)");
        assertEquals("1707000040000000", hex(new Asm().sub64Imm(Asm.R7, 64)), "BPF_ALU64_IMM(BPF_SUB, R7, 64)");
        assertEquals("6167000000000000", hex(new Asm().ldxW(Asm.R7, Asm.R6, 0)), "BPF_LDX_MEM(BPF_W, R7, R6, 0)");
        assertEquals("620ac0ff026f6274", hex(new Asm().stW(Asm.R10, -64, 0x74626f02)), "BPF_ST_MEM(BPF_W, R10, -64, imm)");
        assertEquals("6a0afeff88b50000", hex(new Asm().stH(Asm.R10, -2, 0xb588)), "BPF_ST_MEM(BPF_H, R10, -2, imm)");
        assertEquals("720acfff01000000", hex(new Asm().stB(Asm.R10, -49, 1)), "BPF_ST_MEM(BPF_B, R10, -49, 1)");
        assertEquals("631af8ff00000000", hex(new Asm().stxW(Asm.R10, -8, Asm.R1)), "BPF_STX_MEM(BPF_W, R10, R1, -8)");
        assertEquals("8500000017000000", hex(new Asm().call(Asm.Helper.REDIRECT)), "BPF_EMIT_CALL(bpf_redirect)");
        assertEquals("9500000000000000", hex(new Asm().exit()), "BPF_EXIT_INSN()");
    }

    @Test
    void jumpsCountFromTheNextInstruction() {
        Asm a = new Asm()
            .jeqImm(Asm.R0, 0, "out")   // 0: skips 1 and 2
            .mov64Imm(Asm.R0, 1)        // 1
            .ja("end")                  // 2: skips 3
            .label("out")
            .mov64Imm(Asm.R0, 2)        // 3
            .label("end")
            .exit();                    // 4
        byte[] code = a.assemble();
        assertEquals(5, a.size());
        assertEquals("1500020000000000", HexFormat.of().formatHex(code, 0, 8), "BPF_JMP_IMM(BPF_JEQ, R0, 0, +2)");
        assertEquals("0500010000000000", HexFormat.of().formatHex(code, 16, 24), "BPF_JMP_A(+1)");
        assertArrayEquals(HexFormat.of().parseHex("a507ffff4e000000"), new Asm().label("back").jltImm(Asm.R7, 78, "back").assemble(),
            "a backward jump to itself is -1");
        assertArrayEquals(HexFormat.of().parseHex("5501000049544f42"), new Asm().jneImm(Asm.R1, 0x424f5449, "x").label("x").assemble(),
            "BPF_JMP_IMM(BPF_JNE, R1, imm, +0)");
    }

    @Test
    void refusesWhatCannotBeEncoded() {
        IllegalStateException never = assertThrows(IllegalStateException.class, () -> new Asm().ja("nowhere").assemble());
        assertTrue(never.getMessage().contains("\"nowhere\"") && never.getMessage().contains("instruction 0"), never.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Asm().label("a").label("a"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Asm().mov64(11, 1)).getMessage().contains("r11"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Asm().ldxW(1, 2, 40000)).getMessage().contains("40000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new BpfProgram("ob tnl", BpfProgram.Type.SCHED_CLS,
            new Asm().exit().assemble(), "GPL")).getMessage().contains("[A-Za-z0-9_.]"));
        assertThrows(IllegalArgumentException.class, () -> new BpfProgram("x", BpfProgram.Type.SCHED_CLS, new byte[12], "GPL"));
    }
}
