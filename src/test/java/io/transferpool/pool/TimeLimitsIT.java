package io.transferpool.pool;

import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.transferpool.TestTopics;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.JobPlan;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.RecordType;
import io.transferpool.messaging.ShardDone;
import io.transferpool.messaging.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-stage time limits on the embedded broker, one pool per limit (set so low that the stage must pass it):
 * each job gets one result naming the stage and the limit, and the pool goes on.
 */
class TimeLimitsIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.brokerOnly().data(root -> TestFiles.demoRoot(root, "train", 12, "test", 6));

    private static JobResult run(Pool pool, String id, String json) throws Exception {
        return TestJobs.run(pool, id, json);
    }

    private static String job(String id, int epochs) {
        return TestFiles.job(id, "models/base.onnx", "train", "test", epochs)
                .replace("\"earlyStopping\": {\"monitor\": \"val_accuracy\", \"patience\": 5, \"mode\": \"max\"}",
                        "\"earlyStopping\": {\"enabled\": false}");
    }

    @Test
    void checkingAJobPastTheValidationLimitRejectsIt() throws Exception {
        try (Pool pool = POOL.start("tp.limits.validation-timeout", "PT0.001S")) {
            JobResult r = run(pool, "slow-check", job("slow-check", 1));
            assertThat(r.status()).isEqualTo(JobResult.Status.REJECTED);
            assertThat(r.errors()).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("$");
                assertThat(e.problem()).contains("tp.limits.validation-timeout");
            });
        }
    }

    @Test
    void aShardPastTheExtractionLimitFailsItsJob() throws Exception {
        try (Pool pool = POOL.start("tp.limits.shard-timeout", "PT0.001S")) {
            JobResult r = run(pool, "slow-shard", job("slow-shard", 1));
            assertThat(r.status()).isEqualTo(JobResult.Status.FAILED);
            assertThat(r.errors().get(0).problem()).contains("tp.limits.shard-timeout");
        }
    }

    @Test
    void trainingPastItsLimitFailsTheJobAndTheTrainerGoesOn() throws Exception {
        try (Pool pool = POOL.start("tp.limits.training-timeout", "PT2S")) {
            JobResult r = run(pool, "long-training", job("long-training", 5000));
            assertThat(r.status()).isEqualTo(JobResult.Status.FAILED);
            assertThat(r.errors()).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("training");
                assertThat(e.problem()).contains("tp.limits.training-timeout");
            });
            assertThat(run(pool, "short-training", job("short-training", 2)).status())
                    .isEqualTo(JobResult.Status.SUCCEEDED);
        }
    }

    @Test
    void aJobWhoseShardsStopArrivingFailsNamingThemAndFreesItsOffsets() throws Exception {
        try (Pool pool = POOL.start("tp.limits.shard-arrival-timeout", "PT3S", "tp.roles", "trainer");
             KafkaProducer<String, byte[]> producer = pool.clients().producer("test");
             JobClient client = new JobClient(pool.clients())) {
            var spec = JobParser.parse(job("lost-shard", 1)).orThrow();
            // A plan of three training shards of which only shard 1 ever reports (its extractor died for good).
            JobPlan plan = JobPlan.of(spec, new JobPlan.Model("models/base.onnx", null), List.of("shirt", "tshirt"),
                    new JobPlan.Split(3, 6), JobPlan.Split.NONE,
                    new JobPlan.Submission("test-lost", 1, System.currentTimeMillis(), 0.1));
            Publisher out = new Publisher(producer);
            out.send(Topics.FEATURES, plan.key(), Json.bytes(plan), RecordType.PLAN).get();
            out.send(Topics.FEATURES, plan.key(), new FeatureBatch(plan.key(), FeatureBatch.Split.TRAIN, 1, 2,
                    new int[]{2, 3}, new int[]{0, 1}, new float[4]).encode(
                    io.transferpool.messaging.FeatureType.FLOAT32), RecordType.FEATURE_BATCH).get();
            out.send(Topics.FEATURES, plan.key(), Json.bytes(new ShardDone(plan.key(), FeatureBatch.Split.TRAIN, 1,
                    3, 2, List.of(), 0, 0, 0, "CPU", null)), RecordType.SHARD_DONE).get();

            JobResult r = client.await("lost-shard", Duration.ofMinutes(1), e -> {
            });
            assertThat(r.status()).isEqualTo(JobResult.Status.FAILED);
            assertThat(r.errors()).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("features");
                assertThat(e.problem()).contains("tp.limits.shard-arrival-timeout")
                        .contains("still missing: train 0, train 2");
            });
            // The trainer's group commits past the plan: the job no longer holds its partition.
            TestTopics.awaitCommitted(pool.clients(), Duration.ofSeconds(30), Map.of("tp-trainers", Topics.FEATURES));
        }
    }
}
