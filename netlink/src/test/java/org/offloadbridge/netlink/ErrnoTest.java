package org.offloadbridge.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void valuesAreTheLinuxNumbersAndMapBothSigns() {
        assertEquals(Errno.EEXIST, Errno.of(17));
        assertEquals(Errno.EOPNOTSUPP, Errno.of(-95));
        assertEquals(Errno.ENOBUFS, Errno.of(105));
        assertEquals(Errno.ENOTSUPP, Errno.of(524));
        assertEquals(Errno.UNKNOWN, Errno.of(4000));
        assertEquals(Errno.UNKNOWN, Errno.of(Integer.MIN_VALUE + 1));
        Set<Integer> seen = new HashSet<>();
        for (Errno e : Errno.values()) {
            assertTrue(seen.add(e.value()), "duplicate value " + e.value());
            if (e != Errno.UNKNOWN) {
                assertEquals(e, Errno.of(e.value()));
            }
        }
    }

    @Test
    void describeGivesNameAndNumber() {
        assertEquals("ECONNREFUSED (errno 111)", Errno.describe(111));
        assertEquals("ENOENT (errno 2)", Errno.describe(-2));
        assertEquals("errno 4000", Errno.describe(4000));
    }

    @Test
    void exceptionMessageNamesOperationErrnoTextOffsetAndIndex() {
        NetlinkException e = new NetlinkException("add flower filter on f0", -2, "TC classifier not found", 36, 7);
        assertEquals("add flower filter on f0: ENOENT (No such file or directory): TC classifier not found"
                + " [offending attribute at byte 36 of the request] [request #7 of the batch]", e.getMessage());
        assertEquals(2, e.errnoValue());
        assertEquals(Errno.ENOENT, e.errno());
        NetlinkException raw = new NetlinkException("sendmsg", 4000);
        assertEquals("sendmsg: errno 4000", raw.getMessage());
    }

    /** Found by fuzzing (fuzz/: NetlinkRepliesFuzzTest): an error of INT_MIN, whose abs() stays negative, indexed the table with it. */
    @Test
    void intMinIsUnknown() {
        assertEquals(Errno.UNKNOWN, Errno.of(Integer.MIN_VALUE));
    }
}
