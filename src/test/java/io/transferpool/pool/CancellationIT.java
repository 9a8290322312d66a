package io.transferpool.pool;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.transferpool.TestFiles;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.StatusEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancelling a job on the real broker: before any extractor ran (its trainer answers CANCELLED with nothing
 * extracted, and an extractor that comes later skips every shard) and in the middle of training (stopped at the next
 * batch, the epochs so far in the result).
 */
class CancellationIT {
    @TempDir
    Path root;
    @TempDir
    Path work;

    @Test
    void aJobCancelledBeforeExtractionIsAnsweredAndItsShardsAreSkipped() throws Exception {
        TestFiles.demoRoot(root, "train", 20, "test", 5);
        PoolSettings settings = PoolSettings.defaults(root, work.resolve("a")).withShardSize(5);
        try (Pool planner = Pool.start(settings.withRoles(EnumSet.of(Role.COORDINATOR, Role.TRAINER)),
                new SimpleMeterRegistry()); JobClient client = new JobClient(planner.clients())) {
            client.submit("early", TestFiles.job("early", "models/base.onnx", "train", "test", 3));
            client.cancel("early", "changed my mind");
            List<StatusEvent> seen = new ArrayList<>();
            JobResult r = client.await("early", Duration.ofMinutes(2), seen::add);
            assertThat(r.status()).isEqualTo(JobResult.Status.CANCELLED);
            assertThat(r.errors().get(0).problem()).contains("changed my mind");
            assertThat(r.metrics().stopReason()).isEqualTo("cancelled while extracting: 0 of 10 shards in");
            assertThat(seen).extracting(StatusEvent::stage).contains("queued", "cancelling", "cancelled");

            SimpleMeterRegistry extractorMetrics = new SimpleMeterRegistry();
            try (Pool extractor = Pool.start(settings.toBuilder().roles(EnumSet.of(Role.EXTRACTOR))
                    .bootstrapServers(planner.clients().bootstrapServers()).build(), extractorMetrics)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (extractorMetrics.counter("tp.extract.shards.skipped").count() < 10
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(extractorMetrics.counter("tp.extract.shards.skipped").count()).isEqualTo(10);
                assertThat(extractorMetrics.counter("tp.extract.images.extracted").count()).isZero();
            }
        }
    }

    @Test
    void aJobCancelledWhileTrainingStopsAndReportsItsEpochs() throws Exception {
        TestFiles.demoRoot(root, "train", 100, "test", 10);
        String job = TestFiles.job("long", "models/base.onnx", "train", "test", 5000)
                .replace("\"patience\": 5", "\"patience\": 10000");
        try (Pool pool = Pool.start(PoolSettings.defaults(root, work), new SimpleMeterRegistry());
             JobClient client = new JobClient(pool.clients())) {
            client.submit("long", job);
            List<StatusEvent> seen = new ArrayList<>();
            JobResult r = client.await("long", Duration.ofMinutes(3), e -> {
                seen.add(e);
                if (e.epoch() != null && e.epoch() == 3) {
                    try {
                        client.cancel("long", null);
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                }
            });
            assertThat(r.status()).isEqualTo(JobResult.Status.CANCELLED);
            assertThat(r.errors().get(0).problem()).isEqualTo("cancelled: cancelled by its user");
            assertThat(r.metrics().epochs()).hasSizeGreaterThanOrEqualTo(3).hasSizeLessThan(5000);
            assertThat(r.metrics().epochs().get(0).epoch()).isEqualTo(1);
            assertThat(r.run()).isEqualTo(1);
            assertThat(seen.get(seen.size() - 1).stage()).isEqualTo("cancelled");
        }
    }
}
