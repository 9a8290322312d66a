package io.transferpool.security;

import io.transferpool.Await;
import io.transferpool.TestFiles;
import io.transferpool.TestPool;
import io.transferpool.TestTopics;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.DataOutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs written by an attacker who may only submit jobs, through a pool on the embedded broker: the cases an audit
 * found (lying file headers, special files, huge requests, path tricks) and a few hundred seeded mutations of a
 * valid job. Every job gets exactly one result, nothing outside the data root and the pool's work folder is
 * written, and the pool still runs a good job afterwards.
 */
class HostileJobsIT {
    // Tight per-pool limits: the fuzz cases must not make work that takes minutes.
    @RegisterExtension
    static final TestPool POOL = TestPool.allRoles().data(HostileJobsIT::layOut).with("tp.shard-size", "8",
            "tp.limits.max-epochs", "20", "tp.limits.max-epoch-samples", "10000", "tp.limits.max-classes", "1000",
            "tp.limits.max-samples", "100000", "tp.limits.max-head-layers", "4",
            "tp.limits.max-head-parameters", "5000000", "tp.limits.max-input-values", String.valueOf(16L << 20),
            "tp.limits.max-batch-bytes", String.valueOf(256L << 20));

    static void layOut(Path root) throws Exception {
        Path secret = Files.createDirectories(root.resolveSibling("secret"));
        Files.writeString(secret.resolve("key.txt"), "do not read");
        TestFiles.demoRoot(root, "train", 8, "test", 4);
        Path idx = Files.createDirectories(root.resolve("idx"));
        idxFile(idx.resolve("lying-labels"), 0x801, new int[]{1 << 29}, 16);
        idxFile(idx.resolve("lying-images"), 0x803, new int[]{1 << 20, 28, 28}, 16);
        idxFile(idx.resolve("negative"), 0x801, new int[]{-1}, 16);
        new ProcessBuilder("mkfifo", root.resolve("models/fifo.onnx").toString()).start().waitFor();
        try (RandomAccessFile huge = new RandomAccessFile(root.resolve("models/huge.onnx").toFile(), "rw")) {
            huge.setLength(3L << 30); // sparse: 3 GB claimed, nothing on disk
        }
        Path bad = Files.createDirectories(root.resolve("all-bad"));
        for (String cls : List.of("shirt", "tshirt")) {
            Files.createDirectories(bad.resolve(cls));
            for (int i = 0; i < 4; i++) {
                Files.write(bad.resolve(cls).resolve(i + ".png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10});
            }
        }
        // A PNG whose header promises more than its data holds, among good images.
        Path mixed = Files.createDirectories(root.resolve("mixed"));
        TestFiles.copyImages("train", mixed, 8);
        Path first;
        try (Stream<Path> shirts = Files.list(mixed.resolve("shirt"))) {
            first = shirts.sorted().findFirst().orElseThrow();
        }
        byte[] png = Files.readAllBytes(first);
        java.nio.ByteBuffer.wrap(png).putInt(16, 40000).putInt(20, 40000); // IHDR width and height
        Files.write(mixed.resolve("shirt/000-crafted.png"), png);
        Files.createSymbolicLink(root.resolve("linked-out"), secret);
    }

    static void idxFile(Path file, int magic, int[] dims, int payload) throws Exception {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(new byte[payload]);
        }
    }

    static String job(String id) {
        return TestFiles.job(id, "models/base.onnx", "train", "test", 1);
    }

    static String idxJob(String id, String images, String labels) {
        return job(id).replace("\"train\": {\"uri\": \"train\", \"format\": \"image-folder\"}",
                "\"train\": {\"uri\": \"" + images + "\", \"format\": \"idx\", \"labels\": \"" + labels + "\"}");
    }

    /** A job's results on tp.results (all of them, to check there is exactly one). */
    static Map<String, List<JobResult>> results() {
        return TestTopics.results(POOL.clients());
    }

    /**
     * Files in the test's folder outside the data root and the pool's work folder: what a job must never write.
     * The work folder is left out whole, not filtered from a walk of everything: the broker renames its own files
     * in it all the time.
     */
    static Set<String> outside() throws Exception {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> top = Files.list(POOL.dir())) {
            for (Path p : top.filter(p -> !p.equals(POOL.root()) && !p.equals(POOL.work())).toList()) {
                try (Stream<Path> all = Files.walk(p)) {
                    all.forEach(f -> out.add(f.toString()));
                }
            }
        }
        return out;
    }

