package io.transferpool.train;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.JobPlan;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.ShardDone;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.Topics;
import io.transferpool.messaging.WorkerLoop;
import io.transferpool.metrics.TrainingMetrics;
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


/**
 * Reads {@code tp.features}: gathers each job's plan, feature batches and shard-done marks into the
 * {@link JobTracker}, reports extraction progress, and once a job is complete trains it on a separate thread (so
 * the consumer keeps polling) and publishes the result, acknowledged, before letting the job go. Offsets are held
 * back to the plan of the oldest unfinished job on each partition: a trainer that dies mid-job gets the whole job
 * again, and sample ids make the replay harmless. A job whose partition moves away, or that is cancelled, is
 * dropped: its features are freed, its training stops at the next epoch and publishes nothing.
 */
public final class TrainerRole implements WorkerLoop.Role, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TrainerRole.class);
    /** Records kept for jobs whose plan has not arrived, over all such jobs. */
    static final long ORPHAN_BYTES = 64L << 20;
    private static final long RESULT_RETRY_MILLIS = 5_000;

    private final Path spillDir;
    private final long heapLimitBytes;
    private final TrainingRun training;
    private final Publisher out;
    private final TrainingMetrics metrics;
    private final Counter orphanRecords;
    private final JobTracker tracker = new JobTracker(ORPHAN_BYTES);
    // Consumer-thread state: trainings under way or done but not yet published (by attempt: a dropped attempt may
    // still be stopping when the same job starts again here).
    private final Map<JobTracker.Job, Training> running = new HashMap<>();
    private final ExecutorService trainer = Executors.newSingleThreadExecutor(r -> new Thread(r, "tp-training"));

    /** A training under way (or done, its result not yet published), when its job was submitted, when to retry. */
    private static final class Training {
        final Future<JobResult> result;
        final long submittedAtMillis;
        long retryAt;

        Training(Future<JobResult> result, long submittedAtMillis) {
            this.result = result;
            this.submittedAtMillis = submittedAtMillis;
        }
    }

    public TrainerRole(Path spillDir, long heapLimitBytes, TrainingRun training, Publisher out, MeterRegistry metrics) {
        this.spillDir = spillDir;
        this.heapLimitBytes = heapLimitBytes;
        this.training = training;
        this.out = out;
        this.metrics = new TrainingMetrics(metrics, () -> tracker.count(JobTracker.State.GATHERING),
                () -> tracker.count(JobTracker.State.TRAINING));
        this.orphanRecords = Counter.builder("tp.train.orphan.records")
                .description("Records for a job whose plan this trainer had not seen").register(metrics);
    }

    @Override
    public void handle(ConsumerRecord<String, byte[]> record) {
        String type = Publisher.type(record.headers());
        String jobId = record.key();
        if (Topics.PLAN.equals(type)) {
            JobPlan plan = Json.read(record.value(), JobPlan.class);
            JobAccumulator acc = new JobAccumulator(plan, heapLimitBytes, spillDir);
            if (tracker.gather(plan, acc, new TopicPartition(record.topic(), record.partition()), record.offset())
                    != null) {
                tracker.takeOrphans(jobId).forEach(this::gathered);
            }
        } else if (Topics.CANCEL.equals(type)) {
            if (tracker.cancel(jobId)) {
                LOG.infof("Job %s dropped: %s", jobId, new String(record.value(), StandardCharsets.UTF_8));
            }
        } else if (Topics.FEATURE_BATCH.equals(type) || Topics.SHARD_DONE.equals(type)) {
            gathered(record);
        } else {
            throw new IllegalArgumentException("record of unknown type " + type + " on " + Topics.FEATURES);
        }
    }

    /** A feature batch or shard-done mark: added to its job, or kept until the job's plan arrives. */
    private void gathered(ConsumerRecord<String, byte[]> record) {
        String jobId = record.key();
        JobTracker.Job job = tracker.gathering(jobId);
        if (job == null) {
            if (!tracker.known(jobId)) {
                orphanRecords.increment();
                if (!tracker.keepsOrphans(jobId)) {
                    LOG.warnf("Record %s-%d@%d of job %s arrived before the job's plan; its records are kept until "
                            + "the plan comes", record.topic(), record.partition(), record.offset(), jobId);
                }
                tracker.keepOrphan(record).forEach(evicted -> LOG.warnf("Records of job %s let go: its plan did not "
                        + "come before %d MB of such records piled up", evicted, ORPHAN_BYTES >> 20));
            }
            return;
        }
        JobAccumulator acc = job.accumulator();
        if (Topics.FEATURE_BATCH.equals(Publisher.type(record.headers()))) {
            acc.accept(FeatureBatch.decode(record.value()));
            return;
        }
        ShardDone done = Json.read(record.value(), ShardDone.class);
        if (acc.accept(done)) {
            progress(jobId, acc);
        }
        if (acc.complete()) {
            LOG.infof("Job %s: all %d shards in, training", jobId, acc.shardsTotal());
            tracker.startTraining(job);
            metrics.jobStarted(jobId);
            running.put(job, new Training(trainer.submit(() -> train(job)), acc.plan().submittedAtMillis()));
        }
    }

    private void progress(String jobId, JobAccumulator acc) {
        int n = acc.store(FeatureBatch.Split.TRAIN).size() + acc.store(FeatureBatch.Split.TEST).size();
        double rate = n / Math.max(1e-9, acc.extractionSeconds());
        out.status(new StatusEvent(jobId, "extracting", "shard " + acc.shardsDone() + "/" + acc.shardsTotal(),
                acc.shardsDone(), acc.shardsTotal(), rate, null, null, null, System.currentTimeMillis()));
    }

    private JobResult train(JobTracker.Job job) {
        JobAccumulator acc = job.accumulator();
        String jobId = job.id();
        long[] epochStart = {System.nanoTime()};
        // Samples trained per epoch: the training split less the validation hold-out.
        int trainSamples = (int) Math.round(acc.store(FeatureBatch.Split.TRAIN).size()
                * (1 - acc.plan().spec().data().validationSplit()));
        EpochListener listener = new EpochListener() {
            @Override
            public void epochDone(JobResult.EpochMetrics m, int max) {
                long now = System.nanoTime();
                metrics.epochDone(jobId, m, trainSamples, Duration.ofNanos(now - epochStart[0]));
                epochStart[0] = now;
                out.status(new StatusEvent(jobId, "training", String.format("epoch %d: loss %.4f, val accuracy %.4f",
                        m.epoch(), m.loss(), m.valAccuracy()), null, null, null, m.epoch(), max, m.valAccuracy(),
                        System.currentTimeMillis()));
            }

            @Override
            public boolean cancelled() {
                return job.dropped();
            }
        };
        try {
            return training.run(acc, listener);
        } catch (CancellationException e) {
            throw e;
        } catch (Exception | LinkageError e) {
            LOG.errorf(e, "Training job %s failed", jobId);
            return JobResult.failed(jobId, List.of(new FieldError("training",
                    e.getClass().getSimpleName() + ": " + e.getMessage())), null);
        } finally {
            acc.close();
        }
    }

    @Override
    public void afterPoll() {
        long now = System.currentTimeMillis();
        for (Iterator<Map.Entry<JobTracker.Job, Training>> it = running.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<JobTracker.Job, Training> e = it.next();
            JobTracker.Job job = e.getKey();
            Training t = e.getValue();
            if (!t.result.isDone() || t.retryAt > now) {
                continue;
            }
            if (job.dropped()) {
                LOG.infof("Job %s was dropped while training; this trainer publishes no result for it", job.id());
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
                result = JobResult.failed(job.id(), List.of(new FieldError("training",
                        String.valueOf(ex.getCause()))), null);
            }
            result = result.withSubmission(job.accumulator().plan().submission());
            if (!publish(result)) {
                t.retryAt = now + RESULT_RETRY_MILLIS;
                continue;
            }
            it.remove();
            metrics.jobFinished(result, Duration.ofMillis(now - t.submittedAtMillis));
            tracker.finished(job);
            try {
                training.checkpoints(job.accumulator().plan()).clear();
            } catch (java.io.IOException ex) {
                LOG.warnf("Checkpoints of job %s not removed: %s", job.id(), ex.getMessage());
            }
        }
    }

    /** The final status, then the result, acknowledged; false (the job stays held) if it could not be written. */
    private boolean publish(JobResult result) {
        boolean ok = result.status() == JobResult.Status.SUCCEEDED;
        String summary = ok && result.metrics().test() != null
                ? String.format("test accuracy %.4f", result.metrics().test().accuracy())
                : result.errors().isEmpty() ? "" : result.errors().get(0).toString();
        try {
            // The final status goes out before the result, so a client that stops at the result has seen it.
            out.status(StatusEvent.of(result.jobId(), ok ? "done" : "failed", summary)).get();
            out.result(result).get();
            LOG.infof("Job %s: result %s published", result.jobId(), result.status());
            return true;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException ex) {
            LOG.errorf("The result of job %s could not be published (%s); the job stays held and the result is sent "
                    + "again in %d s", result.jobId(), ex.getCause().getMessage(), RESULT_RETRY_MILLIS / 1000);
            return false;
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, Long> positions) {
        return tracker.committable(positions);
    }

    @Override
    public void revoked(Collection<TopicPartition> partitions) {
        List<String> dropped = tracker.dropAll(partitions);
        if (!dropped.isEmpty()) {
            LOG.infof("Jobs %s dropped: their partitions moved to another trainer, which takes them over", dropped);
        }
    }

    @Override
    public void close() {
        trainer.shutdownNow();
        tracker.close();
    }
}
