package io.transferpool.extract;

import io.transferpool.data.BadSampleException;
import io.transferpool.data.ImageDecoder;
import io.transferpool.data.PathResolver;
import io.transferpool.data.Preprocessor;
import io.transferpool.data.Sample;
import io.transferpool.job.JobResult.BadSample;
import io.transferpool.job.Limits;
import io.transferpool.messaging.ExtractTask;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.ShardDone;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Extracts one shard: decodes and preprocesses its images in parallel (a batch ahead of inference), runs the cut
 * model batch by batch and hands each feature batch to a sink. Bad images are skipped and listed in the
 * {@link ShardDone}, never failing the shard. Plain Java: the Kafka side is {@link ExtractorRole}'s.
 */
public final class ShardExtractor {
    /** Receives each feature batch as it is made. */
    public interface Sink {
        void accept(FeatureBatch batch) throws Exception;
    }

    /** Told about each decoded and each inferred batch (metrics). Called from decode and consumer threads. */
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
    private final Path dataRoot;
    private final ExecutorService decodePool;
    private final int batchSize;
    private final int lookahead;
    private final Duration timeLimit;

    /** A shard taking longer than its limit (checked between batches). */
    public static final class ShardTimeoutException extends Exception {
        ShardTimeoutException(String message) {
            super(message);
        }
    }

    public ShardExtractor(SessionCache sessions, Path dataRoot, ExecutorService decodePool, int batchSize,
                          int lookahead) {
        this(sessions, dataRoot, decodePool, batchSize, lookahead, Observer.NONE, Limits.DEFAULT_SHARD_EXTRACTION);
    }

    /** @param timeLimit how long one shard may take; past it the shard fails (and so its job) */
    public ShardExtractor(SessionCache sessions, Path dataRoot, ExecutorService decodePool, int batchSize,
                          int lookahead, Observer observer, Duration timeLimit) {
        this.timeLimit = timeLimit;
        this.observer = observer;
        this.lookahead = Math.max(1, lookahead);
        this.sessions = sessions;
        this.decoder = new ImageDecoder(dataRoot);
        this.dataRoot = dataRoot;
        this.decodePool = decodePool;
        this.batchSize = batchSize;
    }

    /** One decoded batch: the preprocessed inputs of the good samples and the bad ones with reasons. */
    private record Decoded(float[] inputs, List<Sample> good, List<BadSample> bad, long nanos, long preprocessNanos) {
    }

    public ShardDone extract(ExtractTask task, Sink sink) throws Exception {
        long t0 = System.nanoTime();
        CutSession session = sessions.get(new PathResolver(dataRoot).inside(task.modelPath()),
                new SessionCache.Key(task.modelSha256(), task.input(), task.cut(), task.externalSha256()));
        Preprocessor pre = new Preprocessor(task.preprocess());
        List<Sample> samples = task.samples();
        // Decode runs at most `lookahead` batches ahead of inference, so a shard of large images stays bounded.
        ArrayDeque<CompletableFuture<Decoded>> ahead = new ArrayDeque<>();
        int next = 0;
        List<BadSample> bad = new ArrayList<>();
        long decodeNanos = 0;
        long preprocessNanos = 0;
        long inferNanos = 0;
        int extracted = 0;
        long deadline = t0 + timeLimit.toNanos();
        while (next < samples.size() || !ahead.isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                ahead.forEach(f -> f.cancel(false));
                throw new ShardTimeoutException("the shard took longer than this pool's limit of "
                        + timeLimit.toSeconds() + " s (tp.limits.shard-timeout) after " + extracted + " of "
                        + samples.size() + " samples");
            }
            while (next < samples.size() && ahead.size() < lookahead) {
                List<Sample> part = samples.subList(next, Math.min(samples.size(), next + batchSize));
                ahead.add(CompletableFuture.supplyAsync(() -> decode(part, pre), decodePool));
                next += part.size();
            }
            Decoded d = ahead.poll().join();
            decodeNanos += d.nanos();
            preprocessNanos += d.preprocessNanos();
            bad.addAll(d.bad());
            if (d.good().isEmpty()) {
                continue;
            }
            long ti = System.nanoTime();
            CutSession.Features features = session.run(d.inputs(), d.good().size(), task.preprocess());
            long took = System.nanoTime() - ti;
            inferNanos += took;
            observer.inferred(d.good().size(), took);
            int n = d.good().size();
            int[] ids = new int[n];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = d.good().get(i).id();
                labels[i] = d.good().get(i).label();
            }
            // Batches and the shard mark carry the run's key, so two runs of one job id never mix.
            sink.accept(new FeatureBatch(task.key(), task.split(), task.shard(), features.dimension(), ids, labels,
                    features.values()));
            extracted += n;
        }
        return new ShardDone(task.key(), task.split(), task.shard(), task.shardCount(), extracted, List.copyOf(bad),
                decodeNanos / 1e9, inferNanos / 1e9, (System.nanoTime() - t0) / 1e9, session.provider().name(), null,
                preprocessNanos / 1e9, 0, 0);
    }

    private Decoded decode(List<Sample> part, Preprocessor pre) {
        long t0 = System.nanoTime();
        float[] inputs = new float[part.size() * pre.inputSize()];
        List<Sample> good = new ArrayList<>(part.size());
        List<BadSample> bad = new ArrayList<>();
        long preprocessNanos = 0;
        for (Sample s : part) {
            try {
                var image = decoder.decode(s.ref());
                long tp = System.nanoTime();
                pre.apply(image, inputs, good.size() * pre.inputSize());
                preprocessNanos += System.nanoTime() - tp;
                good.add(s);
            } catch (BadSampleException e) {
                bad.add(new BadSample(s.ref(), e.getMessage()));
            } catch (RuntimeException e) {
                // A decoder bug on one odd file must not lose the rest of the batch.
                bad.add(new BadSample(s.ref(), "cannot decode: " + e));
            }
        }
        long took = System.nanoTime() - t0;
        observer.decoded(good.size(), took);
        return new Decoded(inputs, good, bad, took, preprocessNanos);
    }
}
