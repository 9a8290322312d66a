package io.transferpool.benchmarks;

import ai.onnxruntime.OrtException;
import io.transferpool.TestConfig;
import io.transferpool.data.ImageDecoder;
import io.transferpool.data.Preprocessor;
import io.transferpool.extract.ExtractConfig;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.model.CutSession;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;
import io.transferpool.pool.Cluster;
import io.transferpool.pool.Pool;
import io.transferpool.pool.PoolConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Extraction throughput of the whole pipeline (job submitted on Kafka until the trainer holds every feature)
 * against bare ONNX Runtime running the same cut model with the same batch size and threads, in the same run;
 * plus the trainer's head-training samples/s, and per round the pipeline's own timers per image (read and decode,
 * preprocess, inference, feature encode, produce, trainer ingest). Run by hand: {@code benchmarks/run.sh}. Prints
 * figures, asserts nothing about speed.
 */
@Tag("benchmark")
class ExtractionBenchmark {
    private static final Path DEMO = Path.of("demo/tshirt-vs-shirt").toAbsolutePath();
    private static final String CUT = "/flatten/Flatten_output_0";
    private static final int COPIES = Integer.getInteger("bench.copies", 4);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int BATCH = Integer.getInteger("bench.batch", 64);
    private static final int SHARD = Integer.getInteger("bench.shard", 2048);
    /** Jobs run before the measured rounds, so the JIT has compiled the pipeline's code. */
    private static final int WARMUP = Integer.getInteger("bench.warmup", 5);

    /**
     * A model, where to cut it, its input size, folders of images (one sub-folder per class), whether the images
     * are resized to the input ("resize": "stretch"), and issue 11's target for the ratio to bare ONNX Runtime.
     */
    private record Case(String name, Path model, String cut, int size, int channels, List<Path> sources, int copies,
                        boolean stretch, double target) {
    }

