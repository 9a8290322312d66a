package io.transferpool.train;

import io.transferpool.job.FieldError;
import io.transferpool.job.JobResult;

import java.util.List;

/** A job that stops before its result is complete: a step of {@link TrainingRun} answers it with this result. */
final class Refused extends Exception {
    private final transient JobResult result;

    Refused(JobResult result) {
        super(result.errors().isEmpty() ? result.status().name() : result.errors().get(0).toString(), null, false,
                false);
        this.result = result;
    }

    /** The job FAILED on {@code field}, with {@code metrics} (may be null). */
    static Refused failed(String jobId, String field, String problem, JobResult.Metrics metrics) {
        return new Refused(JobResult.failed(jobId, List.of(new FieldError(field, problem)), metrics));
    }

    JobResult result() {
        return result;
    }
}
