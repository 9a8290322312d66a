package io.transferpool.pool;

import io.transferpool.TestFiles;
import io.transferpool.TestPool;
import io.transferpool.TestTopics;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trainer joining the group while jobs are being gathered and trained takes some partitions over: the jobs on
 * them move (the first trainer drops them, the second trains them again) and every job still ends with one result.
 */
class TrainerRebalanceIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.brokerOnly().data(root -> TestFiles.demoRoot(root, "train", 100, "test", 20));

    @Test
    void aTrainerJoiningMidJobLeavesEveryJobWithOneResult() throws Exception {
        List<String> jobs = List.of("moved-1", "moved-2", "moved-3", "moved-4");
        try (Pool front = POOL.start("tp.roles", "coordinator,extractor");
             Pool first = POOL.start("tp.roles", "trainer");
             JobClient client = new JobClient(front.clients())) {
            for (String id : jobs) {
                client.submit(id, TestFiles.job(id, "models/base.onnx", "train", "test", 8)
                        .replace("\"hidden\": [64]", "\"hidden\": [512]").replace("\"patience\": 5", "\"patience\": 50"));
            }
            try (Pool second = POOL.start("tp.roles", "trainer")) {
                for (String id : jobs) {
                    JobResult r = client.await(id, Duration.ofMinutes(3), e -> { });
                    assertThat(r.status()).as("%s: %s", id, r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
                    assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(200);
                }
                // A second result would be out once the trainers committed every record of tp.features.
                TestTopics.awaitSettled(POOL.clients(), Duration.ofMinutes(2));
            }
            assertThat(TestTopics.results(POOL.clients()).keySet()).as("jobs with results")
                    .containsExactlyInAnyOrderElementsOf(jobs);
            assertThat(TestTopics.results(POOL.clients())).as("one result per job")
                    .allSatisfy((id, results) -> assertThat(results).hasSize(1));
        }
    }
}
