package io.transferpool;

import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.pool.Pool;

import java.time.Duration;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Submitting a job to a running pool and waiting for its result, as the integration tests do. */
public final class TestJobs {
    private TestJobs() {
    }

    /** Submits the job and returns its result (waits at most 5 minutes); {@code events} sees its status events. */
    public static JobResult run(Pool pool, String jobId, String json, Consumer<StatusEvent> events) throws Exception {
        try (JobClient client = new JobClient(pool.clients())) {
            client.submit(jobId, json);
            return client.await(jobId, Duration.ofMinutes(5), events);
        }
    }

    /** Waits for a submitted job's result on another thread (5 minutes at most), its status events to {@code events}. */
    public static java.util.concurrent.CompletableFuture<JobResult> follow(JobClient client, String jobId,
                                                                           Consumer<StatusEvent> events) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return client.await(jobId, Duration.ofMinutes(5), events);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public static JobResult run(Pool pool, String jobId, String json) throws Exception {
        return run(pool, jobId, json, e -> { });
    }

    /** As {@link #run}, and the job must have SUCCEEDED. */
    public static JobResult succeeded(Pool pool, String jobId, String json, Consumer<StatusEvent> events)
            throws Exception {
        JobResult r = run(pool, jobId, json, events);
        assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        return r;
    }
}
