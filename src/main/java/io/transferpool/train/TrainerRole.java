package io.transferpool.train;

import io.micrometer.core.instrument.MeterRegistry;
import io.transferpool.metrics.TrainingMetrics;
import java.time.Duration;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.JobPlan;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.ShardDone;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.WorkerLoop;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads {@code tp.features}: gathers each job's plan, feature batches and shard-done marks, reports extraction
 * progress, and once a job is complete trains it on a separate thread (so the consumer keeps polling) and
 * publishes the result. Offsets are held back to the plan of the oldest unfinished job on each partition: a
 * trainer that dies mid-job gets the whole job again, and sample ids make the replay harmless.
 */
public final class TrainerRole implements WorkerLoop.Role, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TrainerRole.class);

    private record Active(JobAccumulator acc, TopicPartition partition, long firstOffset) {
    }

    private final Path spillDir;
    private final long heapLimitBytes;
    private final TrainingRun training;
    private final Publisher out;
    private final TrainingMetrics metrics;
    // Consumer-thread state: jobs being gathered, jobs training, recently finished job ids.
    private final Map<String, Active> gathering = new HashMap<>();
    private final Map<String, Active> trainingJobs = new HashMap<>();
    private final Map<String, Future<JobResult>> running = new HashMap<>();
    private final Set<String> finished = Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 10_000;
        }
    });
    private final ExecutorService trainer = Executors.newSingleThreadExecutor(r -> new Thread(r, "tp-training"));

    public TrainerRole(Path spillDir, long heapLimitBytes, TrainingRun training, Publisher out, MeterRegistry metrics) {
        this.spillDir = spillDir;
        this.heapLimitBytes = heapLimitBytes;
        this.training = training;
        this.out = out;
        this.metrics = new TrainingMetrics(metrics, gathering::size, trainingJobs::size);
    }

    @Override
    public void handle(ConsumerRecord<String, byte[]> record) {
        String type = Publisher.type(record.headers());
        String jobId = record.key();
        if ("plan".equals(type)) {
            JobPlan plan = Json.read(record.value(), JobPlan.class);
            if (finished.contains(jobId) || gathering.containsKey(jobId) || trainingJobs.containsKey(jobId)) {
                return;
            }
            gathering.put(jobId, new Active(new JobAccumulator(plan, heapLimitBytes, spillDir),
                    new TopicPartition(record.topic(), record.partition()), record.offset()));
            return;
        }
        Active active = gathering.get(jobId);
        if (active == null) {
            if (!finished.contains(jobId) && !trainingJobs.containsKey(jobId)) {
                LOG.debugf("Record for unknown job %s ignored (its plan was not seen)", jobId);
            }
            return;
        }
        if ("features".equals(type)) {
            active.acc().accept(FeatureBatch.decode(record.value()));
        } else if ("shard-done".equals(type)) {
            ShardDone done = Json.read(record.value(), ShardDone.class);
            if (active.acc().accept(done)) {
                progress(jobId, active.acc());
            }
            if (active.acc().complete()) {
                gathering.remove(jobId);
                trainingJobs.put(jobId, active);
                metrics.jobStarted(jobId);
                running.put(jobId, trainer.submit(() -> train(active.acc())));
            }
        } else {
            throw new IllegalArgumentException("record of unknown type " + type + " on the features topic");
        }
    }

    private void progress(String jobId, JobAccumulator acc) {
        int n = acc.store(FeatureBatch.Split.TRAIN).size() + acc.store(FeatureBatch.Split.TEST).size();
        double rate = n / Math.max(1e-9, acc.extractionSeconds());
        out.status(new StatusEvent(jobId, "extracting", "shard " + acc.shardsDone() + "/" + acc.shardsTotal(),
                acc.shardsDone(), acc.shardsTotal(), rate, null, null, null, System.currentTimeMillis()));
    }

    private JobResult train(JobAccumulator acc) {
        String jobId = acc.plan().spec().jobId();
        long[] epochStart = {System.nanoTime()};
        // Samples trained per epoch: the training split less the validation hold-out.
        int trainSamples = (int) Math.round(acc.store(FeatureBatch.Split.TRAIN).size()
                * (1 - acc.plan().spec().data().validationSplit()));
        try {
            return training.run(acc, (m, max) -> {
                long now = System.nanoTime();
                metrics.epochDone(jobId, m, trainSamples, Duration.ofNanos(now - epochStart[0]));
                epochStart[0] = now;
                out.status(new StatusEvent(jobId, "training", String.format("epoch %d: loss %.4f, val accuracy %.4f",
                        m.epoch(), m.loss(), m.valAccuracy()), null, null, null, m.epoch(), max, m.valAccuracy(),
                        System.currentTimeMillis()));
            });
        } catch (Exception | LinkageError e) {
            LOG.errorf(e, "Training job %s failed", jobId);
            return JobResult.failed(jobId, List.of(new FieldError("training",
                    e.getClass().getSimpleName() + ": " + e.getMessage())), null);
        } finally {
            acc.close();
        }
    }

    @Override
    public void afterPoll() {
        for (Iterator<Map.Entry<String, Future<JobResult>>> it = running.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Future<JobResult>> e = it.next();
            if (!e.getValue().isDone()) {
                continue;
            }
            it.remove();
            String jobId = e.getKey();
            JobResult result;
            try {
                result = e.getValue().get();
            } catch (Exception ex) {
                result = JobResult.failed(jobId, List.of(new FieldError("training", ex.toString())), null);
            }
            boolean ok = result.status() == JobResult.Status.SUCCEEDED;
            String summary = ok && result.metrics().test() != null
                    ? String.format("test accuracy %.4f", result.metrics().test().accuracy())
                    : result.errors().isEmpty() ? "" : result.errors().get(0).toString();
            // The final status goes out before the result, so a client that stops at the result has seen it.
            out.status(StatusEvent.of(jobId, ok ? "done" : "failed", summary));
            out.flush();
            out.result(result);
            out.flush();
            Active done = trainingJobs.get(jobId);
            metrics.jobFinished(result, Duration.ofMillis(done == null ? 0
                    : System.currentTimeMillis() - done.acc().plan().submittedAtMillis()));
            trainingJobs.remove(jobId);
            finished.add(jobId);
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, Long> positions) {
        Map<TopicPartition, Long> hold = new HashMap<>(positions);
        for (Map<String, Active> jobs : List.of(gathering, trainingJobs)) {
            for (Active a : jobs.values()) {
                hold.merge(a.partition(), a.firstOffset(), Math::min);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        hold.forEach((tp, offset) -> out.put(tp, new OffsetAndMetadata(offset)));
        return out;
    }

    @Override
    public void close() {
        trainer.shutdownNow();
        gathering.values().forEach(a -> a.acc().close());
    }
}
