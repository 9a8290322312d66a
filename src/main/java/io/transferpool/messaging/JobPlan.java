package io.transferpool.messaging;

import io.transferpool.job.JobSpec;

import java.util.List;

/**
 * The first record of a job on {@code tp.features}: tells the trainer what to expect (the spec, the class names,
 * how many shards and samples of each split) before any feature batch arrives.
 */
public record JobPlan(JobSpec spec, String modelPath, String modelSha256, List<String> classes, int trainShards,
                      int testShards, int trainSamples, int testSamples, long submittedAtMillis,
                      double validationSeconds) {
}
