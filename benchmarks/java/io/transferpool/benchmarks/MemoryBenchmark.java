package io.transferpool.benchmarks;

import io.transferpool.features.HeapBudget;
import io.transferpool.features.Rows;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobSpec;
import io.transferpool.kernels.NativeThreads;
import io.transferpool.learning.HeadTrainer;
import io.transferpool.learning.StratifiedSplit;
import io.transferpool.learning.Trained;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.FeatureType;
import io.transferpool.messaging.JobPlan;
import io.transferpool.messaging.ShardDone;
import io.transferpool.train.JobAccumulator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Heap flat in data size: a method-1 job's features (rows of 512 values sent as float16, as an extractor with
 * {@code tp.extract.feature-type=float16} sends them) go through the trainer's ingest path (record decode, the job's
 * accumulator and its feature store under the trainer's heap budget) and the head trains on them, in a JVM started
 * with -Xmx1g, for 10,000 rows (the baseline) and for 1,000,000. Prints each run's peak heap, whether the rows
 * spilled to disk, and the time. Kafka and extraction are not part of it (the rows are made in the process).
 * Asserts nothing. Run by hand: {@code benchmarks/run.sh -Dtest=MemoryBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dbench.rows=N} for the large run).
 */
@Tag("benchmark")
class MemoryBenchmark {
    private static final int DIM = 512;
    private static final int BATCH = 64;

    @Test
    void heapStaysFlatInDataSize() throws Exception {
        int large = Integer.getInteger("bench.rows", 1_000_000);
        System.out.printf("%nMemory benchmark: rows of %d float16 values, trainer ingest + head training, -Xmx1g%n",
                DIM);
        for (int rows : new int[]{10_000, large}) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-Xss16m", "-cp", System.getProperty("java.class.path"), Child.class.getName(),
                    String.valueOf(rows)).redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("RESULT ")) {
                        System.out.println("  " + line.substring(7));
                    }
                }
            }
            System.out.printf("  (exit %d)%n", p.waitFor());
        }
    }

    /** The measured run, in its own JVM. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            NativeThreads.configure();
            int n = Integer.parseInt(args[0]);
            JobSpec spec = JobParser.parse("""
                    {"jobId": "mem", "baseModel": {"uri": "m", "cut": "c"}, "data": {"train": {"uri": "d"},
                     "validationSplit": 0.1}, "preprocess": {"width": 1, "height": 1, "channels": 1},
                     "head": {"hidden": [1024]},
                     "training": {"optimizer": {"type": "sgd", "learningRate": 0.001, "momentum": 0.9},
                      "epochs": 1, "batchSize": 64, "earlyStopping": {"enabled": false}, "seed": 1}}""").orThrow();
            JobPlan plan = JobPlan.of(spec, new JobPlan.Model("m", "0".repeat(64)), List.of("a", "b"),
                    new JobPlan.Split(1, n), JobPlan.Split.NONE, new JobPlan.Submission(null, 1, 0, 0));
            Path spill = Files.createTempDirectory("tp-mem");
            HeapBudget budget = new HeapBudget(HeapBudget.defaultLimit());
            long t0 = System.nanoTime();
            Random rnd = new Random(3);
            try (JobAccumulator acc = new JobAccumulator(plan, budget, spill)) {
                float[] w = new float[DIM];
                for (int j = 0; j < DIM; j++) {
                    w[j] = (float) rnd.nextGaussian();
                }
                for (int from = 0; from < n; from += BATCH) {
                    int m = Math.min(BATCH, n - from);
                    int[] ids = new int[m];
                    int[] labels = new int[m];
                    float[] x = new float[m * DIM];
                    for (int i = 0; i < m; i++) {
                        ids[i] = from + i;
                        double dot = 0;
                        for (int j = 0; j < DIM; j++) {
                            float v = (float) rnd.nextGaussian();
                            x[i * DIM + j] = v;
                            dot += v * w[j];
                        }
                        labels[i] = dot > 0 ? 1 : 0;
                    }
                    byte[] record = new FeatureBatch(plan.key(), FeatureBatch.Split.TRAIN, 0, DIM, ids, labels, x)
                            .encode(FeatureType.FLOAT16);
                    acc.accept(FeatureBatch.decode(record));
                }
                acc.accept(new ShardDone(plan.key(), FeatureBatch.Split.TRAIN, 0, 1, n, List.of(), 0, 0, 0, "CPU",
                        null));
                double ingest = (System.nanoTime() - t0) / 1e9;
                var store = acc.store(FeatureBatch.Split.TRAIN);
                int[] labels = new int[store.size()];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = store.label(i);
                }
                StratifiedSplit split = StratifiedSplit.of(labels, 2, 0.1, 1);
                Trained t = new HeadTrainer().train(new Rows(store, split.train(), 2),
                        new Rows(store, split.validation(), 2), spec, (e, max) -> { });
                System.out.printf("RESULT %,9d rows: peak heap %4d MiB of %d (row budget %d MiB, spilled to disk: %s,"
                                + " %.0f MiB there), made + ingested in %.1f s, trained 1 epoch at %.0f samples/s,"
                                + " val accuracy %.3f%n", n, peakHeapMiB(), Runtime.getRuntime().maxMemory() >> 20,
                        budget.limit() >> 20, store.spilled(), store.spilled() ? (double) n * DIM * 4 / (1 << 20) : 0.0,
                        ingest, t.samplesPerSecond(), t.epochs().get(0).valAccuracy());
            }
        }

        private static long peakHeapMiB() {
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            return peak >> 20;
        }
    }
}
