package io.transferpool.admission;

import io.transferpool.job.JobRejectedException;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The job ids this pool accepted and how many runs each had: what makes a resubmitted id "in use". Kept on the
 * compacted topic tp.jobids (one record per id: its latest run, see coordinator.JobIdsTopic) and read back whenever a
 * coordinator is given tp.jobs, so one that takes over knows every id its predecessor accepted. Only rejected
 * submissions leave an id free. Used by the coordinator's loop thread only.
 */
public final class JobIds {
    /** The latest accepted run of a job id. */
    public record Run(String jobId, int run, String submission, long acceptedAtMillis) {
    }

    private final Map<String, Run> runs = new HashMap<>();

    /**
     * The run a submission of {@code jobId} gets: 1 for an id never accepted, the next one when {@code rerun} is
     * set; otherwise the submission is rejected with "in use" on {@code jobId}.
     */
    public int next(String jobId, boolean rerun) {
        Run last = runs.get(jobId);
        if (last == null) {
            return 1;
        }
        if (!rerun) {
            throw new JobRejectedException("jobId", "\"" + jobId + "\" is in use: run " + last.run()
                    + " of it was accepted at " + Instant.ofEpochMilli(last.acceptedAtMillis()) + "; choose another id, "
                    + "or add \"rerun\": true to run it again as run " + (last.run() + 1) + " with its own artifacts");
        }
        return last.run() + 1;
    }

    /** Remembers an accepted run (the latest run of an id wins, whatever order they are read in). */
    public void accepted(Run run) {
        runs.merge(run.jobId(), run, (known, added) -> added.run() >= known.run() ? added : known);
    }

    public Optional<Run> last(String jobId) {
        return Optional.ofNullable(runs.get(jobId));
    }

    public void clear() {
        runs.clear();
    }

    public int size() {
        return runs.size();
    }
}
