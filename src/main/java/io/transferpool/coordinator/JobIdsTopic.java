package io.transferpool.coordinator;

import io.transferpool.messaging.Json;
import io.transferpool.messaging.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Reads tp.jobids from its start to its current end into a {@link JobIds}. */
public final class JobIdsTopic {
    private static final Logger LOG = Logger.getLogger(JobIdsTopic.class);
    private final Supplier<KafkaConsumer<String, byte[]>> readers;
    private final Duration timeout;

    /** @param readers makes a consumer outside any group (it is assigned the topic's partitions and closed) */
    public JobIdsTopic(Supplier<KafkaConsumer<String, byte[]>> readers, Duration timeout) {
        this.readers = readers;
        this.timeout = timeout;
    }

    /** Replaces what {@code ids} knows with the topic's content; throws when the topic cannot be read in time. */
    public void load(JobIds ids) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> reader = readers.get()) {
            List<TopicPartition> partitions = reader.partitionsFor(Topics.JOB_IDS, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + Topics.JOB_IDS + " has no partitions");
            }
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = reader.endOffsets(partitions, timeout);
            ids.clear();
            while (end.entrySet().stream().anyMatch(e -> reader.position(e.getKey(), timeout) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.JOB_IDS + " to its end within "
                            + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue;
                    }
                    try {
                        ids.accepted(Json.read(r.value(), JobIds.Run.class));
                    } catch (RuntimeException e) {
                        // Only coordinators write here; one unreadable record must not stop every job.
                        LOG.warnf("Record %d@%d of %s is not a job id record, skipped: %s", r.partition(),
                                r.offset(), Topics.JOB_IDS, e.getMessage());
                    }
                }
            }
        }
    }
}
