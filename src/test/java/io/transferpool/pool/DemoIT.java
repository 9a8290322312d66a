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

/** The shipped demo job, as it stands, reaches the accuracy the README promises (>= 0.85). */
class DemoIT {
    @TempDir
    Path work;

    @Test
    void theSeedsScenarioReachesAtLeast085() throws Exception {
        String job = Files.readString(TestFiles.DEMO.resolve("job.json"));
        try (Pool pool = Pool.start(PoolSettings.defaults(TestFiles.DEMO, work));
             JobClient client = new JobClient(pool.clients())) {
            client.submit("tshirt-vs-shirt", job);
            JobResult r = client.await("tshirt-vs-shirt", Duration.ofMinutes(15), e -> { });
            assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
            assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(3000);
            assertThat(r.metrics().counts().test()).isEqualTo(1000);
            assertThat(r.metrics().test().accuracy()).isGreaterThanOrEqualTo(0.85);
        }
    }
}
