package io.transferpool.features;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap that feature rows of all the jobs one trainer holds may take together ({@code tp.train.spill-threshold-
 * bytes}). A store that cannot reserve room for its next row moves all its rows to disk and gives its share back,
 * so heap stays flat in the size and number of jobs. Thread-safe: stores fill on the trainer's thread and are
 * closed from training threads.
 */
public final class HeapBudget {
    /** Row bytes the default budget allows: a quarter of the maximum heap, at most 512 MiB. */
    public static long defaultLimit() {
        return Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public HeapBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code bytes} of the budget if they fit; false (nothing taken) otherwise. */
    boolean reserve(long bytes) {
        long now;
        do {
            now = used.get();
            if (now + bytes > limit) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        return true;
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return used.get();
    }
}
