package io.transferpool.web;

import io.transferpool.job.JobResult;
import io.transferpool.messaging.StatusEvent;

/**
 * What the job service knows of one job id: its state (the result's status once there is one, else the stage of
 * its latest status event, QUEUED once accepted), the run it shows, when it was submitted and last changed, its
 * latest status event and its result.
 *
 * @param run the latest accepted run of the id; null for a job that was never accepted
 */
public record JobEntry(String jobId, JobState state, Integer run, long submittedAtMillis, long updatedAtMillis,
                       StatusEvent latest, JobResult result) {

    /** Test accuracy of a trained job, else null. */
    public Double testAccuracy() {
        return result == null || result.metrics() == null || result.metrics().test() == null ? null
                : result.metrics().test().accuracy();
    }

    /** True until the job has its result. */
    public boolean active() {
        return result == null;
    }
}
