package io.transferpool.coordinator;

import io.transferpool.data.Dataset;
import io.transferpool.job.JobSpec;

/**
 * A job that passed every check: its spec with the input name settled, the model's root-relative path and
 * digest, and the samples of each split ({@code test} is null when the job has no test data).
 */
public record ValidatedJob(JobSpec spec, String modelPath, String modelSha256, Dataset train, Dataset test) {
}
