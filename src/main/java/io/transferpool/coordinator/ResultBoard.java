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

    public synchronized void put(JobResult result) {
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
