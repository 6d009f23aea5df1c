package org.offloadbridge.upcall.handler;

import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.upcall.pipeline.Translation;

/** The one place this package reads a pipeline type that is moving. */
public final class Translations {
    private Translations() {}

    /** The translation's offload preference in flow's vocabulary. */
    public static OffloadPreference preference(Translation t) {
        // MERGE: once Translation.offload() is flow.OffloadPreference this is just `return t.offload();`
        return OffloadPreference.parse(t.offload().text());
    }
}
