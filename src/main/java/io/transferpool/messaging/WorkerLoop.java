package io.transferpool.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one role's consumer: poll, hand each record to the role, commit what the role says is done. A record the
 * role throws on goes to {@code tp.dlq} with the reason and the loop carries on: a bad record never stops a worker.
 * The loop owns its consumer (consumers are single-threaded); {@link #close()} finishes the record in hand,
 * commits and leaves the group.
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
    }

    private final String name;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> dlq;
    private final Counter deadLetters;
    private final Role role;
    private final Thread thread;
    private volatile boolean running = true;
    // Last offsets sent per partition; only the loop thread (and commit callbacks, which run on it) touch it.
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
        consumer.subscribe(topics);
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
        Map<TopicPartition, Long> positions = new HashMap<>();
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : records) {
                    try {
                        role.handle(r);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception | LinkageError e) {
                        deadLetter(r, e);
                    }
                    positions.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                    if (!running) {
                        break;
                    }
                }
                role.afterPoll();
                commit(positions, false);
            }
        } catch (WakeupException e) {
            // close() woke us up: fall through to the final commit.
        } catch (RuntimeException e) {
            LOG.errorf(e, "Worker %s stopped on an unexpected error", name);
        } finally {
            try {
                commit(positions, true);
            } catch (RuntimeException e) {
                LOG.warnf("Worker %s could not commit on the way out: %s", name, e.getMessage());
            }
            consumer.close();
        }
    }

    /**
     * Commits what the role says is done. While running, asynchronously: a lost commit only means a redelivery,
     * which every role tolerates, and a synchronous round trip per task held the extractor idle. Only changed
     * offsets are sent. On the way out, synchronously, before the group is left.
     */
    private void commit(Map<TopicPartition, Long> positions, boolean sync) {
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

    private void deadLetter(ConsumerRecord<String, byte[]> r, Throwable e) {
        String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
        LOG.warnf(e, "Worker %s sent a record of %s-%d@%d to %s: %s", name, r.topic(), r.partition(), r.offset(),
                Topics.DLQ, reason);
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(Topics.DLQ, r.key(), r.value());
        out.headers().add(Topics.ERROR_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.SOURCE_TOPIC_HEADER, r.topic().getBytes(StandardCharsets.UTF_8));
        r.headers().forEach(h -> out.headers().add(h));
        dlq.send(out);
        deadLetters.increment();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(60_000);
    }
}
