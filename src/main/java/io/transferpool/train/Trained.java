package io.transferpool.train;

import io.transferpool.job.JobResult.EpochMetrics;

import java.util.List;

/** A trained network (restored to its best checkpoint) and how training went. */
public record Trained(Network network, List<EpochMetrics> epochs, int bestEpoch, String stopReason,
                      double seconds, double samplesPerSecond) {
}
