package io.transferpool.benchmarks;

import io.transferpool.TestFiles;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A pool shared by many users, driven over HTTP as they would: the packaged application's {@code serve} (every
 * role, its embedded broker) in a JVM of its own, jobs POSTed to {@code /jobs}, their status and results read from
 * the pool's topics. Phases, each against a baseline measured in the same run:
 * <ol>
 * <li>idle: a 100-image job alone (the baseline latency);</li>
 * <li>a 100-image job while a 10,000-image job trains its 60 epochs (target: within 3x the idle latency), then
 * {@code bench.shorts} of them at once from three owners;</li>
 * <li>a 100-image job while a job of several thousand shards is extracting;</li>
 * <li>{@code bench.sequential} 100-image jobs one after another (the baseline rate), then a burst of
 * {@code bench.burst} at once from four owners (target: all SUCCEED, at no fewer jobs per minute).</li>
 * </ol>
 * Prints per-stage waits (from the status events) and end-to-end latency (p50/p95/max), jobs per minute, the
 * pool's peak heap (sampled from /q/metrics) against its -Xmx, and whether every job got exactly one result.
 * Asserts nothing. Needs the packaged application: {@code mvn -B package -DskipTests}, then
 * {@code benchmarks/run.sh -Dtest=LoadBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class LoadBenchmark {
    private static final Path APP = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
    private static final Path DEMO = Path.of("demo/tshirt-vs-shirt/data").toAbsolutePath();
    private static final int BURST = Integer.getInteger("bench.burst", 200);
    private static final int SEQUENTIAL = Integer.getInteger("bench.sequential", 20);
    private static final int SHORTS = Integer.getInteger("bench.shorts", 6);
    private static final int IDLE_ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 5);
    private static final String HEAP = System.getProperty("bench.heap", "2g");
    private static final int SHARD = Integer.getInteger("bench.shard", 16);
    private static final Pattern PORT = Pattern.compile("Listening on: http://[^:]+:(\\d+)");
    private static final Pattern BROKER = Pattern.compile("TransferPool serving roles .* on (\\S+)");

    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, List<StatusEvent>> events = new ConcurrentHashMap<>();
    private final Map<String, List<JobResult>> results = new ConcurrentHashMap<>();
    private final Map<String, Long> posted = new ConcurrentHashMap<>();
    private final Map<String, Long> resultAt = new ConcurrentHashMap<>();
    private final List<Summary> summaries = new ArrayList<>();
    private String base;

    /** One phase's jobs: their latencies and the jobs per minute over the phase. */
    private record Summary(String phase, List<Double> latencies, double jobsPerMinute) {
    }

    @Test
    void aSharedPoolUnderLoad() throws Exception {
        if (!Files.exists(APP)) {
            System.out.println("LoadBenchmark skipped: no packaged application at " + APP
                    + " (run mvn -B package -DskipTests first)");
            return;
        }
        Path work = Files.createTempDirectory("tp-load");
        Path root = Files.createDirectories(work.resolve("root"));
        int wideImages = layout(root);
        Path log = work.resolve("serve.log");
        Process serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP, "-Dtp.data-root=" + root, "-Dtp.work-dir=" + work.resolve("pool"),
                // Quarkus' start-up line says the port it took.
                "-Dquarkus.http.port=0", "-Dquarkus.log.category.\"io.quarkus\".level=INFO",
                "-Dtp.shard-size=" + SHARD, "-Dtp.features.max-bytes=0",
                "-jar", APP.toString(), "serve").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String servers = awaitLine(log, serve, BROKER);
            base = "http://localhost:" + awaitLine(log, serve, PORT);
            System.out.printf("%nLoad on a shared pool: serve (every role, embedded broker %s) at %s, -Xmx%s, "
                    + "shard size %d, %d cores%n", servers, base, HEAP, SHARD, Runtime.getRuntime().availableProcessors());
            HeapSampler heap = new HeapSampler();
            heap.start();
            try (Follower follower = new Follower(new KafkaClients(servers, "bench", Map.of()))) {
                follower.start();
                run(wideImages);
                List<ConsumerRecord<String, byte[]>> all = follower.readAllResults();
                oneResultEach(all);
            } finally {
                heap.stop = true;
                heap.join();
            }
            System.out.printf("pool heap: peak %.0f MiB used of -Xmx%s (sampled every 0.5 s from /q/metrics)%n",
                    heap.peak.get() / 1048576.0, HEAP);
            System.out.println("serve log: " + log);
        } finally {
            serve.destroy();
            serve.waitFor();
        }
    }

    private void run(int wideImages) throws Exception {
        // 1. Idle pool: the baseline.
        List<Double> idle = new ArrayList<>();
        for (int i = 0; i < WARMUP; i++) {
            runOne("warm-up-" + i, "default"); // the JIT compiles the pipeline's code over several jobs
        }
        for (int i = 0; i < IDLE_ROUNDS; i++) {
            idle.add(runOne("idle-" + i, "default"));
        }
        double idleMedian = percentile(idle, 50);
        summaries.add(new Summary("idle pool, one at a time", idle, Double.NaN));

        // 2. Behind a long training.
        post("long", job("long", "batch", "big/train", "big/test", 60, 1000));
        StatusEvent training = awaitEvent("long", e -> e.stage() == Stage.TRAINING && e.epoch() != null);
        System.out.printf("long job (10,000 images, 60 epochs) training: epoch %d%n", training.epoch());
        double behindLong = runOne("behind-long", "alice");
        summaries.add(new Summary("100-image job while a 10,000-image job trains", List.of(behindLong), Double.NaN));
        List<String> shorts = new ArrayList<>();
        String[] owners = {"alice", "bob", "carol"};
        for (int i = 0; i < SHORTS; i++) {
            String id = "short-" + i;
            post(id, job(id, owners[i % owners.length], "small/train", "small/test", 20, 5));
            shorts.add(id);
        }
        summaries.add(await("" + SHORTS + " jobs at once from 3 owners, the long job training", shorts));
        JobResult longResult = awaitResult("long");
        System.out.printf("long job: %s, %d epochs, %.1f s submit -> result%n", longResult.status(),
                longResult.metrics() == null ? 0 : longResult.metrics().epochs().size(), latency("long"));

        // 3. Beside the extraction of a job of thousands of shards.
        post("wide", job("wide", "batch", "wide/train", null, 1, 5));
        StatusEvent extracting = awaitEvent("wide", e -> e.stage() == Stage.EXTRACTING && e.shardsDone() >= 20);
        System.out.printf("wide job (%d images, %d shards) extracting: shard %d%n", wideImages,
                extracting.shardsTotal(), extracting.shardsDone());
        double besideWide = runOne("beside-wide", "alice");
        int wideDone = events.get("wide").stream().filter(e -> e.stage() == Stage.EXTRACTING)
                .mapToInt(StatusEvent::shardsDone).max().orElse(0);
        System.out.printf("the wide job had %d of %d shards in when that 100-image job was answered%n", wideDone,
                extracting.shardsTotal());
        summaries.add(new Summary("100-image job while a " + extracting.shardsTotal() + "-shard job extracts",
                List.of(besideWide), Double.NaN));
        JobResult wide = awaitResult("wide");
        System.out.printf("wide job: %s, %.1f s submit -> result%n", wide.status(), latency("wide"));

        // 4. One after another, then a burst.
        long s0 = System.nanoTime();
        List<Double> sequential = new ArrayList<>();
        for (int i = 0; i < SEQUENTIAL; i++) {
            sequential.add(runOne("seq-" + i, "default"));
        }
        double seqPerMinute = SEQUENTIAL * 60 / ((System.nanoTime() - s0) / 1e9);
        summaries.add(new Summary(SEQUENTIAL + " jobs one after another", sequential, seqPerMinute));
        String[] burstOwners = {"alice", "bob", "carol", "dave"};
        List<String> burst = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            burst.add("burst-" + i);
        }
        long b0 = System.nanoTime();
        for (int i = 0; i < BURST; i++) {
            post(burst.get(i), job(burst.get(i), burstOwners[i % burstOwners.length], "small/train", "small/test", 20,
                    5));
        }
        Summary b = await(BURST + " jobs at once from 4 owners", burst);
        double burstPerMinute = BURST * 60 / ((System.nanoTime() - b0) / 1e9);
        summaries.add(new Summary(b.phase(), b.latencies(), burstPerMinute));
        long succeeded = burst.stream().filter(id -> results.get(id).get(0).status() == JobResult.Status.SUCCEEDED)
                .count();

        System.out.println();
        System.out.printf("%-62s %6s %7s %7s %7s %9s%n", "phase", "jobs", "p50 s", "p95 s", "max s", "jobs/min");
        for (Summary s : summaries) {
            System.out.printf("%-62s %6d %7.2f %7.2f %7.2f %9s%n", s.phase(), s.latencies().size(),
                    percentile(s.latencies(), 50), percentile(s.latencies(), 95), percentile(s.latencies(), 100),
                    Double.isNaN(s.jobsPerMinute()) ? "" : String.format("%.1f", s.jobsPerMinute()));
        }
        double seqMedian = percentile(sequential, 50);
        System.out.printf("%n100-image job behind a long training: %.2f s = %.2f x idle (%.2f s), %.2f x the later "
                + "one-after-another median (%.2f s, a warmer JIT); target <= 3x%n", behindLong, behindLong / idleMedian,
                idleMedian, behindLong / seqMedian, seqMedian);
        System.out.printf("100-image job beside a wide extraction: %.2f s = %.2f x idle%n", besideWide,
                besideWide / idleMedian);
        System.out.printf("burst: %d of %d SUCCEEDED, %.1f jobs/min = %.2f x one after another (%.1f); target >= 1x%n",
                succeeded, BURST, burstPerMinute, burstPerMinute / seqPerMinute, seqPerMinute);
        stageWaits(burst);
    }

    /** The waits of a phase's jobs, stage by stage, from their status events. */
    private void stageWaits(List<String> ids) {
        List<Double> toExtract = new ArrayList<>();
        List<Double> extracting = new ArrayList<>();
        List<Double> toTrain = new ArrayList<>();
        List<Double> training = new ArrayList<>();
        for (String id : ids) {
            List<StatusEvent> ev = events.getOrDefault(id, List.of());
            Long queued = first(ev, Stage.QUEUED);
            Long firstShard = first(ev, Stage.EXTRACTING);
            Long lastShard = ev.stream().filter(e -> e.stage() == Stage.EXTRACTING
                    && e.shardsDone().equals(e.shardsTotal())).map(StatusEvent::timestampMillis).findFirst()
                    .orElse(null);
            Long trainingStart = ev.stream().filter(e -> e.stage() == Stage.TRAINING).map(StatusEvent::timestampMillis)
                    .findFirst().orElse(null);
            Long done = first(ev, Stage.DONE);
            add(toExtract, queued, firstShard);
            add(extracting, firstShard, lastShard);
            add(toTrain, lastShard, trainingStart);
            add(training, trainingStart, done);
        }
        System.out.println("burst, per stage (from the status events), p50 / p95 / max s:");
        print("  accepted -> first shard in (extraction wait)", toExtract);
        print("  first -> last shard in (extraction)", extracting);
        print("  last shard in -> first epoch reported (training wait + first epoch)", toTrain);
        print("  first epoch -> done (training, evaluation, export)", training);
    }

    private static void add(List<Double> out, Long from, Long to) {
        if (from != null && to != null) {
            out.add((to - from) / 1e3);
        }
    }

    private static void print(String what, List<Double> v) {
        System.out.printf("%-72s %6.2f / %6.2f / %6.2f (%d jobs)%n", what, percentile(v, 50), percentile(v, 95),
                percentile(v, 100), v.size());
    }

    private static Long first(List<StatusEvent> ev, Stage stage) {
        return ev.stream().filter(e -> e.stage() == stage).map(StatusEvent::timestampMillis).findFirst().orElse(null);
    }

    private void oneResultEach(List<ConsumerRecord<String, byte[]>> all) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : all) {
            counts.merge(r.key(), 1, Integer::sum);
        }
        long lost = posted.keySet().stream().filter(id -> !counts.containsKey(id)).count();
        long twice = counts.values().stream().filter(n -> n > 1).count();
        System.out.printf("results: %d jobs posted, %d with exactly one result, %d without, %d with more than one%n",
                posted.size(), posted.keySet().stream().filter(id -> counts.getOrDefault(id, 0) == 1).count(), lost,
                twice);
    }

    /** Posts a job and waits for its result; returns seconds from the POST to the result. */
    private double runOne(String id, String owner) throws Exception {
        post(id, job(id, owner, "small/train", "small/test", 20, 5));
        JobResult r = awaitResult(id);
        if (r.status() != JobResult.Status.SUCCEEDED) {
            throw new IllegalStateException(id + ": " + r.status() + " " + r.errors());
        }
        return latency(id);
    }

    /** Seconds from the job's POST to its result read back. */
    private double latency(String id) {
        return (resultAt.get(id) - posted.get(id)) / 1e3;
    }

    private Summary await(String phase, List<String> ids) throws Exception {
        List<Double> latencies = new ArrayList<>();
        for (String id : ids) {
            awaitResult(id);
            latencies.add(latency(id));
        }
        return new Summary(phase, latencies, Double.NaN);
    }

    private JobResult awaitResult(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<JobResult> r = results.get(id);
            if (r != null && !r.isEmpty()) {
                return r.get(0);
            }
            Thread.sleep(20); // a poll of what the follower thread read
        }
        throw new IllegalStateException("no result for " + id + " within 30 minutes");
    }

    private StatusEvent awaitEvent(String id, java.util.function.Predicate<StatusEvent> p)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (System.nanoTime() < deadline) {
            var found = events.getOrDefault(id, List.of()).stream().filter(p).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            if (results.containsKey(id)) {
                throw new IllegalStateException(id + " ended first: " + results.get(id).get(0).status() + " "
                        + results.get(id).get(0).errors());
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no such event of " + id);
    }

    private void post(String id, String json) throws Exception {
        posted.put(id, System.currentTimeMillis());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/jobs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST " + id + ": " + r.statusCode() + " " + r.body());
        }
    }

    private static String job(String id, String owner, String train, String test, int epochs, int patience) {
        return TestFiles.job(id, "models/base.onnx", train, test, epochs)
                .replace("\"patience\": 5", "\"patience\": " + patience)
                .replaceFirst("\\{", "{\"owner\": \"" + owner + "\", ");
    }

    /** Lays out the data root (hard links to the demo's images); returns the wide job's image count. */
    private static int layout(Path root) throws IOException {
        Files.createDirectories(root.resolve("models"));
        Files.copy(DEMO.resolveSibling("models/base.onnx"), root.resolve("models/base.onnx"));
        link(root.resolve("small/train"), "train", 50, 1);
        link(root.resolve("small/test"), "test", 50, 1);
        link(root.resolve("big/train"), "train", 1500, 3); // 9,000
        link(root.resolve("big/test"), "test", 500, 1); // 1,000
        int copies = Integer.getInteger("bench.wide.copies", 14); // 42,000 images: 2,625 shards of 16
        link(root.resolve("wide/train"), "train", 1500, copies);
        return 3000 * copies;
    }

    private static void link(Path to, String split, int perClass, int copies) throws IOException {
        for (String cls : List.of("shirt", "tshirt")) {
            Path dst = Files.createDirectories(to.resolve(cls));
            List<Path> files;
            try (Stream<Path> s = Files.list(DEMO.resolve(split).resolve(cls))) {
                files = s.sorted().limit(perClass).toList();
            }
            for (int c = 0; c < copies; c++) {
                for (Path f : files) {
                    Path target = dst.resolve(c + "-" + f.getFileName());
                    try {
                        Files.createLink(target, f);
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(f, target);
                    }
                }
            }
        }
    }

    private static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int i = (int) Math.ceil(p / 100 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, i))];
    }

    private static String awaitLine(Path log, Process p, Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("serve died:\n" + Files.readString(log));
            }
            if (Files.exists(log)) {
                Matcher m = pattern.matcher(Files.readString(log));
                if (m.find()) {
                    return m.group(1);
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("serve did not print " + pattern + ":\n" + Files.readString(log));
    }

    /** Reads tp.status and tp.results from their ends as they come (a thread of its own). */
    private final class Follower extends Thread implements AutoCloseable {
        private final KafkaClients clients;
        private final KafkaConsumer<String, byte[]> reader;
        private volatile boolean running = true;

        Follower(KafkaClients clients) {
            this.clients = clients;
            this.reader = clients.reader("bench-follower");
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(Topics.STATUS, Topics.RESULTS)) {
                reader.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            }
            reader.assign(parts);
            reader.seekToEnd(parts);
            parts.forEach(reader::position);
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
                    if (r.key() == null || r.value() == null) {
                        continue;
                    }
                    if (r.topic().equals(Topics.STATUS)) {
                        events.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                                .add(Json.read(r.value(), StatusEvent.class));
                    } else {
                        resultAt.putIfAbsent(r.key(), System.currentTimeMillis());
                        results.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                                .add(Json.read(r.value(), JobResult.class));
                    }
                }
            }
            reader.close();
        }

        /** Every record now on tp.results (for the one-result check). */
        List<ConsumerRecord<String, byte[]>> readAllResults() {
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            try (KafkaConsumer<String, byte[]> all = clients.reader("bench-results")) {
                io.transferpool.messaging.TopicHistory.replay(all, Topics.RESULTS, Duration.ofSeconds(60), out::add);
            }
            return out;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            join(5_000);
        }
    }

    /** Samples the pool's heap in use from /q/metrics. */
    private final class HeapSampler extends Thread {
        final AtomicLong peak = new AtomicLong();
        volatile boolean stop;
        private final Pattern heap = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} (\\S+)$",
                Pattern.MULTILINE);

        HeapSampler() {
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop) {
                try {
                    String body = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    Matcher m = heap.matcher(body);
                    double sum = 0;
                    while (m.find()) {
                        sum += Double.parseDouble(m.group(1));
                    }
                    peak.accumulateAndGet((long) sum, Math::max);
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the pool is starting or stopping: the next sample counts
                }
            }
        }
    }
}
