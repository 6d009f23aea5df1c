package org.offloadbridge.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.Errno;

/** Loading on this machine's kernel: the verifier accepts a good program and explains a bad one. */
@Tag("host")
class BpfLoadHostTest {

    @Test
    void aGoodProgramLoadsAndItsFdIsOurs() {
        BpfProgram ok = new BpfProgram("ob_test_ok", BpfProgram.Type.SCHED_CLS, new Asm().mov64Imm(Asm.R0, 0).exit().assemble(), "GPL");
        try (ProgramFd fd = Bpf.load(ok)) {
            assertTrue(fd.fd() > 2, "a new fd: " + fd.fd());
            String link = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd.fd())).toString();
            assertEquals("anon_inode:bpf-prog", link);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRefusedProgramSaysWhyInTheVerifiersWords() {
        // Returns r2, which nothing ever wrote.
        BpfProgram bad = new BpfProgram("ob_test_bad", BpfProgram.Type.SCHED_CLS, new Asm().mov64(Asm.R0, Asm.R2).exit().assemble(), "GPL");
        BpfException e = assertThrows(BpfException.class, () -> Bpf.load(bad).close());
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.verifierLog().contains("R2 !read_ok"), e.verifierLog());
        assertTrue(e.getMessage().contains("ob_test_bad (2 instructions)") && e.getMessage().contains("R2 !read_ok"), e.getMessage());

        // Falls off the end: no exit.
        BpfProgram noExit = new BpfProgram("ob_test_noexit", BpfProgram.Type.SCHED_CLS, new Asm().mov64Imm(Asm.R0, 0).assemble(), "GPL");
        BpfException e2 = assertThrows(BpfException.class, () -> Bpf.load(noExit).close());
        assertTrue(e2.getMessage().contains("the verifier said"), e2.getMessage());
    }
}
