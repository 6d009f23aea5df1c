package org.offloadbridge.revalidator;

import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.flow.DumpedFlow;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowTarget;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.upcall.handler.Ukey;
import org.offloadbridge.upcall.handler.UkeyState;
import org.offloadbridge.upcall.pipeline.Translation;

/**
 * Restart without loss: what a layer still holds from before is taken back instead of being
 * flushed and re-learned. A flow is adopted when it still translates to the same mask and
 * actions and its ufid is the one we would give it (so the next upcall of it finds the ukey);
 * everything else of ours is deleted. MAC learning is first taught from the flows themselves
 * (see {@link #learnFrom}). Adopted ukeys carry policy generation 0, so the first
 * revalidator pass checks them against the current policy and moves any that must move.
 */
final class Adoption {
    private final Revalidators r;

    Adoption(Revalidators r) {
        this.r = r;
    }

    int adopt(FlowTarget target) {
        List<DumpedFlow> held = new ArrayList<>();
        target.dump(held::add);
        learnFrom(held);
        int adopted = 0;
        long now = r.clock.millis();
        for (DumpedFlow f : held) {
            if (r.ukeys.get(f.ufid()) != null) {
                continue;
            }
            Megaflow m = f.megaflow();
            Translation t;
            try {
                t = r.pipeline.translate(m.key(), false);
            } catch (RuntimeException e) {
                t = null;
            }
            boolean same = t != null && t.cacheable() && t.mask().equals(m.mask()) && t.actions().equals(m.actions())
                && m.ufid().equals(Ufid.of(t.key(), t.mask()));
            if (same) {
                Ukey u = new Ukey(m, t.offload(), t.seq(), t.rulesHit(), now);
                u.macLookups(t.macLookups());
                if (r.ukeys.insert(u) == null) {
                    u.adopted(f.layer(), f.stats(), r.ukeys.generation());
                    u.transition(UkeyState.OPERATIONAL);
                    adopted++;
                    r.counters.adopted.increment();
                    continue;
                }
            }
            r.layers.counters().delete(f.layer(), target.delete(f.ufid()));
            r.counters.adoptionDeleted.increment();
        }
        return adopted;
    }

    /**
     * The MAC table is empty after a restart, so a NORMAL flow to a known host would translate to
     * a flood and be deleted as changed — on any bridge of more than two ports, every learned
     * flow. But each NORMAL flow the kernel still holds is proof of what its first packet taught:
     * its eth_src is behind its in_port. Translating those keys with learning on teaches the
     * table exactly that (and nothing from flows whose eth_src is wildcarded), before any of
     * them is judged.
     */
    private void learnFrom(List<DumpedFlow> held) {
        for (DumpedFlow f : held) {
            Megaflow m = f.megaflow();
            if (!m.mask().isExact(Field.ETH_SRC) || !m.mask().isExact(Field.IN_PORT)) {
                continue;
            }
            try {
                r.pipeline.translate(m.key(), true);
            } catch (RuntimeException e) {
                // judged (and deleted) below
            }
        }
    }
}
