package io.transferpool.web;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.transferpool.TestConfig;
import io.transferpool.TestFiles;
import io.transferpool.admission.JobIds;
import io.transferpool.broker.EmbeddedKafka;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.TopicSetup;
import io.transferpool.messaging.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The broker the Quarkus tests' application uses (kafka.bootstrap.servers), started before the application, with a
 * job a coordinator finished before this one started already on the topics (as after a restart, or as another
 * coordinator's job), and a data root with a small copy of the demo task.
 */
public class JobServiceBroker implements QuarkusTestResourceLifecycleManager {
    /** A job accepted, trained and answered before the application started. */
    static final String EARLIER_JOB = "earlier-job";
    static final double EARLIER_ACCURACY = 0.8125;

    static String servers;
    static Path root;
    private EmbeddedKafka broker;
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("tp-job-service");
            root = dir.resolve("root");
            TestFiles.demoRoot(root, "train", 30, "test", 10);
            broker = EmbeddedKafka.start(dir.resolve("kafka"), true);
            servers = broker.bootstrapServers();
            KafkaClients clients = new KafkaClients(servers, "none", Map.of());
            TopicSetup.ensure(clients, TestConfig.pool(root, dir).topics(), Map.of());
            long at = System.currentTimeMillis() - 60_000;
            JobResult result = new JobResult(EARLIER_JOB, JobResult.Status.SUCCEEDED, List.of(),
                    new JobResult.Metrics(List.of(), 1, "done", new JobResult.TestMetrics(EARLIER_ACCURACY, 0.4, null,
                            List.of("a", "b"), null, null), null, Map.of()), null, "tp.jobs-0@0-" + at, 1);
            try (var producer = clients.producer("earlier-coordinator")) {
                producer.send(new ProducerRecord<>(Topics.JOB_IDS, EARLIER_JOB,
                        Json.bytes(new JobIds.Run(EARLIER_JOB, 1, "tp.jobs-0@0-" + at, at)))).get();
                producer.send(new ProducerRecord<>(Topics.STATUS, EARLIER_JOB,
                        Json.bytes(StatusEvent.of(EARLIER_JOB, Stage.DONE, "test accuracy 0.8125")))).get();
                producer.send(new ProducerRecord<>(Topics.RESULTS, EARLIER_JOB, Json.bytes(result))).get();
            }
            return Map.of("kafka.bootstrap.servers", servers, "tp.data-root", root.toString(),
                    "tp.work-dir", dir.resolve("work").toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        try {
            if (broker != null) {
                broker.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
