package io.transferpool.coordinator;

import io.micrometer.core.instrument.MeterRegistry;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobRejectedException;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.SendScope;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.Topics;
import io.transferpool.messaging.WorkerLoop;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads jobs from {@code tp.jobs}: rejects bad ones with a result that lists every error, plans good ones
 * (the plan to {@code tp.features}, one task per shard to {@code tp.extract}) and reports them queued.
 */
public final class CoordinatorRole implements WorkerLoop.Role {
    private static final Logger LOG = Logger.getLogger(CoordinatorRole.class);

    private final JobValidator validator;
    private final JobPlanner planner;
    private final Publisher out;
    private final MeterRegistry metrics;

    public CoordinatorRole(JobValidator validator, JobPlanner planner, Publisher out, MeterRegistry metrics) {
        this.validator = validator;
        this.planner = planner;
        this.out = out;
        this.metrics = metrics;
    }

    @Override
    public void handle(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        long t0 = System.nanoTime();
        String json = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
        JobParser.Parsed parsed = JobParser.parse(json);
        String jobId = parsed.jobId() != null ? parsed.jobId() : record.key();
        if (!parsed.ok()) {
            reject(jobId, parsed.errors());
            return;
        }
        ValidatedJob job;
        try {
            job = validator.validate(parsed.spec());
        } catch (JobRejectedException e) {
            reject(jobId, e.errors());
            return;
        }
        long submittedAt = record.timestamp() > 0 ? record.timestamp() : System.currentTimeMillis();
        // The record's place and time: unique per submission, also across brokers started afresh (`run`).
        var planned = planner.plan(job, submittedAt, (System.nanoTime() - t0) / 1e9,
                record.topic() + "-" + record.partition() + "@" + record.offset() + "-" + submittedAt);
        boolean planSent = false;
        try (SendScope work = SendScope.open()) {
            // The plan is acknowledged before any task goes out: a trainer must hold it when the features come.
            out.sendAndWait(Topics.FEATURES, jobId, Json.bytes(planned.plan()), Topics.PLAN);
            planSent = true;
            for (var task : planned.tasks()) {
                out.send(Topics.EXTRACT, jobId + "/" + task.split() + "/" + task.shard(), Json.bytes(task), "task");
            }
            work.awaitAll();
        } catch (SendScope.SendFailedException e) {
            if (planSent) {
                // Some tasks may be out: the trainer drops the job instead of waiting for shards that never come.
                out.send(Topics.FEATURES, jobId, e.getMessage().getBytes(StandardCharsets.UTF_8), Topics.CANCEL);
            }
            fail(jobId, e);
            return;
        }
        int shards = planned.tasks().size();
        out.status(new StatusEvent(jobId, "queued", shards + " shards, " + job.train().samples().size()
                + " training and " + (job.test() == null ? 0 : job.test().samples().size()) + " test samples",
                0, shards, null, null, null, null, System.currentTimeMillis()));
        out.flush();
        metrics.counter("tp.jobs.accepted").increment();
        LOG.infof("Job %s accepted: %d shards", jobId, shards);
    }

    /** The job was fine but its work could not be published: tell the user (if tp.results takes it). */
    private void fail(String jobId, SendScope.SendFailedException e) {
        LOG.errorf("Job %s could not be started: %s", jobId, e.getMessage());
        out.result(JobResult.failed(jobId, List.of(new FieldError("$", "the pool could not publish the job's work: "
                + e.getMessage())), null));
        out.status(StatusEvent.of(jobId, "failed", e.getMessage()));
    }

    private void reject(String jobId, List<FieldError> errors) {
        LOG.infof("Job %s rejected: %s", jobId, errors);
        out.result(JobResult.rejected(jobId, errors));
        out.status(StatusEvent.of(jobId == null ? "unknown" : jobId, "rejected", errors.size() + " error(s): "
                + errors.get(0)));
        out.flush();
        // One count per job, tagged with the first field at fault (array indices dropped to keep tags few).
        metrics.counter("tp.jobs.rejected", "field", errors.get(0).field().replaceAll("\\[\\d+]", "")).increment();
    }
}
