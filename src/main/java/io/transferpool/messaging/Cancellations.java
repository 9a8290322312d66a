package io.transferpool.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

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
    private TopicFollower follower;
    // Set once the history is read: cancellations from then on are news worth a log line.
    private volatile boolean live;

    /** No follower: only what {@link #add} is given (tests, and processes without extractor or trainer). */
    public Cancellations() {
    }

    /**
     * Reads what is on tp.cancels now before any role starts (so no task of a run cancelled earlier slips
     * through), then follows it.
     */
    public static Cancellations follow(KafkaClients clients) {
        Cancellations c = new Cancellations();
        c.follower = TopicFollower.start(clients, Topics.CANCELS, c::take, () -> c.live = true);
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

    @Override
    public void close() throws InterruptedException {
        if (follower != null) {
            follower.close();
        }
    }
}
