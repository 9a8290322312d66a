package io.transferpool.train;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.transferpool.features.FeatureCache;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.JobPlan;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.RecordType;
import io.transferpool.messaging.Topics;
import io.transferpool.messaging.TrainerLoad;
import io.transferpool.messaging.TrainerLoads;
import io.transferpool.scheduling.Slots;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;

/**
 * One trainer's side of handing jobs between trainers (README "Sharing the pool"): it says this trainer's load on
 * {@code tp.trainers}, knows the others' ({@link TrainerLoads}), and hands a gathered job to an idle one: the job's
 * rows to the handoff folder of the artifacts volume, a plan saying where to a partition the idle trainer owns,
 * then a mark behind the job's records on its own partition, each acknowledged. Used by the trainer's consumer
 * thread only.
 */
final class JobHandoff {
    private static final Logger LOG = Logger.getLogger(JobHandoff.class);

    private final String trainerId = "trainer-" + ProcessHandle.current().pid() + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    private final TrainerLoads loads;
    private final FeatureCache rows;
    private final Publisher out;
    private final Counter handedOff;
    private final SortedSet<Integer> partitions = new TreeSet<>();
    private TrainerLoad said;
    private long saidAtMillis;

    /**
     * @param loads the trainers' loads; null: this trainer neither says its load nor hands jobs over
     * @param rows  where handed-over rows go ({@link FeatureCache#OFF}: no handoffs)
     */
    JobHandoff(TrainerLoads loads, FeatureCache rows, Publisher out, MeterRegistry metrics) {
        this.loads = loads;
        this.rows = rows;
        this.out = out;
        this.handedOff = Counter.builder("tp.train.handoffs")
                .description("Gathered jobs this trainer handed to an idle trainer").register(metrics);
    }

    /** An idle trainer other than this one, if handoffs are on and one is heard of. */
    Optional<TrainerLoad> idleTrainer(long nowMillis) {
        return loads == null || !rows.enabled() ? Optional.empty() : loads.idleOtherThan(trainerId, nowMillis);
    }

    /**
     * Hands a gathered job to {@code target}; false (nothing changed, the job stays) when its rows or records could
     * not be written. On true the caller lets the job go.
     */
    boolean handOff(JobTracker.Job job, TrainerLoad target) {
        JobAccumulator acc = job.accumulator();
        JobPlan plan = acc.plan();
        String key = null;
        // Never the job's own partition (the target's load may be old): the mark written there below is for the
        // job as gathered here, and must not meet the plan that hands it over.
        List<Integer> to = target.partitions().stream().filter(p -> p != job.partition().partition()).toList();
        if (to.isEmpty()) {
            return false;
        }
        int partition = to.get(Math.floorMod(job.id().hashCode(), to.size()));
        try {
            if (!plan.features().reused()) { // kept features: the target reads them where they are
                key = "handoff-" + UUID.randomUUID();
                rows.keep(key, plan.spec().jobId(), acc.store(FeatureBatch.Split.TRAIN),
                        acc.store(FeatureBatch.Split.TEST), acc.badSamples());
                if (rows.find(key).isEmpty()) {
                    throw new IOException("the rows were not written to " + key);
                }
            }
            JobPlan moved = plan.handedOff(new JobPlan.Handoff(trainerId, key, RunTimings.extraction(acc)));
            out.sendAndWait(Topics.FEATURES, partition, job.id(), Json.bytes(moved), RecordType.PLAN);
            out.sendAndWait(Topics.FEATURES, job.partition().partition(), job.id(),
                    ("handed to " + target.id()).getBytes(StandardCharsets.UTF_8), RecordType.SETTLED);
        } catch (Exception | LinkageError e) {
            LOG.warnf("Job %s stays here: it could not be handed to trainer %s: %s", job.id(), target.id(),
                    e.toString());
            forget(key);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
        LOG.infof("Job %s handed to idle trainer %s (%s-%d)", job.id(), target.id(), Topics.FEATURES, partition);
        handedOff.increment();
        // Taken for busy until it says otherwise, so the next waiting job looks for another.
        loads.put(new TrainerLoad(target.id(), target.slots(), target.busy() + 1, target.waiting(),
                target.partitions(), target.atMillis()));
        return true;
    }

    /** The rows a handed-over job was trained on are no longer needed (its result is out). */
    void trained(JobPlan plan) {
        if (plan.handoff() != null) {
            forget(plan.handoff().features());
        }
    }

    private void forget(String key) {
        if (key == null) {
            return;
        }
        try {
            rows.remove(key);
        } catch (IOException e) {
            LOG.warnf("Handed-over rows %s not removed: %s", key, e.getMessage());
        }
    }

    void assigned(Collection<Integer> given) {
        partitions.addAll(given);
    }

    void revoked(Collection<Integer> taken) {
        partitions.removeAll(taken);
    }

    /** Says this trainer's load on tp.trainers when it changed, and every few seconds anyway. */
    void sayLoad(Slots slots, long nowMillis) {
        if (loads == null) {
            return;
        }
        TrainerLoad load = new TrainerLoad(trainerId, slots.slots(), slots.busy(), slots.waiting(),
                List.copyOf(partitions), nowMillis);
        if (load.sameAs(said) && nowMillis - saidAtMillis < TrainerLoads.HEARTBEAT.toMillis()) {
            return;
        }
        said = load;
        saidAtMillis = nowMillis;
        loads.put(load);
        out.send(Topics.TRAINERS, trainerId, Json.bytes(load), null);
    }

    /** This trainer stops: its load comes off tp.trainers (a tombstone), so nobody hands it a job. */
    void close() {
        if (loads == null) {
            return;
        }
        try {
            out.send(Topics.TRAINERS, trainerId, null, null).get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debugf("This trainer's load was not taken off %s: %s", Topics.TRAINERS, e.toString());
        }
    }
}
