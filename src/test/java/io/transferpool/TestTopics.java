package io.transferpool;

import io.transferpool.job.JobResult;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.messaging.TopicHistory;
import io.transferpool.messaging.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Reading the pool's topics from outside, as tests check them. */
public final class TestTopics {
    private TestTopics() {
    }

    /** Every record of the topic up to where it ends now, partition by partition. */
    public static List<ConsumerRecord<String, byte[]>> read(KafkaClients clients, String topic) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> reader = clients.reader("test-reader-" + topic)) {
            TopicHistory.replay(reader, topic, Duration.ofSeconds(60), out::add);
        }
        return out;
    }

    /** Every result on tp.results, by the key it was published under, in order. */
    public static Map<String, List<JobResult>> results(KafkaClients clients) {
        Map<String, List<JobResult>> out = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : read(clients, Topics.RESULTS)) {
            out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Json.read(r.value(), JobResult.class));
        }
        return out;
    }

    /**
     * Waits until the coordinators have committed every job record and the trainers every record on tp.features
     * there is now. A record is committed only after the results its handling caused were acknowledged, and a
     * trainer holds its offsets back while a job it gathered is unfinished: once both groups are through, any result
     * the records written so far could cause has been published, so a test may then assert what is not there.
     */
    public static void awaitSettled(KafkaClients clients, Duration timeout) throws Exception {
        awaitCommitted(clients, timeout, Map.of("tp-coordinators", Topics.JOBS, "tp-trainers", Topics.FEATURES));
    }

    /** Waits until each group (key) has committed its topic (value) up to where the topic ends now. */
    public static void awaitCommitted(KafkaClients clients, Duration timeout, Map<String, String> topicByGroup)
            throws Exception {
        try (Admin admin = clients.admin()) {
            Map<String, Map<TopicPartition, Long>> ends = new LinkedHashMap<>();
            for (var e : topicByGroup.entrySet()) {
                ends.put(e.getKey(), endOffsets(admin, e.getValue()));
            }
            Map<String, Map<TopicPartition, Long>> last = new LinkedHashMap<>();
            Await.until(() -> "groups to commit " + ends + ", committed " + last, timeout, () -> {
                boolean all = true;
                for (var e : ends.entrySet()) {
                    Map<TopicPartition, Long> committed = committed(admin, e.getKey());
                    last.put(e.getKey(), committed);
                    all &= e.getValue().entrySet().stream()
                            .allMatch(end -> committed.getOrDefault(end.getKey(), 0L) >= end.getValue());
                }
                return all;
            });
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        return admin.listOffsets(partitions.stream().collect(Collectors.toMap(Function.identity(),
                p -> OffsetSpec.latest()))).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        offsets.forEach((tp, o) -> {
            if (o != null) {
                out.put(tp, o.offset());
            }
        });
        return out;
    }
}
