package io.transferpool.train;

import io.transferpool.TestFiles;
import io.transferpool.job.JobParser;
import io.transferpool.messaging.JobPlan;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobTrackerTest {
    static final TopicPartition P0 = new TopicPartition("tp.features", 0);
    static final TopicPartition P1 = new TopicPartition("tp.features", 1);

    @TempDir
    Path spill;

    private JobPlan plan(String jobId) {
        var spec = JobParser.parse(TestFiles.job(jobId, "models/base.onnx", "t", null, 1)).orThrow();
        return JobPlan.of(spec, new JobPlan.Model("models/base.onnx", null), List.of("a", "b"),
                new JobPlan.Split(1, 1), JobPlan.Split.NONE, new JobPlan.Submission(null, 1, 0, 0));
    }

    private JobTracker.Job gather(JobTracker t, String jobId, TopicPartition p, long offset) {
        return t.gather(plan(jobId), new JobAccumulator(plan(jobId), 1 << 20, spill), p, offset);
    }

    private static ConsumerRecord<String, byte[]> record(String key, TopicPartition p, int bytes) {
        return new ConsumerRecord<>(p.topic(), p.partition(), 0, key, new byte[bytes]);
    }

    @Test
    void offsetsAreHeldBackToThePlanOfTheOldestUnfinishedJob() {
        JobTracker t = new JobTracker(1 << 20);
        JobTracker.Job a = gather(t, "a", P0, 10);
        gather(t, "b", P0, 20);
        gather(t, "c", P1, 5);
        Map<TopicPartition, OffsetAndMetadata> c = t.committable(Map.of(P0, 100L, P1, 50L));
        assertThat(c.get(P0).offset()).isEqualTo(10);
        assertThat(c.get(P1).offset()).isEqualTo(5);

        t.startTraining(a);
        assertThat(t.count(JobTracker.State.TRAINING)).isEqualTo(1);
        assertThat(t.count(JobTracker.State.GATHERING)).isEqualTo(2);
        t.finished(a);
        assertThat(t.committable(Map.of(P0, 100L)).get(P0).offset()).as("b's plan now").isEqualTo(20);
        assertThat(t.known("a")).as("a finished: a replay of it is recognised").isTrue();
        assertThat(gather(t, "a", P0, 10)).as("a replayed plan starts nothing").isNull();
    }

    @Test
    void partitionsThatMoveAwayDropTheirJobsWhichMayComeBackLater() {
        JobTracker t = new JobTracker(1 << 20);
        JobTracker.Job gathering = gather(t, "g", P0, 1);
        JobTracker.Job training = gather(t, "t", P0, 2);
        JobTracker.Job other = gather(t, "o", P1, 3);
        t.startTraining(training);

        assertThat(t.dropAll(List.of(P0))).containsExactlyInAnyOrder("g", "t");

        assertThat(gathering.dropped()).isTrue();
        assertThat(training.dropped()).as("its training stops at the next epoch").isTrue();
        assertThat(other.dropped()).isFalse();
        assertThat(t.committable(Map.of(P0, 9L)).get(P0).offset()).as("nothing held for a moved partition")
                .isEqualTo(9);
        assertThat(t.gathering("g")).isNull();
        t.finished(training);
        JobTracker.Job again = gather(t, "t", P0, 2);
        assertThat(again).as("the partition came back: the job starts again here").isNotNull();
        assertThat(again.dropped()).isFalse();
    }

    @Test
    void aCancelledJobIsDroppedAndItsRecordsAreRecognised() {
        JobTracker t = new JobTracker(1 << 20);
        JobTracker.Job j = gather(t, "x", P0, 1);
        assertThat(t.cancel("x")).isTrue();
        assertThat(j.dropped()).isTrue();
        assertThat(t.known("x")).isTrue();
        assertThat(t.cancel("never-seen")).isFalse();
        assertThat(t.known("never-seen")).as("its plan, if it comes, is ignored").isTrue();
    }

    @Test
    void recordsBeforeTheirPlanAreKeptInOrderUpToALimit() {
        JobTracker t = new JobTracker(3_000);
        assertThat(t.keepOrphan(record("late", P0, 1000))).isEmpty();
        assertThat(t.keepOrphan(record("late", P0, 500))).isEmpty();
        assertThat(t.keepsOrphans("late")).isTrue();
        assertThat(t.keepOrphan(record("other", P0, 1000))).isEmpty();
        assertThat(t.keepOrphan(record("third", P1, 1000))).as("over the limit: the oldest job goes")
                .containsExactly("late");
        assertThat(t.takeOrphans("late")).isEmpty();
        List<ConsumerRecord<String, byte[]>> kept = t.takeOrphans("other");
        assertThat(kept).hasSize(1);
        assertThat(t.orphanBytes()).isEqualTo(1000 + 64);
        t.dropAll(List.of(P1));
        assertThat(t.orphanBytes()).as("records from a moved partition go with it").isZero();
    }

    @Test
    void onlyAGatheringJobCanStartTraining() {
        JobTracker t = new JobTracker(1 << 20);
        JobTracker.Job j = gather(t, "x", P0, 1);
        t.startTraining(j);
        assertThatThrownBy(() -> t.startTraining(j)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aJobHandedOffIsLetGoAndItsHandoffPlanIsStillTakenHere() {
        JobTracker t = new JobTracker(1 << 20);
        JobTracker.Job j = gather(t, "moved", P0, 7);
        assertThat(t.committable(Map.of(P0, 10L))).containsEntry(P0, new OffsetAndMetadata(7));
        t.handedOff("moved");
        assertThat(j.dropped()).isTrue();
        assertThat(t.committable(Map.of(P0, 10L))).as("its offsets move on").containsEntry(P0,
                new OffsetAndMetadata(10));
        assertThat(t.known("moved")).as("not remembered as finished").isFalse();
        JobPlan handoff = plan("moved").handedOff(new JobPlan.Handoff("trainer-x", "handoff-1", Map.of()));
        JobTracker.Job again = t.gather(handoff, new JobAccumulator(handoff, 1 << 20, spill), P1, 3);
        assertThat(again).isNotNull();
        assertThat(again.accumulator().complete()).as("no shards to wait for").isTrue();
        assertThat(t.held("moved")).isSameAs(again);
    }
}
