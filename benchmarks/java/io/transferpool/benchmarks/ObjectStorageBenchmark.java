package io.transferpool.benchmarks;

import io.transferpool.TestConfig;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.Stage;
import io.transferpool.pool.Cluster;
import io.transferpool.pool.Pool;
import io.transferpool.storage.ObjectUri;
import io.transferpool.storage.S3ProxyServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Extraction of the demo's images (4000 28x28 PNGs, train and test) read from a local S3-compatible server
 * (S3Proxy, filesystem backend, a child process on the same cores) against the same images on local disk, side by
 * side in one run through one pool: rounds alternate disk and bucket, each timed from submission until every shard
 * is extracted (listing, validation and the model's fetch included). Run by hand: {@code benchmarks/run.sh
 * -Dtest=ObjectStorageBenchmark}. Prints figures, asserts nothing about speed; issue 26's target: bucket >= 0.9x disk.
 */
@Tag("benchmark")
class ObjectStorageBenchmark {
    private static final Path DEMO = Path.of("demo/tshirt-vs-shirt").toAbsolutePath();
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 2);

    @Test
    void bucketAgainstLocalDisk() throws Exception {
        Path work = Files.createTempDirectory("tp-bench-s3");
        Path root = work.resolve("root");
        Files.createDirectories(root.resolve("models"));
        Files.copy(DEMO.resolve("models/base.onnx"), root.resolve("models/base.onnx"));
        int n = 0;
        for (String split : List.of("train", "test")) {
            for (String cls : List.of("shirt", "tshirt")) {
                Path dst = Files.createDirectories(root.resolve(split).resolve(cls));
                try (Stream<Path> s = Files.list(DEMO.resolve("data").resolve(split).resolve(cls))) {
                    for (Path f : s.toList()) {
                        Files.copy(f, dst.resolve(f.getFileName()));
                        n++;
                    }
                }
            }
        }
        int gets = Integer.getInteger("bench.parallel-gets", 16);
        try (S3ProxyServer server = S3ProxyServer.start(work.resolve("s3"))) {
            server.bucket("data");
            server.putTree(root.resolve("train"), ObjectUri.parse("s3://data/demo/train"));
            server.putTree(root.resolve("test"), ObjectUri.parse("s3://data/demo/test"));
            server.store().upload(root.resolve("models/base.onnx"), ObjectUri.parse("s3://data/demo/models/base.onnx"));
            var config = TestConfig.pool(root, work.resolve("work"), "tp.storage.s3.endpoint",
                    server.endpoint().toString(), "tp.storage.allowed", "s3://data/demo",
                    "tp.storage.s3.parallel-gets", String.valueOf(gets));
            System.out.printf("%nObject storage benchmark: %d demo images (28x28 PNG), %d cores, %d parallel GETs per"
                            + " stream, %d streams, S3Proxy 2.6.0 (filesystem backend) on the same machine%n", n,
                    Runtime.getRuntime().availableProcessors(), gets, config.extract().streamCount());
            double[] disk = new double[ROUNDS];
            double[] bucket = new double[ROUNDS];
            try (Pool pool = Pool.start(config, Cluster.embedded())) {
                for (int w = 0; w < WARMUP; w++) {
                    run(pool, "warm-disk-" + w, "", n);
                    run(pool, "warm-s3-" + w, "s3://data/demo/", n);
                }
                for (int r = 0; r < ROUNDS; r++) {
                    // alternate which goes first, so a drift of the machine's speed favours neither
                    double serverCpu;
                    if (r % 2 == 0) {
                        disk[r] = run(pool, "disk-" + r, "", n);
                        long before = server.cpu().toMillis();
                        bucket[r] = run(pool, "s3-" + r, "s3://data/demo/", n);
                        serverCpu = (server.cpu().toMillis() - before) / 1e3;
                    } else {
                        long before = server.cpu().toMillis();
                        bucket[r] = run(pool, "s3-" + r, "s3://data/demo/", n);
                        serverCpu = (server.cpu().toMillis() - before) / 1e3;
                        disk[r] = run(pool, "disk-" + r, "", n);
                    }
                    System.out.printf("round %d: local disk %.0f images/s, bucket %.0f images/s, ratio %.2f (S3Proxy"
                            + " used %.2f CPU s for the bucket job, %.0f us per image)%n", r + 1, disk[r], bucket[r],
                            bucket[r] / disk[r], serverCpu, serverCpu * 1e6 / n);
                }
            }
            double[] ratios = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                ratios[r] = bucket[r] / disk[r];
            }
            System.out.printf("%nlocal disk   %6.0f images/s (median)%nbucket       %6.0f images/s (median)%n"
                            + "ratio bucket / disk %.2f (median of rounds %s; target >= 0.90)%n", median(disk),
                    median(bucket), median(ratios), Arrays.toString(Arrays.stream(ratios)
                            .map(x -> Math.round(x * 100) / 100.0).toArray()));
        }
    }

    /** Images per second from submission until the last shard is extracted. */
    private static double run(Pool pool, String jobId, String prefix, int n) throws Exception {
        String json = """
                {"jobId": "%s", "baseModel": {"uri": "%smodels/base.onnx", "input": "input",
                                              "cut": "/flatten/Flatten_output_0"},
                 "data": {"train": {"uri": "%strain"}, "test": {"uri": "%stest"}, "validationSplit": 0.1},
                 "preprocess": {"width": 28, "height": 28, "channels": 1},
                 "training": {"epochs": 1, "earlyStopping": {"enabled": false}}}"""
                .formatted(jobId, prefix, prefix, prefix);
        long[] lastShard = {0};
        long t0;
        JobResult result;
        try (JobClient client = new JobClient(pool.clients())) {
            t0 = System.currentTimeMillis();
            client.submit(jobId, json);
            result = client.await(jobId, Duration.ofMinutes(10), e -> {
                if (e.stage() == Stage.EXTRACTING && e.shardsDone().equals(e.shardsTotal())) {
                    lastShard[0] = e.timestampMillis();
                }
            });
        }
        if (result.status() != JobResult.Status.SUCCEEDED) {
            throw new IllegalStateException(jobId + " failed: " + result.errors());
        }
        var c = result.metrics().counts();
        if (c.train() + c.validation() + c.test() != n) {
            throw new IllegalStateException(jobId + " extracted " + (c.train() + c.validation() + c.test()) + " of " + n);
        }
        return n / ((lastShard[0] - t0) / 1e3);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
