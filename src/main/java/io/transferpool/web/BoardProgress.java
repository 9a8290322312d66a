package io.transferpool.web;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far the board has read each partition of its topics, against where those partitions ended when the
 * process started: a coordinator is ready once its board holds everything that was on the topics (so a restarted
 * one neither lists fewer jobs nor lets a job id in use through).
 */
public final class BoardProgress {
    // Written by the channel's thread, read by health probes.
    private final Map<TopicPartition, Long> next = new ConcurrentHashMap<>();

    /** The board has taken the record at {@code offset}. */
    public void took(TopicPartition partition, long offset) {
        next.merge(partition, offset + 1, Math::max);
    }

    /** True when every partition has been read up to its end offset in {@code ends} (an empty one trivially). */
    public boolean caughtUp(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(e -> e.getValue() <= 0 || next.getOrDefault(e.getKey(), 0L)
                >= e.getValue());
    }
}
