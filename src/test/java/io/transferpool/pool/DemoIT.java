package io.transferpool.pool;

import io.transferpool.TestFiles;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped demo jobs, as they stand: method 1 reaches the accuracy the README promises (>= 0.85), and
 * fine-tuning the last conv block plus the head (method 2) does at least as well on the same data.
 */
class DemoIT {
    @TempDir
    Path work;

    @Test
    void theSeedsScenarioReachesAtLeast085AndFineTuningDoesAtLeastAsWell() throws Exception {
        try (Pool pool = Pool.start(PoolSettings.defaults(TestFiles.DEMO, work));
             JobClient client = new JobClient(pool.clients())) {
            JobResult head = run(client, "tshirt-vs-shirt", "job.json");
            assertThat(head.metrics().test().accuracy()).isGreaterThanOrEqualTo(0.85);

            JobResult fineTuned = run(client, "tshirt-vs-shirt-finetune", "finetune-job.json");
            assertThat(fineTuned.metrics().counts().featureDimension()).isEqualTo(64 * 7 * 7);
            assertThat(fineTuned.metrics().test().accuracy()).isGreaterThanOrEqualTo(head.metrics().test().accuracy());
        }
    }

    private static JobResult run(JobClient client, String jobId, String file) throws Exception {
        client.submit(jobId, Files.readString(TestFiles.DEMO.resolve(file)));
        JobResult r = client.await(jobId, Duration.ofMinutes(15), e -> { });
        assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(3000);
        assertThat(r.metrics().counts().test()).isEqualTo(1000);
        return r;
    }
}
