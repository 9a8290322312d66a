package io.transferpool;

import java.time.Duration;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.fail;

/**
 * The one way tests wait: poll a probe until it answers, and fail naming what was awaited when it does not in
 * time. Never a fixed sleep: a test waits for a positive signal (a record, a committed offset, a status, a count)
 * and then asserts.
 */
public final class Await {
    private static final long FIRST_PAUSE_MILLIS = 20;
    private static final long MAX_PAUSE_MILLIS = 250;

    private Await() {
    }

    /** A check that may throw (an HTTP call, a topic read). */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /** Polls until {@code condition} is true; fails with {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, Probe<Boolean> condition) throws Exception {
        until(() -> what, timeout, condition);
    }

    /** As {@link #until(String, Duration, Probe)}, the description made when it fails (e.g. with the last state). */
    public static void until(Supplier<String> what, Duration timeout, Probe<Boolean> condition) throws Exception {
        value(what, timeout, () -> Boolean.TRUE.equals(condition.get()) ? Boolean.TRUE : null);
    }

    /**
     * Polls until {@code probe} returns something other than null and returns it; fails with {@code what} after
     * {@code timeout}.
     */
    public static <T> T value(String what, Duration timeout, Probe<T> probe) throws Exception {
        return value(() -> what, timeout, probe);
    }

    /** As {@link #value(String, Duration, Probe)}, the description made when it fails (e.g. with the last state). */
    public static <T> T value(Supplier<String> what, Duration timeout, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                return fail("waited " + timeout.toMillis() + " ms for " + what.get());
            }
            Thread.sleep(pause);
            pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
        }
    }
}
