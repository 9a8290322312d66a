package io.transferpool.messaging;

import io.transferpool.data.Sample;
import io.transferpool.job.JobSpec;

import java.util.List;

/**
 * One shard of one split for an extractor: which samples to decode, how to preprocess them and which model to cut
 * where. {@code modelPath} and the sample refs are relative to the data root every worker shares.
 */
public record ExtractTask(String jobId, FeatureBatch.Split split, int shard, int shardCount, String modelPath,
                          String modelSha256, String input, String cut, JobSpec.Preprocess preprocess,
                          List<Sample> samples) {
}
