package io.transferpool.admission;

import io.transferpool.data.Dataset;
import io.transferpool.job.Advice;
import io.transferpool.job.JobSpec;

/**
 * A job that passed every check, as the {@link JobPlanner} settled it: its spec with the input, the cut and (for
 * a fine-tune) whether the base keeps its classifier filled in, the model's root-relative path and digest, and the
 * samples of each split ({@code test} is null when the job has no test data); {@code advice}: what the advisor
 * measured and chose for a job with {@code "strategy": "auto"} (its spec is then the chosen job), else null.
 */
public record AcceptedJob(JobSpec spec, String modelPath, String modelSha256, Dataset train, Dataset test,
                          Advice advice) {
}
