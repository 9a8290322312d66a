package io.transferpool.extract;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.transferpool.messaging.Cancellations;
import io.transferpool.messaging.ExtractTask;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.FeatureType;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.RecordType;
import io.transferpool.messaging.ShardDone;
import io.transferpool.messaging.Topics;
import io.transferpool.messaging.WorkerLoop;
import io.transferpool.messaging.SendScope;
import io.transferpool.metrics.QueueMeters;
import io.transferpool.scheduling.OwnerShares;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads extract tasks from {@code tp.extract} ahead into its {@link TaskLine} (up to {@code tp.extract.read-ahead-bytes})
 * and extracts them one at a time between polls, taking turns across owners and jobs, so a small job's shard is not
 * behind a big job's hundreds on the same partition (README "Sharing the pool"). Each shard's feature batches and
 * then its shard-done mark go to {@code tp.features} keyed by the job's run key (so one trainer sees a whole job, in
 * order). A task's offset is committed only once its sends are acknowledged, and never past a task read ahead and
 * not yet done: a crash redelivers those tasks, and the trainer drops the samples it already has.
 */
public final class ExtractorRole implements WorkerLoop.Role {
    private static final Logger LOG = Logger.getLogger(ExtractorRole.class);

    private final ShardExtractor extractor;
    private final Publisher out;
    private final FeatureType featureType;
    private final int maxRecordBytes;
    private final Counter imagesExtracted;
    private final Counter featureBytes;
    private final MeterRegistry metrics;
    private final Cancellations cancellations;
    private final Counter skipped;
    private final TaskLine line;
    private final long readAheadBytes;
    private final QueueMeters queue;
    // The current shard's encode and publish timers; the role runs on its worker loop's thread only.
    private long encodeNanos;
    private long publishNanos;

    public ExtractorRole(ShardExtractor extractor, Publisher out, FeatureType featureType, int maxRecordBytes,
                         MeterRegistry metrics) {
        this(extractor, out, featureType, maxRecordBytes, metrics, new Cancellations(), OwnerShares.EQUAL, 1L << 26);
    }

    /**
     * @param cancellations  the cancelled runs, whose shards are skipped
     * @param shares         the owners' shares of this extractor's time
     * @param readAheadBytes task records read ahead at most (about), to choose the next task among
     */
    public ExtractorRole(ShardExtractor extractor, Publisher out, FeatureType featureType, int maxRecordBytes,
                         MeterRegistry metrics, Cancellations cancellations, OwnerShares shares, long readAheadBytes) {
        this.cancellations = cancellations;
        this.skipped = Counter.builder("tp.extract.shards.skipped")
                .description("Shards of cancelled jobs that were not extracted").register(metrics);
        this.extractor = extractor;
        this.out = out;
        this.featureType = featureType;
        this.maxRecordBytes = maxRecordBytes;
        this.metrics = metrics;
        this.imagesExtracted = Counter.builder("tp.extract.images.extracted")
                .description("Images whose features were published").register(metrics);
        this.featureBytes = Counter.builder("tp.extract.feature.bytes").baseUnit("bytes").register(metrics);
        this.line = new TaskLine(shares);
        this.readAheadBytes = readAheadBytes;
        this.queue = QueueMeters.register(metrics, "extract", line::size);
    }

    @Override
    public void handle(ConsumerRecord<String, byte[]> record) {
        ExtractTask task = Json.read(record.value(), ExtractTask.class);
        if (skipIfCancelled(task)) {
            return;
        }
        line.add(task, record, System.nanoTime());
    }

    /** Extracts the next task in line, if any: one per poll, so new tasks are read (and may go first) meanwhile. */
    @Override
    public void afterPoll() {
        TaskLine.Pending next = line.next();
        if (next == null) {
            return;
        }
        queue.waited(Duration.ofNanos(System.nanoTime() - next.arrivedNanos()));
        if (skipIfCancelled(next.task())) {
            line.done(next);
            return;
        }
        try (SendScope sends = SendScope.open()) {
            extract(next.task());
            sends.awaitAll();
        } catch (SendScope.SendFailedException e) {
            throw new WorkerLoop.RecordFailed(next.record(), e, () -> line.done(next));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // not done: redelivered to whoever reads the partition next
        }
        line.done(next);
    }

    private boolean skipIfCancelled(ExtractTask task) {
        if (cancellations.of(task.key()).isPresent()) {
            // Its trainer answers CANCELLED without waiting for the shard, so nothing is sent for it.
            LOG.debugf("Shard %s/%d of cancelled job %s skipped", task.split(), task.shard(), task.key());
            skipped.increment();
            return true;
        }
        return false;
    }

    private void extract(ExtractTask task) {
        ShardDone done;
        encodeNanos = 0;
        publishNanos = 0;
        try {
            done = extractor.extract(task, this::publish).withPublishing(encodeNanos / 1e9, publishNanos / 1e9);
        } catch (Exception e) {
            LOG.errorf(e, "Shard %s/%s/%d of job %s failed", task.split(), task.shard(), task.shardCount(), task.jobId());
            done = new ShardDone(task.key(), task.split(), task.shard(), task.shardCount(), 0, List.of(), 0, 0, 0,
                    null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        out.send(Topics.FEATURES, task.key(), Json.bytes(done), RecordType.SHARD_DONE);
        out.flush();
        imagesExtracted.increment(done.extracted());
        done.badSamples().forEach(b -> metrics.counter("tp.extract.bad.samples", "reason", reasonTag(b.reason()))
                .increment());
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, Long> positions) {
        return line.committable(positions);
    }

    @Override
    public void revoked(Collection<TopicPartition> partitions) {
        line.drop(partitions);
    }

    @Override
    public boolean hasWork() {
        return line.size() > 0;
    }

    @Override
    public boolean readAheadFull() {
        return line.bytes() >= readAheadBytes;
    }

    /** Sends a batch, split into records below the size limit (large conv features would not fit in one). */
    private void publish(FeatureBatch b) {
        int rowBytes = b.dimension() * featureType.bytes() + 8;
        int perRecord = Math.max(1, maxRecordBytes / rowBytes);
        for (int from = 0; from < b.size(); from += perRecord) {
            int to = Math.min(b.size(), from + perRecord);
            FeatureBatch part = from == 0 && to == b.size() ? b : new FeatureBatch(b.jobId(), b.split(), b.shard(),
                    b.dimension(), Arrays.copyOfRange(b.sampleIds(), from, to), Arrays.copyOfRange(b.labels(), from, to),
                    Arrays.copyOfRange(b.features(), from * b.dimension(), to * b.dimension()));
            long t0 = System.nanoTime();
            byte[] bytes = part.encode(featureType);
            long t1 = System.nanoTime();
            featureBytes.increment(bytes.length);
            out.send(Topics.FEATURES, b.jobId(), bytes, RecordType.FEATURE_BATCH);
            encodeNanos += t1 - t0;
            publishNanos += System.nanoTime() - t1;
        }
    }

    /** Bad-sample reasons as a small set of metric tags (the full text is in the job's result). */
    static String reasonTag(String reason) {
        if (reason.startsWith("image is")) {
            return "size";
        }
        if (reason.startsWith("file not found")) {
            return "missing";
        }
        return "decode";
    }
}
