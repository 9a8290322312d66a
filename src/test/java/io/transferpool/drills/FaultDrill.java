package io.transferpool.drills;

import io.transferpool.Await;
import io.transferpool.TestFiles;
import io.transferpool.TestTopics;
import io.transferpool.broker.EmbeddedKafka;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.messaging.RecordType;
import io.transferpool.messaging.ShardDone;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault drills with real separate processes: the packaged application started as child JVMs (one per role, as
 * deployments run) against one broker, then killed (SIGKILL), stopped (SIGTERM) or joined by another worker in the
 * middle of a job. Each drill checks that the job still ends with exactly one result whose counts are exact.
 */
class FaultDrill {
    @TempDir
    static Path root;
    @TempDir
    static Path work;
    static EmbeddedKafka kafka;
    static KafkaClients clients;
    /** Trainers save a checkpoint after every second epoch. */
    static final Map<String, String> TRAINER = Map.of("tp.train.checkpoint-epochs", "2",
            "tp.train.checkpoint-seconds", "0");

    @BeforeAll
    static void start() throws Exception {
        TestFiles.demoRoot(root, "train", 300, "test", 50);
        // On a fixed port and its own folder, so the broker-restart drill can stop it and start it again.
        kafka = EmbeddedKafka.startOnPort(work.resolve("kafka"), 0);
        clients = new KafkaClients(kafka.bootstrapServers(), "none", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static PoolProcess start(String name, String roles, Map<String, String> props) throws Exception {
        return PoolProcess.start(name, roles, kafka.bootstrapServers(), root, work, props);
    }

    /** 600 training and 100 test images; 30 epochs of a head large enough that training takes some seconds. */
    static String job(String jobId) {
        return TestFiles.job(jobId, "models/base.onnx", "train", "test", 30)
                .replace("\"hidden\": [64]", "\"hidden\": [512]")
                .replace("\"patience\": 5", "\"patience\": 100");
    }

    static JobResult run(String jobId, String json, Consumer<StatusEvent> onStatus) throws Exception {
        return run(clients, jobId, json, onStatus);
    }

    /** Submits the job on this broker and waits for its result (4 minutes at most). */
    static JobResult run(KafkaClients clients, String jobId, String json, Consumer<StatusEvent> onStatus)
            throws Exception {
        try (JobClient client = new JobClient(clients)) {
            client.submit(jobId, json);
            return client.await(jobId, Duration.ofMinutes(4), onStatus);
        }
    }

    static List<ConsumerRecord<String, byte[]>> records(String topic, String key) {
        return TestTopics.read(clients, topic).stream().filter(r -> key == null || key.equals(r.key())).toList();
    }

    /**
     * The job's results on tp.results, once the coordinators and trainers committed every record there is: a
     * second result would be out by then.
     */
    static List<JobResult> resultsOf(String jobId) throws Exception {
        TestTopics.awaitSettled(clients, Duration.ofMinutes(2));
        return records(Topics.RESULTS, jobId).stream().map(r -> Json.read(r.value(), JobResult.class)).toList();
    }

    static void assertExact(JobResult r) {
        assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(600);
        assertThat(r.metrics().counts().test()).isEqualTo(100);
        assertThat(r.metrics().counts().badSampleCount()).isZero();
    }

    @Test
    void aTrainerKilledMidTrainingIsResumedByAnotherFromItsCheckpointWithTheSameWeights() throws Exception {
        try (PoolProcess front = start("front-a", "coordinator,extractor", Map.of());
             PoolProcess first = start("trainer-a1", "trainer", TRAINER)) {
            PoolProcess[] second = {null};
            try {
                JobResult r = run("killed-trainer", job("killed-trainer"), e -> {
                    if (second[0] == null && e.stage() == Stage.TRAINING && e.epoch() != null && e.epoch() >= 5) {
                        try {
                            first.kill();
                            second[0] = start("trainer-a2", "trainer", TRAINER);
                        } catch (Exception ex) {
                            throw new IllegalStateException(ex);
                        }
                    }
                });
                assertThat(second[0]).as("the first trainer was killed mid-training").isNotNull();
                assertExact(r);
                assertThat(r.metrics().epochs()).hasSize(30);
                assertThat(r.metrics().recovery()).isNotNull();
                assertThat(r.metrics().recovery().attempts()).isEqualTo(2);
                assertThat(r.metrics().recovery().resumedFromEpoch()).isGreaterThanOrEqualTo(4).isEven();
                assertThat(resultsOf("killed-trainer")).hasSize(1);

                JobResult reference = run("unbroken-trainer", job("unbroken-trainer"), e -> { });
                assertSameAsUnbroken(r, reference);
            } finally {
                if (second[0] != null) {
                    second[0].close();
                }
            }
        }
    }

    /** A run resumed from a checkpoint ends as {@code reference}, the same job never interrupted, does. */
    static void assertSameAsUnbroken(JobResult resumed, JobResult reference) {
        assertThat(reference.metrics().recovery()).isNull();
        assertThat(reference.metrics().epochs()).isEqualTo(resumed.metrics().epochs());
        assertThat(reference.artifacts().head().sha256()).as("same weights as a run never interrupted")
                .isEqualTo(resumed.artifacts().head().sha256());
    }

    /** Shard-done marks of a job per split/shard: a shard extracted twice would show twice. */
    static Map<String, Integer> shardMarks(String jobId) {
        Map<String, Integer> marks = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records(Topics.FEATURES, jobId)) {
            if (RecordType.of(r.headers()) == RecordType.SHARD_DONE) {
                ShardDone d = Json.read(r.value(), ShardDone.class);
                marks.merge(d.split() + "/" + d.shard(), 1, Integer::sum);
            }
        }
        return marks;
    }

    /** Something done to a worker mid-drill. */
    interface Action {
        void run() throws Exception;
    }

    /** Runs {@code action} once, when the job's tenth shard is extracted. */
    static Consumer<StatusEvent> afterTenShards(Action action) {
        boolean[] done = {false};
        return e -> {
            if (!done[0] && e.stage() == Stage.EXTRACTING && e.shardsDone() >= 10) {
                done[0] = true;
                try {
                    action.run();
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            }
        };
    }

    @Test
    void anExtractorKilledMidExtractionHasItsShardRedoneAndNothingCountsTwice() throws Exception {
        Map<String, String> small = Map.of("tp.shard-size", "10");
        try (PoolProcess back = start("back-b", "coordinator,trainer", small);
             PoolProcess e1 = start("extractor-b1", "extractor", Map.of());
             PoolProcess e2 = start("extractor-b2", "extractor", Map.of())) {
            boolean[] killed = {false};
            JobResult r = run("killed-extractor", job("killed-extractor").replace("\"epochs\": 30", "\"epochs\": 2"),
                    afterTenShards(() -> {
                        e1.kill();
                        killed[0] = true;
                    }));
            assertThat(killed[0]).isTrue();
            assertExact(r);
            assertThat(shardMarks("killed-extractor")).hasSize(70);
            assertThat(resultsOf("killed-extractor")).hasSize(1);
            assertThat(e2.alive()).isTrue();
        }
    }

    @Test
    void anExtractorStoppedBySigtermMidJobFinishesItsShardAndNothingIsRedone() throws Exception {
        Map<String, String> small = Map.of("tp.shard-size", "10");
        try (PoolProcess back = start("back-c", "coordinator,trainer", small);
             PoolProcess e1 = start("extractor-c1", "extractor", Map.of());
             PoolProcess e2 = start("extractor-c2", "extractor", Map.of())) {
            int[] exit = {-1};
            JobResult r = run("stopped-extractor", job("stopped-extractor").replace("\"epochs\": 30", "\"epochs\": 2"),
                    afterTenShards(() -> exit[0] = e1.terminate()));
            // 143 (128 + SIGTERM) is how a JVM reports a signal-started shutdown; Kubernetes reads it as a clean stop.
            assertThat(exit[0]).as("a clean exit on SIGTERM").isIn(0, 143);
            assertThat(e1.log()).as("the stopping extractor committed and left its group")
                    .contains("Worker extractor hands over");
            assertExact(r);
            assertThat(shardMarks("stopped-extractor")).as("every shard extracted exactly once").hasSize(70)
                    .allSatisfy((shard, count) -> assertThat(count).as(shard).isEqualTo(1));
            assertThat(resultsOf("stopped-extractor")).hasSize(1);
        }
    }

    @Test
    void aTrainerJoiningMidJobTakesSomeJobsOverAndEachJobHasOneResult() throws Exception {
        try (PoolProcess front = start("front-d", "coordinator,extractor", Map.of());
             PoolProcess first = start("trainer-d1", "trainer", TRAINER)) {
            List<String> jobs = List.of("joined-1", "joined-2", "joined-3", "joined-4");
            PoolProcess second = null;
            try (JobClient client = new JobClient(clients)) {
                for (String id : jobs) {
                    client.submit(id, job(id).replace("\"epochs\": 30", "\"epochs\": 8"));
                }
                second = start("trainer-d2", "trainer", TRAINER);
                for (String id : jobs) {
                    assertExact(client.await(id, Duration.ofMinutes(4), e -> { }));
                }
            } finally {
                if (second != null) {
                    second.close();
                }
            }
            for (String id : jobs) {
                assertThat(resultsOf(id)).as("results of " + id).hasSize(1);
            }
        }
    }

    @Test
    void aBrokerRestartMidJobOnlyDelaysIt() throws Exception {
        try (PoolProcess front = start("front-f", "coordinator,extractor", Map.of("tp.shard-size", "50"));
             PoolProcess trainer = start("trainer-f", "trainer", TRAINER)) {
            boolean[] restarted = {false};
            JobResult r = run("broker-restart", job("broker-restart").replace("\"epochs\": 30", "\"epochs\": 4"),
                    e -> {
                        if (!restarted[0] && e.stage() == Stage.EXTRACTING && e.shardsDone() >= 3) {
                            restarted[0] = true;
                            try {
                                int port = Integer.parseInt(kafka.bootstrapServers().split(":")[1]);
                                kafka.close();
                                Thread.sleep(2000); // the broker stays down a while: the drill's own action
                                kafka = EmbeddedKafka.startOnPort(work.resolve("kafka"), port);
                            } catch (Exception ex) {
                                throw new IllegalStateException(ex);
                            }
                        }
                    });
            assertThat(restarted[0]).isTrue();
            assertExact(r);
            assertThat(resultsOf("broker-restart")).hasSize(1);
            assertThat(front.alive() && trainer.alive()).isTrue();
        }
    }

    @Test
    void aPoisonRecordOnEveryTopicIsDeadLetteredWithItsReasonAndTheWorkersCarryOn() throws Exception {
        try (PoolProcess all = start("all-e", "coordinator,extractor,trainer", Map.of());
             KafkaProducer<String, byte[]> producer = clients.producer("poisoner")) {
            byte[] junk = "not what you think".getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(Topics.EXTRACT, "poison-extract", junk)).get();
            ProducerRecord<String, byte[]> feature = new ProducerRecord<>(Topics.FEATURES, "poison-features", junk);
            feature.headers().add(RecordType.HEADER, "bogus".getBytes(StandardCharsets.UTF_8));
            producer.send(feature).get();
            producer.send(new ProducerRecord<>(Topics.RESULTS, "poison-results", junk)).get();
            producer.send(new ProducerRecord<>(Topics.JOBS, "poison-job", junk)).get();

            JobResult after = run("after-poison", job("after-poison").replace("\"epochs\": 30", "\"epochs\": 2"),
                    e -> { });
            assertExact(after);
            // Each poison record is on a partition of its own topic: wait until all three are dead-lettered.
            List<ConsumerRecord<String, byte[]>> dlq = Await.value("dead letters of the three poison records",
                    Duration.ofMinutes(1), () -> {
                        List<ConsumerRecord<String, byte[]>> seen = records(Topics.DLQ, null);
                        return seen.stream().map(ConsumerRecord::key).collect(java.util.stream.Collectors.toSet())
                                .containsAll(List.of("poison-extract", "poison-features", "poison-results"))
                                ? seen : null;
                    });
            for (String[] expect : new String[][]{{"poison-extract", Topics.EXTRACT}, {"poison-features",
                    Topics.FEATURES}, {"poison-results", Topics.RESULTS}}) {
                assertThat(dlq).as("dead letter of " + expect[0]).filteredOn(r -> expect[0].equals(r.key()))
                        .singleElement().satisfies(r -> {
                            assertThat(header(r, Topics.SOURCE_TOPIC_HEADER)).isEqualTo(expect[1]);
                            assertThat(header(r, Topics.ERROR_HEADER)).isNotBlank();
                        });
            }
            assertThat(records(Topics.RESULTS, "poison-job")).as("a bad job is rejected, not dead-lettered")
                    .singleElement().satisfies(r -> assertThat(Json.read(r.value(), JobResult.class).status())
                            .isEqualTo(JobResult.Status.REJECTED));
            assertThat(all.alive()).isTrue();
        }
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
