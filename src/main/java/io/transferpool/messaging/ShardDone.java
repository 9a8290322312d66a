package io.transferpool.messaging;

import io.transferpool.job.JobResult.BadSample;

import java.util.List;

/**
 * Marks the end of a shard's feature batches. {@code error} is set when the extractor could not process the shard
 * at all (the trainer then fails the job); {@code badSamples} lists samples that were skipped and why.
 */
public record ShardDone(String jobId, FeatureBatch.Split split, int shard, int shardCount, int extracted,
                        List<BadSample> badSamples, double decodeSeconds, double inferenceSeconds,
                        double wallSeconds, String provider, String error) {
}
