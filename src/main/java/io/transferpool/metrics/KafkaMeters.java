package io.transferpool.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Kafka's own client metrics as {@code kafka_*} meters, limited to the ones a dashboard needs (consumer lag per
 * topic and partition, records and bytes moved, rebalances, send errors and latency): a client has some 200
 * metrics, most with names Prometheus' conventions reject ({@code *_time_ns_total}). Partition-level metrics
 * (the lag) only exist once partitions are assigned, so the binders look for new ones every 5 seconds.
 */
public final class KafkaMeters {
    static final List<String> KEPT = List.of("kafka.consumer.fetch.manager.records.lag",
            "kafka.consumer.fetch.manager.records.consumed", "kafka.consumer.fetch.manager.bytes.consumed",
            "kafka.consumer.coordinator.rebalance", "kafka.consumer.coordinator.assigned.partitions",
            "kafka.producer.record.send", "kafka.producer.record.error", "kafka.producer.outgoing.byte",
            "kafka.producer.request.latency");
    private static final Duration REFRESH = Duration.ofSeconds(5);
    private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tp-kafka-metrics");
        t.setDaemon(true);
        return t;
    });

    private KafkaMeters() {
    }

    /** Keeps the {@link #KEPT} Kafka meters and denies the other {@code kafka.*} ones. */
    public static MeterFilter filter() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(io.micrometer.core.instrument.Meter.Id id) {
                if (!id.getName().startsWith("kafka.")) {
                    return MeterFilterReply.NEUTRAL;
                }
                return KEPT.stream().anyMatch(id.getName()::startsWith) ? MeterFilterReply.NEUTRAL
                        : MeterFilterReply.DENY;
            }
        };
    }

    public static AutoCloseable bind(Consumer<?, ?> consumer, MeterRegistry registry) {
        KafkaClientMetrics m = new KafkaClientMetrics(consumer, List.of(), SCHEDULER, REFRESH);
        m.bindTo(registry);
        return m;
    }

    public static AutoCloseable bind(Producer<?, ?> producer, MeterRegistry registry) {
        KafkaClientMetrics m = new KafkaClientMetrics(producer, List.of(), SCHEDULER, REFRESH);
        m.bindTo(registry);
        return m;
    }
}
