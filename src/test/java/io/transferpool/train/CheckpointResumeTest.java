package io.transferpool.train;

import io.transferpool.TestFiles;
import io.transferpool.features.FeatureStore;
import io.transferpool.features.Rows;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult.EpochMetrics;
import io.transferpool.job.JobSpec;
import io.transferpool.learning.DemoFineTune;
import io.transferpool.learning.EpochListener;
import io.transferpool.learning.EpochLoop;
import io.transferpool.learning.FineTuner;
import io.transferpool.learning.HeadTrainer;
import io.transferpool.learning.Network;
import io.transferpool.learning.Trained;
import io.transferpool.model.OnnxModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A training stopped after some epoch (the trainer died) and resumed from its last checkpoint by a fresh network
 * ends with exactly the weights and epoch metrics of one that never stopped: for a new head (Adam, dropout) and for
 * a fine-tuned convolutional block (Nesterov momentum).
 */
class CheckpointResumeTest {
    @TempDir
    Path dir;

    /** Thrown by the listener to stand in for a trainer dying after an epoch. */
    static final class Died extends RuntimeException {
    }

    private static Rows rows(FeatureStore store, int n, int d, long seed, int classes) {
        Random rnd = new Random(seed);
        int[] ids = new int[n];
        int[] labels = new int[n];
        float[] f = new float[n * d];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
            labels[i] = i % classes;
            for (int j = 0; j < d; j++) {
                f[i * d + j] = (float) (rnd.nextGaussian() + (j % 7 == 0 && labels[i] == 1 ? 1 : 0));
            }
        }
        store.add(ids, labels, f, d);
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return new Rows(store, all, classes);
    }

    private static EpochListener dieAfter(int epoch) {
        return (m, max) -> {
            if (m.epoch() == epoch) {
                throw new Died();
            }
        };
    }

    private record Outcome(INDArray params, List<EpochMetrics> epochs, int resumedFrom) {
    }

    private Outcome uninterruptedAndResumed(Supplier<Network> fresh, Rows train, Rows val, JobSpec.Training t,
                                            CheckpointStore.Policy policy, int dieAfter) throws Exception {
        Trained whole = EpochLoop.train(fresh.get(), train, val, t, (m, max) -> { },
                new CheckpointStore(dir.resolve("whole"), policy));
        CheckpointStore store = new CheckpointStore(dir.resolve("resumed"), policy);
        assertThat(store.nextAttempt()).isEqualTo(1);
        assertThatThrownBy(() -> EpochLoop.train(fresh.get(), train, val, t, dieAfter(dieAfter), store))
                .isInstanceOf(Died.class);
        assertThat(store.nextAttempt()).as("the second trainer's attempt").isEqualTo(2);
        List<EpochMetrics> told = new java.util.ArrayList<>();
        Trained resumed = EpochLoop.train(fresh.get(), train, val, t, new EpochListener() {
            @Override
            public void epochDone(EpochMetrics m, int max) {
                told.add(m);
            }

            @Override
            public void resumed(List<EpochMetrics> earlier) {
                told.addAll(0, earlier);
            }
        }, new CheckpointStore(dir.resolve("resumed"), policy));
        assertThat(told).as("earlier epochs handed over on resuming, then the new ones").isEqualTo(whole.epochs());
        assertThat(resumed.params()).isEqualTo(whole.network().params());
        assertThat(resumed.epochs()).isEqualTo(whole.epochs());
        assertThat(resumed.bestEpoch()).isEqualTo(whole.bestEpoch());
        return new Outcome(resumed.network().params(), resumed.epochs(), resumed.resumedFromEpoch());
    }

    @Test
    void aNewHeadResumedFromItsCheckpointEndsAsIfNeverStopped() throws Exception {
        String json = TestFiles.job("ck", "models/base.onnx", "t", null, 7)
                .replace("\"hidden\": [64]", "\"hidden\": [32], \"dropout\": 0.3")
                .replace("\"patience\": 5", "\"patience\": 50");
        JobSpec spec = JobParser.parse(json).orThrow();
        try (FeatureStore store = new FeatureStore(1 << 24, dir)) {
            Rows all = rows(store, 60, 20, 1, 2);
            Rows train = new Rows(store, java.util.Arrays.copyOfRange(all.indices(), 0, 48), 2);
            Rows val = new Rows(store, java.util.Arrays.copyOfRange(all.indices(), 48, 60), 2);
            HeadTrainer heads = new HeadTrainer();
            Outcome o = uninterruptedAndResumed(() -> new Network.Head(heads.build(20, 2, spec)), train, val,
                    spec.training(), new CheckpointStore.Policy(2, 0), 5);
            assertThat(o.resumedFrom()).as("died after epoch 5, last checkpoint after 4").isEqualTo(4);
            assertThat(o.epochs()).hasSize(7);
        }
    }

    @Test
    void aFineTunedBlockResumedFromItsCheckpointEndsAsIfNeverStopped() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        TestFiles.demoRoot(root, "train", 1, "test", 1);
        String json = """
                {"jobId": "ck-ft", "strategy": "fine-tune",
                 "baseModel": {"uri": "models/base.onnx", "input": "input",
                               "freezeAt": "/features/features.9/MaxPool_output_0"},
                 "data": {"train": {"uri": "train"}},
                 "preprocess": {"width": 28, "height": 28, "channels": 1},
                 "head": {"hidden": [16]},
                 "training": {"optimizer": {"type": "sgd", "learningRate": 0.01, "momentum": 0.9, "nesterov": true},
                              "epochs": 4, "batchSize": 8, "seed": 5}}
                """;
        JobSpec parsed = JobParser.parse(json).orThrow();
        JobSpec spec = DemoFineTune.settled(parsed);
        OnnxModel base = OnnxModel.load(root.resolve("models/base.onnx"));
        try (FeatureStore store = new FeatureStore(1 << 24, dir)) {
            Rows all = rows(store, 40, 64 * 7 * 7, 2, 2);
            Rows train = new Rows(store, java.util.Arrays.copyOfRange(all.indices(), 0, 32), 2);
            Rows val = new Rows(store, java.util.Arrays.copyOfRange(all.indices(), 32, 40), 2);
            FineTuner tuner = new FineTuner();
            Supplier<Network> fresh = () -> {
                try {
                    FineTuner.Result r = tuner.build(base, spec, 2);
                    return new Network.Graph(r.graph(), r.translation().inputShapes().get(0));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Outcome o = uninterruptedAndResumed(fresh, train, val, spec.training(), new CheckpointStore.Policy(1, 0), 3);
            assertThat(o.resumedFrom()).isEqualTo(2);
        }
    }

    @Test
    void aFineTuneKilledAfterItsWarmUpResumesAsIfNeverStopped() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root-warm"));
        TestFiles.demoRoot(root, "train", 1, "test", 1);
        JobSpec spec = DemoFineTune.settled(JobParser.parse("""
                {"jobId": "ck-warm", "strategy": "fine-tune",
                 "baseModel": {"uri": "models/base.onnx", "input": "input",
                               "freezeAt": "/features/features.9/MaxPool_output_0"},
                 "data": {"train": {"uri": "train"}},
                 "preprocess": {"width": 28, "height": 28, "channels": 1},
                 "head": {"hidden": [16]},
                 "training": {"optimizer": {"type": "sgd", "learningRate": 0.001, "momentum": 0.9, "nesterov": true},
                              "epochs": 4, "batchSize": 8, "seed": 5, "earlyStopping": {"patience": 50}},
                 "fineTune": {"warmupEpochs": 3, "warmupLearningRate": 0.01}}
                """).orThrow());
        OnnxModel base = OnnxModel.load(root.resolve("models/base.onnx"));
        CheckpointStore.Policy policy = new CheckpointStore.Policy(1, 0);
        try (FeatureStore store = new FeatureStore(1 << 24, dir)) {
            Rows all = rows(store, 40, 64 * 7 * 7, 2, 2);
            Rows train = new Rows(store, java.util.Arrays.copyOfRange(all.indices(), 0, 32), 2);
            Rows val = new Rows(store, java.util.Arrays.copyOfRange(all.indices(), 32, 40), 2);
            FineTuner tuner = new FineTuner();
            FineTuner.Result whole = tuner.train(base, spec, 2, train, val, (m, max) -> { },
                    new CheckpointStore(dir.resolve("warm-whole"), policy));
            assertThat(whole.trained().epochs()).hasSize(7);

            CheckpointStore died = new CheckpointStore(dir.resolve("warm-resumed"), policy);
            died.nextAttempt();
            assertThatThrownBy(() -> tuner.train(base, spec, 2, train, val, dieAfter(5), died))
                    .as("died after the second fine-tuning epoch").isInstanceOf(Died.class);
            List<EpochMetrics> told = new java.util.ArrayList<>();
            FineTuner.Result resumed = tuner.train(base, spec, 2, train, val, new EpochListener() {
                @Override
                public void epochDone(EpochMetrics m, int max) {
                    told.add(m);
                }

                @Override
                public void resumed(List<EpochMetrics> earlier) {
                    told.addAll(earlier);
                }
            }, new CheckpointStore(dir.resolve("warm-resumed"), policy));
            assertThat(told).as("warm-up and earlier epochs handed over once, then the new ones")
                    .isEqualTo(whole.trained().epochs());
            assertThat(resumed.trained().resumedFromEpoch()).as("the checkpoint after epoch 1 of fine-tuning")
                    .isEqualTo(4);
            assertThat(resumed.trained().params()).isEqualTo(whole.trained().params());
            assertThat(resumed.trained().epochs()).isEqualTo(whole.trained().epochs());
            assertThat(resumed.stages()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("seconds")
                    .containsExactlyElementsOf(whole.stages());
        }
    }
}
