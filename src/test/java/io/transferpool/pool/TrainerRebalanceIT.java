package io.transferpool.pool;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.transferpool.TestBroker;
import io.transferpool.TestFiles;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trainer joining the group while jobs are being gathered and trained takes some partitions over: the jobs on
 * them move (the first trainer drops them, the second trains them again) and every job still ends with one result.
 */
class TrainerRebalanceIT {
    @TempDir
    static Path root;
    @TempDir
    static Path work;
    static TestBroker broker;
    static PoolSettings base;

    @BeforeAll
    static void start() throws Exception {
        TestFiles.demoRoot(root, "train", 100, "test", 20);
        broker = TestBroker.start(root, work);
        base = broker.settings();
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aTrainerJoiningMidJobLeavesEveryJobWithOneResult() throws Exception {
        List<String> jobs = List.of("moved-1", "moved-2", "moved-3", "moved-4");
        try (Pool front = Pool.start(base.withRoles(EnumSet.of(Role.COORDINATOR, Role.EXTRACTOR)),
                new SimpleMeterRegistry());
             Pool first = Pool.start(base.withRoles(EnumSet.of(Role.TRAINER)), new SimpleMeterRegistry());
             JobClient client = new JobClient(front.clients())) {
            for (String id : jobs) {
                client.submit(id, TestFiles.job(id, "models/base.onnx", "train", "test", 8)
                        .replace("\"hidden\": [64]", "\"hidden\": [512]").replace("\"patience\": 5", "\"patience\": 50"));
            }
            try (Pool second = Pool.start(base.withRoles(EnumSet.of(Role.TRAINER)), new SimpleMeterRegistry())) {
                for (String id : jobs) {
                    JobResult r = client.await(id, Duration.ofMinutes(3), e -> { });
                    assertThat(r.status()).as("%s: %s", id, r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
                    assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(200);
                }
            }
            Thread.sleep(2000); // time for a second result to show, if one were sent
            assertThat(resultKeys(front)).as("one result per job").containsExactlyInAnyOrderElementsOf(jobs);
        }
    }

    static List<String> resultKeys(Pool pool) {
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = pool.clients().reader("results-check")) {
            TopicPartition tp = new TopicPartition(Topics.RESULTS, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                c.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
            }
        }
        return keys;
    }
}
