package io.transferpool.messaging;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A topic read outside any group from its beginning up to where it ends now: what a coordinator needs of tp.jobids
 * and a worker of tp.cancels before it starts.
 */
public final class TopicHistory {
    private TopicHistory() {
    }

    /** The topic's partitions; throws when it has none (it does not exist). */
    public static List<TopicPartition> partitions(Consumer<?, ?> reader, String topic, Duration timeout) {
        List<TopicPartition> partitions = reader.partitionsFor(topic, timeout).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " has no partitions");
        }
        return partitions;
    }

    /**
     * Assigns the topic's partitions to {@code reader}, hands every record up to their current ends to
     * {@code each}, and leaves the reader positioned there; throws when that takes longer than {@code timeout}.
     */
    public static void replay(Consumer<String, byte[]> reader, String topic, Duration timeout,
                              java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> partitions = partitions(reader, topic, timeout);
        reader.assign(partitions);
        reader.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = reader.endOffsets(partitions, timeout);
        while (end.entrySet().stream().anyMatch(e -> reader.position(e.getKey(), timeout) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + topic + " to its end within "
                        + timeout.toSeconds() + " s");
            }
            reader.poll(Duration.ofMillis(200)).forEach(each);
        }
    }
}
