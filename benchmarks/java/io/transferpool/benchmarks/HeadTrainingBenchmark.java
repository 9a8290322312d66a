package io.transferpool.benchmarks;

import io.transferpool.job.JobParser;
import io.transferpool.job.JobSpec;
import io.transferpool.train.HeadTrainer;
import io.transferpool.train.NativeThreads;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Head training (the seed's head: D -> 1024 relu -> 2 softmax, batch 64) in samples/s against the ceiling
 * measured in the same run: ND4J's own OpenBLAS doing the step's two big GEMMs (forward x.W1 and dW1 = x^T.dh)
 * in place on preallocated 'f'-order arrays. For D = 2048 and 1152, SGD Nesterov (the seed's) and Adam, through
 * the trainer's own network ({@link HeadTrainer#build}) and {@code MultiLayerNetwork.fit}. Prints figures and
 * ratios; asserts nothing. Run by hand: {@code benchmarks/run.sh -Dtest=HeadTrainingBenchmark}.
 */
@Tag("benchmark")
class HeadTrainingBenchmark {
    private static final int BATCH = 64;
    private static final int HIDDEN = 1024;
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int STEPS = 200;

    @Test
    void headTrainingAgainstTheGemmCeiling() {
        System.out.println("Native threads: " + NativeThreads.configure());
        for (int d : new int[]{2048, 1152}) {
            double ceiling = gemmCeiling(d);
            for (String optimizer : List.of(
                    "{\"type\": \"sgd\", \"learningRate\": 0.001, \"decay\": 1e-6, \"momentum\": 0.9, \"nesterov\": true}",
                    "{\"type\": \"adam\", \"learningRate\": 0.001}")) {
                double fit = fit(d, optimizer);
                System.out.printf("  %4d-d %-5s MultiLayerNetwork.fit %6.0f samples/s = %.2f of the ceiling%n", d,
                        optimizer.contains("adam") ? "adam" : "sgd", fit, fit / ceiling);
            }
        }
    }

    /** Samples/s if a step cost only its two big GEMMs at the speed measured now. */
    private static double gemmCeiling(int d) {
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, d).dup('f');
        INDArray w = Nd4j.rand(DataType.FLOAT, d, HIDDEN).dup('f');
        INDArray h = Nd4j.create(DataType.FLOAT, new long[]{BATCH, HIDDEN}, 'f');
        INDArray dh = Nd4j.rand(DataType.FLOAT, BATCH, HIDDEN).dup('f');
        INDArray dw = Nd4j.create(DataType.FLOAT, new long[]{d, HIDDEN}, 'f');
        for (int i = 0; i < 50; i++) {
            Nd4j.gemm(x, w, h, false, false, 1.0, 0.0);
            Nd4j.gemm(x, dh, dw, true, false, 1.0, 0.0);
        }
        double[] rates = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < STEPS; i++) {
                Nd4j.gemm(x, w, h, false, false, 1.0, 0.0);
                Nd4j.gemm(x, dh, dw, true, false, 1.0, 0.0);
            }
            rates[r] = STEPS * BATCH / ((System.nanoTime() - t0) / 1e9);
        }
        double median = median(rates);
        double gflops = median / BATCH * 2.0 * 2 * BATCH * d * HIDDEN / 1e9;
        System.out.printf("%4d-d ceiling: two in-place GEMMs per step at %.0f GFLOP/s = %.0f samples/s%n", d, gflops,
                median);
        return median;
    }

    private static double fit(int d, String optimizer) {
        JobSpec spec = JobParser.parse("""
                {"jobId": "bench", "baseModel": {"uri": "m", "cut": "c"}, "data": {"train": {"uri": "d"}},
                 "preprocess": {"width": 1, "height": 1, "channels": 1}, "head": {"hidden": [1024]},
                 "training": {"optimizer": %s, "batchSize": 64, "seed": 1}}""".formatted(optimizer)).orThrow();
        MultiLayerNetwork net = new HeadTrainer().build(d, 2, spec);
        List<DataSet> batches = new ArrayList<>();
        for (int b = 0; b < 20; b++) {
            INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 2);
            for (int i = 0; i < BATCH; i++) {
                y.putScalar(i, (i + b) % 2, 1f);
            }
            batches.add(new DataSet(Nd4j.rand(DataType.FLOAT, BATCH, d), y));
        }
        for (int i = 0; i < 50; i++) {
            net.fit(batches.get(i % batches.size()));
        }
        double[] rates = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < STEPS; i++) {
                net.fit(batches.get(i % batches.size()));
            }
            rates[r] = STEPS * BATCH / ((System.nanoTime() - t0) / 1e9);
        }
        return median(rates);
    }

    private static double median(double[] rates) {
        double[] s = rates.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
