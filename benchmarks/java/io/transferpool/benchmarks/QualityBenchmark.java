package io.transferpool.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transferpool.TestConfig;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.pool.Cluster;
import io.transferpool.pool.Pool;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Learning quality on small data (issue 25): is the default one-shot fine-tune at least as good as method 1 on the
 * same images? Three two-class tasks from Fashion-MNIST pairs, each with a base trained on the other 8 classes
 * (benchmarks/recipes/make_quality_cases.py: the demo's architecture and recipe, exported by torch.onnx.export),
 * random subsets of 1000 training images (10% of them validate), the pair's 2000 test images. On every subset a
 * method-1 job and a fine-tune job with the demo's settings (demo/tshirt-vs-shirt/job.json and finetune-job.json),
 * through a pool on the embedded broker. Prints per subset both test accuracies, the fine-tune's stages and the
 * paired difference; per task the mean and spread of both and of the difference. Targets: on every task the
 * fine-tune's mean >= method 1's, and on no subset more than 1 point below that subset's method 1. Asserts nothing.
 * Run by hand after the recipe: {@code benchmarks/run.sh -Dtest=QualityBenchmark} ({@code -Dbench.quality.subsets=N}
 * for fewer subsets, {@code -Dbench.quality.tasks=a,b} and {@code -Dbench.quality.only=3,5} for some of them).
 */
@Tag("benchmark")
class QualityBenchmark {
    private static final Path CASES = Path.of("target/quality").toAbsolutePath();
    private static final Path DEMO = Path.of("demo/tshirt-vs-shirt").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Pair(double method1, double fineTune, String stages) {
        double difference() {
            return fineTune - method1;
        }
    }

    @Test
    void fineTuneAgainstMethodOneOnSmallData() throws Exception {
        if (!Files.exists(CASES.resolve("subsets.json"))) {
            System.out.println("QualityBenchmark skipped: run benchmarks/recipes/make_quality_cases.py first");
            return;
        }
        JsonNode meta = JSON.readTree(CASES.resolve("subsets.json").toFile());
        int subsets = Math.min(meta.get("subsets").asInt(), Integer.getInteger("bench.quality.subsets", 10));
        String method1 = Files.readString(DEMO.resolve("job.json"));
        String fineTune = Files.readString(DEMO.resolve("finetune-job.json"));
        Path work = Files.createTempDirectory("tp-quality");
        List<String> summary = new ArrayList<>();
        try (Pool pool = Pool.start(TestConfig.pool(CASES, work), Cluster.embedded())) {
            for (Iterator<String> tasks = meta.get("tasks").fieldNames(); tasks.hasNext(); ) {
                String task = tasks.next();
                if (!System.getProperty("bench.quality.tasks", task).contains(task)) {
                    continue;
                }
                System.out.printf("%nTask %s (Fashion-MNIST classes %s), %d subsets of %d training images%n", task,
                        meta.get("tasks").get(task), subsets, meta.get("subset").asInt());
                List<Pair> pairs = new ArrayList<>();
                for (int k = 0; k < subsets; k++) {
                    if (!Arrays.asList(System.getProperty("bench.quality.only", String.valueOf(k)).split(","))
                            .contains(String.valueOf(k))) {
                        continue;
                    }
                    JobResult m1 = run(pool, job(method1, task, k, "m1"));
                    JobResult ft = run(pool, job(fineTune, task, k, "ft"));
                    Pair p = new Pair(m1.metrics().test().accuracy(), ft.metrics().test().accuracy(), stages(ft));
                    pairs.add(p);
                    System.out.printf("  subset %d: method 1 %.4f (%d epochs), fine-tune %.4f, difference %+.4f; %s%n",
                            k, p.method1(), m1.metrics().epochs().size(), p.fineTune(), p.difference(), p.stages());
                }
                String line = String.format("%-14s method 1 %.4f +- %.4f | fine-tune %.4f +- %.4f | difference mean "
                                + "%+.4f, worst %+.4f | targets: mean %s, worst >= -0.01 %s", task,
                        mean(pairs, Pair::method1), sd(pairs, Pair::method1), mean(pairs, Pair::fineTune),
                        sd(pairs, Pair::fineTune), mean(pairs, Pair::difference),
                        pairs.stream().mapToDouble(Pair::difference).min().orElse(0),
                        mean(pairs, Pair::difference) >= 0 ? "met" : "MISSED",
                        pairs.stream().allMatch(p -> p.difference() >= -0.01) ? "met" : "MISSED");
                System.out.println(line);
                summary.add(line);
            }
        }
        System.out.printf("%nQuality on small data (mean +- standard deviation of test accuracy over subsets):%n");
        summary.forEach(System.out::println);
    }

    private static String job(String template, String task, int k, String kind) throws Exception {
        var job = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(template);
        job.put("jobId", task + "-" + k + "-" + kind);
        ((com.fasterxml.jackson.databind.node.ObjectNode) job.get("baseModel")).put("uri", task + "/base.onnx");
        var data = (com.fasterxml.jackson.databind.node.ObjectNode) job.get("data");
        data.set("train", JSON.createObjectNode().put("uri", task + "/train-" + k + "-images.idx")
                .put("format", "idx").put("labels", task + "/train-" + k + "-labels.idx"));
        data.set("test", JSON.createObjectNode().put("uri", task + "/test-images.idx").put("format", "idx")
                .put("labels", task + "/test-labels.idx"));
        return JSON.writeValueAsString(job);
    }

    private static JobResult run(Pool pool, String json) throws Exception {
        String jobId = JSON.readTree(json).get("jobId").asText();
        try (JobClient client = new JobClient(pool.clients())) {
            client.submit(jobId, json);
            JobResult r = client.await(jobId, Duration.ofMinutes(30), e -> { });
            if (r.status() != JobResult.Status.SUCCEEDED) {
                throw new IllegalStateException(jobId + " " + r.status() + ": " + r.errors());
            }
            return r;
        }
    }

    /** The fine-tune's stages: epochs, best epoch and whether it was chosen. */
    private static String stages(JobResult r) {
        if (r.metrics().stages() == null) {
            return "no stages";
        }
        StringBuilder b = new StringBuilder();
        for (JobResult.Stage s : r.metrics().stages()) {
            var best = r.metrics().epochs().stream().filter(e -> e.epoch() == s.bestEpoch()).findFirst();
            b.append(String.format("%s epochs %d-%d best %d (val acc %s)%s; ", s.name(), s.firstEpoch(),
                    s.lastEpoch(), s.bestEpoch(), best.map(e -> String.format("%.3f", e.valAccuracy())).orElse("?"),
                    s.chosen() ? " chosen" : ""));
        }
        return b.toString();
    }

    private static double mean(List<Pair> pairs, java.util.function.ToDoubleFunction<Pair> f) {
        return pairs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static double sd(List<Pair> pairs, java.util.function.ToDoubleFunction<Pair> f) {
        double m = mean(pairs, f);
        return Math.sqrt(pairs.stream().mapToDouble(p -> (f.applyAsDouble(p) - m) * (f.applyAsDouble(p) - m))
                .sum() / Math.max(1, pairs.size() - 1));
    }
}
