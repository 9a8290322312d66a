package io.transferpool.web;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BoardProgressTest {
    @Test
    void caughtUpOnceEveryPartitionIsReadToItsEnd() {
        TopicPartition status = new TopicPartition("tp.status", 0);
        TopicPartition results = new TopicPartition("tp.results", 0);
        TopicPartition empty = new TopicPartition("tp.jobids", 0);
        Map<TopicPartition, Long> ends = Map.of(status, 3L, results, 1L, empty, 0L);
        BoardProgress p = new BoardProgress();
        assertThat(p.caughtUp(ends)).isFalse();
        p.took(status, 2);
        assertThat(p.caughtUp(ends)).as("tp.results not read").isFalse();
        p.took(results, 0);
        assertThat(p.caughtUp(ends)).isTrue();
        p.took(status, 1);
        assertThat(p.caughtUp(ends)).as("an earlier offset does not move it back").isTrue();
    }
}
