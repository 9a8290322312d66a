package io.transferpool.learning;

import io.transferpool.features.FeatureStore;
import io.transferpool.features.Rows;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult.EpochMetrics;
import io.transferpool.job.JobSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class HeadTrainerTest {
    @TempDir
    Path spill;

    /** Two noisy Gaussian blobs in 8 dimensions: learnable, not perfectly. */
    private FeatureStore blobs(int n, long seed) {
        FeatureStore store = new FeatureStore(1 << 24, spill);
        Random rnd = new Random(seed);
        int d = 8;
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            float[] x = new float[d];
            for (int j = 0; j < d; j++) {
                x[j] = (float) (rnd.nextGaussian() + (label == 1 ? 0.8 : -0.8));
            }
            store.add(new int[]{i}, new int[]{label}, x, d);
        }
        return store;
    }

    private static JobSpec spec(String training) {
        return JobParser.parse("""
                {"jobId": "j", "baseModel": {"uri": "m", "cut": "c"}, "data": {"train": {"uri": "d"}},
                 "preprocess": {"width": 1, "height": 1, "channels": 1}, "head": {"hidden": [16]},
                 "training": %s}""".formatted(training)).orThrow();
    }

    private static Rows rows(FeatureStore s, int[] idx) {
        return new Rows(s, idx, 2);
    }

    @Test
    void learnsStopsEarlyAndRestoresTheBestCheckpoint() {
        FeatureStore store = blobs(400, 1);
        int[] labels = new int[store.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = store.label(i);
        }
        StratifiedSplit split = StratifiedSplit.of(labels, 2, 0.25, 3);
        JobSpec spec = spec("""
                {"optimizer": {"type": "adam", "learningRate": 0.05}, "epochs": 300, "batchSize": 16,
                 "earlyStopping": {"monitor": "val_loss", "patience": 3}, "seed": 5}""");
        List<EpochMetrics> seen = new ArrayList<>();
        Trained head = new HeadTrainer().train(rows(store, split.train()), rows(store, split.validation()), spec,
                (m, max) -> seen.add(m));
        assertThat(head.epochs()).isEqualTo(seen);
        assertThat(head.epochs().size()).as("early stopping ends well before 300 epochs").isLessThan(300);
        assertThat(head.stopReason()).startsWith("early stopping: val_loss did not improve for 3 epochs");
        EpochMetrics best = head.epochs().stream().min((a, b) -> Double.compare(a.valLoss(), b.valLoss())).orElseThrow();
        assertThat(head.bestEpoch()).isEqualTo(best.epoch());
        var restored = EpochLoop.evaluate(head.network(), rows(store, split.validation()));
        assertThat(restored.loss()).isCloseTo(best.valLoss(), within(1e-5));
        assertThat(restored.accuracy()).isGreaterThan(0.85);
    }

    @Test
    void sgdWithNesterovAndDecayLearnsToo() {
        FeatureStore store = blobs(200, 2);
        int[] all = new int[200];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        JobSpec spec = spec("""
                {"optimizer": {"type": "sgd", "learningRate": 0.05, "decay": 1e-4, "momentum": 0.9, "nesterov": true},
                 "epochs": 15, "batchSize": 16, "earlyStopping": {"enabled": false},
                 "checkpoint": {"monitor": "loss"}, "seed": 5}""");
        Trained head = new HeadTrainer().train(rows(store, all), rows(store, new int[0]), spec, (m, max) -> { });
        assertThat(head.epochs()).hasSize(15);
        assertThat(head.stopReason()).isEqualTo("reached the maximum of 15 epochs");
        assertThat(head.epochs().get(14).loss()).isLessThan(head.epochs().get(0).loss());
        assertThat(head.epochs().get(14).accuracy()).isGreaterThan(0.85);
    }
}
