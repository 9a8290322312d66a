package io.transferpool.web;

import io.transferpool.job.JobResult;
import io.transferpool.messaging.Stage;

/**
 * A job's state as the job service shows it ({@code "state"} in GET /jobs, written as the name): submitted here and
 * not yet answered, the stage of its latest status event while it runs, then its result's status.
 */
public enum JobState {
    SUBMITTED, QUEUED, EXTRACTING, WAITING, TRAINING, CANCELLING, SUCCEEDED, FAILED, REJECTED, CANCELLED;

    /** The state a status event of this stage shows (a final stage shows what its result will say). */
    public static JobState of(Stage stage) {
        return switch (stage) {
            case QUEUED -> QUEUED;
            case EXTRACTING -> EXTRACTING;
            case WAITING -> WAITING;
            case TRAINING -> TRAINING;
            case CANCELLING -> CANCELLING;
            case DONE -> SUCCEEDED;
            case FAILED -> FAILED;
            case REJECTED -> REJECTED;
            case CANCELLED -> CANCELLED;
        };
    }

    /** The state of a job with this result. */
    public static JobState of(JobResult.Status status) {
        return valueOf(status.name());
    }
}
