package io.transferpool.train;

import io.transferpool.features.FeatureStore;
import io.transferpool.features.HeapBudget;
import io.transferpool.job.JobResult.BadSample;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.JobPlan;
import io.transferpool.messaging.ShardDone;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything a trainer has received for one job: the plan, the features of each split and which shards are done.
 * Complete once every planned shard has reported; shard-done marks and batches may be redelivered and count once.
 * Confined to the trainer's consumer thread until complete, then handed whole to the training thread.
 */
public final class JobAccumulator implements AutoCloseable {
    private final JobPlan plan;
    private final FeatureStore train;
    private final FeatureStore test;
    private final Set<String> shardsDone = new HashSet<>();
    private final List<BadSample> badSamples = new ArrayList<>();
    private final List<String> extractErrors = new ArrayList<>();
    private final long startedNanos = System.nanoTime();
    private long lastArrivalNanos = startedNanos;
    private long completedNanos;
    private double decodeSeconds;
    private double preprocessSeconds;
    private double inferenceSeconds;
    private double encodeSeconds;
    private double publishSeconds;
    private long ingestNanos;
    private long consumeNanos;
    private double readSeconds;
    private int reusedRows;

    /** With a heap budget of its own for both splits. */
    public JobAccumulator(JobPlan plan, long heapLimitBytes, Path spillDir) {
        this(plan, new HeapBudget(heapLimitBytes), spillDir);
    }

    /** @param budget the heap the rows of every job of this trainer may take together */
    public JobAccumulator(JobPlan plan, HeapBudget budget, Path spillDir) {
        this.plan = plan;
        this.train = new FeatureStore(budget, spillDir);
        this.test = new FeatureStore(budget, spillDir);
    }

    public JobPlan plan() {
        return plan;
    }

    /** Adds a batch's rows; throws IllegalArgumentException for a batch that does not belong to this plan. */
    public void accept(FeatureBatch b) {
        checkShard(b.split(), b.shard());
        int classes = plan.classes().size();
        for (int label : b.labels()) {
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("feature batch of " + b.split() + " shard " + b.shard()
                        + " has label " + label + ", the job has " + classes + " classes");
            }
        }
        lastArrivalNanos = System.nanoTime();
        store(b.split()).add(b.sampleIds(), b.labels(), b.features(), b.dimension());
    }

    /**
     * Returns false if this shard had already reported (a redelivery); throws IllegalArgumentException for a
     * shard the plan does not have (a mark for shard 99 of 3 must not complete the job).
     */
    public boolean accept(ShardDone d) {
        checkShard(d.split(), d.shard());
        lastArrivalNanos = System.nanoTime();
        if (!shardsDone.add(d.split() + "/" + d.shard())) {
            return false;
        }
        badSamples.addAll(d.badSamples());
        decodeSeconds += d.decodeSeconds();
        preprocessSeconds += d.preprocessSeconds();
        readSeconds += d.readSeconds();
        inferenceSeconds += d.inferenceSeconds();
        encodeSeconds += d.encodeSeconds();
        publishSeconds += d.publishSeconds();
        if (d.error() != null) {
            extractErrors.add(d.split().name().toLowerCase() + " shard " + d.shard() + ": " + d.error());
        }
        return true;
    }

    private void checkShard(FeatureBatch.Split split, int shard) {
        int planned = split == FeatureBatch.Split.TRAIN ? plan.train().shards() : plan.test().shards();
        if (split == null || shard < 0 || shard >= planned) {
            throw new IllegalArgumentException("shard " + shard + " of split " + split + " is not in the job's plan ("
                    + plan.train().shards() + " train and " + plan.test().shards() + " test shards)");
        }
    }

    /** Nanoseconds since the plan or the last batch or shard mark arrived. */
    public long idleNanos() {
        return System.nanoTime() - lastArrivalNanos;
    }

    /** The shards that have not reported yet, e.g. {@code ["train 2", "test 0"]}. */
    public List<String> missingShards() {
        List<String> out = new ArrayList<>();
        for (FeatureBatch.Split split : FeatureBatch.Split.values()) {
            int planned = split == FeatureBatch.Split.TRAIN ? plan.train().shards() : plan.test().shards();
            for (int i = 0; i < planned; i++) {
                if (!shardsDone.contains(split + "/" + i)) {
                    out.add(split.name().toLowerCase() + " " + i);
                }
            }
        }
        return out;
    }

    public int shardsDone() {
        return shardsDone.size();
    }

    public int shardsTotal() {
        return plan.train().shards() + plan.test().shards();
    }

    public boolean complete() {
        boolean complete = shardsDone.size() >= shardsTotal();
        if (complete && completedNanos == 0) {
            completedNanos = System.nanoTime();
        }
        return complete;
    }

    public FeatureStore store(FeatureBatch.Split split) {
        return split == FeatureBatch.Split.TRAIN ? train : test;
    }

    /**
     * The stores were filled from features an earlier job's extraction kept (see
     * {@link io.transferpool.features.FeatureCache}), with these bad samples, instead of from shards.
     */
    public void reused(List<BadSample> bad) {
        badSamples.addAll(bad);
        reusedRows = train.size() + test.size();
    }

    /** The stores were filled from the rows another trainer gathered and handed over, with these bad samples. */
    public void handedOver(List<BadSample> bad) {
        badSamples.addAll(bad);
    }

    /** Rows that came from kept features (0: all were extracted for this job). */
    public int reusedRows() {
        return reusedRows;
    }

    public List<BadSample> badSamples() {
        return badSamples;
    }

    public List<String> extractErrors() {
        return extractErrors;
    }

    /** From the plan's arrival to the last shard-done mark (or until now while still gathering). */
    public double extractionSeconds() {
        return ((completedNanos == 0 ? System.nanoTime() : completedNanos) - startedNanos) / 1e9;
    }

    public double decodeSeconds() {
        return decodeSeconds;
    }

    public double inferenceSeconds() {
        return inferenceSeconds;
    }

    /** Extractors' seconds reading image files (part of {@link #decodeSeconds}). */
    public double readSeconds() {
        return readSeconds;
    }

    /** Extractors' seconds preprocessing decoded images (part of {@link #decodeSeconds}). */
    public double preprocessSeconds() {
        return preprocessSeconds;
    }

    public double encodeSeconds() {
        return encodeSeconds;
    }

    public double publishSeconds() {
        return publishSeconds;
    }

    /** Counts the trainer's time reading one of this job's feature records and storing its rows. */
    public void ingested(long nanos) {
        ingestNanos += nanos;
    }

    public double ingestSeconds() {
        return ingestNanos / 1e9;
    }

    /** Counts the part of {@link #ingested} that went to decoding a feature record into rows. */
    public void consumed(long nanos) {
        consumeNanos += nanos;
    }

    /** The trainer's seconds decoding this job's feature records (part of {@link #ingestSeconds}). */
    public double consumeSeconds() {
        return consumeNanos / 1e9;
    }

    @Override
    public void close() {
        train.close();
        test.close();
    }
}
