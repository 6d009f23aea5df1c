package org.offloadbridge.switchdev;

import java.util.Objects;

/**
 * Something discovery could not read or could not make sense of, kept in the model so an
 * operator sees it instead of a silently missing port.
 *
 * @param where the sysfs path, devlink handle or netdev concerned
 * @param what  what went wrong, with the kernel's own words where it gave any
 */
public record Problem(String where, String what) {
    public Problem {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(what, "what");
    }

    @Override
    public String toString() {
        return where + ": " + what;
    }
}
