package io.transferpool.pool;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Extraction takes turns across jobs on the real broker: a small job submitted just after a job of 110 shards has
 * all its shards extracted while most of the big job's still wait, although they stand before it on the
 * partitions, and both end with every shard in.
 */
class ExtractionTurnsIT {
    private static final SimpleMeterRegistry METRICS = new SimpleMeterRegistry();

    @RegisterExtension
    static final TestPool POOL = TestPool.allRoles().data(root -> {
        TestFiles.demoRoot(root, "train", 100, "test", 10);
        TestFiles.copyImages("train", root.resolve("small/train"), 5);
    }).with("tp.shard-size", "2").meters(METRICS);

    @Test
    void aSmallJobsShardsAreExtractedBetweenABigJobsShards() throws Exception {
        List<StatusEvent> bigEvents = new CopyOnWriteArrayList<>();
        List<StatusEvent> smallEvents = new CopyOnWriteArrayList<>();
        JobResult big;
        JobResult small;
        try (JobClient bigClient = new JobClient(POOL.pool().clients());
             JobClient smallClient = new JobClient(POOL.pool().clients())) {
            bigClient.submit("big", TestFiles.job("big", "models/base.onnx", "train", "test", 2));
            smallClient.submit("small", TestFiles.job("small", "models/base.onnx", "small/train", null, 2));
            CompletableFuture<JobResult> bigResult = TestJobs.follow(bigClient, "big", bigEvents::add);
            small = smallClient.await("small", Duration.ofMinutes(5), smallEvents::add);
            big = bigResult.get(5, TimeUnit.MINUTES);
        }
        assertThat(small.status()).as("errors %s", small.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(big.status()).as("errors %s", big.errors()).isEqualTo(JobResult.Status.SUCCEEDED);

        StatusEvent smallIn = lastShard(smallEvents);
        StatusEvent bigIn = lastShard(bigEvents);
        assertThat(smallIn.shardsTotal()).isEqualTo(5);
        assertThat(bigIn.shardsTotal()).isEqualTo(110);
        // The small job's last shard was in before the big job's: with first-in first-out it would be after.
        assertThat(smallIn.timestampMillis()).isLessThan(bigIn.timestampMillis());
        // ... and well before: at that moment the big job still had most of its shards to go.
        int bigDoneThen = bigEvents.stream().filter(e -> e.stage() == Stage.EXTRACTING
                && e.timestampMillis() <= smallIn.timestampMillis()).mapToInt(StatusEvent::shardsDone).max().orElse(0);
        assertThat(bigDoneThen).isLessThan(100);
        assertThat(METRICS.get("tp.queue.wait").tag("stage", "extract").timer().count()).isEqualTo(115);
    }

    private static StatusEvent lastShard(List<StatusEvent> events) {
        return events.stream().filter(e -> e.stage() == Stage.EXTRACTING && e.shardsDone().equals(e.shardsTotal()))
                .findFirst().orElseThrow();
    }
}
