package io.transferpool.coordinator;

import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.model.OnnxModel;
import io.transferpool.pool.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Job ids on the embedded broker: a finished id is in use (also for a coordinator started afterwards), a rerun
 * gets its own run number and artifacts, and two runs of one id in flight at once do not mix their features.
 */
class JobIdsIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.brokerOnly().data(root -> TestFiles.demoRoot(root, "train", 12, "test", 6));

    private static String job(String id, boolean rerun) {
        String json = TestFiles.job(id, "models/base.onnx", "train", "test", 2);
        return rerun ? json.replaceFirst("\\{", "{\"rerun\": true, ") : json;
    }

    private static JobResult run(Pool pool, String id, String json) throws Exception {
        return TestJobs.run(pool, id, json);
    }

    @Test
    void aFinishedIdIsInUseARerunIsANewRunAndConcurrentRunsDoNotMix() throws Exception {
        String first;
        try (Pool pool = POOL.start()) {
            JobResult one = run(pool, "same", job("same", false));
            assertThat(one.status()).isEqualTo(JobResult.Status.SUCCEEDED);
            assertThat(one.run()).isEqualTo(1);
            first = one.artifacts().onnx().sha256();
            assertThat(Path.of(URI.create(one.artifacts().onnx().uri())))
                    .isEqualTo(POOL.work().resolve("artifacts/same/model.onnx").toAbsolutePath());

            JobResult again = run(pool, "same", job("same", false));
            assertThat(again.status()).isEqualTo(JobResult.Status.REJECTED);
            assertThat(again.errors()).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("jobId");
                assertThat(e.problem()).contains("in use");
            });

            // Two reruns in flight at once: runs 2 and 3, each with all of its own samples and its own files.
            try (JobClient a = new JobClient(pool.clients()); JobClient b = new JobClient(pool.clients())) {
                a.submit("same", job("same", true));
                b.submit("same", job("same", true));
                JobResult ra = a.await("same", Duration.ofMinutes(3), e -> {
                });
                JobResult rb = b.await("same", Duration.ofMinutes(3), e -> {
                });
                assertThat(ra.status()).isEqualTo(JobResult.Status.SUCCEEDED);
                assertThat(rb.status()).isEqualTo(JobResult.Status.SUCCEEDED);
                assertThat(java.util.List.of(ra.run(), rb.run())).containsExactly(2, 3);
                for (JobResult r : java.util.List.of(ra, rb)) {
                    assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(24);
                    assertThat(r.metrics().counts().test()).isEqualTo(12);
                    assertThat(Path.of(URI.create(r.artifacts().onnx().uri()))).isEqualTo(
                            POOL.work().resolve("artifacts/same/run-" + r.run() + "/model.onnx").toAbsolutePath());
                }
            }
            assertThat(OnnxModel.sha256(POOL.work().resolve("artifacts/same/model.onnx")))
                    .as("run 1's model is not overwritten by later runs").isEqualTo(first);
        }
        // A coordinator started afterwards reads the ids back from tp.jobids.
        try (Pool pool = POOL.start()) {
            JobResult later = run(pool, "same", job("same", false));
            assertThat(later.status()).isEqualTo(JobResult.Status.REJECTED);
            assertThat(later.errors().get(0).problem()).contains("run 3");
            JobResult rerun = run(pool, "same", job("same", true));
            assertThat(rerun.run()).isEqualTo(4);
            assertThat(rerun.status()).isEqualTo(JobResult.Status.SUCCEEDED);
        }
    }
}
