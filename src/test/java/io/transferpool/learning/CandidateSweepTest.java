package io.transferpool.learning;

import io.transferpool.TestFiles;
import io.transferpool.features.FeatureStore;
import io.transferpool.features.Rows;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult.SweepCandidate;
import io.transferpool.job.JobSpec;
import io.transferpool.train.CheckpointStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A sweep trains every candidate on the same rows, tests each, skips one that diverges and keeps the best. */
class CandidateSweepTest {
    @TempDir
    Path dir;

    private static Rows rows(FeatureStore store, int from, int n, long seed) {
        Random rnd = new Random(seed);
        int d = 24;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            float[] x = new float[d];
            for (int j = 0; j < d; j++) {
                x[j] = (float) (rnd.nextGaussian() + (i % 2 == 1 && j < 6 ? 0.9 : 0));
            }
            store.add(new int[]{from + i}, new int[]{i % 2}, x, d);
            idx[i] = store.size() - 1;
        }
        return new Rows(store, idx, 2);
    }

    @Test
    void everyCandidateIsTrainedAndTestedAndTheBestByTheMonitorIsKept() throws Exception {
        JobSpec spec = JobParser.parse(TestFiles.job("sw", "models/base.onnx", "train", null, 6)
                .replace("\"hidden\": [64]", "\"hidden\": [16]").replace("\"seed\": 7}}", """
                        "seed": 7},
                         "sweep": {"learningRate": [0.0001, 0.01, 0.02], "head.hidden": [[8], [32]]}}""")).orThrow();
        assertThat(spec.sweep()).hasSize(6);
        try (FeatureStore store = new FeatureStore(1 << 24, dir)) {
            Rows train = rows(store, 0, 96, 1);
            Rows val = rows(store, 1000, 32, 2);
            Rows test = rows(store, 2000, 40, 3);
            List<String> told = new ArrayList<>();
            EpochListener listener = new EpochListener() {
                @Override
                public void epochDone(io.transferpool.job.JobResult.EpochMetrics m, int max) {
                }

                @Override
                public void candidate(int index, int total, java.util.Map<String, String> values) {
                    told.add(index + "/" + total + " " + values);
                }
            };
            CheckpointStore checkpoints = new CheckpointStore(dir.resolve("ck"), new CheckpointStore.Policy(1, 0));
            checkpoints.nextAttempt();

            // the candidates at 0.02 stand in for ones whose loss stops being finite
            CandidateSweep.Trainer<Trained> trainer = (s, l, c) -> {
                if (s.training().optimizer().learningRate() == 0.02) {
                    throw new DivergedException(3, Double.NaN);
                }
                return new HeadTrainer().train(train, val, s, l, c);
            };
            var outcome = CandidateSweep.run(spec, trainer, t -> t, test, listener, checkpoints);

            List<SweepCandidate> all = outcome.candidates();
            assertThat(all).hasSize(6);
            assertThat(told).hasSize(6).first().asString().startsWith("1/6 {learningRate=1.0E-4, head.hidden=[8]}");
            assertThat(all).filteredOn(c -> c.values().get("learningRate").equals("0.02"))
                    .hasSize(2).allSatisfy(c -> {
                        assertThat(c.failed()).contains("epoch 3");
                        assertThat(c.chosen()).isFalse();
                    });
            List<SweepCandidate> trained = all.stream().filter(c -> c.failed() == null).toList();
            assertThat(trained).hasSize(4).allSatisfy(c -> {
                assertThat(c.testAccuracy()).isBetween(0.0, 1.0);
                assertThat(c.monitored()).as("val_loss at its best epoch, the default monitor")
                        .isEqualTo(c.valLoss());
            });
            SweepCandidate best = trained.stream().min(Comparator.comparingDouble(SweepCandidate::monitored))
                    .orElseThrow();
            assertThat(all).filteredOn(SweepCandidate::chosen).containsExactly(best);
            Trained kept = outcome.best();
            assertThat(EpochLoop.evaluate(kept.network(), val).loss()).as("the kept network is the chosen one")
                    .isCloseTo(best.valLoss(), org.assertj.core.api.Assertions.within(1e-5));
            assertThat(Files.isDirectory(dir.resolve("ck/candidate-1"))).as("checkpoints kept apart").isTrue();
            assertThat(Files.isDirectory(dir.resolve("ck/candidate-4"))).isTrue();
        }
    }

    @Test
    void candidatesTrainedAtOnceComeOutAsOneAfterAnother() throws Exception {
        JobSpec spec = JobParser.parse(TestFiles.job("sw", "models/base.onnx", "train", null, 5)
                .replace("\"seed\": 7}}", """
                        "seed": 7},
                         "sweep": {"learningRate": [0.0003, 0.003], "head.hidden": [[8], [32]],
                                   "head.dropout": [0.0, 0.3]}}""")).orThrow();
        try (FeatureStore store = new FeatureStore(1 << 24, dir)) {
            Rows train = rows(store, 0, 96, 1);
            Rows val = rows(store, 1000, 32, 2);
            Rows test = rows(store, 2000, 40, 3);
            CandidateSweep.Trainer<Trained> trainer = (s, l, c) -> new HeadTrainer().train(train, val, s, l, c);
            List<String> told = java.util.Collections.synchronizedList(new ArrayList<>());
            EpochListener listener = (m, max) -> told.add("epoch");
            var one = CandidateSweep.run(spec, trainer, t -> t, test, listener, Checkpoints.NONE, 1);
            told.clear();
            var three = CandidateSweep.run(spec, trainer, t -> t, test, listener, Checkpoints.NONE, 3);

            assertThat(three.candidates()).hasSize(8)
                    .usingRecursiveFieldByFieldElementComparatorIgnoringFields("seconds")
                    .containsExactlyElementsOf(one.candidates());
            assertThat(three.best().params()).isEqualTo(one.best().params());
            assertThat(told).as("every epoch of every candidate told")
                    .hasSize(one.candidates().stream().mapToInt(SweepCandidate::epochs).sum());
        }
    }
}
