package io.transferpool.coordinator;

import io.transferpool.admission.JobIds;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.TopicHistory;
import io.transferpool.messaging.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.jboss.logging.Logger;

import java.time.Duration;
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
        try (KafkaConsumer<String, byte[]> reader = readers.get()) {
            ids.clear();
            TopicHistory.replay(reader, Topics.JOB_IDS, timeout, r -> {
                if (r.value() == null) {
                    return;
                }
                try {
                    ids.accepted(Json.read(r.value(), JobIds.Run.class));
                } catch (RuntimeException e) {
                    // Only coordinators write here; one unreadable record must not stop every job.
                    LOG.warnf("Record %d@%d of %s is not a job id record, skipped: %s", r.partition(),
                            r.offset(), Topics.JOB_IDS, e.getMessage());
                }
            });
        }
    }
}
