package org.offloadbridge.revalidator;

import java.util.concurrent.atomic.LongAdder;
import org.offloadbridge.upcall.handler.FixedHistogram;

/**
 * The revalidators' counters ({@code LongAdder}s); {@link #snapshot()} reads them as one record,
 * {@link #roundDurations()} is how long each round took.
 */
public final class RevalidatorCounters {
    final LongAdder rounds = new LongAdder();
    final LongAdder dumped = new LongAdder();
    final LongAdder kept = new LongAdder();
    final LongAdder modified = new LongAdder();
    final LongAdder moved = new LongAdder();
    final LongAdder retranslateDeleted = new LongAdder();
    final LongAdder idleExpired = new LongAdder();
    final LongAdder overLimitEvicted = new LongAdder();
    final LongAdder missingReinstalled = new LongAdder();
    final LongAdder missingDropped = new LongAdder();
    final LongAdder extraDeleted = new LongAdder();
    final LongAdder eventsRestored = new LongAdder();
    final LongAdder eventsIgnored = new LongAdder();
    final LongAdder resyncs = new LongAdder();
    final LongAdder adopted = new LongAdder();
    final LongAdder adoptionDeleted = new LongAdder();
    final LongAdder slowPathPlaced = new LongAdder();
    final LongAdder deviceLost = new LongAdder();
    final LongAdder promoted = new LongAdder();
    final LongAdder promotionsTried = new LongAdder();
    final LongAdder capacityPromoted = new LongAdder();
    final LongAdder capacityDemoted = new LongAdder();
    final LongAdder layerErrors = new LongAdder();
    final LongAdder untouched = new LongAdder();
    /**
     * Rounds, from the leader's dump to the last revalidator done, 1 ms to 10 s. 1 s, 1.3 s and
     * 2 s are bounds because the flow limit reacts there ({@code FlowLimit}).
     */
    final FixedHistogram roundDurations = new FixedHistogram(
        FixedHistogram.millis(1), FixedHistogram.millis(5), FixedHistogram.millis(10), FixedHistogram.millis(25),
        FixedHistogram.millis(50), FixedHistogram.millis(100), FixedHistogram.millis(250), FixedHistogram.millis(500),
        FixedHistogram.millis(1000), FixedHistogram.millis(1300), FixedHistogram.millis(2000), FixedHistogram.millis(5000),
        FixedHistogram.millis(10_000));

    /** How long rounds took (millisecond resolution: the revalidators' clock). */
    public FixedHistogram roundDurations() {
        return roundDurations;
    }

    /**
     * @param rounds             revalidation rounds completed
     * @param dumped             flows seen in dumps
     * @param kept               re-translations that changed nothing
     * @param modified           re-translations whose new actions were modified in place (counters kept)
     * @param moved              flows moved between layers (make-before-break), incl. policy changes
     * @param retranslateDeleted flows deleted because their re-translation needs a field their mask wildcards (too wide now), or failed
     * @param idleExpired        flows deleted after max-idle without traffic
     * @param overLimitEvicted   flows evicted because the table was over twice the flow limit
     * @param missingReinstalled ukeys whose flow had vanished from its layer, put back
     * @param missingDropped     ukeys whose flow had vanished and that were idle anyway, dropped
     * @param extraDeleted       flows of ours in a layer with no ukey (or in a second layer), deleted
     * @param eventsRestored     flows deleted behind our back, noticed from an event and put back
     * @param eventsIgnored      deletion events for flows that were still there or not ours to restore
     * @param resyncs            full resyncs asked for (ENOBUFS on the event socket, a full event queue)
     * @param adopted            flows found at start that became ukeys again
     * @param adoptionDeleted    flows found at start that no longer translate the same, deleted
     * @param slowPathPlaced     placements (moves, reinstalls) that found no layer: the slow path
     * @param layerErrors        dumps or calls that threw (a broken layer)
     * @param deviceLost         flows the NIC lost on its own (in_hw, but no hardware counters), placed again
     * @param promoted           flows that had fallen back from hardware (full, refused) and are in it now
     * @param promotionsTried    hardware retries of such flows, landed or not
     * @param capacityPromoted   flows capacity-aware placement moved into NIC hardware
     * @param capacityDemoted    flows capacity-aware placement moved out of it (colder, or best-effort over the watermark)
     * @param untouched          flows made before a change that touched nothing they depend on (MAC entries they never
     *                           looked up), current again without a re-translation
     */
    public record Values(long rounds, long dumped, long kept, long modified, long moved, long retranslateDeleted,
                         long idleExpired, long overLimitEvicted, long missingReinstalled, long missingDropped,
                         long extraDeleted, long eventsRestored, long eventsIgnored, long resyncs, long adopted,
                         long adoptionDeleted, long slowPathPlaced, long layerErrors, long deviceLost, long promoted,
                         long promotionsTried, long capacityPromoted, long capacityDemoted, long untouched) {}

    public Values snapshot() {
        return new Values(rounds.sum(), dumped.sum(), kept.sum(), modified.sum(), moved.sum(), retranslateDeleted.sum(),
            idleExpired.sum(), overLimitEvicted.sum(), missingReinstalled.sum(), missingDropped.sum(), extraDeleted.sum(),
            eventsRestored.sum(), eventsIgnored.sum(), resyncs.sum(), adopted.sum(), adoptionDeleted.sum(),
            slowPathPlaced.sum(), layerErrors.sum(), deviceLost.sum(), promoted.sum(), promotionsTried.sum(),
            capacityPromoted.sum(), capacityDemoted.sum(), untouched.sum());
    }
}
