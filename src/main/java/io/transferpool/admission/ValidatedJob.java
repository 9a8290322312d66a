package io.transferpool.admission;

import io.transferpool.data.Dataset;
import io.transferpool.job.JobSpec;

/**
 * A job that passed every check: its spec with the input name settled, the model's root-relative path and
 * digest, and the samples of each split ({@code test} is null when the job has no test data); {@code advice}: what
 * the advisor measured and chose for a job with {@code "strategy": "auto"} (its spec is then the chosen job), else
 * null.
 */
public record ValidatedJob(JobSpec spec, String modelPath, String modelSha256, Dataset train, Dataset test,
                           io.transferpool.job.Advice advice) {
    public ValidatedJob(JobSpec spec, String modelPath, String modelSha256, Dataset train, Dataset test) {
        this(spec, modelPath, modelSha256, train, test, null);
    }
}
