package io.transferpool.coordinator;

import io.transferpool.Await;
import io.transferpool.TestFiles;
import io.transferpool.TestPool;
import io.transferpool.TestTopics;
import io.transferpool.admission.JobIds;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.messaging.RecordType;
import io.transferpool.messaging.Topics;
import io.transferpool.pool.Pool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job record a coordinator reads again after it was accepted (a coordinator stopped after tp.jobids acknowledged
 * the run and before it committed the record) is planned again as the same run, not answered "in use": when its
 * plan never went out the job now runs, and when it was already answered the repeat changes nothing.
 */
class AcceptedJobReadAgainIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.brokerOnly().data(root -> TestFiles.demoRoot(root, "train", 12, "test", 6));

    private static long plans(KafkaClients clients, String key) {
        return TestTopics.read(clients, Topics.FEATURES).stream()
                .filter(r -> key.equals(r.key()) && RecordType.of(r.headers()) == RecordType.PLAN).count();
    }

    @Test
    void aRecordReadAgainAfterItsAcceptanceIsPlannedAgainNotAnsweredInUse() throws Exception {
        KafkaClients clients = POOL.clients();
        try (Pool topics = POOL.start("tp.roles", "coordinator")) {
            assertThat(topics).isNotNull(); // it made the topics; no coordinator runs while the record goes out
        }
        RecordMetadata m;
        try (KafkaProducer<String, byte[]> p = clients.producer("test-read-again")) {
            m = p.send(new ProducerRecord<>(Topics.JOBS, "again", TestFiles.job("again", "models/base.onnx", "train",
                    "test", 2).getBytes(StandardCharsets.UTF_8))).get();
            // what a coordinator that stopped right after tp.jobids acknowledged the run leaves: no plan, no commit
            String submission = Topics.submission(m.topic(), m.partition(), m.offset(), m.timestamp());
            p.send(new ProducerRecord<>(Topics.JOB_IDS, "again", Json.bytes(new JobIds.Run("again", 1, submission,
                    System.currentTimeMillis())))).get();
        }
        try (Pool workers = POOL.start("tp.roles", "extractor,trainer");
             JobClient client = new JobClient(clients)) {
            JobResult r;
            try (Pool coordinator = POOL.start("tp.roles", "coordinator")) {
                r = client.await("again", Duration.ofMinutes(3), e -> { });
            }
            assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
            assertThat(r.run()).isEqualTo(1);
            assertThat(plans(clients, "again")).isEqualTo(1);

            // The same record once more after it was answered (the group's offset set back, a new coordinator).
            try (Admin admin = clients.admin()) {
                admin.alterConsumerGroupOffsets("tp-coordinators", Map.of(new TopicPartition(Topics.JOBS,
                        m.partition()), new OffsetAndMetadata(m.offset()))).all().get();
            }
            try (Pool coordinator = POOL.start("tp.roles", "coordinator")) {
                Await.until("the record to be planned again", Duration.ofMinutes(1),
                        () -> plans(clients, "again") == 2);
                TestTopics.awaitSettled(clients, Duration.ofMinutes(2));
            }
            assertThat(TestTopics.results(clients).get("again")).as("one result, the run's")
                    .singleElement().satisfies(one -> {
                        assertThat(one.status()).isEqualTo(JobResult.Status.SUCCEEDED);
                        assertThat(one.run()).isEqualTo(1);
                    });
        }
    }
}
