package io.transferpool.extract;

import io.transferpool.messaging.ExtractTask;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.scheduling.OwnerShares;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TaskLineTest {
    private static final TopicPartition P0 = new TopicPartition("tp.extract", 0);
    private static final TopicPartition P1 = new TopicPartition("tp.extract", 1);
    private final TaskLine line = new TaskLine(OwnerShares.EQUAL);
    private final Map<TopicPartition, Long> offsets = new java.util.HashMap<>();

    private static ExtractTask task(String job, int shard, String owner) {
        return new ExtractTask(job, FeatureBatch.Split.TRAIN, shard, 1000, "m.onnx", "sha", "input", "cut", null,
                List.of(), 1, Map.of(), owner);
    }

    private void read(TopicPartition tp, String job, int shard, String owner) {
        long offset = offsets.merge(tp, 1L, Long::sum) - 1;
        line.add(task(job, shard, owner), new ConsumerRecord<>(tp.topic(), tp.partition(), offset, job,
                new byte[100]), 0);
    }

    private List<String> drain() {
        List<String> out = new ArrayList<>();
        for (TaskLine.Pending p = line.next(); p != null; p = line.next()) {
            out.add(p.task().jobId() + "/" + p.task().shard());
            line.done(p);
        }
        return out;
    }

    @Test
    void aSmallJobsShardIsNotBehindABigJobsShardsOnThePartition() {
        for (int s = 0; s < 1000; s++) {
            read(P0, "big", s, "default");
        }
        read(P0, "small", 0, "default");
        List<String> order = drain();
        assertThat(order.indexOf("small/0")).isEqualTo(1);
        assertThat(order).hasSize(1001);
        assertThat(order.stream().filter(s -> s.startsWith("big/")).toList())
                .as("a job's own shards stay in order").isSortedAccordingTo(
                        java.util.Comparator.comparingInt(s -> Integer.parseInt(s.substring(4))));
    }

    @Test
    void jobsTakeTurnsShardByShardAndOwnersBeforeJobs() {
        for (int s = 0; s < 3; s++) {
            read(P0, "a1", s, "alice");
            read(P0, "a2", s, "alice");
        }
        read(P1, "b1", 0, "bob");
        read(P1, "b1", 1, "bob");
        assertThat(drain()).containsExactly("a1/0", "b1/0", "a2/0", "b1/1", "a1/1", "a2/1", "a1/2", "a2/2");
    }

    @Test
    void offsetsAreHeldBackToTheOldestTaskNotYetDone() {
        read(P0, "big", 0, "default"); // offset 0
        read(P0, "big", 1, "default"); // offset 1
        read(P0, "small", 0, "default"); // offset 2
        Map<TopicPartition, Long> positions = Map.of(P0, 3L);
        TaskLine.Pending first = line.next();
        assertThat(line.committable(positions)).containsEntry(P0, new OffsetAndMetadata(0));
        line.done(first);
        TaskLine.Pending small = line.next();
        assertThat(small.task().jobId()).isEqualTo("small");
        line.done(small);
        assertThat(line.committable(positions)).as("big/1 not done").containsEntry(P0, new OffsetAndMetadata(1));
        line.done(line.next());
        assertThat(line.committable(positions)).containsEntry(P0, new OffsetAndMetadata(3));
        assertThat(line.size()).isZero();
        assertThat(line.bytes()).isZero();
    }

    @Test
    void tasksOfPartitionsGoneToAnotherExtractorLeaveTheLine() {
        read(P0, "x", 0, "default");
        read(P1, "x", 1, "default");
        read(P1, "y", 0, "default");
        assertThat(line.bytes()).isEqualTo(3 * (100 + TaskLine.OVERHEAD_BYTES));
        line.drop(List.of(P1));
        assertThat(line.size()).isEqualTo(1);
        assertThat(line.jobs()).isEqualTo(1);
        assertThat(line.committable(Map.of(P0, 1L))).containsEntry(P0, new OffsetAndMetadata(0));
        assertThat(drain()).containsExactly("x/0");
    }
}
