package io.transferpool.pool;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.transferpool.Await;
import io.transferpool.TestFiles;
import io.transferpool.TestPool;
import io.transferpool.broker.EmbeddedKafka;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pools pointed at a cluster they did not start (kafka.bootstrap.servers set), with the roles split over two
 * pools as separate deployments would have them. One broker for the class.
 */
class ExternalClusterIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.brokerOnly().data(root -> {
        TestFiles.demoRoot(root, "train", 30, "test", 10);
        Files.write(root.resolve("train/shirt/zz-corrupt.png"), "x".getBytes(StandardCharsets.UTF_8));
    }).with("tp.shard-size", "20", "tp.extract.feature-type", "float16");
    static final SimpleMeterRegistry FRONT_METRICS = new SimpleMeterRegistry();
    static Pool front;
    static Pool trainers;

    @BeforeAll
    static void start() throws Exception {
        front = POOL.start(FRONT_METRICS, "tp.roles", "coordinator,extractor");
        trainers = POOL.start("tp.roles", "trainer", "tp.train.spill-threshold-bytes", "1024");
    }

    @Test
    void withTopicCreationOffAMissingTopicStopsThePoolNamingIt() throws Exception {
        try (EmbeddedKafka empty = EmbeddedKafka.start(POOL.work().resolve("empty"), true)) {
            var config = POOL.config("tp.topics.create", "false", "tp.roles", "trainer");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Pool.start(config,
                    Cluster.at(empty.bootstrapServers()), new SimpleMeterRegistry()))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("topic tp.features does not exist")
                    .hasMessageContaining("tp.topics.create is false")
                    .hasMessageNotContaining("tp.jobs"); // a trainer does not use it
        }
    }

    private JobResult run(String jobId, String json) throws Exception {
        try (JobClient client = new JobClient(front.clients())) {
            client.submit(jobId, json);
            return client.await(jobId, Duration.ofMinutes(5), e -> { });
        }
    }

    @Test
    void splitRolesOnAnExternalClusterTrainFromFloat16FeaturesSpilledToDisk() throws Exception {
        assertThat(front.clients().bootstrapServers()).isEqualTo(POOL.bootstrapServers());
        assertThat(front.clients().compression()).as("external cluster default").isEqualTo("lz4");
        double extractedBefore = FRONT_METRICS.get("tp.extract.images.extracted").counter().count();
        double badBefore = FRONT_METRICS.find("tp.extract.bad.samples").tag("reason", "decode").counters().stream()
                .mapToDouble(c -> c.count()).sum();
        JobResult r = run("ext-ok", TestFiles.job("ext-ok", "models/base.onnx", "train", "test", 3));
        assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(60);
        assertThat(r.metrics().counts().badSampleCount()).isEqualTo(1);
        assertThat(FRONT_METRICS.get("tp.extract.images.extracted").counter().count() - extractedBefore).isEqualTo(80);
        assertThat(FRONT_METRICS.get("tp.extract.provider").tag("provider", "cpu").gauge().value()).isEqualTo(1.0);
        assertThat(FRONT_METRICS.get("tp.extract.bad.samples").tag("reason", "decode").counter().count() - badBefore)
                .isEqualTo(1);
    }

    @Test
    void tooManyBadSamplesFailTheJobAndSaySo() throws Exception {
        String json = TestFiles.job("ext-bad", "models/base.onnx", "train", null, 2)
                .replace("\"validationSplit\": 0.1", "\"validationSplit\": 0.1, \"maxBadSampleFraction\": 0");
        JobResult r = run("ext-bad", json);
        assertThat(r.status()).isEqualTo(JobResult.Status.FAILED);
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("data");
            assertThat(e.problem()).contains("1 of 61 samples").contains("maxBadSampleFraction");
        });
        assertThat(r.metrics().counts().badSamples()).hasSize(1);
    }

    @Test
    void anExtractorStoppingMidJobHandsItsWorkOverAndNothingIsLostOrCountedTwice() throws Exception {
        // A second extractor joins the group, then stops as a pod does on SIGTERM: it finishes the shard in hand,
        // commits and leaves the group, and the other extractor takes its partitions at once.
        SimpleMeterRegistry extraMetrics = new SimpleMeterRegistry();
        Pool extra = POOL.start(extraMetrics, "tp.roles", "extractor", "tp.shard-size", "5");
        Await.until("the extra extractor to get partitions", Duration.ofSeconds(30),
                () -> extraMetrics.find("kafka.consumer.coordinator.assigned.partitions").gauges().stream()
                        .mapToDouble(g -> g.value()).sum() >= 1);
        boolean[] closed = {false};
        JobResult r;
        try (JobClient client = new JobClient(front.clients())) {
            client.submit("ext-handover", TestFiles.job("ext-handover", "models/base.onnx", "train", "test", 2));
            r = client.await("ext-handover", Duration.ofMinutes(5), e -> {
                if (!closed[0] && e.stage() == Stage.EXTRACTING && extracted(extraMetrics) > 0) {
                    closed[0] = true;
                    try {
                        extra.close();
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                }
            });
        } finally {
            if (!closed[0]) {
                extra.close();
            }
        }
        assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(extracted(extraMetrics)).as("the extra extractor handled shards before it stopped")
                .isGreaterThan(0).isLessThan(80);
        assertThat(closed[0]).as("it stopped mid-job").isTrue();
        assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(60);
        assertThat(r.metrics().counts().test()).isEqualTo(20);
        assertThat(r.metrics().counts().badSampleCount()).isEqualTo(1);
    }

    private static double extracted(SimpleMeterRegistry metrics) {
        return metrics.find("tp.extract.images.extracted").counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
