package io.transferpool.train;

import io.transferpool.job.JobResult.EpochMetrics;

/** Told after every training epoch, for progress events and metrics. */
@FunctionalInterface
public interface EpochListener {
    void epochDone(EpochMetrics metrics, int maxEpochs);
}
