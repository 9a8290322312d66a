package io.transferpool.web;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.transferpool.admission.Admission;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobRejectedException;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.CancelRequest;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.RecordType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * POST /jobs behind the HTTP layer: the job is checked at once, as the coordinator will check it (parse, id in use,
 * files against the pool's data root), and published to tp.jobs through the channel {@code jobs-out}. The
 * coordinator stays the judge: it checks again and answers on tp.results (two submissions of one new id racing
 * through two coordinators: one of them is rejected there).
 */
@ApplicationScoped
public class JobSubmissions {
    /** What became of a submission: accepted and published, or rejected with the result a coordinator would send. */
    public record Outcome(String jobId, JobResult rejection, boolean inUse) {
        public boolean accepted() {
            return rejection == null;
        }
    }

    @Inject
    JobBoard board;

    @Inject
    Admission admission;

    @Inject
    @Channel("jobs-out")
    MutinyEmitter<String> jobs;

    public Outcome submit(String json) throws InterruptedException {
        return submit(json, Optional.empty());
    }

    /**
     * @param owner the owner whose API token the request carried: the job is published as that owner's (a job
     *              naming another owner is rejected on {@code owner})
     */
    public Outcome submit(String json, Optional<String> owner) throws InterruptedException {
        JobParser.Parsed parsed = JobParser.parse(json == null ? "" : json);
        String jobId = parsed.jobId();
        if (!parsed.ok()) {
            return rejected(jobId, parsed.errors(), false);
        }
        if (owner.isPresent()) {
            String named = parsed.spec().owner();
            if (!named.equals(owner.get()) && JobOwner.named(json)) {
                return rejected(jobId, List.of(new FieldError("owner", "is \"" + named + "\" but the request's "
                        + "token submits for owner \"" + owner.get() + "\"")), false);
            }
            json = JobOwner.set(json, owner.get());
        }
        try {
            board.checkFree(jobId, parsed.rerun());
        } catch (JobRejectedException e) {
            return rejected(jobId, e.errors(), true);
        }
        try {
            admission.admitWithinLimit(parsed.spec());
        } catch (JobRejectedException e) {
            return rejected(jobId, e.errors(), false);
        }
        // Waits for the broker's acknowledgement: 202 means the job is on tp.jobs.
        jobs.sendMessageAndAwait(KafkaRecord.of(jobId, json));
        board.submitted(jobId, System.currentTimeMillis());
        return new Outcome(jobId, null, false);
    }

    /**
     * Publishes a cancel request for the job (see CancelRequest) and waits for the broker's acknowledgement. The
     * coordinator turns it into a cancellation of the job's latest run.
     */
    public void cancel(String jobId, String reason) {
        jobs.sendMessageAndAwait(KafkaRecord.of(jobId, new String(Json.bytes(new CancelRequest(reason,
                System.currentTimeMillis())), StandardCharsets.UTF_8)).withHeader(RecordType.HEADER, RecordType.CANCEL_REQUEST.wire()));
    }

    private static Outcome rejected(String jobId, List<FieldError> errors, boolean inUse) {
        return new Outcome(jobId, JobResult.rejected(jobId, errors), inUse);
    }
}
