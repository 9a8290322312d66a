package io.transferpool.messaging;

import java.util.List;

/**
 * A trainer's load on {@code tp.trainers}, keyed by its id: its training slots, how many hold a job, how many jobs
 * wait for one, and the {@code tp.features} partitions it owns (where a job handed to it goes). Sent when it changes
 * and every few seconds; a trainer not heard of for a while is taken for gone.
 */
public record TrainerLoad(String id, int slots, int busy, int waiting, List<Integer> partitions, long atMillis) {
    public TrainerLoad {
        partitions = List.copyOf(partitions);
    }

    /** True when a job handed to it would train at once: a free slot, nobody waiting, a partition to send it to. */
    public boolean idle() {
        return busy < slots && waiting == 0 && !partitions.isEmpty();
    }

    /** The same load, as of another time. */
    public TrainerLoad at(long millis) {
        return new TrainerLoad(id, slots, busy, waiting, partitions, millis);
    }

    /** True when it says the same as {@code other}, whenever it was sent. */
    public boolean sameAs(TrainerLoad other) {
        return other != null && at(0).equals(other.at(0));
    }
}
