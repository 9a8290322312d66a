package io.transferpool.coordinator;

import io.micrometer.core.instrument.MeterRegistry;
import io.transferpool.admission.AcceptedJob;
import io.transferpool.admission.Admission;
import io.transferpool.admission.FeatureReuse;
import io.transferpool.admission.JobIds;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobRejectedException;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.CancelRequest;
import io.transferpool.messaging.Cancellation;
import io.transferpool.messaging.JobPlan;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.RecordType;
import io.transferpool.messaging.SendScope;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.Topics;
import io.transferpool.messaging.WorkerLoop;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Reads jobs from {@code tp.jobs}: rejects bad ones with a result that lists every error (also a job id already
 * in use, unless the job asks for a rerun), plans good ones (the run to {@code tp.jobids}, the plan to
 * {@code tp.features}, one task per shard to {@code tp.extract}) and reports them queued.
 */
public final class CoordinatorRole implements WorkerLoop.Role {
    private static final Logger LOG = Logger.getLogger(CoordinatorRole.class);

    private final Admission admission;
    private final Publisher out;
    private final MeterRegistry metrics;
    private final JobIdsTopic idsTopic;
    private final JobIds ids = new JobIds();
    // Loop-thread state: set when tp.jobs is (re)assigned, so the ids are read again before the next decision.
    private boolean idsStale = true;

    private final FeatureReuse reuse;

    /** @param idsTopic where the ids accepted so far are read from when this coordinator is given tp.jobs */
    public CoordinatorRole(Admission admission, Publisher out, MeterRegistry metrics, JobIdsTopic idsTopic) {
        this(admission, out, metrics, idsTopic, FeatureReuse.OFF);
    }

    /** @param reuse which jobs train on features kept from an earlier job instead of extracting them */
    public CoordinatorRole(Admission admission, Publisher out, MeterRegistry metrics, JobIdsTopic idsTopic,
                           FeatureReuse reuse) {
        this.admission = admission;
        this.out = out;
        this.metrics = metrics;
        this.idsTopic = idsTopic;
        this.reuse = reuse;
    }

    @Override
    public void assigned(Collection<TopicPartition> partitions) {
        idsStale = true;
    }

