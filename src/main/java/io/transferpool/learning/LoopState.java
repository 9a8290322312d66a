package io.transferpool.learning;

import io.transferpool.job.JobResult.EpochMetrics;

import java.util.List;

/**
 * Where the epoch loop stands after an epoch: with the network's weights, optimizer state and iteration count
 * (kept beside it), enough to go on exactly as if training had never stopped.
 *
 * @param order         the training rows' order after this epoch's shuffle (the next shuffles it further)
 * @param shuffleRandom the shuffling generator, serialised
 * @param epochsWithoutImprovement early stopping's count since the monitored value last improved
 */
public record LoopState(int epoch, int[] order, byte[] shuffleRandom, List<EpochMetrics> epochs,
                        double bestCheckpoint, int bestEpoch, double bestStop, int epochsWithoutImprovement, long seen, double seconds,
                        int iterations) {
}
