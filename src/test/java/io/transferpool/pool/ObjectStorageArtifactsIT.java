package io.transferpool.pool;

import io.transferpool.FamilyModel;
import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult;
import io.transferpool.learning.Evaluation;
import io.transferpool.model.OnnxModel;
import io.transferpool.storage.ObjectStore;
import io.transferpool.storage.ObjectUri;
import io.transferpool.storage.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pool whose data, base models and artifacts all live in buckets of a real S3-compatible server (S3Proxy):
 * results name their artifacts by {@code s3://} URIs whose objects match the digests, a combined model with external
 * weights comes back as two objects that run, kept features are found again through the bucket, and checkpoints
 * are cleared from it when the job is done.
 */
class ObjectStorageArtifactsIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.brokerOnly().data(root -> {
        TestFiles.demoRoot(root, "train", 30, "test", 10);
        TestFiles.copyImagesAsRgb("train", root.resolve("rgb/train"), 12);
        TestFiles.copyImagesAsRgb("test", root.resolve("rgb/test"), 6);
    });
    static S3ProxyServer server;
    static Pool pool;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.start(POOL.dir().resolve("s3"));
        for (String b : List.of("data", "models", "artifacts")) {
            server.bucket(b);
        }
        server.putTree(POOL.root().resolve("train"), ObjectUri.parse("s3://data/grey/train"));
        server.putTree(POOL.root().resolve("test"), ObjectUri.parse("s3://data/grey/test"));
        server.putTree(POOL.root().resolve("rgb"), ObjectUri.parse("s3://data/rgb"));
        server.store().upload(POOL.root().resolve("models/base.onnx"), ObjectUri.parse("s3://models/base.onnx"));
        server.putTree(FamilyModel.DIR.resolve("external"), ObjectUri.parse("s3://models/external"));
        pool = POOL.start("tp.storage.s3.endpoint", server.endpoint().toString(),
                "tp.storage.allowed", "s3://data,s3://models", "tp.artifacts-dir", "s3://artifacts/pool",
                "tp.features.max-bytes", String.valueOf(1L << 30), "tp.train.checkpoint-epochs", "1",
                "tp.shard-size", "32");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The artifact's object, downloaded, its digest checked against the result's. */
    private static Path fetch(JobResult.Artifact a, Path to) throws Exception {
        assertThat(a.uri()).startsWith("s3://artifacts/pool/");
        Path file = to.resolve(ObjectUri.parse(a.uri()).name());
        server.store().download(ObjectUri.parse(a.uri()), file, Long.MAX_VALUE);
        if (a.sha256() != null) {
            assertThat(OnnxModel.sha256(file)).as(a.uri()).isEqualTo(a.sha256());
        }
        return file;
    }

    private static List<String> keys(String prefix) {
        return server.store().all(ObjectUri.parse(prefix)).map(ObjectStore.Entry::key).toList();
    }

    @Test
    void aMethodOneJobLeavesItsArtifactsInTheBucketAndALaterJobReusesItsKeptFeatures() throws Exception {
        String json = TestFiles.job("s3-art-1", "s3://models/base.onnx", "s3://data/grey/train",
                "s3://data/grey/test", 3);
        JobResult first = TestJobs.succeeded(pool, "s3-art-1", json, e -> { });
        Path got = Files.createDirectories(POOL.dir().resolve("got-1"));
        assertThat(first.artifacts().onnx().uri()).isEqualTo("s3://artifacts/pool/s3-art-1/model.onnx");
        assertThat(first.artifacts().head().uri()).isEqualTo("s3://artifacts/pool/s3-art-1/head.dl4j.zip");
        Path onnx = fetch(first.artifacts().onnx(), got);
        fetch(first.artifacts().head(), got);
        assertThat(first.artifacts().report().uri()).isEqualTo("s3://artifacts/pool/s3-art-1/report.html");
        assertThat(Files.readString(fetch(first.artifacts().report(), got))).contains("s3-art-1")
                .contains("s3://artifacts/pool/s3-art-1/model.onnx").contains(first.artifacts().onnx().sha256());
        DemoTestImages test = DemoTestImages.load(POOL.root());
        assertThat(Evaluation.of(test.runCombined(onnx, first.artifacts().onnx().sha256()), test.labels(),
                List.of("shirt", "tshirt")).accuracy()).isEqualTo(first.metrics().test().accuracy());
        // checkpoints went to the bucket (one per epoch) and were cleared with the result
        assertThat(keys("s3://artifacts/pool/s3-art-1")).noneMatch(k -> k.contains("/checkpoints/"));
        assertThat(keys("s3://artifacts/pool/features")).anyMatch(k -> k.endsWith("/entry.json"))
                .anyMatch(k -> k.endsWith("/train.rows"));

        JobResult second = TestJobs.succeeded(pool, "s3-art-2", json.replace("s3-art-1", "s3-art-2"), e -> { });
        assertThat(second.metrics().counts().featuresReused()).isEqualTo(80);
        assertThat(second.metrics().test().accuracy()).isEqualTo(first.metrics().test().accuracy());
    }

    @Test
    void anExtractJobsFeaturesGoToTheBucket() throws Exception {
        String json = TestFiles.job("s3-extract", "s3://models/base.onnx", "s3://data/grey/train",
                "s3://data/grey/test", 1).replace("\"strategy\": \"feature-extraction\"", "\"strategy\": \"extract\"");
        JobResult r = TestJobs.succeeded(pool, "s3-extract", json, e -> { });
        assertThat(r.artifacts().features().uri()).isEqualTo("s3://artifacts/pool/s3-extract/features");
        assertThat(r.artifacts().report().uri()).isEqualTo("s3://artifacts/pool/s3-extract/report.html");
        assertThat(keys("s3://artifacts/pool/s3-extract/features")).containsExactlyInAnyOrder(
                "pool/s3-extract/features/train.npy", "pool/s3-extract/features/train.jsonl",
                "pool/s3-extract/features/test.npy", "pool/s3-extract/features/test.jsonl");
        String rows = new String(server.store().read(ObjectUri.parse("s3://artifacts/pool/s3-extract/features/"
                + "train.jsonl"), 1 << 20), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(rows.lines()).hasSize(60).allMatch(l -> l.contains("\"ref\":\"s3://data/grey/train/"));
    }

    @Test
    void aFineTunedBaseWithExternalWeightsComesBackAsTwoObjectsThatRun() throws Exception {
        FamilyModel f = FamiliesFineTuneIT.family("resnet18_opset13.onnx");
        String json = FamiliesFineTuneIT.job("s3-ft", "s3://models/external/resnet18_opset13.onnx", f)
                .replace("\"uri\": \"train\"", "\"uri\": \"s3://data/rgb/train\"")
                .replace("\"uri\": \"test\"", "\"uri\": \"s3://data/rgb/test\"");
        JobResult r = TestJobs.succeeded(pool, "s3-ft", json, e -> { });
        assertThat(r.artifacts().onnxData().uri()).isEqualTo("s3://artifacts/pool/s3-ft/model.onnx.data");
        assertThat(r.artifacts().head().uri()).isEqualTo("s3://artifacts/pool/s3-ft/network.dl4j.zip");
        Path got = Files.createDirectories(POOL.dir().resolve("got-ft"));
        Path onnx = fetch(r.artifacts().onnx(), got);
        fetch(r.artifacts().onnxData(), got);
        DemoTestImages test = DemoTestImages.load(POOL.root().resolve("rgb"),
                JobParser.parse(json).orThrow().preprocess());
        assertThat(Evaluation.of(test.runCombined(onnx, r.artifacts().onnx().sha256()), test.labels(),
                List.of("shirt", "tshirt")).accuracy()).isEqualTo(r.metrics().test().accuracy());
    }
}
