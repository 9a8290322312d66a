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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Extraction from a local S3-compatible server (S3Proxy, filesystem backend, a child process on the same cores)
 * against the same images on local disk, side by side in one run through one pool: rounds alternate disk and
 * bucket, each timed from submission until every shard is extracted (listing, validation and the model's fetch
 * included), with the server's own CPU time per image. Cases: the demo (4000 28x28 PNGs through the demo's CNN) and,
 * when benchmarks/recipes/make_mobilenet_case.py made it, MobileNetV2 on 500x375 JPEG photos stretched to 224x224.
 * Run by hand: {@code benchmarks/run.sh -Dtest=ObjectStorageBenchmark}. Prints figures, asserts nothing about speed;
 * issue 26's target: bucket >= 0.9x disk.
 */
@Tag("benchmark")
class ObjectStorageBenchmark {
    private static final Path DEMO = Path.of("demo/tshirt-vs-shirt").toAbsolutePath();
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 3);
    private static final int PHOTOS = Integer.getInteger("bench.photos", 1000);

    /** A model, where to cut it, the preprocessing, and the image folders (one sub-folder per class) of each split. */
    private record Case(String name, Path model, String cut, String preprocess, List<Path> splits, int perClass,
                        int rounds, int warmup) {
    }

    @Test
    void bucketAgainstLocalDisk() throws Exception {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("demo: 4000 28x28 PNGs, the demo's CNN cut at flatten", DEMO.resolve("models/base.onnx"),
                "/flatten/Flatten_output_0", "{\"width\": 28, \"height\": 28, \"channels\": 1}",
                List.of(DEMO.resolve("data/train"), DEMO.resolve("data/test")), Integer.MAX_VALUE, ROUNDS, WARMUP));
        Path photos = Path.of("target/bench/photo500").toAbsolutePath();
        if (Files.isDirectory(photos)) {
            cases.add(new Case("photos: " + 2 * PHOTOS + " 500x375 JPEGs (~55 kB) stretched to 224x224, MobileNetV2",
                    Path.of("target/bench/mobilenet_v2.onnx").toAbsolutePath(), "/Flatten_output_0",
                    "{\"width\": 224, \"height\": 224, \"channels\": 3, \"resize\": \"stretch\"}", List.of(photos),
                    PHOTOS, Math.min(ROUNDS, 3), 2));
        } else {
            System.out.println("(no target/bench/photo500: run benchmarks/recipes/make_mobilenet_case.py for the photo"
                    + " case)");
        }
        for (Case c : cases) {
            if (c.name().contains(System.getProperty("bench.case", ""))) {
                measure(c);
            }
        }
    }

    private static void measure(Case c) throws Exception {
        Path work = Files.createTempDirectory("tp-bench-s3");
        Path root = work.resolve("root");
        Files.createDirectories(root.resolve("models"));
        Files.copy(c.model(), root.resolve("models/base.onnx"));
        int n = 0;
        List<String> splits = List.of("train", "test");
        for (int s = 0; s < c.splits().size(); s++) {
            for (String cls : List.of("shirt", "tshirt")) {
                Path dst = Files.createDirectories(root.resolve(splits.get(s)).resolve(cls));
                try (Stream<Path> files = Files.list(c.splits().get(s).resolve(cls))) {
                    for (Path f : files.sorted().limit(c.perClass()).toList()) {
                        Files.copy(f, dst.resolve(f.getFileName()));
                        n++;
                    }
                }
            }
        }
        boolean test = c.splits().size() > 1;
        int gets = Integer.getInteger("bench.parallel-gets", 16);
        try (S3ProxyServer server = S3ProxyServer.start(work.resolve("s3"))) {
            server.bucket("data");
            for (String split : test ? splits : List.of("train")) {
                server.putTree(root.resolve(split), ObjectUri.parse("s3://data/bench/" + split));
            }
            server.store().upload(root.resolve("models/base.onnx"), ObjectUri.parse("s3://data/bench/models/base.onnx"));
            var config = TestConfig.pool(root, work.resolve("work"), "tp.storage.s3.endpoint",
                    server.endpoint().toString(), "tp.storage.allowed", "s3://data/bench",
                    "tp.storage.s3.parallel-gets", String.valueOf(gets));
            System.out.printf("%nObject storage benchmark, %s: %d images, %d cores, %d streams, %d parallel GETs per"
                            + " stream, S3Proxy 2.6.0 (filesystem backend) on the same machine%n", c.name(), n,
                    Runtime.getRuntime().availableProcessors(), config.extract().streamCount(), gets);
            double[] disk = new double[c.rounds()];
            double[] bucket = new double[c.rounds()];
            try (Pool pool = Pool.start(config, Cluster.embedded())) {
                for (int w = 0; w < c.warmup(); w++) {
                    run(pool, c, "warm-disk-" + w, "", n, test);
                    run(pool, c, "warm-s3-" + w, "s3://data/bench/", n, test);
                }
                for (int r = 0; r < c.rounds(); r++) {
                    // alternate which goes first, so a drift of the machine's speed favours neither
                    double serverCpu;
                    if (r % 2 == 0) {
                        disk[r] = run(pool, c, "disk-" + r, "", n, test);
                        long before = server.cpu().toMillis();
                        bucket[r] = run(pool, c, "s3-" + r, "s3://data/bench/", n, test);
                        serverCpu = (server.cpu().toMillis() - before) / 1e3;
                    } else {
                        long before = server.cpu().toMillis();
                        bucket[r] = run(pool, c, "s3-" + r, "s3://data/bench/", n, test);
                        serverCpu = (server.cpu().toMillis() - before) / 1e3;
                        disk[r] = run(pool, c, "disk-" + r, "", n, test);
                    }
                    System.out.printf("round %d: local disk %.0f images/s, bucket %.0f images/s, ratio %.2f (S3Proxy"
                            + " used %.2f CPU s for the bucket job, %.0f us per image)%n", r + 1, disk[r], bucket[r],
                            bucket[r] / disk[r], serverCpu, serverCpu * 1e6 / n);
                }
            }
            double[] ratios = new double[c.rounds()];
            for (int r = 0; r < c.rounds(); r++) {
                ratios[r] = bucket[r] / disk[r];
            }
            System.out.printf("local disk   %6.0f images/s (median)%nbucket       %6.0f images/s (median)%n"
                            + "ratio bucket / disk %.2f (median of rounds %s; target >= 0.90)%n", median(disk),
                    median(bucket), median(ratios), Arrays.toString(Arrays.stream(ratios)
                            .map(x -> Math.round(x * 100) / 100.0).toArray()));
        }
    }

    /** Images per second from submission until the last shard is extracted. */
    private static double run(Pool pool, Case c, String jobId, String prefix, int n, boolean test) throws Exception {
        String json = """
                {"jobId": "%s", "baseModel": {"uri": "%smodels/base.onnx", "cut": "%s"},
                 "data": {"train": {"uri": "%strain"}%s, "validationSplit": 0.1},
                 "preprocess": %s,
                 "training": {"epochs": 1, "earlyStopping": {"enabled": false}}}"""
                .formatted(jobId, prefix, c.cut(), prefix, test ? ", \"test\": {\"uri\": \"" + prefix + "test\"}" : "",
                        c.preprocess());
        long[] lastShard = {0};
        long t0;
        JobResult result;
        try (JobClient client = new JobClient(pool.clients())) {
            t0 = System.currentTimeMillis();
            client.submit(jobId, json);
            result = client.await(jobId, Duration.ofMinutes(20), e -> {
                if (e.stage() == Stage.EXTRACTING && e.shardsDone().equals(e.shardsTotal())) {
                    lastShard[0] = e.timestampMillis();
                }
            });
        }
        if (result.status() != JobResult.Status.SUCCEEDED) {
            throw new IllegalStateException(jobId + " failed: " + result.errors());
        }
        var counts = result.metrics().counts();
        if (counts.train() + counts.validation() + counts.test() != n) {
            throw new IllegalStateException(jobId + " extracted " + (counts.train() + counts.validation()
                    + counts.test()) + " of " + n);
        }
        return n / ((lastShard[0] - t0) / 1e3);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
