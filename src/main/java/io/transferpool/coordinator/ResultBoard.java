package io.transferpool.coordinator;

import io.transferpool.job.JobResult;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The latest results the coordinator has seen on tp.results, by job id, for the REST API and the job reports.
 * Bounded: the oldest results are forgotten first (they stay on the topic). Shared between the consumer thread
 * and HTTP threads, hence synchronized.
 */
public final class ResultBoard {
    private final Map<String, JobResult> results;

    public ResultBoard(int capacity) {
        this.results = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, JobResult> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Keeps the newest submission's result; a second result of the same submission (a trainer that crashed after
     * publishing and before committing trains the job again) is dropped, so the first one stays; so is a rejection
     * that follows a result of an accepted run (a resubmission of an id in use: the id still names that run).
     */
    public synchronized void put(JobResult result) {
        JobResult known = results.get(result.jobId());
        if (known != null && result.submission() != null && result.submission().equals(known.submission())) {
            return;
        }
        if (known != null && known.status() != JobResult.Status.REJECTED
                && result.status() == JobResult.Status.REJECTED) {
            return;
        }
        results.remove(result.jobId());
        results.put(result.jobId(), result);
    }

    public synchronized Optional<JobResult> get(String jobId) {
        return Optional.ofNullable(results.get(jobId));
    }

    public synchronized int size() {
        return results.size();
    }
}
