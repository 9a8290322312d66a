package io.transferpool.benchmarks;

import ai.onnxruntime.OrtException;
import io.transferpool.data.ImageDecoder;
import io.transferpool.data.Preprocessor;
import io.transferpool.extract.CutSession;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;
import io.transferpool.pool.Pool;
import io.transferpool.pool.PoolSettings;
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
 * plus DL4J head-training samples/s. Run by hand: {@code benchmarks/run.sh}. Prints figures, asserts nothing
 * about speed.
 */
@Tag("benchmark")
class ExtractionBenchmark {
    private static final Path DEMO = Path.of("demo/tshirt-vs-shirt").toAbsolutePath();
    private static final String CUT = "/flatten/Flatten_output_0";
    private static final int COPIES = Integer.getInteger("bench.copies", 4);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int BATCH = Integer.getInteger("bench.batch", 64);
    private static final int SHARD = Integer.getInteger("bench.shard", 512);

    @Test
    void pipelineAgainstBareOnnxRuntime() throws Exception {
        Path work = Files.createTempDirectory("tp-bench");
        Path root = work.resolve("root");
        List<Path> images = new ArrayList<>();
        Files.createDirectories(root.resolve("models"));
        Files.copy(DEMO.resolve("models/base.onnx"), root.resolve("models/base.onnx"));
        for (String cls : List.of("shirt", "tshirt")) {
            Path dst = Files.createDirectories(root.resolve("train").resolve(cls));
            for (String split : List.of("train", "test")) {
                try (Stream<Path> s = Files.list(DEMO.resolve("data").resolve(split).resolve(cls))) {
                    for (Path f : s.sorted().toList()) {
                        for (int c = 0; c < COPIES; c++) {
                            Path to = dst.resolve(c + "-" + f.getFileName());
                            Files.copy(f, to);
                            images.add(to);
                        }
                    }
                }
            }
        }
        int n = images.size();
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("%nExtraction benchmark: %d images 28x28 grey, batch %d, shard %d, %d cores,"
                + " ONNX Runtime threads: default%n", n, BATCH, SHARD, cores);

        JobSpec spec = JobParser.parse(job("bench-spec", 1)).orThrow();
        Preprocessor pre = new Preprocessor(spec.preprocess());
        ImageDecoder decoder = new ImageDecoder(root);
        float[] inputs = new float[n * pre.inputSize()];
        for (int i = 0; i < n; i++) {
            pre.apply(decoder.decode(root.relativize(images.get(i)).toString()), inputs, i * pre.inputSize());
        }

        PoolSettings settings = PoolSettings.defaults(root, work).withShardSize(SHARD);
        double[] bare = new double[ROUNDS];
        double[] bareDecode = new double[ROUNDS];
        double[] pipeline = new double[ROUNDS];
        double trainingRate = 0;
        try (CutSession session = CutSession.open(OnnxModel.load(root.resolve("models/base.onnx")), "input", CUT,
                settings.session());
             Pool pool = Pool.start(settings)) {
            bareRun(session, inputs, n, spec, pre); // warm-up
            runJob(pool, "bench-warmup", n);
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                bareRun(session, inputs, n, spec, pre);
                bare[r] = n / ((System.nanoTime() - t0) / 1e9);

                t0 = System.nanoTime();
                float[] fresh = new float[n * pre.inputSize()];
                for (int i = 0; i < n; i++) {
                    pre.apply(decoder.decode(root.relativize(images.get(i)).toString()), fresh, i * pre.inputSize());
                }
                bareRun(session, fresh, n, spec, pre);
                bareDecode[r] = n / ((System.nanoTime() - t0) / 1e9);

                RunFigures f = runJob(pool, "bench-" + r, n);
                pipeline[r] = f.imagesPerSecond;
                trainingRate = f.trainingSamplesPerSecond;
                System.out.printf("round %d: bare ORT %.0f img/s, decode+bare ORT %.0f img/s, pipeline %.0f img/s"
                                + " (in the pipeline: validation %.2f s, extraction %.2f s, decode %.2f s, inference %.2f s"
                                + " summed over threads)%n", r + 1, bare[r], bareDecode[r], pipeline[r],
                        f.timings().get("validationSeconds"), f.timings().get("extractionSeconds"),
                        f.timings().get("decodeSeconds"), f.timings().get("inferenceSeconds"));
            }
        }
        double b = median(bare);
        double bd = median(bareDecode);
        double p = median(pipeline);
        System.out.println();
        System.out.printf("bare ONNX Runtime (preprocessed tensors)      %8.0f images/s%n", b);
        System.out.printf("decode + preprocess + bare ONNX Runtime       %8.0f images/s%n", bd);
        System.out.printf("pipeline (job on Kafka -> features in trainer) %7.0f images/s%n", p);
        System.out.printf("ratio pipeline / bare ONNX Runtime            %8.2f   (target >= 0.90)%n", p / b);
        System.out.printf("ratio pipeline / decode + bare ONNX Runtime   %8.2f%n", p / bd);
        System.out.printf("DL4J head training (1152 -> 1024 relu -> 2, batch 64) %.0f samples/s%n", trainingRate);
    }

    private record RunFigures(double imagesPerSecond, double trainingSamplesPerSecond, java.util.Map<String, Double> timings) {
    }

    private static RunFigures runJob(Pool pool, String jobId, int n) throws Exception {
        long[] allShards = {0};
        long t0;
        JobResult result;
        try (JobClient client = new JobClient(pool.clients())) {
            t0 = System.currentTimeMillis();
            client.submit(jobId, job(jobId, 3));
            result = client.await(jobId, Duration.ofMinutes(20), (StatusEvent e) -> {
                if ("extracting".equals(e.stage()) && e.shardsDone().equals(e.shardsTotal())) {
                    allShards[0] = e.timestampMillis();
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
                result.metrics().timings().get("trainingSamplesPerSecond"), result.metrics().timings());
    }

    private static void bareRun(CutSession session, float[] inputs, int n, JobSpec spec, Preprocessor pre)
            throws OrtException {
        float[] batch = new float[BATCH * pre.inputSize()];
        for (int from = 0; from < n; from += BATCH) {
            int m = Math.min(BATCH, n - from);
            System.arraycopy(inputs, from * pre.inputSize(), batch, 0, m * pre.inputSize());
            session.run(batch, m, spec.preprocess());
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String job(String jobId, int epochs) {
        return """
                {"jobId": "%s", "baseModel": {"uri": "models/base.onnx", "input": "input", "cut": "%s"},
                 "data": {"train": {"uri": "train"}, "validationSplit": 0.1},
                 "preprocess": {"width": 28, "height": 28, "channels": 1},
                 "training": {"epochs": %d, "earlyStopping": {"enabled": false}}}""".formatted(jobId, CUT, epochs);
    }
}
