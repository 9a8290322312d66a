package io.transferpool.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
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
    // Set once the history is read: cancellations from then on are news worth a log line.
    private volatile boolean live;

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

    /**
     * Reads what is on tp.cancels now before any role starts (so no task of a run cancelled earlier slips
     * through), then follows it.
     */
    public static Cancellations follow(KafkaClients clients) {
        KafkaConsumer<String, byte[]> reader = clients.reader("tp-cancellations-" + ProcessHandle.current().pid());
        Cancellations c = new Cancellations(reader);
        try {
            TopicHistory.replay(reader, Topics.CANCELS, Duration.ofSeconds(30), c::take);
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
        c.live = true;
        c.thread.start();
        return c;
    }

    private void take(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return;
        }
        try {
            add(Json.read(r.value(), Cancellation.class));
        } catch (RuntimeException e) {
            LOG.warnf("Record %d@%d of %s is not a cancellation, skipped: %s", r.partition(), r.offset(),
                    Topics.CANCELS, e.getMessage());
        }
    }

    /** The cancellation of the run with this key (see Topics#runKey), if there is one. */
    public Optional<Cancellation> of(String runKey) {
        return Optional.ofNullable(byKey.get(runKey));
    }

    public void add(Cancellation c) {
        if (byKey.putIfAbsent(c.key(), c) == null && live) {
            LOG.infof("Run %s of job %s is cancelled: %s", c.key(), c.jobId(), c.reason());
        }
    }

    private void follow() {
        try {
            while (running) {
                reader.poll(Duration.ofMillis(500)).forEach(this::take);
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
