package io.transferpool.learning;

import io.transferpool.job.JobResult.EpochMetrics;

import java.util.List;

/**
 * A trained network (restored to its best checkpoint) and how training went; {@code resumedFromEpoch} is the epoch
 * of the checkpoint training went on from (0: it started afresh).
 */
public record Trained(Network network, List<EpochMetrics> epochs, int bestEpoch, String stopReason,
                      double seconds, double samplesPerSecond, int resumedFromEpoch) {

    /** The trained network's weights. */
    public org.nd4j.linalg.api.ndarray.INDArray params() {
        return network.params();
    }
}
