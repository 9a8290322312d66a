package io.transferpool.extract;

import io.transferpool.data.DecodedBatch;
import io.transferpool.data.ImageDecoder;
import io.transferpool.data.Preprocessor;
import io.transferpool.data.Sample;
import io.transferpool.job.JobResult.BadSample;
import io.transferpool.messaging.ExtractTask;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.ShardDone;
import io.transferpool.model.CutSession;
import io.transferpool.model.StoredModel;
import io.transferpool.storage.Storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Extracts one shard with several streams at once: each stream (a thread of the given pool) takes the shard's next
 * batch, decodes and preprocesses its images and runs the cut model on it, one batch after the other; the calling
 * thread hands each feature batch to a sink as it comes. Whole batches in parallel, each model run on one thread,
 * rather than one batch at a time spread over ONNX Runtime's intra-op threads: decode work then never holds a core
 * an operator's other threads wait for (on the demo CNN inference ran at 181-215 us per image beside decode threads
 * against 109-118 us alone). Bad images are skipped and listed in the {@link ShardDone}, in sample order, never
 * failing the shard. Plain Java: the Kafka side is {@link ExtractorRole}'s.
 */
public final class ShardExtractor {
    /** Receives each feature batch as it is made (on the thread that called {@link #extract}). */
    public interface Sink {
        void accept(FeatureBatch batch) throws Exception;
    }

    /** Told about each decoded and each inferred batch (metrics). Called from the streams' threads. */
    public interface Observer {
        Observer NONE = new Observer() {
        };

        default void decoded(int images, long nanos) {
        }

        default void inferred(int images, long nanos) {
        }
    }

    private final SessionCache sessions;
    private final Observer observer;
    private final ImageDecoder decoder;
    private final Storage storage;
    private final ExecutorService streamPool;
    private final int batchSize;
    private final int streams;
    private final Duration timeLimit;

    /** A shard taking longer than its limit. */
    public static final class ShardTimeoutException extends Exception {
        ShardTimeoutException(String message) {
            super(message);
        }
    }

    /**
     * @param streamPool threads for the streams (at least {@code streams} of them)
     * @param streams    batches extracted at once
     * @param timeLimit  how long one shard may take; past it the shard fails (and so its job)
     */
    public ShardExtractor(SessionCache sessions, Path dataRoot, ExecutorService streamPool, int batchSize,
                          int streams, Observer observer, Duration timeLimit) {
        this(sessions, Storage.local(dataRoot), streamPool, batchSize, streams, observer, timeLimit);
    }

    /** @param storage where the images and the base model are read from */
    public ShardExtractor(SessionCache sessions, Storage storage, ExecutorService streamPool, int batchSize,
                          int streams, Observer observer, Duration timeLimit) {
        this.timeLimit = timeLimit;
        this.observer = observer;
        this.streams = Math.max(1, streams);
        this.sessions = sessions;
        this.decoder = new ImageDecoder(storage);
        this.storage = storage;
        this.streamPool = streamPool;
        this.batchSize = batchSize;
    }

    /** A stream's work on one batch: what decoding found, and the features (null when no image was usable). */
    private record Extracted(int index, DecodedBatch decoded, CutSession.Features features, long inferNanos) {
    }

    /** What a stream puts on the hand-over queue when it has no more batches (or failed: {@code error}). */
    private record StreamEnd(Throwable error) {
    }

