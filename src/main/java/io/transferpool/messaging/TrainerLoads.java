package io.transferpool.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The trainers' loads as {@code tp.trainers} says them (read whole, then followed): which trainer could take a
 * job now. A load older than {@link #FRESH} is ignored (its trainer died without a tombstone, or is stuck).
 */
public final class TrainerLoads implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TrainerLoads.class);
    /** How often a trainer says its load when it did not change. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(2);
    /** How long a load counts. */
    public static final Duration FRESH = HEARTBEAT.multipliedBy(5);

    // Written by the follower thread (or a test), read by the trainer's loop.
    private final Map<String, TrainerLoad> byId = new ConcurrentHashMap<>();
    private TopicFollower follower;

    /** Loads given by {@link #put} only (tests). */
    public TrainerLoads() {
    }

    public static TrainerLoads follow(KafkaClients clients) {
        TrainerLoads loads = new TrainerLoads();
        loads.follower = TopicFollower.start(clients, Topics.TRAINERS, loads::take, () -> { });
        return loads;
    }

    private void take(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return;
        }
        if (r.value() == null) {
            byId.remove(r.key());
            return;
        }
        try {
            put(Json.read(r.value(), TrainerLoad.class));
        } catch (RuntimeException e) {
            LOG.warnf("Record %d@%d of %s is not a trainer's load, skipped: %s", r.partition(), r.offset(),
                    Topics.TRAINERS, e.getMessage());
        }
    }

    public void put(TrainerLoad load) {
        byId.put(load.id(), load);
    }

    /**
     * The idle trainer other than {@code self} with the most free slots (then the one heard of last), if any:
     * where a job waiting here would train at once.
     */
    public Optional<TrainerLoad> idleOtherThan(String self, long nowMillis) {
        return byId.values().stream()
                .filter(l -> !l.id().equals(self) && l.idle() && nowMillis - l.atMillis() <= FRESH.toMillis())
                .max(Comparator.comparingInt((TrainerLoad l) -> l.slots() - l.busy())
                        .thenComparingLong(TrainerLoad::atMillis));
    }

    @Override
    public void close() throws InterruptedException {
        if (follower != null) {
            follower.close();
        }
    }
}
