package io.transferpool.pool;

import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.Stage;
import io.transferpool.storage.ObjectUri;
import io.transferpool.storage.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs whose images and base model live in a bucket of a real S3-compatible server (S3Proxy as a child process),
 * through a pool of every role on the embedded broker: the features equal those of the same images on disk, bad
 * objects are counted and reported, and what the allow-list or the key rules refuse is REJECTED naming the field.
 */
class ObjectStoragePipelineIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.brokerOnly().data(root -> {
        TestFiles.demoRoot(root, "train", 30, "test", 10);
        Files.write(root.resolve("train/shirt/zz-corrupt.png"), "not a png".getBytes(StandardCharsets.UTF_8));
    });
    static S3ProxyServer server;
    static Pool pool;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.start(POOL.dir().resolve("s3"));
        server.bucket("data");
        server.bucket("models");
        server.bucket("secret");
        server.putTree(POOL.root().resolve("train"), ObjectUri.parse("s3://data/demo/train"));
        server.putTree(POOL.root().resolve("test"), ObjectUri.parse("s3://data/demo/test"));
        server.store().upload(POOL.root().resolve("models/base.onnx"), ObjectUri.parse("s3://models/demo/base.onnx"));
        server.putTree(POOL.root().resolve("test"), ObjectUri.parse("s3://secret/test"));
        var settings = server.poolSettings("s3://data/demo,s3://models");
        pool = POOL.start("tp.storage.s3.endpoint", settings.get("tp.storage.s3.endpoint"),
                "tp.storage.allowed", settings.get("tp.storage.allowed"), "tp.shard-size", "16",
                "tp.storage.s3.parallel-gets", "4");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String job(String jobId, String model, String train, String test) {
        return TestFiles.job(jobId, model, train, test, 2);
    }

    private static String extractJob(String jobId, String model, String train, String test) {
        return job(jobId, model, train, test)
                .replace("\"strategy\": \"feature-extraction\"", "\"strategy\": \"extract\"");
    }

    @Test
    void featuresFromABucketEqualThoseFromDiskAndABadObjectIsReported() throws Exception {
        JobResult fromDisk = TestJobs.succeeded(pool, "disk-1", extractJob("disk-1", "models/base.onnx", "train",
                "test"), e -> { });
        JobResult fromBucket = TestJobs.succeeded(pool, "s3-1", extractJob("s3-1", "s3://models/demo/base.onnx",
                "s3://data/demo/train", "s3://data/demo/test"), e -> { });
        Path disk = Path.of(URI.create(fromDisk.artifacts().features().uri()));
        Path bucket = Path.of(URI.create(fromBucket.artifacts().features().uri()));
        for (String split : List.of("train", "test")) {
            assertThat(Files.readAllBytes(bucket.resolve(split + ".npy"))).as(split)
                    .isEqualTo(Files.readAllBytes(disk.resolve(split + ".npy")));
        }
        // the rows are named by their objects, in the same order as the files
        List<String> diskRows = Files.readAllLines(disk.resolve("train.jsonl"));
        List<String> bucketRows = Files.readAllLines(bucket.resolve("train.jsonl"));
        assertThat(bucketRows).hasSameSizeAs(diskRows).hasSize(60);
        assertThat(bucketRows.get(0)).contains("\"ref\":\"s3://data/demo/train/");
        for (int i = 0; i < diskRows.size(); i++) {
            assertThat(bucketRows.get(i).replace("s3://data/demo/", "")).isEqualTo(diskRows.get(i));
        }
        var counts = fromBucket.metrics().counts();
        assertThat(counts.badSampleCount()).isEqualTo(1);
        assertThat(counts.badSamples()).singleElement().satisfies(b -> {
            assertThat(b.sample()).isEqualTo("s3://data/demo/train/shirt/zz-corrupt.png");
            assertThat(b.reason()).contains("not a readable image");
        });
    }

    @Test
    void aMethodOneJobTrainsOnABucket() throws Exception {
        JobResult r = TestJobs.succeeded(pool, "s3-train", job("s3-train", "s3://models/demo/base.onnx",
                "s3://data/demo/train", "s3://data/demo/test"), e -> { });
        assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(60);
        assertThat(r.metrics().counts().test()).isEqualTo(20);
        assertThat(r.metrics().test().accuracy()).isGreaterThan(0.5);
        assertThat(r.artifacts().onnx()).isNotNull();
    }

    @Test
    void whatTheAllowListOrTheKeyRulesRefuseIsRejectedNamingTheField() throws Exception {
        JobResult outside = TestJobs.run(pool, "s3-outside", job("s3-outside", "s3://models/demo/base.onnx",
                "s3://secret/test", null));
        assertThat(outside.status()).isEqualTo(JobResult.Status.REJECTED);
        assertThat(outside.errors()).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("data.train.uri");
            assertThat(e.problem()).contains("outside the allowed buckets");
        });
        JobResult traversal = TestJobs.run(pool, "s3-dotdot", job("s3-dotdot", "s3://models/demo/base.onnx",
                "s3://data/demo/../../secret/test", null));
        assertThat(traversal.status()).isEqualTo(JobResult.Status.REJECTED);
        assertThat(traversal.errors()).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("data.train.uri");
            assertThat(e.problem()).contains("\"..\" segment");
        });
        JobResult pinned = TestJobs.run(pool, "s3-pinned", job("s3-pinned", "s3://models/demo/base.onnx",
                "s3://data/demo/train", null).replace("\"cut\":", "\"sha256\": \"" + "0".repeat(64) + "\", \"cut\":"));
        assertThat(pinned.status()).isEqualTo(JobResult.Status.REJECTED);
        assertThat(pinned.errors()).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("baseModel.sha256");
            assertThat(e.problem()).contains("expected " + "0".repeat(64) + " but the file's SHA-256 is "
                    + io.transferpool.model.OnnxModel.sha256(POOL.root().resolve("models/base.onnx")));
        });
        JobResult missing = TestJobs.run(pool, "s3-nomodel", job("s3-nomodel", "s3://models/demo/none.onnx",
                "s3://data/demo/train", null));
        assertThat(missing.status()).isEqualTo(JobResult.Status.REJECTED);
        assertThat(missing.errors()).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("baseModel.uri");
            assertThat(e.problem()).contains("s3://models/demo/none.onnx does not exist");
        });
    }

    @Test
    void anObjectGoneBeforeItsShardIsExtractedIsABadSampleAndTheJobGoesOn() throws Exception {
        server.putTree(POOL.root().resolve("train"), ObjectUri.parse("s3://data/gone/train"));
        String[] s3 = {"tp.storage.s3.endpoint", server.endpoint().toString(),
                "tp.storage.allowed", "s3://data/gone,s3://models"};
        // The job is accepted and its shards queued before any extractor runs; then an image goes.
        Pool front = POOL.startApart("gone", concat(s3, "tp.roles", "coordinator,trainer"));
        try (JobClient client = new JobClient(front.clients())) {
            CompletableFuture<Void> queued = new CompletableFuture<>();
            client.submit("s3-gone", job("s3-gone", "s3://models/demo/base.onnx", "s3://data/gone/train", null));
            CompletableFuture<JobResult> result = TestJobs.follow(client, "s3-gone", e -> {
                if (e.stage() == Stage.QUEUED) {
                    queued.complete(null);
                }
            });
            queued.get(2, TimeUnit.MINUTES);
            server.store().delete(ObjectUri.parse("s3://data/gone/train/tshirt/" + firstTshirt()));
            try (Pool extractor = Pool.start(POOL.config(concat(s3, "tp.roles", "extractor")),
                    Cluster.at(front.clients().bootstrapServers()), new SimpleMeterRegistry())) {
                JobResult r = result.get(5, TimeUnit.MINUTES);
                assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
                assertThat(r.metrics().counts().badSamples()).anySatisfy(b -> {
                    assertThat(b.sample()).isEqualTo("s3://data/gone/train/tshirt/" + firstTshirt());
                    assertThat(b.reason()).isEqualTo("object not found");
                });
                assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(59);
            }
        }
    }

    private static String firstTshirt() throws Exception {
        try (var s = Files.list(POOL.root().resolve("train/tshirt"))) {
            return s.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aHugeImageObjectIsABadSampleRefusedFromItsLength() throws Exception {
        // A sparse 300 MB object straight in the server's backend folder: listed and counted, never downloaded.
        Path huge = Files.createDirectories(server.dir().resolve("data/huge/train/shirt")).resolve("huge.png");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(300L << 20);
        }
        server.putTree(POOL.root().resolve("train"), ObjectUri.parse("s3://data/huge/train"));
        var settings = server.poolSettings("s3://data/huge,s3://models");
        Pool apart = POOL.startApart("huge", "tp.storage.s3.endpoint", settings.get("tp.storage.s3.endpoint"),
                "tp.storage.allowed", settings.get("tp.storage.allowed"));
        JobResult r = TestJobs.succeeded(apart, "s3-huge", job("s3-huge", "s3://models/demo/base.onnx",
                "s3://data/huge/train", null), e -> { });
        assertThat(r.metrics().counts().badSamples()).anySatisfy(b -> {
            assertThat(b.sample()).isEqualTo("s3://data/huge/train/shirt/huge.png");
            assertThat(b.reason()).contains("314572800 bytes, more than the 268435456 allowed for one image");
        });
    }
}
