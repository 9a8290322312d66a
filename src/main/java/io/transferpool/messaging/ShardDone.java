package io.transferpool.messaging;

import io.transferpool.job.JobResult.BadSample;

import java.util.List;

/**
 * Marks the end of a shard's feature batches. {@code error} is set when the extractor could not process the shard
 * at all (the trainer then fails the job); {@code badSamples} lists samples that were skipped and why. The
 * seconds are the extractor's own timers, summed over its threads: {@code decodeSeconds} reading, decoding and
 * preprocessing the images ({@code readSeconds} of it reading files, {@code preprocessSeconds} preprocessing),
 * {@code inferenceSeconds} ONNX Runtime, {@code encodeSeconds} encoding feature batches into records,
 * {@code publishSeconds} handing them to the producer (0 in marks of extractors that did not report them).
 */
public record ShardDone(String jobId, FeatureBatch.Split split, int shard, int shardCount, int extracted,
                        List<BadSample> badSamples, double decodeSeconds, double inferenceSeconds,
                        double wallSeconds, String provider, String error, double preprocessSeconds,
                        double encodeSeconds, double publishSeconds, double readSeconds) {

    /** Without the preprocessing and publishing timers (a failed shard; tests). */
    public ShardDone(String jobId, FeatureBatch.Split split, int shard, int shardCount, int extracted,
                     List<BadSample> badSamples, double decodeSeconds, double inferenceSeconds,
                     double wallSeconds, String provider, String error) {
        this(jobId, split, shard, shardCount, extracted, badSamples, decodeSeconds, inferenceSeconds, wallSeconds,
                provider, error, 0, 0, 0, 0);
    }

    /** This mark with the time its extractor spent encoding and publishing the shard's batches. */
    public ShardDone withPublishing(double encode, double publish) {
        return new ShardDone(jobId, split, shard, shardCount, extracted, badSamples, decodeSeconds, inferenceSeconds,
                wallSeconds, provider, error, preprocessSeconds, encode, publish, readSeconds);
    }
}
