package org.offloadbridge.upcall.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.upcall.handler.UkeyState.CREATED;
import static org.offloadbridge.upcall.handler.UkeyState.DELETED;
import static org.offloadbridge.upcall.handler.UkeyState.EVICTED;
import static org.offloadbridge.upcall.handler.UkeyState.EVICTING;
import static org.offloadbridge.upcall.handler.UkeyState.OPERATIONAL;
import static org.offloadbridge.upcall.handler.UkeyState.VISIBLE;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.OffloadPreference;

/** The ukey life cycle: one way only, every other change refused. */
class UkeyStateTest {
    static final Set<List<UkeyState>> ALLOWED = Set.of(
        List.of(CREATED, VISIBLE), List.of(CREATED, DELETED),
        List.of(VISIBLE, OPERATIONAL), List.of(VISIBLE, EVICTED),
        List.of(OPERATIONAL, EVICTING), List.of(EVICTING, EVICTED), List.of(EVICTED, DELETED));

    static Ukey ukey(int src) {
        return new Ukey(TestPipelines.exact(1, src, TestPipelines.output(2)), OffloadPreference.PREFERRED, 1, List.of(), 0);
    }

    @Test
    void theTableIsExactlyTheDocumentedOne() {
        for (UkeyState from : UkeyState.values()) {
            for (UkeyState to : UkeyState.values()) {
                assertEquals(ALLOWED.contains(List.of(from, to)), from.canMoveTo(to), from + " -> " + to);
            }
        }
    }

    @Test
    void theWholeLifeInOrder() {
        UkeyTable t = new UkeyTable(4);
        Ukey u = ukey(1);
        assertEquals(CREATED, u.state());
        assertNull(t.insert(u));
        assertEquals(VISIBLE, u.state());
        assertSame(u, t.get(u.ufid()));
        u.transition(OPERATIONAL);
        u.transition(EVICTING);
        u.transition(EVICTED);
        t.remove(u);
        assertEquals(DELETED, u.state());
        assertNull(t.get(u.ufid()));
        assertEquals(0, t.size());
    }

    @Test
    void illegalChangesAreRefusedNamingBothStates() {
        Ukey u = ukey(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> u.transition(OPERATIONAL));
        assertTrue(e.getMessage().contains("CREATED -> OPERATIONAL"), e.getMessage());
        u.transition(VISIBLE);
        u.transition(OPERATIONAL);
        assertThrows(IllegalStateException.class, () -> u.transition(VISIBLE), "never backwards");
        assertThrows(IllegalStateException.class, () -> u.transition(EVICTED), "evicting comes first");
        assertEquals(OPERATIONAL, u.state(), "a refused change changes nothing");
    }

    @Test
    void theSecondInsertOfAUfidLosesAndIsDeleted() {
        UkeyTable t = new UkeyTable(4);
        Ukey a = ukey(3);
        Ukey b = ukey(3);
        assertNull(t.insert(a));
        assertSame(a, t.insert(b));
        assertEquals(DELETED, b.state());
        assertEquals(VISIBLE, a.state());
        assertEquals(1, t.size());
    }

    @Test
    void shardsArePowersOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new UkeyTable(3));
        UkeyTable t = new UkeyTable(8);
        for (int i = 0; i < 100; i++) {
            int s = t.shardOf(ukey(i).ufid());
            assertTrue(s >= 0 && s < 8);
        }
    }
}
