package io.transferpool.scheduling;

import java.time.Duration;

/**
 * How a worker's {@link Slots} are shared: how many, how long work keeps one before it yields to waiting work, and
 * the owners' shares.
 */
public record SlotPolicy(int slots, Duration quantum, OwnerShares shares) {
    public SlotPolicy {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, got " + slots);
        }
        if (quantum.isNegative()) {
            throw new IllegalArgumentException("quantum must not be negative, got " + quantum);
        }
    }

    /** One slot, a second's quantum, owners alike. */
    public static SlotPolicy single() {
        return new SlotPolicy(1, Duration.ofSeconds(1), OwnerShares.EQUAL);
    }
}
