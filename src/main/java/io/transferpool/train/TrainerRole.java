package io.transferpool.train;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.transferpool.features.HeapBudget;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobResult;
import io.transferpool.job.Limits;
import io.transferpool.messaging.Cancellations;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.JobPlan;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.RecordType;
import io.transferpool.messaging.ShardDone;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.Topics;
import io.transferpool.messaging.TrainerLoads;
import io.transferpool.messaging.WorkerLoop;
import io.transferpool.metrics.QueueMeters;
import io.transferpool.scheduling.SlotPolicy;
import io.transferpool.scheduling.Slots;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;


/**
 * Reads {@code tp.features}: gathers each job's plan, feature batches and shard-done marks into the
 * {@link JobTracker}, reports extraction progress, and once a job is complete trains it on a thread of its own (so
 * the consumer keeps polling) and publishes the result, acknowledged, before letting the job go. Jobs take turns
 * with the trainer's {@link Slots}: a job holds a slot for a quantum, then yields it at a batch boundary to a
 * waiting job and waits for its next turn, paused in memory (README "Sharing the pool"); waiting jobs are told
 * their place in line. Offsets are held
 * back to the plan of the oldest unfinished job on each partition: a trainer that dies mid-job gets the whole job
 * again, and sample ids make the replay harmless. A job whose partition moves away, or that is cancelled, is
 * dropped: its features are freed, its training stops at the next epoch and publishes nothing.
 */
