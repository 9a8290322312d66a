package io.transferpool.features;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.pool.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Featurize once, train many, through the pool on the embedded broker: a second job on the same model, cut and
 * images trains on the first one's features without extracting anything, and trains exactly as it would have on
 * extracted ones; a changed image makes the next job extract again.
 */
class FeatureReuseIT {
    static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();
    @RegisterExtension
    static final TestPool POOL = TestPool.allRoles().meters(METERS).data(root -> {
        TestFiles.demoRoot(root, "train", 30, "test", 10);
        Files.write(root.resolve("train/shirt/zz-corrupt.png"), "not a png".getBytes());
    }).with("tp.shard-size", "16", "tp.features.max-bytes", String.valueOf(1L << 30));

    private static JobResult run(String jobId, String json, List<StatusEvent> events) throws Exception {
        return TestJobs.succeeded(POOL.pool(), jobId, json, events::add);
    }

    private static double decoded() {
        var c = METERS.find("tp.extract.images.decoded").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aLaterJobOnTheSameFeaturesSkipsExtractionAndTrainsAsIfItHadExtracted() throws Exception {
        JobResult first = run("reuse-1", TestFiles.job("reuse-1", "models/base.onnx", "train", "test", 4),
                new ArrayList<>());
        assertThat(first.metrics().counts().featuresReused()).isZero();
        assertThat(first.metrics().timings()).containsKey("featuresKeepSeconds");
        double decodedAfterFirst = decoded();
        assertThat(decodedAfterFirst).isGreaterThanOrEqualTo(80);

        List<StatusEvent> events = new ArrayList<>();
        JobResult second = run("reuse-2", TestFiles.job("reuse-2", "models/base.onnx", "train", "test", 4), events);
        assertThat(decoded()).as("nothing decoded or extracted").isEqualTo(decodedAfterFirst);
        assertThat(second.metrics().counts().featuresReused()).as("every row: 60 train, 20 test")
                .isEqualTo(80);
        assertThat(events).anySatisfy(e -> assertThat(e.message()).contains("kept from job reuse-1"));
        assertThat(second.metrics().counts().badSampleCount()).as("the corrupt image is reported again").isEqualTo(1);
        assertThat(second.metrics().counts().badSamples()).isEqualTo(first.metrics().counts().badSamples());
        // The same rows, ids and labels: training and evaluation come out exactly the same.
        assertThat(second.metrics().epochs()).isEqualTo(first.metrics().epochs());
        assertThat(second.metrics().test()).usingRecursiveComparison().isEqualTo(first.metrics().test());

        JobResult otherHead = run("reuse-3", TestFiles.job("reuse-3", "models/base.onnx", "train", "test", 4)
                .replace("\"hidden\": [64]", "\"hidden\": [16, 16]"), new ArrayList<>());
        assertThat(otherHead.metrics().counts().featuresReused()).as("another head, the same features")
                .isEqualTo(80);

        Path image;
        try (var files = Files.list(POOL.root().resolve("train/tshirt"))) {
            image = files.sorted().findFirst().orElseThrow();
        }
        Files.copy(TestFiles.DEMO.resolve("data/train/shirt").resolve(firstName(TestFiles.DEMO
                .resolve("data/train/shirt"))), image, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        JobResult changed = run("reuse-4", TestFiles.job("reuse-4", "models/base.onnx", "train", "test", 4),
                new ArrayList<>());
        assertThat(changed.metrics().counts().featuresReused()).as("an image changed: extracted again").isZero();
        assertThat(decoded()).isGreaterThan(decodedAfterFirst);
    }

    @Test
    void featuresKeptByAPoolSendingFloat32DoNotServeAPoolSendingFloat16() throws Exception {
        // Another preprocessing scale than the other test's jobs, so neither test meets the other's features.
        String job = TestFiles.job("wire-32", "models/base.onnx", "train", "test", 2)
                .replace("\"scale\": 0.00392156862745098", "\"scale\": 0.004");
        assertThat(job).contains("0.004");
        run("wire-32", job, new ArrayList<>());
        // On a broker of its own, keeping its features where the class's pool keeps them.
        try (Pool other = POOL.startApart("float16", "tp.extract.feature-type", "float16", "tp.features.dir",
                POOL.work().resolve("artifacts/features").toString())) {
            JobResult first = TestJobs.succeeded(other, "wire-16", job.replace("wire-32", "wire-16"), e -> { });
            assertThat(first.metrics().counts().featuresReused()).as("float32 rows do not serve float16").isZero();
            JobResult again = TestJobs.succeeded(other, "wire-16b", job.replace("wire-32", "wire-16b"), e -> { });
            assertThat(again.metrics().counts().featuresReused()).as("its own float16 rows do").isEqualTo(80);
        }
    }

    private static String firstName(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
        }
    }
}
