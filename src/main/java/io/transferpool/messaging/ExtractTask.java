package io.transferpool.messaging;

import io.transferpool.data.Sample;
import io.transferpool.job.JobSpec;

import java.util.List;
import java.util.Map;

/**
 * One shard of one split for an extractor: which samples to decode, how to preprocess them and which model to cut
 * where. {@code modelPath} and the sample refs are relative to the data root every worker shares; {@code run} is
 * the run of the job id (see {@link JobPlan#run}); {@code externalSha256} the digests of the model's external-data
 * files as accepted (null when it has none), checked when the model is loaded.
 */
public record ExtractTask(String jobId, FeatureBatch.Split split, int shard, int shardCount, String modelPath,
                          String modelSha256, String input, String cut, JobSpec.Preprocess preprocess,
                          List<Sample> samples, int run, Map<String, String> externalSha256) {

    public ExtractTask {
        run = Math.max(1, run);
    }

    /** The key of this run's records (see {@link Topics#runKey}). */
    public String key() {
        return Topics.runKey(jobId, run);
    }
}