public final class TrainerRole implements WorkerLoop.Role, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TrainerRole.class);
    /** Records kept for jobs whose plan has not arrived, over all such jobs. */
    static final long ORPHAN_BYTES = 64L << 20;

    private final Path spillDir;
    private final HeapBudget heap;
    private final TrainingRun training;
    private final Publisher out;
    private final TrainingMetrics metrics;
    private final Counter orphanRecords;
    private final JobAnswers answers;
    private final JobTracker tracker = new JobTracker(ORPHAN_BYTES);
    // Consumer-thread state: trainings under way or done but not yet published (by attempt: a dropped attempt may
    // still be stopping when the same job starts again here).
    private final Map<JobTracker.Job, Training> running = new HashMap<>();
    // A thread per job in training: a job waiting for its turn blocks its own thread, not the others'.
    private final ExecutorService trainer = Executors.newCachedThreadPool(new java.util.concurrent.ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            return new Thread(r, "tp-training-" + n.incrementAndGet());
        }
    });
    private final Slots slots;
    private final JobHandoff handoff;
    private final Limits limits;
    private final Cancellations cancellations;

    /**
     * @param limits        the time limits of gathering a job's shards and of training it
     * @param cancellations the cancelled runs: stopped at their next batch, answered CANCELLED
     * @param slots         how jobs share this trainer: slots, quantum, owners' shares
     * @param loads         the trainers' loads (tp.trainers), to hand waiting jobs to idle ones; null: this trainer
     *                      neither says its load nor hands jobs over
     */
    public TrainerRole(Path spillDir, long heapLimitBytes, TrainingRun training, Publisher out, MeterRegistry metrics,
                       Limits limits, Cancellations cancellations, SlotPolicy slots, TrainerLoads loads) {
        this.handoff = new JobHandoff(loads, training.handoffs(), out, metrics);
        QueueMeters queue = QueueMeters.register(metrics, "train", this::waitingJobs);
        this.slots = new Slots(slots, (ticket, waited) -> queue.waited(waited));
        this.limits = limits;
        this.cancellations = cancellations;
        this.spillDir = spillDir;
        this.heap = new HeapBudget(heapLimitBytes);
        this.training = training;
        this.out = out;
        this.metrics = new TrainingMetrics(metrics, () -> tracker.count(JobTracker.State.GATHERING),
                () -> tracker.count(JobTracker.State.TRAINING));
        this.orphanRecords = Counter.builder("tp.train.orphan.records")
                .description("Records for a job whose plan this trainer had not seen").register(metrics);
        this.answers = new JobAnswers(out, new ResultPublisher(out, metrics), tracker, this.metrics, cancellations,
                limits);
    }

    @Override
    public void handle(ConsumerRecord<String, byte[]> record) {
        RecordType type = RecordType.of(record.headers());
        String key = record.key();
        if (type == RecordType.PLAN) {
            JobPlan plan = Json.read(record.value(), JobPlan.class);
            if (!plan.key().equals(key)) {
                // Records are routed by key: a plan under another key would never see its features.
                throw new IllegalArgumentException("plan of job " + plan.key() + " arrived under key " + key);
            }
            JobAccumulator acc = new JobAccumulator(plan, heap, spillDir);
            JobTracker.Job job = tracker.gather(plan, acc, new TopicPartition(record.topic(), record.partition()),
                    record.offset());
            if (job != null) {
                tracker.takeOrphans(key).forEach(r -> gathered(r, RecordType.of(r.headers())));
                // A job whose features are kept from an earlier one has no shards: it trains at once.
                startIfComplete(job);
            }
        } else if (type == RecordType.SETTLED) {
            // Behind a job's records on the partition its plan came from: answered or handed over. A trainer reading
            // the partition again lets the job go; a job held from another partition (a plan handed here) is not it.
            JobTracker.Job held = tracker.held(key);
            if (held != null && held.partition().equals(new TopicPartition(record.topic(), record.partition()))) {
                tracker.handedOff(key);
                slots.wake();
                LOG.infof("Job %s let go: %s", key, new String(record.value(), StandardCharsets.UTF_8));
            }
        } else if (type == RecordType.JOB_DROPPED) {
            if (tracker.cancel(key)) {
                LOG.infof("Job %s dropped: %s", key, new String(record.value(), StandardCharsets.UTF_8));
            }
        } else if (type == RecordType.FEATURE_BATCH || type == RecordType.SHARD_DONE) {
            gathered(record, type);
        } else {
            throw new IllegalArgumentException("record without a " + RecordType.HEADER + " header on "
                    + Topics.FEATURES);
        }
    }

    /** A feature batch or shard-done mark: added to its job, or kept until the job's plan arrives. */
    private void gathered(ConsumerRecord<String, byte[]> record, RecordType type) {
        String key = record.key();
        JobTracker.Job job = tracker.gathering(key);
        if (job == null) {
            if (!tracker.known(key)) {
                orphanRecords.increment();
                if (!tracker.keepsOrphans(key)) {
                    LOG.warnf("Record %s-%d@%d of job %s arrived before the job's plan; its records are kept until "
                            + "the plan comes", record.topic(), record.partition(), record.offset(), key);
                }
                tracker.keepOrphan(record).forEach(evicted -> LOG.warnf("Records of job %s let go: its plan did not "
                        + "come before %d MB of such records piled up", evicted, ORPHAN_BYTES >> 20));
            }
            return;
        }
        JobAccumulator acc = job.accumulator();
        FeatureBatch batch = null;
        ShardDone done = null;
        long ingestStart = System.nanoTime();
        try {
            if (type == RecordType.FEATURE_BATCH) {
                batch = FeatureBatch.decode(record.value());
            } else {
                done = Json.read(record.value(), ShardDone.class);
            }
        } catch (RuntimeException e) {
            // The job cannot complete without this record: it fails now, saying why, instead of waiting for ever;
            // the record itself goes to tp.dlq (rethrown).
            answers.fail(job, "features", "a record of this job on " + Topics.FEATURES + " (" + record.partition() + "@"
                    + record.offset() + ") could not be read: " + e.getMessage());
            throw e;
        }
        long decoded = System.nanoTime();
        boolean newShard;
        try {
            if (batch != null) {
                acc.consumed(decoded - ingestStart);
                acc.accept(batch);
                acc.ingested(System.nanoTime() - ingestStart);
                return;
            }
            newShard = acc.accept(done);
        } catch (IllegalArgumentException e) {
            answers.fail(job, "features", "a record of this job on " + Topics.FEATURES + " (" + record.partition() + "@"
                    + record.offset() + ") does not fit its plan: " + e.getMessage());
            throw e;
        }
        if (newShard) {
            progress(job.jobId(), acc);
        }
        startIfComplete(job);
    }

    private void startIfComplete(JobTracker.Job job) {
        JobAccumulator acc = job.accumulator();
        if (job.state() != JobTracker.State.GATHERING || !acc.complete()) {
            return;
        }
        LOG.infof("Job %s: %s, training", job.id(), acc.plan().handoff() != null
                ? "handed over by trainer " + acc.plan().handoff().from() : acc.plan().features().reused()
                ? "features kept from an earlier job" : "all " + acc.shardsTotal() + " shards in");
        tracker.startTraining(job);
        metrics.jobStarted(job.id());
        // Samples trained per epoch: the training split less the validation hold-out.
        int trainSamples = (int) Math.round(acc.store(FeatureBatch.Split.TRAIN).size()
                * (1 - acc.plan().spec().data().validationSplit()));
        Slots.Ticket slot = slots.enter(job.id(), acc.plan().spec().owner());
        Training t = new Training(slot, new TrainingProgress(job, out, metrics, cancellations, trainSamples, slot,
                (ahead, epochs) -> reportWaiting(job, ahead, epochs)), acc.plan().submission().submittedAtMillis());
        running.put(job, t);
        int ahead = slot.placeInLine();
        if (ahead >= 0) {
            t.aheadReported = ahead;
            reportWaiting(job, ahead, 0);
        }
        t.result = trainer.submit(() -> train(job, t));
    }

    /** A job waits for a training slot: where it stands in line (from the consumer or its training thread). */
    private void reportWaiting(JobTracker.Job job, int ahead, int epochsTrained) {
        out.status(StatusEvent.waiting(job.jobId(), "training", ahead, slots.expectedWait(ahead).toMillis() / 1e3,
                epochsTrained == 0 ? null : epochsTrained));
    }

    private int waitingJobs() {
        return slots.waiting();
    }

    private void progress(String jobId, JobAccumulator acc) {
        int n = acc.store(FeatureBatch.Split.TRAIN).size() + acc.store(FeatureBatch.Split.TEST).size();
        double rate = n / Math.max(1e-9, acc.extractionSeconds());
        out.status(StatusEvent.extracting(jobId, acc.shardsDone(), acc.shardsTotal(), rate));
    }

    private JobResult train(JobTracker.Job job, Training t) throws InterruptedException {
        JobAccumulator acc = job.accumulator();
        String jobId = job.jobId();
        TrainingProgress listener = t.progress;
        try {
            t.slot.acquire(listener::stopped);
            if (t.aheadReported >= 0) {
                out.status(StatusEvent.of(jobId, Stage.TRAINING, "training: its turn came"));
            }
            return training.run(acc, listener);
        } catch (CancellationException e) {
            if (job.timedOut() && !job.dropped()) {
                return JobResult.failed(jobId, List.of(new FieldError("training", "stopped after this pool's limit "
                        + "of " + limits.trainingTimeout().toSeconds() + " s of training (tp.limits.training-timeout)")),
                        null);
            }
            var cancel = cancellations.of(job.id());
            if (cancel.isPresent() && !job.dropped()) {
                List<JobResult.EpochMetrics> done = listener.epochs();
                return JobResult.cancelled(jobId, cancel.get().reason(), new JobResult.Metrics(done,
                        null, "cancelled after " + done.size() + " epoch(s)", null, null, Map.of()));
            }
            throw e;
        } catch (Exception | LinkageError e) {
            LOG.errorf(e, "Training job %s failed", jobId);
            return JobResult.failed(jobId, List.of(new FieldError("training",
                    e.getClass().getSimpleName() + ": " + e.getMessage())), null);
        } finally {
            t.slot.leave();
            acc.close();
        }
    }

    @Override
    public void afterPoll() {
        long now = System.currentTimeMillis();
        handOffWaitingJobs(now);
        handoff.sayLoad(slots, now);
        answers.endStalledOrCancelled();
        reportPlacesInLine();
        for (Iterator<Map.Entry<JobTracker.Job, Training>> it = running.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<JobTracker.Job, Training> e = it.next();
            JobTracker.Job job = e.getKey();
            Training t = e.getValue();
            if (!t.result.isDone() && t.slot.held().compareTo(limits.trainingTimeout()) > 0) {
                job.timeOut(); // only the time it held a slot counts: waiting for its turn is not training
            }
            if (!t.result.isDone() || t.retryAt > now) {
                continue;
            }
            if (job.dropped()) {
                if (t.handedOff) {
                    LOG.debugf("Job %s let go here: it was handed to another trainer", job.id());
                } else {
                    LOG.infof("Job %s was dropped while training; this trainer publishes no result for it", job.id());
                }
                it.remove();
                metrics.jobDropped(job.id());
                tracker.finished(job);
                continue;
            }
            JobResult result;
            try {
                result = t.result.get();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | CancellationException ex) {
                result = JobResult.failed(job.jobId(), List.of(new FieldError("training",
                        String.valueOf(ex.getCause()))), null);
            }
            JobPlan plan = job.accumulator().plan();
            result = plan.answer(result);
            if (!answers.publish(result)) {
                t.retryAt = now + ResultPublisher.RETRY_MILLIS;
                continue;
            }
            answers.markSettled(job, result);
            it.remove();
            metrics.jobFinished(job.id(), result, Duration.ofMillis(now - t.submittedAtMillis));
            tracker.finished(job);
            handoff.trained(job.accumulator().plan());
            try {
                training.checkpoints(job.accumulator().plan()).clear();
            } catch (java.io.IOException ex) {
                LOG.warnf("Checkpoints of job %s not removed: %s", job.id(), ex.getMessage());
            }
        }
    }

    /**
     * Hands jobs that wait here for their first turn to idle trainers (README "Sharing the pool"): the job's rows go
     * to the handoff folder of the artifacts volume, a plan saying where goes to a partition the idle trainer owns,
     * and a mark behind the job's records on its own partition, so a trainer reading them again lets the job go.
     * Only then is the job let go here (its offsets with it). A job handed over once is not handed over again.
     */
    private void handOffWaitingJobs(long now) {
        for (var e : running.entrySet()) {
            JobTracker.Job job = e.getKey();
            Training t = e.getValue();
            if (t.handedOff || job.dropped() || job.accumulator().plan().handoff() != null
                    || !job.accumulator().extractErrors().isEmpty() || t.slot.placeInLine() < 0) {
                continue;
            }
            var target = handoff.idleTrainer(now);
            if (target.isEmpty()) {
                return;
            }
            if (!t.slot.withdraw()) {
                continue;
            }
            if (handoff.handOff(job, target.get())) {
                t.handedOff = true;
                out.status(StatusEvent.of(job.jobId(), Stage.WAITING, "handed to an idle trainer"));
                tracker.handedOff(job.id()); // let go here: its thread stops waiting, its offsets move on
                slots.wake();
            } else {
                t.slot.restore();
            }
        }
    }

    /** Tells each job waiting for a slot its place in line, when it changed since it was last told. */
    private void reportPlacesInLine() {
        if (running.isEmpty()) {
            return;
        }
        List<Slots.Ticket> line = slots.line();
        if (line.isEmpty()) {
            return;
        }
        Map<Slots.Ticket, Integer> ahead = new java.util.IdentityHashMap<>();
        for (int i = 0; i < line.size(); i++) {
            ahead.put(line.get(i), i);
        }
        for (var e : running.entrySet()) {
            Training t = e.getValue();
            Integer n = ahead.get(t.slot);
            if (n == null || n == t.aheadReported || e.getKey().dropped()) {
                continue;
            }
            t.aheadReported = n;
            reportWaiting(e.getKey(), n, t.progress.epochsTrained());
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, Long> positions) {
        return tracker.committable(positions);
    }

    @Override
    public void assigned(Collection<TopicPartition> given) {
        handoff.assigned(given.stream().map(TopicPartition::partition).toList());
    }

    @Override
    public void revoked(Collection<TopicPartition> partitions) {
        handoff.revoked(partitions.stream().map(TopicPartition::partition).toList());
        List<String> dropped = tracker.dropAll(partitions);
        slots.wake(); // dropped jobs waiting for a slot leave the line now
        if (!dropped.isEmpty()) {
            LOG.infof("Jobs %s dropped: their partitions moved to another trainer, which takes them over", dropped);
        }
    }

    @Override
    public void close() {
        handoff.close();
        trainer.shutdownNow();
        tracker.close();
    }
}
