package io.transferpool.learning;

import io.transferpool.TestFiles;
import io.transferpool.features.FeatureStore;
import io.transferpool.features.Rows;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult.EpochMetrics;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;
import io.transferpool.model.CutSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A fine-tune that first trains its new head alone (the warm-up) on the demo base's last conv block: the head
 * trained on what the frozen layers make of the boundary rows behaves the same inside the graph, both stages are
 * reported, and the job keeps the best epoch of either.
 */
class FineTunerTest {
    @TempDir
    static Path dir;
    static OnnxModel base;

    @BeforeAll
    static void demoBase() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        TestFiles.demoRoot(root, "train", 1, "test", 1);
        base = OnnxModel.load(root.resolve("models/base.onnx"));
    }

    /** Boundary rows (64x7x7, non-negative as after ReLU and MaxPool) whose class shows in a few channels. */
    private static Rows rows(FeatureStore store, int from, int n, long seed) {
        Random rnd = new Random(seed);
        int d = 64 * 7 * 7;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            float[] x = new float[d];
            for (int j = 0; j < d; j++) {
                x[j] = (float) Math.abs(rnd.nextGaussian()) + (label == 1 && (j / 49) % 8 == 0 ? 0.8f : 0f);
            }
            store.add(new int[]{from + i}, new int[]{label}, x, d);
            idx[i] = store.size() - 1;
        }
        return new Rows(store, idx, 2);
    }

    private static JobSpec spec(String training, String fineTune) {
        return DemoFineTune.settled(JobParser.parse("""
                {"jobId": "ft", "strategy": "fine-tune",
                 "baseModel": {"uri": "models/base.onnx", "input": "input",
                               "freezeAt": "/features/features.9/MaxPool_output_0"},
                 "data": {"train": {"uri": "train"}},
                 "preprocess": {"width": 28, "height": 28, "channels": 1},
                 "head": {"hidden": [16]},
                 "training": %s, "fineTune": %s}""".formatted(training, fineTune)).orThrow());
    }

    @Test
    void theWarmUpsInputsAreMethodOnesFeaturesBitForBit() throws Exception {
        // 300 random images through ONNX Runtime to the boundary (what a fine-tune's extractors send), then the
        // frozen part from there to the cut: exactly the features method 1's extractors make at the cut
        String boundary = "/features/features.9/MaxPool_output_0";
        String cut = "/flatten/Flatten_output_0";
        int n = 300;
        float[] images = new float[n * 28 * 28];
        Random rnd = new Random(5);
        for (int i = 0; i < images.length; i++) {
            images[i] = rnd.nextFloat();
        }
        JobSpec.Preprocess p = spec("{}", "{}").preprocess();
        CutSession.Features atBoundary;
        CutSession.Features atCut;
        try (CutSession b = CutSession.open(base, "input", boundary, SessionFactory.Settings.cpu(0));
             CutSession c = CutSession.open(base, "input", cut, SessionFactory.Settings.cpu(0))) {
            atBoundary = b.run(images, n, p);
            atCut = c.run(images, n, p);
        }
        try (FeatureStore rows = new FeatureStore(1 << 26, dir); FeatureStore out = new FeatureStore(1 << 26, dir)) {
            int d = atBoundary.dimension();
            int[] ids = new int[n];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = i;
                labels[i] = i % 2;
            }
            rows.add(ids, labels, atBoundary.values(), d);
            new HeadWarmup.FrozenPart(base, boundary, new long[]{1, 64, 7, 7}, cut)
                    .add(List.of(new Rows(rows, java.util.stream.IntStream.range(0, n).toArray(), 2)), out);
            assertThat(out.dimension()).isEqualTo(1152);
            float[] row = new float[1152];
            for (int i = 0; i < n; i++) {
                out.read(i, row, 0);
                assertThat(row).as("image %d", i)
                        .containsExactly(java.util.Arrays.copyOfRange(atCut.values(), i * 1152, (i + 1) * 1152));
            }
        }
    }

    @Test
    void theWarmedUpHeadGivesInsideTheGraphWhatItGaveAlone() throws Exception {
        JobSpec spec = spec("""
                {"optimizer": {"type": "sgd", "learningRate": 0.0001}, "epochs": 5, "batchSize": 16, "seed": 3,
                 "earlyStopping": {"patience": 50}}""", """
                {"warmupEpochs": 6, "warmupLearningRate": 0.01}""");
        try (FeatureStore store = new FeatureStore(1 << 26, dir)) {
            Rows train = rows(store, 0, 64, 1);
            Rows val = rows(store, 1000, 32, 2);
            FineTuner.Result built = new FineTuner().build(base, spec, 2);
            Network.Graph net = new Network.Graph(built.graph(), built.translation().inputShapes().get(0));
            Evaluation.LossAccuracy before = EpochLoop.evaluate(net, val);

            Trained warm = HeadWarmup.train(net, built.translation().outputVertex(), train, val, spec,
                    (m, max) -> { });

            assertThat(warm.epochs()).hasSize(6);
            EpochMetrics best = warm.epochs().get(warm.bestEpoch() - 1);
            Evaluation.LossAccuracy inGraph = EpochLoop.evaluate(net, val);
            assertThat(inGraph.loss()).as("the graph, frozen layers and copied head, on the boundary rows")
                    .isCloseTo(best.valLoss(), within(1e-4));
            assertThat(inGraph.accuracy()).isEqualTo(best.valAccuracy());
            assertThat(inGraph.loss()).as("the head learned something").isLessThan(before.loss());
        }
    }

    @Test
    void bothStagesAreReportedAndTheWarmUpIsKeptUnlessFineTuningIsSignificantlyRighter() throws Exception {
        for (String rate : List.of("0.0001", "0.3")) {
            JobSpec spec = spec("""
                    {"optimizer": {"type": "sgd", "learningRate": %s, "momentum": 0}, "epochs": 3, "batchSize": 16,
                     "seed": 3, "earlyStopping": {"patience": 50}}""".formatted(rate), """
                    {"warmupEpochs": 4, "warmupLearningRate": 0.01, "baseLearningRate": %s}""".formatted(rate));
            try (FeatureStore store = new FeatureStore(1 << 26, dir)) {
                Rows train = rows(store, 0, 64, 1);
                Rows val = rows(store, 1000, 32, 2);
                List<EpochMetrics> told = new java.util.ArrayList<>();
                FineTuner.Result r = new FineTuner().train(base, spec, 2, train, val, (m, max) -> told.add(m));

                List<JobResult.Stage> stages = r.stages();
                assertThat(stages).extracting(JobResult.Stage::name).containsExactly("warmup", "fine-tune");
                assertThat(stages.get(0).firstEpoch()).isEqualTo(1);
                assertThat(stages.get(0).lastEpoch()).isEqualTo(4);
                assertThat(stages.get(0).baseLearningRate()).as("frozen").isZero();
                assertThat(stages.get(1).firstEpoch()).isEqualTo(5);
                assertThat(stages.get(1).lastEpoch()).isEqualTo(7);
                Trained t = r.trained();
                assertThat(t.epochs()).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3, 4, 5, 6, 7);
                assertThat(told).as("progress numbered across both stages").isEqualTo(t.epochs());
                // at 1e-4 three epochs barely move the network, at 0.3 they undo the warm head: neither gets
                // significantly more validation images right, so the warm-up (method 1) is kept, whatever the loss
                assertThat(stages.get(0).chosen()).as("rate %s", rate).isTrue();
                assertThat(stages.get(1).chosen()).isFalse();
                assertThat(t.bestEpoch()).isEqualTo(stages.get(0).bestEpoch()).isBetween(1, 4);
                assertThat(EpochLoop.evaluate(r.trained().network(), val).loss())
                        .as("the network holds the kept epoch's weights")
                        .isCloseTo(t.epochs().get(t.bestEpoch() - 1).valLoss(), within(1e-4));
            }
        }
    }

    @Test
    void aFineTuneThatGetsClearlyMoreRightIsKept() throws Exception {
        // a warm-up too short and slow to learn anything, then fine-tuning at a working rate
        JobSpec spec = spec("""
                {"optimizer": {"type": "sgd", "learningRate": 0.01, "momentum": 0.9}, "epochs": 12, "batchSize": 16,
                 "seed": 3, "earlyStopping": {"patience": 50}}""", """
                {"warmupEpochs": 1, "warmupLearningRate": 1e-9, "baseLearningRate": 0.01}""");
        try (FeatureStore store = new FeatureStore(1 << 26, dir)) {
            Rows train = rows(store, 0, 64, 1);
            Rows val = rows(store, 1000, 32, 2);
            FineTuner.Result r = new FineTuner().train(base, spec, 2, train, val, (m, max) -> { });
            List<JobResult.Stage> stages = r.stages();
            EpochMetrics warm = r.trained().epochs().get(0);
            EpochMetrics kept = r.trained().epochs().get(r.trained().bestEpoch() - 1);
            assertThat(kept.valAccuracy()).as("fine-tuning learned: %s", r.trained().epochs())
                    .isGreaterThanOrEqualTo(warm.valAccuracy() + 5 / 32.0);
            assertThat(stages.get(1).chosen()).isTrue();
            assertThat(r.trained().bestEpoch()).isGreaterThan(1);
        }
    }

    @Test
    void withoutAWarmUpTrainingIsOneStage() throws Exception {
        JobSpec spec = spec("""
                {"optimizer": {"type": "sgd", "learningRate": 0.001}, "epochs": 2, "batchSize": 16, "seed": 3}""",
                """
                {"warmupEpochs": 0}""");
        try (FeatureStore store = new FeatureStore(1 << 26, dir)) {
            FineTuner.Result r = new FineTuner().train(base, spec, 2, rows(store, 0, 32, 1), rows(store, 1000, 16, 2),
                    (m, max) -> { });
            assertThat(r.stages()).isNull();
            assertThat(r.trained().epochs()).hasSize(2);
        }
    }

    @Test
    void convolutionsKeepTheirColumnsForTheBackwardPassAndTrainExactlyAsWithout() throws Exception {
        JobSpec spec = spec("""
                {"optimizer": {"type": "sgd", "learningRate": 0.01, "momentum": 0.9, "nesterov": true},
                 "epochs": 2, "batchSize": 16, "seed": 3}""", "{\"warmupEpochs\": 0}");
        FineTuner tuner = new FineTuner();
        FineTuner.Result cached = tuner.build(base, spec, 2);
        FineTuner.Result plain = tuner.build(base, spec, 2, 0);
        long[] shape = cached.translation().inputShapes().get(0);
        assertThat(FineTuner.cachedColumnBytes(cached.graph().getConfiguration(), shape, 16)).as("16 x 7x7 pixels x 64x3x3 values")
                .isEqualTo(16L * 7 * 7 * 64 * 9 * 4);
        assertThat(cached.graph().getConfiguration().getCacheMode())
                .isEqualTo(org.deeplearning4j.nn.conf.CacheMode.HOST);
        assertThat(plain.graph().getConfiguration().getCacheMode()).as("over the budget")
                .isNotEqualTo(org.deeplearning4j.nn.conf.CacheMode.HOST);
        assertThat(java.util.Arrays.stream(cached.graph().getLayers())
                .filter(l -> l instanceof io.transferpool.translate.layers.ColumnConvolutionLayer))
                .as("the conv reading the boundary computes no input gradient").hasSize(1);
        try (FeatureStore store = new FeatureStore(1 << 26, dir)) {
            Rows train = rows(store, 0, 64, 1);
            Rows val = rows(store, 1000, 16, 2);
            Trained a = EpochLoop.train(new Network.Graph(cached.graph(), shape), train, val, spec.training(),
                    (m, max) -> { });
            Trained b = EpochLoop.train(new Network.Graph(plain.graph(), shape), train, val, spec.training(),
                    (m, max) -> { });
            assertThat(a.epochs()).isEqualTo(b.epochs());
            assertThat(a.params()).isEqualTo(b.params());
        }
    }
}
