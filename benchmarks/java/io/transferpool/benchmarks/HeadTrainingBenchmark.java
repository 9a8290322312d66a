package io.transferpool.benchmarks;

import io.transferpool.features.FeatureStore;
import io.transferpool.features.Rows;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobSpec;
import io.transferpool.kernels.Gemm;
import io.transferpool.kernels.NativeThreads;
import io.transferpool.learning.HeadTrainer;
import io.transferpool.learning.Network;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Head training (the seed's head: D -> 1024 relu -> 2 softmax, batch 64) in samples/s against the ceiling
 * measured in the same run: ND4J's own OpenBLAS doing the step's two big GEMMs (forward x.W1 and dW1 = x^T.dh)
 * in place on preallocated 'f'-order arrays. For D = 2048 and 1152, SGD Nesterov (the seed's) and Adam, the
 * trainer's own network ({@link HeadTrainer#build}) trained by {@code MultiLayerNetwork.fit} and by the trainer's
 * own in-place step (what jobs use; the rows come from a feature store, as in a job). Each round measures the
 * ceiling, fit and the trainer back to back, so a machine that slows down mid-run moves all three; the medians
 * and the median of the per-round ratios are printed. Asserts nothing. Run by hand:
 * {@code benchmarks/run.sh -Dtest=HeadTrainingBenchmark}.
 */
@Tag("benchmark")
class HeadTrainingBenchmark {
    private static final int BATCH = 64;
    private static final int HIDDEN = 1024;
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int STEPS = 200;

    @Test
    void headTrainingAgainstTheGemmCeiling() {
        System.out.println("Native threads: " + NativeThreads.configure() + ", libnd4j threads "
                + Nd4j.getEnvironment().maxThreads() + ", BLAS threads " + Nd4j.factory().blas().getMaxThreads());
        for (int d : new int[]{2048, 1152}) {
            for (String optimizer : List.of(
                    "{\"type\": \"sgd\", \"learningRate\": 0.001, \"decay\": 1e-6, \"momentum\": 0.9, \"nesterov\": true}",
                    "{\"type\": \"adam\", \"learningRate\": 0.001}")) {
                String name = optimizer.contains("adam") ? "adam" : "sgd";
                Runnable ceiling = ceiling(d, false);
                Runnable direct = ceiling(d, true);
                Runnable fit = steps(d, optimizer, false);
                Runnable inPlace = steps(d, optimizer, true);
                for (int i = 0; i < 50; i++) {
                    ceiling.run();
                    direct.run();
                    fit.run();
                    inPlace.run();
                }
                double[] c = new double[ROUNDS];
                double[] cd = new double[ROUNDS];
                double[] directRatio = new double[ROUNDS];
                double[] f = new double[ROUNDS];
                double[] t = new double[ROUNDS];
                double[] fitRatio = new double[ROUNDS];
                double[] ratio = new double[ROUNDS];
                for (int r = 0; r < ROUNDS; r++) {
                    c[r] = rate(ceiling);
                    cd[r] = rate(direct);
                    f[r] = rate(fit);
                    t[r] = rate(inPlace);
                    fitRatio[r] = f[r] / c[r];
                    ratio[r] = t[r] / c[r];
                    directRatio[r] = t[r] / cd[r];
                }
                double cm = median(c);
                System.out.printf("%4d-d %-4s ceiling %6.0f samples/s (two GEMMs at %.0f GFLOP/s) | "
                                + "MultiLayerNetwork.fit %6.0f = %.2f | trainer (in place) %6.0f = %.2f of the ceiling "
                                + "(rounds %s), %.1f x fit%n",
                        d, name, cm, cm / BATCH * 4.0 * BATCH * d * HIDDEN / 1e9, median(f), median(fitRatio),
                        median(t), median(ratio), rounds(ratio), median(t) / median(f));
                System.out.printf("       the same two GEMMs called as ND4J's CpuLevel3 calls BLAS (cblas_sgemm, no Mmul op): "
                        + "%6.0f samples/s; trainer = %.2f of that (rounds %s)%n", median(cd), median(directRatio),
                        rounds(directRatio));
            }
        }
    }

    /** Samples/s of STEPS runs of a step of BATCH samples. */
    private static double rate(Runnable step) {
        long t0 = System.nanoTime();
        for (int i = 0; i < STEPS; i++) {
            step.run();
        }
        return STEPS * BATCH / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * The two big GEMMs of a step, in place, as fast as ND4J's OpenBLAS does them now: through {@code Nd4j.gemm}
     * (the ceiling), or straight to BLAS as the trainer's step calls it ({@code direct}).
     */
    private static Runnable ceiling(int d, boolean direct) {
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, d).dup('f');
        INDArray w = Nd4j.rand(DataType.FLOAT, d, HIDDEN).dup('f');
        INDArray h = Nd4j.create(DataType.FLOAT, new long[]{BATCH, HIDDEN}, 'f');
        INDArray dh = Nd4j.rand(DataType.FLOAT, BATCH, HIDDEN).dup('f');
        INDArray dw = Nd4j.create(DataType.FLOAT, new long[]{d, HIDDEN}, 'f');
        if (direct) {
            return () -> {
                Gemm.gemm(x, false, w, false, h, 1.0, 0.0);
                Gemm.gemm(x, true, dh, false, dw, 1.0, 0.0);
            };
        }
        return () -> {
            Nd4j.gemm(x, w, h, false, false, 1.0, 0.0);
            Nd4j.gemm(x, dh, dw, true, false, 1.0, 0.0);
        };
    }

    /** One training step of the trainer's network, by DL4J's fit or by the trainer's own step, cycling 20 batches. */
    private static Runnable steps(int d, String optimizer, boolean inPlace) {
        JobSpec spec = JobParser.parse("""
                {"jobId": "bench", "baseModel": {"uri": "m", "cut": "c"}, "data": {"train": {"uri": "d"}},
                 "preprocess": {"width": 1, "height": 1, "channels": 1}, "head": {"hidden": [1024]},
                 "training": {"optimizer": %s, "batchSize": 64, "seed": 1}}""".formatted(optimizer)).orThrow();
        MultiLayerNetwork net = new HeadTrainer().build(d, 2, spec);
        Network head = new Network.Head(net);
        int batches = 20;
        Random rnd = new Random(1);
        FeatureStore store = new FeatureStore(1L << 30, Path.of(System.getProperty("java.io.tmpdir")));
        for (int i = 0; i < batches * BATCH; i++) {
            float[] row = new float[d];
            for (int j = 0; j < d; j++) {
                row[j] = rnd.nextFloat();
            }
            store.add(new int[]{i}, new int[]{i % 2}, row, d);
        }
        Rows rows = new Rows(store, new int[batches * BATCH], 2);
        int[] order = rows.identityOrder();
        System.arraycopy(order, 0, rows.indices(), 0, order.length);
        Runnable[] steps = new Runnable[batches];
        for (int b = 0; b < batches; b++) {
            int from = b * BATCH;
            DataSet set = rows.batch(order, from, from + BATCH);
            steps[b] = inPlace ? () -> head.fit(rows, order, from, from + BATCH) : () -> net.fit(set);
        }
        int[] next = {0};
        return () -> steps[next[0]++ % batches].run();
    }

    private static String rounds(double[] ratios) {
        StringBuilder s = new StringBuilder();
        for (double r : ratios) {
            s.append(s.isEmpty() ? "" : " ").append(String.format("%.2f", r));
        }
        return s.toString();
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
