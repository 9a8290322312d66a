package io.transferpool.messaging;

import io.transferpool.data.Sample;
import io.transferpool.job.JobSpec;

import java.util.List;
import java.util.Map;

/**
 * One shard of one split for an extractor: which samples to decode, how to preprocess them and which model to cut
 * where. {@code modelPath} and the sample refs are relative to the data root every worker shares; {@code run} is
 * the run of the job id (see {@link JobPlan#run}); {@code externalSha256} the digests of the model's external-data
 * files as accepted (null when it has none), checked when the model is loaded; {@code owner} whom the job is for
 * (extractors share their time among owners first).
 */
public record ExtractTask(String jobId, FeatureBatch.Split split, int shard, int shardCount, String modelPath,
                          String modelSha256, String input, String cut, JobSpec.Preprocess preprocess,
                          List<Sample> samples, int run, Map<String, String> externalSha256, String owner) {

    public ExtractTask {
        run = Math.max(1, run);
        owner = owner == null ? JobSpec.DEFAULT_OWNER : owner;
    }

    /** A task of the default owner. */
    public ExtractTask(String jobId, FeatureBatch.Split split, int shard, int shardCount, String modelPath,
                       String modelSha256, String input, String cut, JobSpec.Preprocess preprocess,
                       List<Sample> samples, int run, Map<String, String> externalSha256) {
        this(jobId, split, shard, shardCount, modelPath, modelSha256, input, cut, preprocess, samples, run,
                externalSha256, null);
    }

    /** The key of this run's records (see {@link Topics#runKey}). */
    public String key() {
        return Topics.runKey(jobId, run);
    }
}
