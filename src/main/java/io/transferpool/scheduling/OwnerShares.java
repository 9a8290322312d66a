package io.transferpool.scheduling;

import java.util.Map;

/**
 * How the pool's capacity is shared among owners: each owner's weight (an owner of weight 2 is served twice as
 * often as one of weight 1 while both wait) and cap (the most units of capacity, training slots on one trainer, its
 * jobs hold at once). Owners not named have weight 1 and no cap. Immutable.
 */
public final class OwnerShares {
    /** Every owner alike: weight 1, no cap. */
    public static final OwnerShares EQUAL = new OwnerShares(Map.of());

    /** One owner's weight and cap ({@link Integer#MAX_VALUE}: none). */
    public record Share(double weight, int cap) {
        public Share {
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weight must be a positive number, got " + weight);
            }
            if (cap < 1) {
                throw new IllegalArgumentException("cap must be at least 1, got " + cap);
            }
        }
    }

    private static final Share DEFAULT = new Share(1, Integer.MAX_VALUE);
    private final Map<String, Share> shares;

    private OwnerShares(Map<String, Share> shares) {
        this.shares = Map.copyOf(shares);
    }

    public static OwnerShares of(Map<String, Share> shares) {
        return shares.isEmpty() ? EQUAL : new OwnerShares(shares);
    }

    /** From the configuration ({@code tp.scheduling.owners.*}); a bad value names its key. */
    public static OwnerShares of(SchedulingConfig config) {
        Map<String, Share> out = new java.util.HashMap<>();
        config.owners().forEach((owner, c) -> {
            try {
                out.put(owner, new Share(c.weight(), c.cap().orElse(Integer.MAX_VALUE)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tp.scheduling.owners." + owner + ": " + e.getMessage(), e);
            }
        });
        return of(out);
    }

    public Share of(String owner) {
        return shares.getOrDefault(owner, DEFAULT);
    }

    public double weight(String owner) {
        return of(owner).weight();
    }

    public int cap(String owner) {
        return of(owner).cap();
    }
}
