package io.transferpool.pool;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.transferpool.Await;
import io.transferpool.TestFiles;
import io.transferpool.TestPool;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancelling a job on the real broker: before any extractor ran (its trainer answers CANCELLED with nothing
 * extracted, and an extractor that comes later skips every shard) and in the middle of training (stopped at the next
 * batch, the epochs so far in the result).
 */
class CancellationIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.brokerOnly().data(root -> {
        TestFiles.demoRoot(root, "train", 100, "test", 10);
        TestFiles.copyImages("train", root.resolve("few/train"), 20);
        TestFiles.copyImages("test", root.resolve("few/test"), 5);
    });

    @Test
    void aJobCancelledBeforeExtractionIsAnsweredAndItsShardsAreSkipped() throws Exception {
        try (Pool planner = POOL.start("tp.roles", "coordinator,trainer", "tp.shard-size", "5");
             JobClient client = new JobClient(planner.clients())) {
            client.submit("early", TestFiles.job("early", "models/base.onnx", "few/train", "few/test", 3));
            client.cancel("early", "changed my mind");
            List<StatusEvent> seen = new ArrayList<>();
            JobResult r = client.await("early", Duration.ofMinutes(2), seen::add);
            assertThat(r.status()).isEqualTo(JobResult.Status.CANCELLED);
            assertThat(r.errors().get(0).problem()).contains("changed my mind");
            assertThat(r.metrics().stopReason()).isEqualTo("cancelled while extracting: 0 of 10 shards in");
            assertThat(seen).extracting(StatusEvent::stage).contains(Stage.QUEUED, Stage.CANCELLING, Stage.CANCELLED);

            SimpleMeterRegistry extractorMetrics = new SimpleMeterRegistry();
            try (Pool extractor = POOL.start(extractorMetrics, "tp.roles", "extractor")) {
                Await.until("the extractor to skip the cancelled job's 10 shards", Duration.ofSeconds(60),
                        () -> extractorMetrics.counter("tp.extract.shards.skipped").count() >= 10);
                assertThat(extractorMetrics.counter("tp.extract.shards.skipped").count()).isEqualTo(10);
                assertThat(extractorMetrics.counter("tp.extract.images.extracted").count()).isZero();
            }
        }
    }

    @Test
    void aJobCancelledWhileTrainingStopsAndReportsItsEpochs() throws Exception {
        String job = TestFiles.job("long", "models/base.onnx", "train", "test", 5000)
                .replace("\"patience\": 5", "\"patience\": 10000");
        try (Pool pool = POOL.start(); JobClient client = new JobClient(pool.clients())) {
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
            assertThat(seen.get(seen.size() - 1).stage()).isEqualTo(Stage.CANCELLED);
        }
    }
}
