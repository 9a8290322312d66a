package io.transferpool.broker;

import io.transferpool.Await;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A broker on a fixed port, stopped and started again on its folder, keeps its topics and records. */
class EmbeddedKafkaRestartIT {
    @TempDir
    Path dir;

    @Test
    void aBrokerStartedAgainOnItsFolderAndPortHasItsTopicsAndRecords() throws Exception {
        EmbeddedKafka first = EmbeddedKafka.startOnPort(dir, 0);
        String servers = first.bootstrapServers();
        Map<String, Object> conf = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        try (Admin admin = Admin.create(conf)) {
            admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", servers),
                new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>("kept", "k", "before the restart")).get();
        }
        first.close();

        try (EmbeddedKafka again = EmbeddedKafka.startOnPort(dir, Integer.parseInt(servers.split(":")[1]))) {
            assertThat(again.bootstrapServers()).isEqualTo(servers);
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", servers),
                    new StringDeserializer(), new StringDeserializer())) {
                TopicPartition tp = new TopicPartition("kept", 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                Await.until("the record kept over the restart", Duration.ofSeconds(30), () -> {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        values.add(r.value());
                    }
                    return !values.isEmpty();
                });
            }
            assertThat(values).containsExactly("before the restart");
        }
    }
}
