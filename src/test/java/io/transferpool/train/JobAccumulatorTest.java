package io.transferpool.train;

import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult.BadSample;
import io.transferpool.messaging.FeatureBatch.Split;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.JobPlan;
import io.transferpool.messaging.ShardDone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobAccumulatorTest {
    @TempDir
    Path spill;

    private static ShardDone done(Split split, int shard, List<BadSample> bad) {
        return new ShardDone("j", split, shard, 2, 2, bad, 0.1, 0.2, 0.3, "CPU", null, 0.04, 0.01, 0.02, 0.03);
    }

    /** Two classes; two training shards and one test shard. */
    private static JobPlan plan() {
        var spec = JobParser.parse("""
                {"jobId": "j", "baseModel": {"uri": "m", "cut": "c"}, "data": {"train": {"uri": "d"}},
                 "preprocess": {"width": 1, "height": 1, "channels": 1}}""").orThrow();
        return JobPlan.of(spec, new JobPlan.Model("m", "0".repeat(64)), List.of("a", "b"), new JobPlan.Split(2, 4),
                new JobPlan.Split(1, 2), new JobPlan.Submission(null, 1, 0, 0));
    }

    @Test
    void aRedeliveredShardCountsOnceAndTheJobCompletesWhenEveryShardReported() {
        try (JobAccumulator acc = new JobAccumulator(plan(), 1 << 20, spill)) {
            FeatureBatch b0 = new FeatureBatch("j", Split.TRAIN, 0, 2, new int[]{0, 1}, new int[]{0, 1}, new float[4]);
            acc.accept(b0);
            assertThat(acc.accept(done(Split.TRAIN, 0, List.of(new BadSample("x.png", "corrupt"))))).isTrue();
            // The extractor crashed after publishing and its task was redelivered: the same batch and mark again.
            acc.accept(b0);
            assertThat(acc.accept(done(Split.TRAIN, 0, List.of(new BadSample("x.png", "corrupt"))))).isFalse();
            assertThat(acc.store(Split.TRAIN).size()).isEqualTo(2);
            assertThat(acc.badSamples()).hasSize(1);
            assertThat(acc.complete()).isFalse();
            acc.accept(new FeatureBatch("j", Split.TRAIN, 1, 2, new int[]{2, 3}, new int[]{0, 1}, new float[4]));
            acc.accept(done(Split.TRAIN, 1, List.of()));
            acc.accept(new FeatureBatch("j", Split.TEST, 0, 2, new int[]{0, 1}, new int[]{0, 1}, new float[4]));
            assertThat(acc.complete()).isFalse();
            acc.accept(done(Split.TEST, 0, List.of()));
            assertThat(acc.complete()).isTrue();
            assertThat(acc.store(Split.TRAIN).size()).isEqualTo(4);
            assertThat(acc.store(Split.TEST).size()).as("test ids are their own space").isEqualTo(2);
            // each shard's timers once, the redelivered mark not again
            assertThat(acc.decodeSeconds()).isCloseTo(0.3, org.assertj.core.api.Assertions.within(1e-9));
            assertThat(acc.preprocessSeconds()).isCloseTo(0.12, org.assertj.core.api.Assertions.within(1e-9));
            assertThat(acc.readSeconds()).isCloseTo(0.09, org.assertj.core.api.Assertions.within(1e-9));
            assertThat(acc.encodeSeconds()).isCloseTo(0.03, org.assertj.core.api.Assertions.within(1e-9));
            assertThat(acc.publishSeconds()).isCloseTo(0.06, org.assertj.core.api.Assertions.within(1e-9));
        }
    }

    @Test
    void recordsThatDoNotFitThePlanAreRefusedAndMissingShardsAreNamed() {
        try (JobAccumulator acc = new JobAccumulator(plan(), 1 << 20, spill)) {
            assertThatThrownBy(() -> acc.accept(done(Split.TRAIN, 2, List.of())))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shard 2 of split TRAIN");
            assertThatThrownBy(() -> acc.accept(done(Split.TEST, -1, List.of())))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> acc.accept(new FeatureBatch("j", Split.TRAIN, 0, 2, new int[]{0},
                    new int[]{2}, new float[2]))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("label 2");
            assertThat(acc.store(Split.TRAIN).size()).isZero();
            acc.accept(done(Split.TRAIN, 1, List.of()));
            assertThat(acc.missingShards()).containsExactly("train 0", "test 0");
            assertThat(acc.complete()).isFalse();
        }
    }
}
