package io.transferpool.pool;

import io.transferpool.Await;
import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.transferpool.TestTopics;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.StatusEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs finish out of order (a short job takes its turn while a long one trains), but a trainer's offsets are held
 * back to its oldest unfinished job: when the partition moves, the next trainer reads the short job's records
 * again. The mark behind them says it is answered, and it is let go, not answered twice.
 */
class AnsweredOutOfOrderIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.brokerOnly().data(root -> {
        TestFiles.demoRoot(root, "train", 100, "test", 10);
        TestFiles.copyImages("train", root.resolve("few/train"), 20);
        TestFiles.copyImages("test", root.resolve("few/test"), 5);
    }).with("tp.topics.features-partitions", "1", "tp.train.slots", "1", "tp.train.handoff", "false");

    @Test
    void aJobAnsweredBeforeAnEarlierOneIsNotAnsweredAgainWhenThePartitionMoves() throws Exception {
        String longJob = TestFiles.job("long", "models/base.onnx", "train", "test", 10_000)
                .replace("\"patience\": 5", "\"patience\": 100000");
        List<StatusEvent> longEvents = new CopyOnWriteArrayList<>();
        try (Pool front = POOL.start("tp.roles", "coordinator,extractor");
             JobClient longClient = new JobClient(front.clients());
             JobClient client = new JobClient(front.clients())) {
            Pool first = POOL.start("tp.roles", "trainer", "tp.train.quantum", "PT0.2S");
            longClient.submit("long", longJob);
            CompletableFuture<JobResult> longResult = TestJobs.follow(longClient, "long", longEvents::add);
            Await.until("the long job to train", Duration.ofMinutes(2),
                    () -> longEvents.stream().anyMatch(e -> e.epoch() != null && e.epoch() >= 2));
            client.submit("short", TestFiles.job("short", "models/base.onnx", "few/train", "few/test", 3));
            JobResult shortResult = client.await("short", Duration.ofMinutes(2), e -> { });
            assertThat(shortResult.status()).as("%s", shortResult.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
            assertThat(longResult).as("the short job was answered first").isNotDone();

            first.close(); // hands the partition over, its offset held back to the long job's plan
            long closed = System.currentTimeMillis();
            try (Pool second = POOL.start("tp.roles", "trainer", "tp.train.quantum", "PT1S")) {
                Await.until("the next trainer to train the long job", Duration.ofMinutes(2), () -> longEvents.stream()
                        .anyMatch(e -> e.epoch() != null && e.timestampMillis() > closed));
                client.cancel("long", "the test is over");
                assertThat(longResult.get(2, TimeUnit.MINUTES).status()).isEqualTo(JobResult.Status.CANCELLED);
                // Committed to the end: every record read, the short job's again included.
                TestTopics.awaitSettled(POOL.clients(), Duration.ofMinutes(2));
            }
            Map<String, List<JobResult>> results = TestTopics.results(POOL.clients());
            assertThat(results.get("short")).as("the short job answered once").hasSize(1);
            assertThat(results.get("long")).singleElement()
                    .satisfies(r -> assertThat(r.status()).isEqualTo(JobResult.Status.CANCELLED));
        }
    }
}
