package io.transferpool.train;

import io.transferpool.job.FieldError;
import io.transferpool.job.JobResult;
import io.transferpool.job.Limits;
import io.transferpool.messaging.Cancellations;
import io.transferpool.messaging.JobPlan;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.RecordType;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.Topics;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * How a trainer answers a job it holds: the result, then a {@code settled} mark behind the job's records, then the
 * job let go. And the jobs being gathered that end before training: cancelled, or waiting too long for a shard.
 * Used on the consumer thread only (the {@link TrainerRole}'s).
 */
final class JobAnswers {
    private static final Logger LOG = Logger.getLogger(JobAnswers.class);

    private final Publisher out;
    private final ResultPublisher results;
    private final JobTracker tracker;
    private final TrainingMetrics metrics;
    private final Cancellations cancellations;
    private final Limits limits;

    JobAnswers(Publisher out, ResultPublisher results, JobTracker tracker, TrainingMetrics metrics,
               Cancellations cancellations, Limits limits) {
        this.out = out;
        this.results = results;
        this.tracker = tracker;
        this.metrics = metrics;
        this.cancellations = cancellations;
        this.limits = limits;
    }

    /** Publishes a result and waits for it; false when it could not be written (tried again after a poll). */
    boolean publish(JobResult result) {
        return results.publish(result);
    }

    /**
     * Behind the job's records on the partition its plan came from: it is answered. Jobs finish out of order (turns,
     * handoffs) while offsets are held back to the oldest unfinished plan, so a trainer that reads the partition
     * again after a rebalance may meet this job's records: it lets the job go at this mark instead of answering it
     * twice. Not waited for: without it, the job is answered again and the first result counts.
     */
    void markSettled(JobTracker.Job job, JobResult result) {
        out.send(Topics.FEATURES, job.partition().partition(), job.id(),
                ("answered " + result.status()).getBytes(StandardCharsets.UTF_8), RecordType.SETTLED);
    }

    /** Fails a job being gathered: its result goes out now and the job is let go. */
    void fail(JobTracker.Job job, String field, String reason) {
        LOG.errorf("Job %s failed: %s", job.id(), reason);
        out.status(StatusEvent.of(job.jobId(), Stage.FAILED, reason));
        JobResult failed = failure(job, field, reason);
        out.result(failed);
        markSettled(job, failed);
        tracker.cancel(job.id());
        metrics.jobDropped(job.id());
    }

    /** Answers a job that stops being gathered, once its result is acknowledged (else after the next poll). */
    private void drop(JobTracker.Job job, JobResult result) {
        if (results.publish(result)) {
            markSettled(job, result);
            tracker.cancel(job.id());
            metrics.jobDropped(job.id());
        }
    }

    private static JobResult failure(JobTracker.Job job, String field, String reason) {
        return job.accumulator().plan().answer(JobResult.failed(job.jobId(), List.of(new FieldError(field, reason)),
                null));
    }

    /** The jobs being gathered that were cancelled, or whose shards stopped coming, are answered and let go. */
    void endStalledOrCancelled() {
        for (JobTracker.Job job : tracker.gatheringJobs()) {
            var cancel = cancellations.of(job.id());
            if (cancel.isPresent()) {
                // Skipped shards never come: the job is answered now with what was extracted so far.
                JobAccumulator acc = job.accumulator();
                JobPlan plan = acc.plan();
                drop(job, plan.answer(JobResult.cancelled(job.jobId(), cancel.get().reason(), new JobResult.Metrics(
                        List.of(), null, "cancelled while extracting: " + acc.shardsDone() + " of "
                        + acc.shardsTotal() + " shards in", null, null, Map.of()))));
                continue;
            }
            if (job.accumulator().idleNanos() > limits.shardArrivalTimeout().toNanos()) {
                // Waiting longer would hold the partition's offsets for ever: the job fails and lets them go.
                String reason = "no shard of this job arrived for " + limits.shardArrivalTimeout().toSeconds()
                        + " s (tp.limits.shard-arrival-timeout); still missing: "
                        + String.join(", ", job.accumulator().missingShards());
                LOG.errorf("Job %s failed: %s", job.id(), reason);
                drop(job, failure(job, "features", reason));
            }
        }
    }
}
