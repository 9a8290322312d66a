package io.transferpool.scheduling;

import io.smallrye.config.WithDefault;

import java.util.Map;
import java.util.OptionalInt;

/**
 * How jobs share the pool ({@code tp.scheduling.*}, README "Sharing the pool"): per owner, a weight and a cap, e.g.
 * {@code tp.scheduling.owners.alice.weight=2}, {@code tp.scheduling.owners.batch.cap=1}.
 */
public interface SchedulingConfig {
    /** Owners given a weight or a cap; every other owner has weight 1 and no cap. */
    Map<String, Owner> owners();

    /** One owner's share. */
    interface Owner {
        /** Served this many times as often as an owner of weight 1 while both have work waiting. */
        @WithDefault("1")
        double weight();

        /** The most training slots this owner's jobs hold at once on one trainer (unset: no cap). */
        OptionalInt cap();
    }
}
