package io.transferpool.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Runs one role's consumer: poll, hand each record to the role, commit what the role says is done. A record counts
 * as done only when every send its handling caused is acknowledged ({@link SendScope}). A record the role throws
 * on, or whose sends failed, goes to {@code tp.dlq} with the reason and the loop carries on: a bad record never
 * stops a worker. If even the dead letter cannot be written, the loop stops without committing past that record
 * (the liveness probe then fails and the process is restarted). On a rebalance the loop commits what is done for
 * the partitions it loses and tells the role, which gives up their unfinished work. The loop owns its consumer
 * (consumers are single-threaded); {@link #close()} lets it finish the record in hand, commit and leave the group.
 */
public final class WorkerLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WorkerLoop.class);

    /** What a role does with its records. */
    public interface Role {
        void handle(ConsumerRecord<String, byte[]> record) throws Exception;

        /** Called after each poll, also when it returned nothing: time-based work (finished trainings). */
        default void afterPoll() {
        }

        /**
         * Offsets safe to commit, given the positions after the records handled so far. Roles that finish work
         * later than they receive it (the trainer) hold offsets back to the first record of unfinished work.
         */
        default Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, Long> positions) {
            Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
            positions.forEach((tp, offset) -> out.put(tp, new OffsetAndMetadata(offset)));
            return out;
        }

        /**
         * These partitions now belong to another member (after their done work was committed): drop whatever
         * unfinished work came from them; the new owner redoes it from the committed offsets.
         */
        default void revoked(Collection<TopicPartition> partitions) {
        }

        /** These partitions were given to this member (state kept elsewhere may have changed meanwhile). */
        default void assigned(Collection<TopicPartition> partitions) {
        }

        /**
         * True while the role has work in hand from records already handled (an extractor's tasks read ahead): the
         * loop then polls without waiting, so that work goes on between polls.
         */
        default boolean hasWork() {
            return false;
        }

        /** True while the role holds as much read-ahead work as it may: the loop stops fetching until it is not. */
        default boolean readAheadFull() {
            return false;
        }
    }

    /**
     * Thrown by {@link Role#afterPoll} when the work of an earlier record failed for good (its sends were not
     * acknowledged): the record goes to {@code tp.dlq} with the cause, as a record {@code handle} threw on would,
     * then {@code deadLettered} runs (the role lets the record's offset go).
     */
    public static final class RecordFailed extends RuntimeException {
        private final transient ConsumerRecord<String, byte[]> record;
        private final transient Runnable deadLettered;

        public RecordFailed(ConsumerRecord<String, byte[]> record, Throwable cause, Runnable deadLettered) {
            super(cause.getMessage(), cause);
            this.record = record;
            this.deadLettered = deadLettered;
        }
    }

    /** The dead letter itself could not be written: stop rather than commit past a record nobody handled. */
    private static final class CannotDeadLetter extends RuntimeException {
        CannotDeadLetter(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String name;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> dlq;
    private final Counter deadLetters;
    private final Role role;
    private final Thread thread;
    private volatile boolean running = true;
    // Loop-thread state (rebalance callbacks and commit callbacks run on it too): positions after the records
    // handled, and the last offsets sent per partition.
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();

    public WorkerLoop(String name, KafkaConsumer<String, byte[]> consumer, List<String> topics,
                      KafkaProducer<String, byte[]> dlq, Role role) {
        this(name, consumer, topics, dlq, role, new SimpleMeterRegistry());
    }

    /** @param metrics where {@code tp_dlq_records_total{worker}} counts the records this loop dead-letters */
    public WorkerLoop(String name, KafkaConsumer<String, byte[]> consumer, List<String> topics,
                      KafkaProducer<String, byte[]> dlq, Role role, MeterRegistry metrics) {
        this.deadLetters = Counter.builder("tp.dlq.records").tag("worker", name)
                .description("Records sent to tp.dlq because the worker could not process them").register(metrics);
        this.name = name;
        this.consumer = consumer;
        this.dlq = dlq;
        this.role = role;
        consumer.subscribe(topics, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                handOver(partitions, true);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                // Already owned by another member: nothing may be committed for them any more.
                handOver(partitions, false);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    LOG.infof("Worker %s assigned %s", name, partitions);
                    role.assigned(partitions);
                }
            }
        });
        this.thread = new Thread(this::run, "tp-" + name);
    }

    /** False once the loop's thread has ended (stopped, or died of an error no record caused). */
    public boolean alive() {
        return thread.isAlive();
    }

    public WorkerLoop start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (running) {
                if (role.readAheadFull()) {
                    consumer.pause(consumer.assignment());
                } else if (!consumer.paused().isEmpty()) {
                    consumer.resume(consumer.paused());
                }
                ConsumerRecords<String, byte[]> records = consumer.poll(role.hasWork() ? Duration.ZERO
                        : Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : records) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    try (SendScope sends = SendScope.open()) {
                        role.handle(r);
                        sends.awaitAll();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception | LinkageError | OutOfMemoryError | StackOverflowError e) {
                        // Also an allocation a record provoked: dead-lettered, so a restart does not meet it again.
                        deadLetter(r, e);
                    }
                    positions.put(tp, r.offset() + 1);
                    if (!running) {
                        break;
                    }
                }
                try (SendScope sends = SendScope.open()) {
                    role.afterPoll();
                    sends.awaitAll();
                } catch (SendScope.SendFailedException e) {
                    LOG.errorf("Worker %s: %s", name, e.getMessage());
                } catch (RecordFailed e) {
                    deadLetter(e.record, e.getCause());
                    e.deadLettered.run();
                }
                commit(false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Worker %s stopped on an unexpected error", name);
        } finally {
            try {
                commit(true);
            } catch (RuntimeException e) {
                LOG.warnf("Worker %s could not commit on the way out: %s", name, e.getMessage());
            }
            consumer.close();
        }
    }

    /** Rebalance: commit what is done for the partitions going away (if still ours), then the role lets go. */
    private void handOver(Collection<TopicPartition> partitions, boolean stillOwned) {
        if (partitions.isEmpty()) {
            return;
        }
        if (stillOwned) {
            Map<TopicPartition, OffsetAndMetadata> offsets = role.committable(positions);
            offsets.keySet().retainAll(partitions);
            try {
                if (!offsets.isEmpty()) {
                    consumer.commitSync(offsets);
                }
            } catch (RuntimeException e) {
                LOG.warnf("Worker %s could not commit %s before handing them over: %s", name, partitions,
                        e.getMessage());
            }
        }
        LOG.infof("Worker %s hands over %s", name, partitions);
        role.revoked(partitions);
        partitions.forEach(p -> {
            positions.remove(p);
            committed.remove(p);
        });
    }

    /**
     * Commits what the role says is done. While running, asynchronously: a lost commit only means a redelivery,
     * which every role tolerates, and a synchronous round trip per task held the extractor idle. Only changed
     * offsets are sent. On the way out, synchronously, before the group is left.
     */
    private void commit(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = role.committable(positions);
        offsets.keySet().retainAll(consumer.assignment());
        if (sync) {
            if (!offsets.isEmpty()) {
                consumer.commitSync(offsets);
            }
            return;
        }
        offsets.entrySet().removeIf(e -> e.getValue().equals(committed.get(e.getKey())));
        if (!offsets.isEmpty()) {
            committed.putAll(offsets);
            consumer.commitAsync(offsets, (done, error) -> {
                if (error != null) {
                    LOG.debugf("Worker %s: commit failed (%s); the records will be redelivered", name, error.getMessage());
                    done.keySet().forEach(committed::remove);
                }
            });
        }
    }

    /** Writes the record to tp.dlq with the reason and waits for it; throws if even that fails. */
    private void deadLetter(ConsumerRecord<String, byte[]> r, Throwable e) throws InterruptedException {
        String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
        LOG.warnf(e, "Worker %s sends a record of %s-%d@%d to %s: %s", name, r.topic(), r.partition(), r.offset(),
                Topics.DLQ, reason);
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(Topics.DLQ, r.key(), r.value());
        out.headers().add(Topics.ERROR_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.SOURCE_TOPIC_HEADER, r.topic().getBytes(StandardCharsets.UTF_8));
        r.headers().forEach(h -> out.headers().add(h));
        try {
            dlq.send(out).get();
        } catch (ExecutionException | RuntimeException ex) {
            Throwable cause = ex instanceof ExecutionException ? ex.getCause() : ex;
            throw new CannotDeadLetter("cannot write " + r.topic() + "-" + r.partition() + "@" + r.offset() + " to "
                    + Topics.DLQ + " (" + cause.getMessage() + ") after: " + reason, cause);
        }
        deadLetters.increment();
    }

    /** Stops polling; the record in hand is finished and committed, then the group is left. */
    @Override
    public void close() throws InterruptedException {
        // No consumer.wakeup(): it would fire inside the final synchronous commit. Polls return within 200 ms.
        running = false;
        thread.join(60_000);
    }
}
