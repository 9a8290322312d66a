package io.transferpool.pool;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.transferpool.Await;
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
 * Jobs take turns with a trainer's one slot on the real broker: a short job submitted while a long one trains is
 * told its place in line, trains at the long job's next batch boundary once the quantum is used, and is answered
 * first; the long job is paused (told so), goes on where it stopped, and ends with exactly the epochs of a run that
 * trained alone.
 */
class TrainingTurnsIT {
    private static final SimpleMeterRegistry METRICS = new SimpleMeterRegistry();

    @RegisterExtension
    static final TestPool POOL = TestPool.allRoles().data(root -> {
        TestFiles.demoRoot(root, "train", 100, "test", 10);
        TestFiles.copyImages("train", root.resolve("few/train"), 20);
        TestFiles.copyImages("test", root.resolve("few/test"), 5);
    }).with("tp.train.slots", "1", "tp.train.quantum", "PT0.3S").meters(METRICS);

    private static String longJob(String id, boolean rerun) {
        String job = TestFiles.job(id, "models/base.onnx", "train", "test", 600)
                .replace("\"patience\": 5", "\"patience\": 100000");
        return rerun ? job.replaceFirst("\\{", "{\"rerun\": true, ") : job;
    }

    @Test
    void aShortJobOvertakesALongOneWhichEndsAsIfItHadTrainedAlone() throws Exception {
        List<StatusEvent> longEvents = new CopyOnWriteArrayList<>();
        List<StatusEvent> shortEvents = new CopyOnWriteArrayList<>();
        JobResult shared;
        JobResult small;
        try (JobClient longClient = new JobClient(POOL.pool().clients());
             JobClient shortClient = new JobClient(POOL.pool().clients())) {
            longClient.submit("long", longJob("long", false));
            CompletableFuture<JobResult> longResult = TestJobs.follow(longClient, "long", longEvents::add);
            Await.until("the long job to train its first epochs", Duration.ofMinutes(2),
                    () -> longEvents.stream().anyMatch(e -> e.epoch() != null && e.epoch() >= 3));
            shortClient.submit("short", TestFiles.job("short", "models/base.onnx", "few/train", "few/test", 3));
            small = shortClient.await("short", Duration.ofMinutes(3), shortEvents::add);
            shared = longResult.get(5, TimeUnit.MINUTES);
        }
        assertThat(small.status()).as("errors %s", small.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(shared.status()).as("errors %s", shared.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(shared.metrics().epochs()).hasSize(600);

        // The short job was told it waited behind no one, then was answered before the long job.
        StatusEvent told = shortEvents.stream().filter(e -> e.stage() == Stage.WAITING).findFirst().orElseThrow();
        assertThat(told.ahead()).isZero();
        assertThat(told.message()).startsWith("waiting for training: next in line");
        assertThat(done(shortEvents).timestampMillis()).isLessThan(done(longEvents).timestampMillis());

        // The long job was paused part-way (told its place and how far it got) and trained again after.
        StatusEvent paused = longEvents.stream().filter(e -> e.stage() == Stage.WAITING).findFirst().orElseThrow();
        assertThat(paused.epoch()).isBetween(3, 599);
        int at = longEvents.indexOf(paused);
        assertThat(longEvents.subList(at, longEvents.size())).anyMatch(e -> e.stage() == Stage.TRAINING
                && e.epoch() != null && e.epoch() > paused.epoch());

        // Both jobs' first turns were counted in the wait histogram.
        assertThat(METRICS.get("tp.queue.wait").tag("stage", "train").timer().count()).isEqualTo(2);

        // The same job trained alone (a rerun, nothing else in the pool) gives the same epochs, to the last bit.
        JobResult alone;
        try (JobClient client = new JobClient(POOL.pool().clients())) {
            client.submit("long", longJob("long", true));
            alone = client.await("long", Duration.ofMinutes(5), e -> { });
        }
        assertThat(alone.status()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(alone.run()).isEqualTo(2);
        assertThat(alone.metrics().epochs()).isEqualTo(shared.metrics().epochs());
        assertThat(alone.metrics().test()).usingRecursiveComparison().isEqualTo(shared.metrics().test());
    }

    private static StatusEvent done(List<StatusEvent> events) {
        return events.stream().filter(e -> e.stage() == Stage.DONE).findFirst().orElseThrow();
    }
}
