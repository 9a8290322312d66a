package io.transferpool.web;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.transferpool.admission.JobIds;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Fills the {@link JobBoard} from the channel {@code job-board}: tp.jobids, tp.status and tp.results, read from
 * their beginnings by a group of this process alone (application.properties), so the board is whole again after a
 * restart and every coordinator shows the same jobs. The channel drives the board whether or not anybody watches;
 * watchers (SSE) are fanned out from the board, which also gives a late watcher the job's current state.
 */
@ApplicationScoped
public class BoardFollower {
    private static final Logger LOG = Logger.getLogger(BoardFollower.class);

    @Inject
    JobBoard board;

    @Inject
    BoardProgress progress;

    @Inject
    @Channel("dlq-out")
    MutinyEmitter<byte[]> deadLetters;

    @Incoming("job-board")
    public void follow(ConsumerRecord<String, byte[]> record) {
        try {
            take(record);
        } finally {
            progress.took(new TopicPartition(record.topic(), record.partition()), record.offset());
        }
    }

    private void take(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone
        }
        try {
            switch (record.topic()) {
                case Topics.JOB_IDS -> board.accepted(Json.read(record.value(), JobIds.Run.class));
                case Topics.STATUS -> board.status(Json.read(record.value(), StatusEvent.class));
                case Topics.RESULTS -> board.result(Json.read(record.value(), JobResult.class));
                default -> LOG.debugf("Record of topic %s ignored", record.topic());
            }
        } catch (RuntimeException e) {
            // One unreadable record (written there by something else) must not stop the board: it goes to
            // tp.dlq with the reason, as the workers' records do (again by every coordinator that reads it).
            LOG.warnf("Record %d@%d of %s dead-lettered: %s", record.partition(), record.offset(), record.topic(),
                    e.getMessage());
            deadLetters.sendMessageAndForget(KafkaRecord.of(record.key(), record.value())
                    .withHeader(Topics.ERROR_HEADER, String.valueOf(e.getMessage()))
                    .withHeader(Topics.SOURCE_TOPIC_HEADER, record.topic()));
        }
    }
}