    @Test
    void everyHostileJobGetsOneClearResultAndThePoolGoesOn() throws Exception {
        Set<String> before = outside();
        Map<String, String> jobs = new LinkedHashMap<>();
        // expected: status, then the field (prefix) of the first error
        Map<String, String[]> expect = new LinkedHashMap<>();
        jobs.put("nul-uri", job("nul-uri").replace("\"uri\": \"train\"", "\"uri\": \"tr\\u0000ain\""));
        expect.put("nul-uri", new String[]{"REJECTED", "data.train.uri"});
        jobs.put("dotdot-class", job("dotdot-class").replace("\"validationSplit\": 0.1",
                "\"validationSplit\": 0.1, \"classes\": [\"..\", \"tshirt\"]"));
        expect.put("dotdot-class", new String[]{"REJECTED", "data.classes[0]"});
        jobs.put("linked-out", job("linked-out").replace("\"uri\": \"train\"", "\"uri\": \"linked-out\""));
        expect.put("linked-out", new String[]{"REJECTED", "data.train.uri"});
        jobs.put("lying-labels", idxJob("lying-labels", "idx/negative", "idx/lying-labels"));
        expect.put("lying-labels", new String[]{"REJECTED", "data.train"});
        jobs.put("lying-images", idxJob("lying-images", "idx/lying-images", "idx/negative"));
        expect.put("lying-images", new String[]{"REJECTED", "data.train"});
        jobs.put("fifo-model", TestFiles.job("fifo-model", "models/fifo.onnx", "train", "test", 1));
        expect.put("fifo-model", new String[]{"REJECTED", "baseModel.uri"});
        jobs.put("huge-model", TestFiles.job("huge-model", "models/huge.onnx", "train", "test", 1));
        expect.put("huge-model", new String[]{"REJECTED", "baseModel.uri"});
        jobs.put("many-classes", job("many-classes").replace("\"validationSplit\": 0.1",
                "\"validationSplit\": 0.1, \"classes\": [" + String.join(",", java.util.stream.IntStream
                        .range(0, 4000).mapToObj(i -> "\"c" + i + "\"").toList()) + "]"));
        expect.put("many-classes", new String[]{"REJECTED", "data.train"});
        StringBuilder unknown = new StringBuilder();
        for (int i = 0; i < 150_000; i++) {
            unknown.append(", \"u").append(i).append("\": 1");
        }
        jobs.put("unknown-fields", job("unknown-fields").replaceFirst("\\{", "{\"x\": 0" + unknown + ","));
        expect.put("unknown-fields", new String[]{"REJECTED", "x"});
        jobs.put("many-epochs", TestFiles.job("many-epochs", "models/base.onnx", "train", "test", 100_000));
        expect.put("many-epochs", new String[]{"REJECTED", "training.epochs"});
        jobs.put("tiny-std", job("tiny-std").replace("\"channels\": 1,", "\"channels\": 1, \"std\": [1e-300],"));
        expect.put("tiny-std", new String[]{"REJECTED", "preprocess.std"});
        jobs.put("huge-input", job("huge-input").replace("\"width\": 28, \"height\": 28", "\"width\": 4096, "
                + "\"height\": 4096, \"resize\": \"stretch\""));
        expect.put("huge-input", new String[]{"REJECTED", "preprocess"});
        jobs.put("huge-head", job("huge-head").replace("\"hidden\": [64]", "\"hidden\": [65536, 65536]"));
        expect.put("huge-head", new String[]{"REJECTED", "head.hidden"});
        jobs.put("all-bad", job("all-bad").replace("\"uri\": \"train\"", "\"uri\": \"all-bad\"")
                .replace("\"validationSplit\": 0.1", "\"validationSplit\": 0.1, \"maxBadSampleFraction\": 1"));
        expect.put("all-bad", new String[]{"FAILED", "data.train"});
        jobs.put("not-json", "{\"jobId\": \"not-json\", ");
        expect.put("not-json", new String[]{"REJECTED", "$"});
        // Published under another key than its id: the result goes where the submitter waits, the key.
        jobs.put("key-not-id", job("someone-else"));
        expect.put("key-not-id", new String[]{"REJECTED", "jobId"});
        jobs.put("crafted-png", job("crafted-png").replace("\"uri\": \"train\"", "\"uri\": \"mixed\""));
        expect.put("crafted-png", new String[]{"SUCCEEDED", null});

        try (JobClient client = new JobClient(POOL.clients());
             KafkaProducer<String, byte[]> raw = POOL.clients().producer("hostile")) {
            for (var e : jobs.entrySet()) {
                raw.send(new ProducerRecord<>(Topics.JOBS, e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
            for (var e : expect.entrySet()) {
                JobResult r = client.await(e.getKey(), Duration.ofMinutes(2), s -> { });
                assertThat(r.status().name()).as("%s: %s", e.getKey(), r.errors()).isEqualTo(e.getValue()[0]);
                if (e.getValue()[1] != null) {
                    assertThat(r.errors()).as(e.getKey()).isNotEmpty();
                    assertThat(r.errors().get(0).field()).as("%s: %s", e.getKey(), r.errors())
                            .startsWith(e.getValue()[1]);
                }
                assertThat(r.errors()).as("results stay small").hasSizeLessThanOrEqualTo(JobResult.MAX_ERRORS);
            }
        }
        TestTopics.awaitSettled(POOL.clients(), Duration.ofMinutes(2));
        assertThat(results()).as("exactly one result per job").allSatisfy((id, rs) -> assertThat(rs).hasSize(1));
        assertGoodJobRuns("good-after-audit");
        assertThat(outside()).as("nothing written outside the root and the work folder").isEqualTo(before);
        assertThat(results().get("crafted-png").get(0).metrics().counts().badSampleCount()).isEqualTo(1);
    }

    static void assertGoodJobRuns(String id) throws Exception {
        try (JobClient client = new JobClient(POOL.clients())) {
            client.submit(id, job(id));
            JobResult r = client.await(id, Duration.ofMinutes(2), s -> { });
            assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        }
    }

    /**
     * Seeded mutations of a valid job. {@code -Dfuzz.cases=N} and {@code -Dfuzz.seed=S} make the longer run of
     * {@code benchmarks/fuzz.sh}; CI runs the default 300.
     */
    @Test
    void hundredsOfMutatedJobsEachGetOneResult() throws Exception {
        Set<String> before = outside();
        int cases = Integer.getInteger("fuzz.cases", 300);
        long seed = Long.getLong("fuzz.seed", 20261129L);
        HostileJobs generator = new HostileJobs(seed);
        List<String> ids = new ArrayList<>();
        long t0 = System.nanoTime();
        try (KafkaProducer<String, byte[]> raw = POOL.clients().producer("fuzz")) {
            for (int i = 0; i < cases; i++) {
                String id = "fuzz-" + i;
                ids.add(id);
                raw.send(new ProducerRecord<>(Topics.JOBS, id, generator.next(job(id), id)
                        .getBytes(StandardCharsets.UTF_8)));
            }
            raw.flush();
        }
        Await.until("a result for each of the " + cases + " cases", Duration.ofMinutes(8).plusMillis(500L * cases),
                () -> results().keySet().containsAll(ids));
        // Every result the cases can cause is out once the coordinators and trainers committed all they were given.
        TestTopics.awaitSettled(POOL.clients(), Duration.ofMinutes(2));
        Map<String, Integer> counts = new TreeMap<>();
        results().forEach((id, rs) -> {
            if (id.startsWith("fuzz-")) {
                assertThat(rs).as(id).hasSize(1);
                counts.merge(rs.get(0).status().name(), 1, Integer::sum);
            }
        });
        System.out.printf("fuzz: %d cases, seed %d, %.0f s, outcomes %s%n", cases, seed,
                (System.nanoTime() - t0) / 1e9, counts);
        assertThat(counts.getOrDefault("REJECTED", 0)).isGreaterThan(cases / 3);
        assertGoodJobRuns("good-after-fuzz");
        assertThat(outside()).isEqualTo(before);
        assertThat(POOL.pool().healthy()).isTrue();
    }
}