    public ShardDone extract(ExtractTask task, Sink sink) throws Exception {
        long t0 = System.nanoTime();
        CutSession session = sessions.get(StoredModel.file(storage, storage.locate(task.modelPath())),
                new SessionCache.Key(task.modelSha256(), task.input(), task.cut(), task.externalSha256()));
        Preprocessor pre = new Preprocessor(task.preprocess());
        List<Sample> samples = task.samples();
        int[] bounds = BatchBounds.of(samples.size(), batchSize, streams);
        int batches = bounds.length - 1;
        int workers = Math.min(streams, batches);
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        // At most two batches per stream made and not yet handed to the sink, so a shard of large features stays
        // bounded in memory; the queue itself never blocks a stream.
        Semaphore inFlight = new Semaphore(2 * workers);
        BlockingQueue<Object> handOver = new LinkedBlockingQueue<>();
        for (int w = 0; w < workers; w++) {
            streamPool.execute(() -> stream(session, task, pre, samples, bounds, next, stop, inFlight, handOver));
        }
        List<List<BadSample>> badByBatch = new ArrayList<>(Collections.nCopies(batches, List.of()));
        long decodeNanos = 0;
        long preprocessNanos = 0;
        long readNanos = 0;
        long inferNanos = 0;
        int extracted = 0;
        long deadline = t0 + timeLimit.toNanos();
        try {
            for (int ended = 0; ended < workers; ) {
                Object o = handOver.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (o == null) {
                    throw new ShardTimeoutException("the shard took longer than this pool's limit of "
                            + timeLimit.toSeconds() + " s (tp.limits.shard-timeout) after " + extracted + " of "
                            + samples.size() + " samples");
                }
                if (o instanceof StreamEnd end) {
                    ended++;
                    if (end.error() != null) {
                        throw end.error() instanceof Exception e ? e : new IllegalStateException(end.error());
                    }
                    continue;
                }
                Extracted e = (Extracted) o;
                inFlight.release();
                DecodedBatch d = e.decoded();
                decodeNanos += d.nanos();
                preprocessNanos += d.preprocessNanos();
                readNanos += d.readNanos();
                inferNanos += e.inferNanos();
                badByBatch.set(e.index(), d.bad());
                if (e.features() == null) {
                    continue;
                }
                int n = d.good().size();
                int[] ids = new int[n];
                int[] labels = new int[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = d.good().get(i).id();
                    labels[i] = d.good().get(i).label();
                }
                // Batches and the shard mark carry the run's key, so two runs of one job id never mix.
                sink.accept(new FeatureBatch(task.key(), task.split(), task.shard(), e.features().dimension(), ids,
                        labels, e.features().values()));
                extracted += n;
            }
        } finally {
            stop.set(true); // a failed or timed-out shard: the streams stop after their current batch
        }
        List<BadSample> bad = new ArrayList<>();
        badByBatch.forEach(bad::addAll);
        return new ShardDone(task.key(), task.split(), task.shard(), task.shardCount(), extracted, List.copyOf(bad),
                decodeNanos / 1e9, inferNanos / 1e9, (System.nanoTime() - t0) / 1e9, session.provider().name(), null,
                preprocessNanos / 1e9, 0, 0, readNanos / 1e9);
    }

    /** One stream: batch after batch, decode then inference, until none is left or the shard stops. */
    private void stream(CutSession session, ExtractTask task, Preprocessor pre, List<Sample> samples, int[] bounds,
                        AtomicInteger next, AtomicBoolean stop, Semaphore inFlight, BlockingQueue<Object> handOver) {
        Throwable error = null;
        try {
            while (!stop.get()) {
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                int b = next.getAndIncrement();
                if (b >= bounds.length - 1) {
                    inFlight.release();
                    break;
                }
                List<Sample> part = samples.subList(bounds[b], bounds[b + 1]);
                DecodedBatch d = decode(part, pre);
                CutSession.Features features = null;
                long took = 0;
                if (!d.good().isEmpty()) {
                    long ti = System.nanoTime();
                    features = session.run(d.inputs(), d.good().size(), task.preprocess());
                    took = System.nanoTime() - ti;
                    observer.inferred(d.good().size(), took);
                }
                handOver.add(new Extracted(b, d, features, took));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = e;
        } catch (Throwable t) { // an ONNX Runtime failure (or an Error) fails the shard, not the stream's thread
            error = t;
        } finally {
            handOver.add(new StreamEnd(error));
        }
    }

    private DecodedBatch decode(List<Sample> part, Preprocessor pre) {
        DecodedBatch d = DecodedBatch.of(decoder, pre, part);
        observer.decoded(d.good().size(), d.nanos());
        return d;
    }
}
