package io.transferpool.pool;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.transferpool.Await;
import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.transferpool.storage.S3ProxyServer;
import io.transferpool.TestTopics;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two trainers, one slot each and no time slicing: while one trains a long job, short jobs gathered by that same
 * trainer (their tp.features partitions are its) are handed to the idle one, which trains them at once; each gets
 * one result, and the long job was still training when they were answered.
 */
class TrainerHandoffIT {
    private static final int PARTITIONS = 4;

    @RegisterExtension
    static final TestPool POOL = TestPool.brokerOnly().data(root -> {
        TestFiles.demoRoot(root, "train", 100, "test", 10);
        TestFiles.copyImages("train", root.resolve("few/train"), 20);
        TestFiles.copyImages("test", root.resolve("few/test"), 5);
    }).with("tp.train.slots", "1", "tp.train.quantum", "PT1H", "tp.topics.features-partitions",
            String.valueOf(PARTITIONS));

    /** The partition of tp.features a job's records go to (Kafka's partitioner for a keyed record). */
    private static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    @Test
    void jobsWaitingOnABusyTrainerAreHandedToTheIdleOne() throws Exception {
        try (Pool a = POOL.start(aMetrics, "tp.roles", "coordinator,extractor,trainer");
             Pool b = POOL.start(bMetrics, "tp.roles", "trainer")) {
            handsOff(a, "file:", "");
        }
    }

    /**
     * The same with the artifacts in a bucket and each trainer on a work folder of its own, as pods with no shared
     * volume: the handed jobs' features reach the idle trainer through the bucket.
     */
    @Test
    void throughABucketAJobIsHandedToATrainerWithNoSharedFolder() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(POOL.dir().resolve("s3"))) {
            s3.bucket("artifacts");
            String[] bucket = {"tp.storage.s3.endpoint", s3.endpoint().toString(), "tp.artifacts-dir",
                    "s3://artifacts/handoff-test"};
            try (Pool a = POOL.start(aMetrics, with(bucket, "tp.roles", "coordinator,extractor,trainer",
                    "tp.work-dir", POOL.dir().resolve("work-a").toString()));
                 Pool b = POOL.start(bMetrics, with(bucket, "tp.roles", "trainer", "tp.work-dir",
                         POOL.dir().resolve("work-b").toString()))) {
                handsOff(a, "s3://artifacts/handoff-test/", "s3-");
            }
        }
    }

    private final SimpleMeterRegistry aMetrics = new SimpleMeterRegistry();
    private final SimpleMeterRegistry bMetrics = new SimpleMeterRegistry();

    private static String[] with(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * A long job on one trainer; two short jobs its partitions gather go to the other, their artifacts under
     * {@code artifactsAt}; the jobs' ids start with {@code prefix} (one broker serves the class's tests).
     */
    private void handsOff(Pool a, String artifactsAt, String prefix) throws Exception {
        String longId = prefix + "long";
        Map<String, Set<Integer>> owners = Await.value("both trainers to own tp.features partitions",
                Duration.ofMinutes(1), this::trainerPartitions);

        String longJob = TestFiles.job(longId, "models/base.onnx", "train", "test", 10_000)
                .replace("\"patience\": 5", "\"patience\": 100000");
        List<StatusEvent> longEvents = new CopyOnWriteArrayList<>();
        try (JobClient longClient = new JobClient(a.clients()); JobClient client = new JobClient(a.clients())) {
            longClient.submit(longId, longJob);
            CompletableFuture<JobResult> longResult = TestJobs.follow(longClient, longId, longEvents::add);
            Await.until("the long job to train", Duration.ofMinutes(2), () -> longResult.isDone()
                    || longEvents.stream().anyMatch(e -> e.epoch() != null && e.epoch() >= 2));
            assertThat(longResult).as("the long job is still training").isNotDone();
            Set<Integer> busy = owners.values().stream().filter(p -> p.contains(partitionOf(longId))).findFirst()
                    .orElseThrow();
            // Short jobs whose records the busy trainer gathers.
            List<String> shorts = new ArrayList<>();
            for (int i = 0; shorts.size() < 2; i++) {
                if (busy.contains(partitionOf(prefix + "short-" + i))) {
                    shorts.add(prefix + "short-" + i);
                }
            }
            for (String id : shorts) {
                client.submit(id, TestFiles.job(id, "models/base.onnx", "few/train", "few/test", 3));
            }
            for (String id : shorts) {
                JobResult r = client.await(id, Duration.ofMinutes(3), e -> { });
                assertThat(r.status()).as("%s: %s", id, r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
                assertThat(r.artifacts().onnx().uri()).startsWith(artifactsAt);
                assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(40);
                assertThat(r.metrics().timings()).containsKey("extractionSeconds");
            }
            // The long job never yielded its slot: the short ones were trained by the other trainer.
            assertThat(longResult).isNotDone();
            client.cancel(longId, "the test is over");
            assertThat(longResult.get(2, TimeUnit.MINUTES).status()).isEqualTo(JobResult.Status.CANCELLED);

            // Which pool's trainer was busy is not known ahead (the group assigns the partitions): the one that handed.
            SimpleMeterRegistry gatherer = aMetrics.counter("tp.train.handoffs").count() > 0 ? aMetrics : bMetrics;
            SimpleMeterRegistry idle = gatherer == aMetrics ? bMetrics : aMetrics;
            assertThat(gatherer.counter("tp.train.handoffs").count()).isEqualTo(2);
            assertThat(idle.counter("tp.train.handoffs").count()).isZero();
            assertThat(idle.get("tp.jobs.finished").tag("status", "SUCCEEDED").counter().count()).isEqualTo(2);

            TestTopics.awaitSettled(POOL.clients(), Duration.ofMinutes(2));
            Map<String, List<JobResult>> results = TestTopics.results(POOL.clients());
            for (String id : shorts) {
                assertThat(results.get(id)).as("one result for %s", id).hasSize(1);
            }
            assertThat(results.get(longId)).hasSize(1);
        }
    }

    /** Trainer member (member id) -> its tp.features partitions, once there are two members with some each. */
    private Map<String, Set<Integer>> trainerPartitions() throws Exception {
        try (Admin admin = POOL.clients().admin()) {
            var group = admin.describeConsumerGroups(List.of("tp-trainers")).all().get().get("tp-trainers");
            Map<String, Set<Integer>> out = group.members().stream().collect(Collectors.toMap(
                    MemberDescription::consumerId, m -> m.assignment().topicPartitions().stream()
                            .filter(tp -> tp.topic().equals(Topics.FEATURES)).map(TopicPartition::partition)
                            .collect(Collectors.toSet())));
            return out.size() == 2 && out.values().stream().noneMatch(Set::isEmpty) ? out : null;
        }
    }
}
