package io.transferpool.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cancelled runs a worker knows of: tp.cancels read from its beginning, then followed, on a thread of its own
 * outside any group (every worker needs every cancellation, and a role's loop may be busy with a shard or a
 * training for minutes). Extractors skip shards of a cancelled run; trainers stop it at the next batch.
 */
public final class Cancellations implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Cancellations.class);

    // Written by the follower thread, read by the roles' threads.
    private final Map<String, Cancellation> byKey = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> reader;
    private final Thread thread;
    private volatile boolean running = true;

    /** No follower: only what {@link #add} is given (tests, and processes without extractor or trainer). */
    public Cancellations() {
        this.reader = null;
        this.thread = null;
    }

    private Cancellations(KafkaConsumer<String, byte[]> reader) {
        this.reader = reader;
        this.thread = new Thread(this::follow, "tp-cancellations");
        this.thread.setDaemon(true);
    }

    public static Cancellations follow(KafkaClients clients) {
        KafkaConsumer<String, byte[]> reader = clients.reader("tp-cancellations-" + ProcessHandle.current().pid());
        var partitions = reader.partitionsFor(Topics.CANCELS, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        reader.assign(partitions);
        reader.seekToBeginning(partitions);
        Cancellations c = new Cancellations(reader);
        c.catchUp(partitions, Duration.ofSeconds(30));
        c.thread.start();
        return c;
    }

    /** Reads what is on the topic now before any role starts, so no task of a run cancelled earlier slips through. */
    private void catchUp(List<TopicPartition> partitions, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> end = reader.endOffsets(partitions, timeout);
        while (end.entrySet().stream().anyMatch(e -> reader.position(e.getKey(), timeout) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                reader.close();
                throw new IllegalStateException("could not read " + Topics.CANCELS + " to its end within "
                        + timeout.toSeconds() + " s");
            }
            take(reader.poll(Duration.ofMillis(200)));
        }
    }

    private void take(Iterable<ConsumerRecord<String, byte[]>> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.value() == null) {
                continue;
            }
            try {
                add(Json.read(r.value(), Cancellation.class));
            } catch (RuntimeException e) {
                LOG.warnf("Record %d@%d of %s is not a cancellation, skipped: %s", r.partition(), r.offset(),
                        Topics.CANCELS, e.getMessage());
            }
        }
    }

    /** The cancellation of the run with this key (see Topics#runKey), if there is one. */
    public Optional<Cancellation> of(String runKey) {
        return Optional.ofNullable(byKey.get(runKey));
    }

    public void add(Cancellation c) {
        if (byKey.putIfAbsent(c.key(), c) == null) {
            LOG.infof("Run %s of job %s is cancelled: %s", c.key(), c.jobId(), c.reason());
        }
    }

    private void follow() {
        try {
            while (running) {
                take(reader.poll(Duration.ofMillis(500)));
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "Following %s stopped: cancellations made from now on are not seen here", Topics.CANCELS);
        } finally {
            reader.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (thread == null) {
            return;
        }
        running = false;
        reader.wakeup();
        thread.join(10_000);
    }
}
