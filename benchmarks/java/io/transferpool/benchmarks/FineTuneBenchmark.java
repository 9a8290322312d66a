package io.transferpool.benchmarks;

import io.transferpool.job.JobParser;
import io.transferpool.job.JobSpec;
import io.transferpool.kernels.NativeThreads;
import io.transferpool.learning.FineTuner;
import io.transferpool.model.OnnxModel;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One fine-tuning epoch of the demo's fine-tune job (last conv block translated from the ONNX base, plus the seed's
 * head; batch 64) in DL4J, samples/s, next to benchmarks/finetune_torch.py (the same layers in PyTorch on the same
 * threads, Debian's python3-torch) run in the same session; prints both and the ratio, and the step's GEMM work
 * against ND4J's in-place GEMM speed measured in the same run (the ratio to the ceiling). Run by hand:
 * {@code benchmarks/run.sh}. Asserts nothing about speed.
 */
@Tag("benchmark")
class FineTuneBenchmark {
    private static final Path DEMO = Path.of("demo/tshirt-vs-shirt").toAbsolutePath();
    private static final int SAMPLES = 2700;
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int BATCH = 64;

    @BeforeAll
    static void nativeThreadsAsInATrainingRun() {
        // the trainer's TrainingRun sets these before ND4J loads; without them OpenBLAS's threads spin after every
        // GEMM and hold a core while the small ops between GEMMs run
        System.out.println("Native threads: " + NativeThreads.configure());
    }

    @Test
    void oneEpochAgainstPyTorch() throws Exception {
        JobSpec parsed = JobParser.parse(Files.readString(DEMO.resolve("finetune-job.json"))).orThrow();
        JobSpec spec = new JobSpec(parsed.schemaVersion(), parsed.jobId(), parsed.strategy(), parsed.baseModel(),
                parsed.data(), parsed.preprocess(), parsed.head(), parsed.training(),
                parsed.fineTune().withKeepBaseClassifier(false));
        ComputationGraph graph = new FineTuner().build(OnnxModel.load(DEMO.resolve("models/base.onnx")), spec, 2)
                .graph();
        // Boundary activations of the demo's last block are post-ReLU max-pools: non-negative, like these.
        Random rnd = new Random(7);
        float[] x = new float[SAMPLES * 64 * 7 * 7];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.max(0, rnd.nextGaussian());
        }
        INDArray features = Nd4j.create(x, new long[]{SAMPLES, 64, 7, 7}, 'c');
        INDArray labels = Nd4j.zeros(DataType.FLOAT, SAMPLES, 2);
        for (int i = 0; i < SAMPLES; i++) {
            labels.putScalar(i, rnd.nextInt(2), 1f);
        }
        System.out.printf("Fine-tuning epoch, demo last conv block + head (%d samples of 64x7x7, batch %d):%n",
                SAMPLES, BATCH);
        Rounds rounds = Rounds.measure(graph, features, labels, BATCH, "--samples", String.valueOf(SAMPLES));
        double dl4j = rounds.dl4j();
        // The GEMM work of a training step (forward, input gradient, weight gradient: 3 x the forward's
        // multiply-adds of each conv and dense layer) against ND4J's in-place GEMM speed measured now, on the shape
        // of the largest of them (the conv's im2col product).
        double flopsPerSample = 3 * forwardFlops(graph, features.get(NDArrayIndex.interval(0, 1)));
        double ceiling = gemmGflops(BATCH * 7 * 7, 64 * 9, 128, 20);
        double achieved = dl4j * flopsPerSample / 1e9;
        System.out.printf("  GEMM work %.1f MFLOP per sample -> %.1f GFLOP/s; in-place GEMM now %.0f GFLOP/s: ratio %.3f"
                + " (%.0f samples/s if a step cost only its GEMMs)%n", flopsPerSample / 1e6, achieved, ceiling,
                achieved / ceiling, ceiling * 1e9 / flopsPerSample);
    }

    /**
     * ViT-B/16's last two encoder blocks, its final LayerNorm and a new head on the class token, translated from
     * target/bench/vit_b_16.onnx (benchmarks/recipes/make_vit_case.py), on [N, 197, 768] boundary activations,
     * batch 32, next to the same layers in PyTorch (finetune_torch.py --case vit) on the same threads.
     */
    @Test
    void vitLastTwoBlocksAgainstPyTorch() throws Exception {
        Path base = Path.of("target/bench/vit_b_16.onnx").toAbsolutePath();
        if (!Files.exists(base)) {
            System.out.println("ViT case skipped: run benchmarks/recipes/make_vit_case.py first");
            return;
        }
        var where = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                Files.readString(base.resolveSibling("vit_b_16.json")));
        int samples = Integer.getInteger("bench.vit.samples", 128);
        int batch = 32;
        String json = """
                {"jobId": "vit-bench", "strategy": "fine-tune",
                 "baseModel": {"uri": "vit_b_16.onnx", "freezeAt": "%s", "cut": "%s"},
                 "data": {"train": {"uri": "train"}, "validationSplit": 0.1},
                 "preprocess": {"width": 224, "height": 224, "channels": 3},
                 "head": {"hidden": []},
                 "training": {"optimizer": {"type": "adam", "learningRate": 0.001}, "epochs": 1, "batchSize": %d,
                              "seed": 7},
                 "fineTune": {"baseLearningRate": 0.0001, "warmupEpochs": 0}}
                """.formatted(where.get("freezeAt").asText(), where.get("cut").asText(), batch);
        JobSpec spec = JobParser.parse(json).orThrow();
        ComputationGraph graph = new FineTuner().build(OnnxModel.load(base), spec, 2).graph();
        Random rnd = new Random(7);
        INDArray features = Nd4j.randn(DataType.FLOAT, samples, 197, 768);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, samples, 2);
        for (int i = 0; i < samples; i++) {
            labels.putScalar(i, rnd.nextInt(2), 1f);
        }
        System.out.printf("Fine-tuning ViT-B/16 blocks 10-11 + LayerNorm + new head (%d samples of 197x768, batch "
                + "%d):%n", samples, batch);
        Rounds rounds = Rounds.measure(graph, features, labels, batch, "--case", "vit", "--samples",
                String.valueOf(samples), "--batch", String.valueOf(batch));
        // two encoder blocks: 4 D^2 (attention projections) + 2 D 4D (MLP) multiply-adds per token, plus the
        // attention's two T x T x D products; 3x for a training step
        double d = 768;
        double t = 197;
        double flopsPerSample = 3 * 2 * 2 * (t * (4 * d * d + 8 * d * d) + 2 * t * t * d);
        double ceiling = gemmGflops(batch * 197, 768, 3072, 2);
        double achieved = rounds.dl4j() * flopsPerSample / 1e9;
        System.out.printf("  GEMM work %.1f GFLOP per sample -> %.1f GFLOP/s; in-place GEMM now %.0f GFLOP/s: ratio "
                + "%.3f%n", flopsPerSample / 1e9, achieved, ceiling, achieved / ceiling);
    }

    /**
     * {@link #ROUNDS} training epochs of the graph over the rows in batches and as many of PyTorch's
     * ({@link TorchBaseline}), step by step in turns (a DL4J step, then a PyTorch step), after one warm-up epoch of
     * each; prints both, the ratio of the medians and each round's ratio (the paired figure: both sides of a round
     * saw the same machine).
     */
    private record Rounds(double[] dl4jRates, double[] torchRates) {
        double dl4j() {
            return median(dl4jRates);
        }

        static Rounds measure(ComputationGraph graph, INDArray features, INDArray labels, int batch,
                              String... torchArgs) throws Exception {
            long samples = features.size(0);
            List<DataSet> batches = new ArrayList<>();
            for (long from = 0; from < samples; from += batch) {
                long to = Math.min(samples, from + batch);
                batches.add(new DataSet(features.get(NDArrayIndex.interval(from, to)).dup(),
                        labels.get(NDArrayIndex.interval(from, to)).dup()));
            }
            batches.forEach(graph::fit); // warm-up
            int threads = Runtime.getRuntime().availableProcessors();
            double[] dl4j = new double[ROUNDS];
            double[] torch = new double[ROUNDS];
            try (TorchBaseline baseline = TorchBaseline.start(threads, torchArgs).orElse(null)) {
                for (int r = 0; r < ROUNDS; r++) {
                    long nanos = 0;
                    double torchSeconds = 0;
                    for (DataSet b : batches) {
                        long t0 = System.nanoTime();
                        graph.fit(b);
                        nanos += System.nanoTime() - t0;
                        torchSeconds += baseline == null ? Double.NaN : baseline.step();
                    }
                    dl4j[r] = samples / (nanos / 1e9);
                    torch[r] = samples / torchSeconds;
                }
            }
            Rounds rounds = new Rounds(dl4j, torch);
            System.out.printf("  DL4J     %.2f samples/s (median of %d epochs: %s)%n", rounds.dl4j(), ROUNDS,
                    rounded(dl4j));
            if (!Double.isNaN(torch[0])) {
                double[] ratios = new double[ROUNDS];
                Arrays.setAll(ratios, r -> dl4j[r] / torch[r]);
                System.out.printf("  PyTorch  %.2f samples/s (median of %d epochs: %s; %d threads)%n", median(torch),
                        ROUNDS, rounded(torch), threads);
                System.out.printf("  ratio DL4J / PyTorch %.2f (medians); per round %s, median %.2f%n",
                        rounds.dl4j() / median(torch), rounded(ratios), median(ratios));
            }
            return rounds;
        }

        private static double median(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        }

        private static String rounded(double[] values) {
            return Arrays.toString(Arrays.stream(values).map(v -> Math.round(v * 100) / 100.0).toArray());
        }
    }

    /** Multiply-adds x 2 of one sample's forward pass through the graph's conv and dense layers. */
    private static double forwardFlops(ComputationGraph graph, INDArray one) {
        Map<String, INDArray> acts = graph.feedForward(one, false);
        double flops = 0;
        for (var v : graph.getVertices()) {
            if (!v.hasLayer()) {
                continue;
            }
            var conf = v.getLayer().conf().getLayer();
            INDArray out = acts.get(v.getVertexName());
            if (conf instanceof ConvolutionLayer c) {
                int[] k = c.getKernelSize();
                flops += 2.0 * k[0] * k[1] * c.getNIn() * out.length();
            } else if (conf instanceof FeedForwardLayer f && (conf instanceof DenseLayer || conf instanceof OutputLayer)) {
                flops += 2.0 * f.getNIn() * f.getNOut();
            }
        }
        return flops;
    }

    /**
     * GFLOP/s of ND4J's in-place GEMM ('f' order, preallocated) on an m x k by k x n product, median of 5 rounds of
     * {@code times} products.
     */
    private static double gemmGflops(int m, int k, int n, int times) {
        INDArray a = Nd4j.rand(DataType.FLOAT, m, k).dup('f');
        INDArray b = Nd4j.rand(DataType.FLOAT, k, n).dup('f');
        INDArray c = Nd4j.create(DataType.FLOAT, new long[]{m, n}, 'f');
        double[] rates = new double[5];
        for (int r = -1; r < rates.length; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < times; i++) {
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            }
            if (r >= 0) {
                rates[r] = times * 2.0 * m * k * n / (System.nanoTime() - t0);
            }
        }
        Arrays.sort(rates);
        return rates[rates.length / 2];
    }
}
