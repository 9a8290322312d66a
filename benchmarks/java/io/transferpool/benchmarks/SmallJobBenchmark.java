package io.transferpool.benchmarks;

import io.transferpool.TestConfig;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.pool.Cluster;
import io.transferpool.pool.Pool;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Latency of a small job on a warm pool (embedded broker, every role, one process): the demo's job on 100 of its
 * training images (50 per class) and 100 test images, from the submission to the result on Kafka. Prints the
 * wall time per round and where it went: the time from the submission to each status stage, and the stage
 * timings the result itself carries. Target (issue 11): <= 2 s. Asserts nothing. Run by hand:
 * {@code benchmarks/run.sh -Dtest=SmallJobBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class SmallJobBenchmark {
    private static final Path DEMO = Path.of("demo/tshirt-vs-shirt").toAbsolutePath();
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int PER_CLASS = 50;

    @Test
    void smallJobOnAWarmPool() throws Exception {
        Path work = Files.createTempDirectory("tp-small");
        Path root = work.resolve("root");
        Files.createDirectories(root.resolve("models"));
        Files.copy(DEMO.resolve("models/base.onnx"), root.resolve("models/base.onnx"));
        for (String split : List.of("train", "test")) {
            for (String cls : List.of("shirt", "tshirt")) {
                Path dst = Files.createDirectories(root.resolve(split).resolve(cls));
                try (Stream<Path> s = Files.list(DEMO.resolve("data").resolve(split).resolve(cls))) {
                    for (Path f : s.sorted().limit(PER_CLASS).toList()) {
                        Files.copy(f, dst.resolve(f.getFileName()));
                    }
                }
            }
        }
        System.out.printf("%nSmall job on a warm pool: %d training + %d test images, the demo's job, %d cores%n",
                2 * PER_CLASS, 2 * PER_CLASS, Runtime.getRuntime().availableProcessors());
        double[] walls = new double[ROUNDS];
        try (Pool pool = Pool.start(TestConfig.pool(root, work), Cluster.embedded())) {
            run(pool, "warm-up");
            for (int r = 0; r < ROUNDS; r++) {
                walls[r] = run(pool, "small-" + r);
            }
        }
        double[] s = walls.clone();
        Arrays.sort(s);
        System.out.printf("submit -> result: median %.2f s (rounds %s); target <= 2 s%n", s[s.length / 2],
                Arrays.toString(Arrays.stream(walls).map(x -> Math.round(x * 100) / 100.0).toArray()));
    }

    /** Runs one job; prints where its time went; returns the seconds from submission to result. */
    private static double run(Pool pool, String jobId) throws Exception {
        Map<String, Long> firstSeen = new LinkedHashMap<>();
        JobResult result;
        long t0;
        try (JobClient client = new JobClient(pool.clients())) {
            t0 = System.currentTimeMillis();
            client.submit(jobId, job(jobId));
            result = client.await(jobId, Duration.ofMinutes(5),
                    (StatusEvent e) -> {
                        firstSeen.putIfAbsent(e.stage().wire(), e.timestampMillis());
                        firstSeen.putIfAbsent(e.stage().wire() + " (read)", System.currentTimeMillis());
                    });
        }
        double wall = (System.currentTimeMillis() - t0) / 1e3;
        if (result.status() != JobResult.Status.SUCCEEDED) {
            throw new IllegalStateException("benchmark job failed: " + result.errors());
        }
        StringBuilder stages = new StringBuilder();
        firstSeen.forEach((stage, at) -> stages.append(String.format(" %s +%.2f", stage, (at - t0) / 1e3)));
        Map<String, Double> t = result.metrics().timings();
        System.out.printf("%-8s %.2f s | status first seen:%s | result timings: validation %.2f, extraction %.2f,"
                        + " training %.2f (%d epochs), evaluation %.2f, export %.2f, total %.2f s%n", jobId, wall,
                stages, t.get("validationSeconds"), t.get("extractionSeconds"), t.get("trainingSeconds"),
                result.metrics().epochs().size(), t.get("evaluationSeconds"), t.getOrDefault("exportSeconds", Double.NaN),
                t.get("totalSeconds"));
        return wall;
    }

    private static String job(String jobId) {
        return """
                {"jobId": "%s", "strategy": "feature-extraction",
                 "baseModel": {"uri": "models/base.onnx", "input": "input", "cut": "/flatten/Flatten_output_0"},
                 "data": {"train": {"uri": "train"}, "test": {"uri": "test"}, "validationSplit": 0.1},
                 "preprocess": {"width": 28, "height": 28, "channels": 1, "scale": 0.00392156862745098},
                 "head": {"hidden": [1024], "activation": "relu"},
                 "training": {"optimizer": {"type": "sgd", "learningRate": 0.001, "decay": 1e-6, "momentum": 0.9,
                              "nesterov": true}, "epochs": 200, "batchSize": 64,
                              "earlyStopping": {"monitor": "val_accuracy", "patience": 10, "mode": "max"}, "seed": 7}}"""
                .formatted(jobId);
    }
}
