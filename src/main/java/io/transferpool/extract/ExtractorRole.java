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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.List;

/**
 * Reads extract tasks from {@code tp.extract}, extracts the shard and publishes its feature batches and then its
 * shard-done mark on {@code tp.features} keyed by the job's run key (so one trainer sees a whole job, in order). The offset
 * is committed only after the producer flushed: a crash mid-shard redelivers the task, and the trainer drops the
 * samples it already has.
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
    // The current shard's encode and publish timers; the role runs on its worker loop's thread only.
    private long encodeNanos;
    private long publishNanos;

    public ExtractorRole(ShardExtractor extractor, Publisher out, FeatureType featureType, int maxRecordBytes,
                         MeterRegistry metrics) {
        this(extractor, out, featureType, maxRecordBytes, metrics, new Cancellations());
    }

    /** @param cancellations the cancelled runs, whose shards are skipped */
    public ExtractorRole(ShardExtractor extractor, Publisher out, FeatureType featureType, int maxRecordBytes,
                         MeterRegistry metrics, Cancellations cancellations) {
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
    }

    @Override
    public void handle(ConsumerRecord<String, byte[]> record) {
        ExtractTask task = Json.read(record.value(), ExtractTask.class);
        if (cancellations.of(task.key()).isPresent()) {
            // Its trainer answers CANCELLED without waiting for the shard, so nothing is sent for it.
            LOG.debugf("Shard %s/%d of cancelled job %s skipped", task.split(), task.shard(), task.key());
            skipped.increment();
            return;
        }
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
