package io.transferpool.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The meters of one stage's queue, the same for every stage: {@code tp_queue_length{stage}} (work waiting now on
 * this worker) and {@code tp_queue_wait_seconds{stage}} (a histogram of how long work waited for its first turn;
 * alert TransferPoolQueueWaitHigh). Stages: {@code extract} (a shard for an extractor), {@code train} (a job for a
 * training slot).
 */
public final class QueueMeters {
    private final Timer waits;

    private QueueMeters(Timer waits) {
        this.waits = waits;
    }

    public static QueueMeters register(MeterRegistry registry, String stage, Supplier<Number> length) {
        Gauge.builder("tp.queue.length", length, s -> s.get().doubleValue()).tag("stage", stage)
                .description("Work waiting for its turn on this worker, by stage").register(registry);
        return new QueueMeters(Timer.builder("tp.queue.wait").tag("stage", stage)
                .description("How long work waited for its first turn, by stage")
                .publishPercentileHistogram().register(registry));
    }

    public void waited(Duration d) {
        waits.record(d);
    }
}
