package io.transferpool.learning;

import io.transferpool.TestFiles;
import io.transferpool.features.FeatureStore;
import io.transferpool.features.Rows;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult.EpochMetrics;
import io.transferpool.job.JobSpec;
import io.transferpool.model.OnnxModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Training metrics as Keras reports them: from each step's own forward pass, before its update, averaged over the
 * epoch; not from a second pass over the training rows after it. One epoch of one batch makes that checkable: its
 * metrics must equal those of the untrained network, and differ from the trained one's.
 */
class EpochLoopTest {
    @TempDir
    Path dir;

    private static Rows randomRows(FeatureStore store, int n, int d, long seed) {
        Random rnd = new Random(seed);
        for (int i = 0; i < n; i++) {
            float[] x = new float[d];
            for (int j = 0; j < d; j++) {
                x[j] = (float) Math.abs(rnd.nextGaussian());
            }
            store.add(new int[]{i}, new int[]{i % 2}, x, d);
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return new Rows(store, idx, 2);
    }

    private static void checkStepMetrics(Supplier<Network> fresh, Rows rows, JobSpec.Training t) {
        Evaluation.LossAccuracy before = EpochLoop.evaluate(fresh.get(), rows);
        Network net = fresh.get();
        Trained trained = EpochLoop.train(net, rows, new Rows(rows.store(), new int[0], 2), t, (m, max) -> { });
        EpochMetrics epoch = trained.epochs().get(0);
        assertThat(epoch.loss()).isCloseTo(before.loss(), within(1e-4));
        assertThat(epoch.accuracy()).isEqualTo(before.accuracy());
        Evaluation.LossAccuracy after = EpochLoop.evaluate(net, rows);
        assertThat(Math.abs(after.loss() - epoch.loss())).as("the update changed the loss").isGreaterThan(1e-3);
    }

    @Test
    void aNewHeadsTrainingMetricsComeFromItsSteps() {
        JobSpec spec = JobParser.parse("""
                {"jobId": "j", "baseModel": {"uri": "m", "cut": "c"}, "data": {"train": {"uri": "d"},
                 "validationSplit": 0},
                 "preprocess": {"width": 1, "height": 1, "channels": 1}, "head": {"hidden": [16]},
                 "training": {"optimizer": {"type": "sgd", "learningRate": 0.5, "momentum": 0}, "epochs": 1,
                  "batchSize": 64, "seed": 3, "earlyStopping": {"enabled": false},
                  "checkpoint": {"monitor": "loss", "mode": "min"}}}""").orThrow();
        try (FeatureStore store = new FeatureStore(1 << 24, dir)) {
            Rows rows = randomRows(store, 48, 12, 1);
            checkStepMetrics(() -> new Network.Head(new HeadTrainer().build(12, 2, spec)), rows, spec.training());
        }
    }

    @Test
    void aFineTunedGraphsTrainingMetricsComeFromItsSteps() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        TestFiles.demoRoot(root, "train", 1, "test", 1);
        JobSpec parsed = JobParser.parse("""
                {"jobId": "ft", "strategy": "fine-tune",
                 "baseModel": {"uri": "models/base.onnx", "input": "input",
                               "freezeAt": "/features/features.9/MaxPool_output_0"},
                 "data": {"train": {"uri": "train"}, "validationSplit": 0},
                 "preprocess": {"width": 28, "height": 28, "channels": 1},
                 "head": {"hidden": [16]},
                 "training": {"optimizer": {"type": "sgd", "learningRate": 0.5, "momentum": 0}, "epochs": 1,
                              "batchSize": 64, "seed": 5, "earlyStopping": {"enabled": false},
                              "checkpoint": {"monitor": "loss", "mode": "min"}}}""").orThrow();
        JobSpec spec = DemoFineTune.settled(parsed);
        OnnxModel base = OnnxModel.load(root.resolve("models/base.onnx"));
        try (FeatureStore store = new FeatureStore(1 << 24, dir)) {
            Rows rows = randomRows(store, 24, 64 * 7 * 7, 2);
            checkStepMetrics(() -> {
                try {
                    FineTuner.Result r = new FineTuner().build(base, spec, 2);
                    return new Network.Graph(r.graph(), r.translation().inputShapes().get(0));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, rows, spec.training());
        }
    }
}