    @Test
    void pipelineAgainstBareOnnxRuntime() throws Exception {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("fashion-cnn (demo base, 28x28 grey, cut at flatten)", DEMO.resolve("models/base.onnx"),
                CUT, 28, 1, List.of(DEMO.resolve("data/train"), DEMO.resolve("data/test")), COPIES, false, 0.9));
        Path mobilenet = Path.of("target/bench/mobilenet_v2.onnx");
        if (Files.exists(mobilenet)) {
            cases.add(new Case("mobilenet_v2 (224x224 RGB, cut at global pool)", mobilenet,
                    "/Flatten_output_0", 224, 3, List.of(Path.of("target/bench/rgb224")), 1, false, 0.97));
            Path photos = Path.of("target/bench/photo500");
            if (Files.isDirectory(photos)) {
                cases.add(new Case("mobilenet_v2 on 500x375 JPEG photos stretched to 224x224", mobilenet,
                        "/Flatten_output_0", 224, 3, List.of(photos), 1, true, 0.97));
            }
        } else {
            System.out.println("(no target/bench/mobilenet_v2.onnx: run benchmarks/recipes/make_mobilenet_case.py"
                    + " for the realistic case)");
        }
        for (Case c : cases) {
            if (c.name().contains(System.getProperty("bench.case", ""))) {
                run(c);
            }
        }
    }

    private void run(Case c) throws Exception {
        Path work = Files.createTempDirectory("tp-bench");
        Path root = work.resolve("root");
        List<Path> images = new ArrayList<>();
        Files.createDirectories(root.resolve("models"));
        Files.copy(c.model(), root.resolve("models/base.onnx"));
        for (Path source : c.sources()) {
            for (String cls : List.of("shirt", "tshirt")) {
                Path dst = Files.createDirectories(root.resolve("train").resolve(cls));
                try (Stream<Path> s = Files.list(source.resolve(cls))) {
                    for (Path f : s.sorted().toList()) {
                        for (int k = 0; k < c.copies(); k++) {
                            Path to = dst.resolve(source.getFileName() + "-" + k + "-" + f.getFileName());
                            Files.copy(f, to);
                            images.add(to);
                        }
                    }
                }
            }
        }
        int n = images.size();
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("%nExtraction benchmark, %s: %d images, batch %d, shard %d, %d cores,"
                + " ONNX Runtime threads: default%n", c.name(), n, BATCH, SHARD, cores);

        String cut = c.cut();
        java.util.function.BiFunction<String, Integer, String> job = (id, epochs) -> job(id, epochs, cut, c.size(),
                c.channels(), c.stretch());
        JobSpec spec = JobParser.parse(job.apply("bench-spec", 1)).orThrow();
        Preprocessor pre = new Preprocessor(spec.preprocess());
        ImageDecoder decoder = new ImageDecoder(root);
        List<String> refs = images.stream().map(p -> root.relativize(p).toString()).toList();
        // Bare ONNX Runtime gets its batches preprocessed beforehand, one array per batch as the extractor has.
        List<float[]> batches = new ArrayList<>();
        for (int from = 0; from < n; from += BATCH) {
            batches.add(decodeBatch(decoder, pre, refs.subList(from, Math.min(n, from + BATCH))));
        }

        PoolConfig config = TestConfig.pool(root, work, "tp.shard-size", String.valueOf(SHARD));
        ExtractConfig extract = config.extract();
        double[] bare = new double[ROUNDS];
        double[] bareDecode = new double[ROUNDS];
        double[] pipeline = new double[ROUNDS];
        double trainingRate = 0;
        int featureDimension = 0;
        int streams = extract.streamCount();
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(streams);
        OnnxModel model = OnnxModel.load(root.resolve("models/base.onnx"));
        double[] bareOne = new double[ROUNDS];
        double[] bareStreams = new double[ROUNDS];
        var own = new io.transferpool.model.SessionFactory.Settings(extract.provider(), extract.cudaDevice(),
                extract.intraOpThreads());
        try (CutSession session = CutSession.open(model, "input", cut, own);
             CutSession shared = CutSession.open(model, "input", cut, extract.session());
             Pool pool = Pool.start(config, Cluster.embedded())) {
            bareRun(session, batches, n, spec); // warm-up
            bareStreams(shared, batches, n, spec, streams, threads);
            for (int w = 0; w < WARMUP; w++) {
                runJob(pool, job, "bench-warmup-" + w, n);
            }
            for (int r = 0; r < ROUNDS; r++) {
                // The baseline is the faster way to run bare ONNX Runtime: one batch at a time on all its
                // intra-op threads, or one batch per stream at once (what the pipeline does).
                long t0 = System.nanoTime();
                bareRun(session, batches, n, spec);
                bareOne[r] = n / ((System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                ProcessCpu bareBefore = ProcessCpu.now();
                bareStreams(shared, batches, n, spec, streams, threads);
                double bareCpu = ProcessCpu.now().since(bareBefore).cpuSeconds();
                bareStreams[r] = n / ((System.nanoTime() - t0) / 1e9);
                double bareStreamsWall = n / bareStreams[r];
                bare[r] = Math.max(bareOne[r], bareStreams[r]);

                t0 = System.nanoTime();
                for (int from = 0; from < n; from += BATCH) {
                    List<String> part = refs.subList(from, Math.min(n, from + BATCH));
                    session.run(decodeBatch(decoder, pre, part), part.size(), spec.preprocess());
                }
                bareDecode[r] = n / ((System.nanoTime() - t0) / 1e9);

                RunFigures f = runJob(pool, job, "bench-" + r, n);
                pipeline[r] = f.imagesPerSecond;
                trainingRate = f.trainingSamplesPerSecond;
                featureDimension = f.featureDimension;
                System.out.printf("round %d: bare ORT %.0f img/s (one batch at a time %.0f, %d streams %.0f),"
                                + " decode+bare ORT %.0f img/s, pipeline %.0f img/s"
                                + " (in the pipeline: validation %.2f s, extraction %.2f s, decode %.2f s, inference %.2f s"
                                + " summed over threads)%n", r + 1, bare[r], bareOne[r], streams, bareStreams[r],
                        bareDecode[r], pipeline[r],
                        f.timings().get("validationSeconds"), f.timings().get("extractionSeconds"),
                        f.timings().get("decodeSeconds"), f.timings().get("inferenceSeconds"));
                System.out.println("  " + breakdown(f.timings(), n, pipeline[r], bare[r]));
                // How busy the cores were: idle time shows as a share below 100%, work added by the pipeline as CPU
                // seconds above bare ONNX Runtime's for the same images.
                System.out.printf("  process CPU: pipeline %.2f s in %.2f s on %d cores (%.0f%% busy), bare ONNX Runtime"
                                + " (%d streams) %.2f s in %.2f s (%.0f%% busy); the pipeline's garbage collections: %d,"
                                + " %.2f s%n", f.cpu().cpuSeconds(), f.wallSeconds(), cores,
                        100 * f.cpu().cpuSeconds() / (f.wallSeconds() * cores), streams, bareCpu, bareStreamsWall,
                        100 * bareCpu / (bareStreamsWall * cores), f.cpu().gcCount(), f.cpu().gcSeconds());
                System.out.println("  CPU s by thread: " + f.cpu().busiest(10) + "; code cache " + ProcessCpu.codeCache()
                        + "; classes loaded so far " + java.lang.management.ManagementFactory.getClassLoadingMXBean()
                        .getTotalLoadedClassCount());
            }
        }
        threads.shutdownNow();
        double b = median(bare);
        double bd = median(bareDecode);
        double p = median(pipeline);
        System.out.println();
        System.out.printf("bare ONNX Runtime (preprocessed tensors)      %8.0f images/s (the faster of one batch at a time"
                + " %.0f and %d streams %.0f)%n", b, median(bareOne), streams, median(bareStreams));
        System.out.printf("decode + preprocess + bare ONNX Runtime       %8.0f images/s%n", bd);
        System.out.printf("pipeline (job on Kafka -> features in trainer) %7.0f images/s%n", p);
        // Rounds measure the baseline and the pipeline back to back, so the ratio per round is less exposed to
        // the machine's load changing during the run than the ratio of the medians.
        double[] ratios = new double[ROUNDS];
        double[] ratiosDecode = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            ratios[r] = pipeline[r] / bare[r];
            ratiosDecode[r] = pipeline[r] / bareDecode[r];
        }
        System.out.printf("ratio pipeline / bare ONNX Runtime            %8.2f   (median of rounds %s; target >= %.2f)%n",
                median(ratios), java.util.Arrays.toString(java.util.Arrays.stream(ratios)
                        .map(x -> Math.round(x * 100) / 100.0).toArray()), c.target());
        System.out.printf("ratio pipeline / decode + bare ONNX Runtime   %8.2f   (median of rounds)%n",
                median(ratiosDecode));
        System.out.printf("head training in the pipeline (%d -> 1024 relu -> 2, SGD Nesterov, batch 64) %.0f samples/s%n",
                featureDimension, trainingRate);
    }

    /**
     * The pipeline's own timers per image (us of thread time, summed over the threads that ran them; the machine
     * has {@code cores} cores of wall time per wall us) next to the wall time per image of the pipeline and of bare
     * ONNX Runtime.
     */
    private static String breakdown(java.util.Map<String, Double> t, int n, double pipelineRate, double bareRate) {
        double per = 1e6 / n;
        double decode = t.getOrDefault("decodeSeconds", 0.0);
        double pre = t.getOrDefault("preprocessSeconds", 0.0);
        double read = t.getOrDefault("readSeconds", 0.0);
        double ingest = t.getOrDefault("ingestSeconds", 0.0);
        double consume = t.getOrDefault("consumeSeconds", 0.0);
        return String.format("per image (thread us): read %.1f, decode %.1f, preprocess %.1f, inference %.1f,"
                        + " encode %.1f, produce %.1f, consume %.1f, trainer ingest %.1f | wall us per image: pipeline"
                        + " %.1f, bare ONNX Runtime %.1f",
                read * per, (decode - pre - read) * per, pre * per, t.getOrDefault("inferenceSeconds", 0.0) * per,
                t.getOrDefault("encodeSeconds", 0.0) * per, t.getOrDefault("publishSeconds", 0.0) * per,
                consume * per, (ingest - consume) * per, 1e6 / pipelineRate, 1e6 / bareRate);
    }

    /** @param cpu what the process used from submission until the last shard was reported, in wallSeconds */
    private record RunFigures(double imagesPerSecond, double trainingSamplesPerSecond, int featureDimension,
                              java.util.Map<String, Double> timings, ProcessCpu cpu, double wallSeconds) {
    }

    private static RunFigures runJob(Pool pool, java.util.function.BiFunction<String, Integer, String> job,
                                     String jobId, int n) throws Exception {
        long[] allShards = {0};
        ProcessCpu[] atLastShard = {null};
        long[] seenAt = {0};
        long t0;
        ProcessCpu before;
        JobResult result;
        try (JobClient client = new JobClient(pool.clients())) {
            t0 = System.currentTimeMillis();
            before = ProcessCpu.now();
            client.submit(jobId, job.apply(jobId, 3));
            result = client.await(jobId, Duration.ofMinutes(20), (StatusEvent e) -> {
                if (e.stage() == io.transferpool.messaging.Stage.EXTRACTING && e.shardsDone().equals(e.shardsTotal())) {
                    allShards[0] = e.timestampMillis();
                    atLastShard[0] = ProcessCpu.now();
                    seenAt[0] = System.currentTimeMillis();
                }
            });
        }
        if (result.status() != JobResult.Status.SUCCEEDED) {
            throw new IllegalStateException("benchmark job failed: " + result.errors());
        }
        int extracted = result.metrics().counts().train() + result.metrics().counts().validation();
        if (extracted != n) {
            throw new IllegalStateException("extracted " + extracted + " of " + n);
        }
        return new RunFigures(n / ((allShards[0] - t0) / 1e3),
                result.metrics().timings().get("trainingSamplesPerSecond"), result.metrics().counts().featureDimension(),
                result.metrics().timings(), atLastShard[0].since(before), (seenAt[0] - t0) / 1e3);
    }

    /** The batches split among {@code streams} threads, each running its share one after the other. */
    private static void bareStreams(CutSession session, List<float[]> batches, int n, JobSpec spec, int streams,
                                    java.util.concurrent.ExecutorService threads) throws Exception {
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        for (int s = 0; s < streams; s++) {
            running.add(threads.submit(() -> {
                for (int b; (b = next.getAndIncrement()) < batches.size(); ) {
                    session.run(batches.get(b), Math.min(BATCH, n - b * BATCH), spec.preprocess());
                }
                return null;
            }));
        }
        for (var f : running) {
            f.get();
        }
    }

    private static void bareRun(CutSession session, List<float[]> batches, int n, JobSpec spec) throws OrtException {
        for (int b = 0; b < batches.size(); b++) {
            session.run(batches.get(b), Math.min(BATCH, n - b * BATCH), spec.preprocess());
        }
    }

    private static float[] decodeBatch(ImageDecoder decoder, Preprocessor pre, List<String> refs) throws Exception {
        float[] out = new float[refs.size() * pre.inputSize()];
        for (int i = 0; i < refs.size(); i++) {
            pre.apply(decoder.decode(refs.get(i)), out, i * pre.inputSize());
        }
        return out;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String job(String jobId, int epochs, String cut, int size, int channels, boolean stretch) {
        return """
                {"jobId": "%s", "baseModel": {"uri": "models/base.onnx", "input": "input", "cut": "%s"},
                 "data": {"train": {"uri": "train"}, "validationSplit": 0.1},
                 "preprocess": {"width": %d, "height": %d, "channels": %d, "resize": "%s"},
                 "training": {"epochs": %d, "earlyStopping": {"enabled": false}}}"""
                .formatted(jobId, cut, size, size, channels, stretch ? "stretch" : "none", epochs);
    }
}
