package io.transferpool.train;

import io.transferpool.job.JobResult.EpochMetrics;

/** Told after every training epoch, for progress events and metrics; asked whether to go on. */
@FunctionalInterface
public interface EpochListener {
    void epochDone(EpochMetrics metrics, int maxEpochs);

    /**
     * Training resumed from a checkpoint: these epochs were trained before (by this or an earlier trainer) and are
     * not reported again through {@link #epochDone}.
     */
    default void resumed(java.util.List<EpochMetrics> earlier) {
    }

    /**
     * True once the job was taken away from this trainer (its partition moved, it was cancelled) or ran past its
     * time limit: training stops before the next batch and before saving a checkpoint, so it never overwrites the
     * new owner's progress.
     */
    default boolean cancelled() {
        return false;
    }
}