    @Override
    public void handle(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        if (RecordType.of(record.headers()) == RecordType.CANCEL_REQUEST) {
            cancel(record);
            return;
        }
        long t0 = System.nanoTime();
        String json = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
        String jobId = record.key();
        long submittedAt = record.timestamp() > 0 ? record.timestamp() : System.currentTimeMillis();
        String submission = Topics.submission(record.topic(), record.partition(), record.offset(), submittedAt);
        AcceptedJob job;
        FeatureReuse.Decision features;
        int run;
        try {
            JobParser.Parsed parsed = JobParser.parse(json);
            // The result goes out under the record's key, where its submitter waits for it.
            jobId = record.key() != null ? record.key() : parsed.jobId();
            if (!parsed.ok()) {
                reject(jobId, parsed.errors(), submission);
                return;
            }
            if (record.key() != null && !record.key().equals(parsed.jobId())) {
                reject(jobId, List.of(new FieldError("jobId", "is \"" + parsed.jobId() + "\" but the job was "
                        + "published under the key \"" + record.key() + "\"; publish a job keyed by its jobId")),
                        submission);
                return;
            }
            if (idsStale) {
                idsTopic.load(ids);
                idsStale = false;
            }
            // This very record accepted before: a coordinator stopped after tp.jobids and before committing it. Its
            // run is planned again under the same number, not answered "in use" (a second, wrong result): a plan
            // that never went out goes out now, and a trainer that holds or answered the run ignores the repeat.
            Optional<JobIds.Run> again = ids.last(jobId).filter(r -> submission.equals(r.submission()));
            run = again.isPresent() ? again.get().run() : ids.next(jobId, parsed.rerun());
            if (again.isPresent()) {
                LOG.infof("Job %s: submission %s read again (accepted before as run %d); planned again", jobId,
                        submission, run);
            }
            // the kept-features key stats every sample's file: within the validation limit, off this loop
            Checked checked = admission.admitWithinLimit(parsed.spec(), j -> new Checked(j, reuse.decide(j)));
            job = checked.job();
            features = checked.features();
        } catch (JobRejectedException e) {
            reject(jobId, e.errors(), submission);
            return;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError | LinkageError e) {
            // Whatever validation trips over, the job still gets its one result.
            LOG.warnf(e, "Job %s could not be validated", jobId);
            reject(jobId, List.of(new FieldError("$", "the job could not be validated: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage())), submission);
            return;
        }
        var planned = admission.planner().plan(job, new JobPlan.Submission(submission, run, submittedAt,
                (System.nanoTime() - t0) / 1e9), new JobPlan.KeptFeatures(features.key(), features.reuse()));
        String key = planned.plan().key();
        boolean planSent = false;
        try (SendScope work = SendScope.open()) {
            // The id is in use once this is acknowledged, before any of the run's work goes out.
            JobIds.Run accepted = new JobIds.Run(jobId, run, submission, System.currentTimeMillis());
            out.sendAndWait(Topics.JOB_IDS, jobId, Json.bytes(accepted), null);
            ids.accepted(accepted);
            // The plan is acknowledged before any task goes out: a trainer must hold it when the features come.
            out.sendAndWait(Topics.FEATURES, key, Json.bytes(planned.plan()), RecordType.PLAN);
            planSent = true;
            for (var task : planned.tasks()) {
                out.send(Topics.EXTRACT, key + "/" + task.split() + "/" + task.shard(), Json.bytes(task), RecordType.TASK);
            }
            work.awaitAll();
        } catch (SendScope.SendFailedException e) {
            if (planSent) {
                // Some tasks may be out: the trainer drops the job instead of waiting for shards that never come.
                out.send(Topics.FEATURES, key, e.getMessage().getBytes(StandardCharsets.UTF_8), RecordType.JOB_DROPPED);
            }
            fail(jobId, e, planned.plan());
            return;
        }
        int shards = planned.tasks().size();
        String samples = job.train().samples().size() + " training and "
                + (job.test() == null ? 0 : job.test().samples().size()) + " test samples";
        String advised = job.advice() == null ? "" : "strategy auto chose case " + job.advice().caseNumber() + ", "
                + job.advice().strategy() + (job.advice().freezeAt() != null ? " from " + job.advice().freezeAt()
                : " at " + job.advice().cut()) + "; ";
        out.status(StatusEvent.queued(jobId, advised + (features.reuse()
                ? "no extraction: the features of " + samples + " are kept from job " + features.madeBy()
                : shards + " shards, " + samples), shards));
        out.flush();
        metrics.counter("tp.jobs.accepted").increment();
        LOG.infof("Job %s accepted%s: %d shards", jobId, run > 1 ? " as run " + run : "", shards);
        if (job.advice() != null) {
            LOG.infof("Job %s: %s", jobId, job.advice().reason());
        }
    }

    /**
     * A user's cancel request: the job's latest accepted run goes to tp.cancels, where its extractors and trainer
     * see it (they skip its shards, stop its training and answer CANCELLED). An id never accepted has nothing to
     * stop: its submission was rejected, and the request is only logged.
     */
    private void cancel(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        String jobId = record.key();
        CancelRequest request;
        try {
            request = Json.read(record.value(), CancelRequest.class);
        } catch (RuntimeException e) {
            request = new CancelRequest(null, record.timestamp());
        }
        String reason = request.reason() == null || request.reason().isBlank() ? "cancelled by its user"
                : request.reason();
        if (idsStale) {
            idsTopic.load(ids);
            idsStale = false;
        }
        var run = jobId == null ? java.util.Optional.<JobIds.Run>empty() : ids.last(jobId);
        if (run.isEmpty()) {
            LOG.infof("Cancel of job %s ignored: no run of it was accepted", jobId);
            return;
        }
        String key = Topics.runKey(jobId, run.get().run());
        try {
            out.sendAndWait(Topics.CANCELS, key, Json.bytes(new Cancellation(jobId, run.get().run(), key, reason,
                    request.requestedAtMillis())), null);
        } catch (SendScope.SendFailedException e) {
            // Not acknowledged: the record goes to tp.dlq and the user may ask again.
            throw new IllegalStateException("the cancellation of job " + jobId + " could not be published: "
                    + e.getMessage(), e);
        }
        out.status(StatusEvent.of(jobId, Stage.CANCELLING, reason));
        out.flush();
        metrics.counter("tp.jobs.cancelled").increment();
        LOG.infof("Job %s (run %d) cancelled: %s", jobId, run.get().run(), reason);
    }

    /** The job was fine but its work could not be published: tell the user (if tp.results takes it). */
    private void fail(String jobId, SendScope.SendFailedException e, JobPlan plan) {
        LOG.errorf("Job %s could not be started: %s", jobId, e.getMessage());
        out.result(JobResult.failed(jobId, List.of(new FieldError("$", "the pool could not publish the job's work: "
                + e.getMessage())), null).withSubmission(plan.submission().id(), plan.run()));
        out.status(StatusEvent.of(jobId, Stage.FAILED, e.getMessage()));
    }

    private void reject(String jobId, List<FieldError> errors, String submission) {
        LOG.infof("Job %s rejected: %s", jobId, errors);
        out.result(JobResult.rejected(jobId, errors).withSubmission(submission));
        if (jobId == null || ids.last(jobId).isEmpty()) {
            // The status of an id in use stays that of its accepted run; this submission's rejection is its result.
            out.status(StatusEvent.of(jobId == null ? "unknown" : jobId, Stage.REJECTED, errors.size() + " error(s): "
                    + errors.get(0)));
        }
        out.flush();
        // One count per job, tagged with the first field at fault (array indices dropped to keep tags few).
        metrics.counter("tp.jobs.rejected", "field", errors.get(0).field().replaceAll("\\[\\d+]", "")).increment();
    }

    /** A validated job and what kept features it may reuse. */
    private record Checked(AcceptedJob job, FeatureReuse.Decision features) {
    }
}
