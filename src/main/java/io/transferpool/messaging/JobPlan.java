package io.transferpool.messaging;

import io.transferpool.job.Advice;
import io.transferpool.job.JobSpec;

import java.util.List;

/**
 * The first record of a job on {@code tp.features}: tells the trainer what to expect (the spec, the class names,
 * how many shards and samples of each split) before any feature batch arrives.
 *
 * @param submission which submission of the job this is (the job record's place on tp.jobs, e.g.
 *                   {@code tp.jobs-0@17}): a job id submitted again is another submission, with its own checkpoints
 *                   and result
 * @param run        which run of the job id this is (1 unless resubmitted with {@code "rerun": true}); the plan's
 *                   records are keyed by {@link Topics#runKey}
 * @param featureKey what the job's features depend on ({@link io.transferpool.features.FeatureKey}); null when
 *                   features are not kept
 * @param featuresReused the features kept under {@code featureKey} are this job's: no shards, the trainer loads
 *                   them
 * @param advice     what the advisor chose for a job with {@code "strategy": "auto"} ({@code spec} is the chosen
 *                   job), else null; the result carries it
 */
public record JobPlan(JobSpec spec, String modelPath, String modelSha256, List<String> classes, int trainShards,
                      int testShards, int trainSamples, int testSamples, long submittedAtMillis,
                      double validationSeconds, String submission, int run, String featureKey,
                      boolean featuresReused, Advice advice) {

    public JobPlan {
        run = Math.max(1, run);
    }

    public JobPlan(JobSpec spec, String modelPath, String modelSha256, List<String> classes, int trainShards,
                   int testShards, int trainSamples, int testSamples, long submittedAtMillis,
                   double validationSeconds, String submission, int run, String featureKey,
                   boolean featuresReused) {
        this(spec, modelPath, modelSha256, classes, trainShards, testShards, trainSamples, testSamples,
                submittedAtMillis, validationSeconds, submission, run, featureKey, featuresReused, null);
    }

    public JobPlan(JobSpec spec, String modelPath, String modelSha256, List<String> classes, int trainShards,
                   int testShards, int trainSamples, int testSamples, long submittedAtMillis,
                   double validationSeconds, String submission, int run) {
        this(spec, modelPath, modelSha256, classes, trainShards, testShards, trainSamples, testSamples,
                submittedAtMillis, validationSeconds, submission, run, null, false);
    }

    public JobPlan(JobSpec spec, String modelPath, String modelSha256, List<String> classes, int trainShards,
                   int testShards, int trainSamples, int testSamples, long submittedAtMillis,
                   double validationSeconds, String submission) {
        this(spec, modelPath, modelSha256, classes, trainShards, testShards, trainSamples, testSamples,
                submittedAtMillis, validationSeconds, submission, 1);
    }

    /** The key of this run's records on tp.extract and tp.features. */
    public String key() {
        return Topics.runKey(spec.jobId(), run);
    }

    public JobPlan(JobSpec spec, String modelPath, String modelSha256, List<String> classes, int trainShards,
                   int testShards, int trainSamples, int testSamples, long submittedAtMillis,
                   double validationSeconds) {
        this(spec, modelPath, modelSha256, classes, trainShards, testShards, trainSamples, testSamples,
                submittedAtMillis, validationSeconds, null);
    }
}
