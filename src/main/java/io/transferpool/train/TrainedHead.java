package io.transferpool.train;

import io.transferpool.job.JobResult.EpochMetrics;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;

/** A trained head (restored to its best checkpoint) and how training went. */
public record TrainedHead(MultiLayerNetwork network, List<EpochMetrics> epochs, int bestEpoch, String stopReason,
                          double seconds, double samplesPerSecond) {
}
