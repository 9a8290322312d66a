package io.transferpool.kernels;

import java.util.stream.IntStream;

/**
 * Work over {@code [0, n)} cut into contiguous parts that run on the common fork-join pool and the calling thread
 * (every core: the pool has one thread fewer than the machine), for kernels over activations in Java loops.
 */
final class Parts {
    /** What one part does with its range. */
    interface Range {
        void run(long from, long to);
    }

    private Parts() {
    }

    /** Runs {@code range} over parts of {@code n} units, each at least {@code minUnits} long, in parallel. */
    static void run(long n, long minUnits, Range range) {
        int parts = (int) Math.max(1, Math.min(4L * Runtime.getRuntime().availableProcessors(), n / minUnits));
        IntStream s = IntStream.range(0, parts);
        (parts > 1 ? s.parallel() : s).forEach(p -> range.run(n * p / parts, n * (p + 1) / parts));
    }
}
