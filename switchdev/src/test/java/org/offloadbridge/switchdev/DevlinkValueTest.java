package org.offloadbridge.switchdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DevlinkValueTest {
    @Test
    void everyModeRoundTripsThroughValueAndLabel() {
        for (EswitchMode m : EswitchMode.values()) {
            assertEquals(m, EswitchMode.ofValue(m.value()));
            assertEquals(m, EswitchMode.ofLabel(m.label()));
        }
        for (EswitchInlineMode m : EswitchInlineMode.values()) {
            assertEquals(m, EswitchInlineMode.ofValue(m.value()));
            assertEquals(m, EswitchInlineMode.ofLabel(m.label()));
        }
        for (EswitchEncapMode m : EswitchEncapMode.values()) {
            assertEquals(m, EswitchEncapMode.ofValue(m.value()));
            assertEquals(m, EswitchEncapMode.ofLabel(m.label()));
        }
    }

    @Test
    void unknownWordsListTheChoicesAsDevlinkUsersTypeThem() {
        assertEquals("unknown eswitch mode 'swichdev' (want legacy or switchdev)",
                assertThrows(IllegalArgumentException.class, () -> EswitchMode.ofLabel("swichdev")).getMessage());
        assertEquals("unknown inline mode 'l2' (want none, link, network or transport)",
                assertThrows(IllegalArgumentException.class, () -> EswitchInlineMode.ofLabel("l2")).getMessage());
        assertEquals("unknown devlink eswitch encap mode 7",
                assertThrows(IllegalArgumentException.class, () -> EswitchEncapMode.ofValue(7)).getMessage());
    }
}
