package io.transferpool.learning;

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

    /** A sweep starts training its candidate {@code index} (from 1) of {@code total}, with these values. */
    default void candidate(int index, int total, java.util.Map<String, String> values) {
    }

    /**
     * This listener told of a later stage of the same training: epochs (and the maximum) shifted by {@code epochs},
     * so they go on from the earlier stage's numbering.
     */
    default EpochListener offsetBy(int epochs) {
        EpochListener self = this;
        return new EpochListener() {
            @Override
            public void epochDone(EpochMetrics m, int maxEpochs) {
                self.epochDone(shifted(m, epochs), maxEpochs + epochs);
            }

            @Override
            public void resumed(java.util.List<EpochMetrics> earlier) {
                self.resumed(earlier.stream().map(m -> shifted(m, epochs)).toList());
            }

            @Override
            public boolean cancelled() {
                return self.cancelled();
            }
        };
    }

    /** Asks this listener whether to go on, and tells it nothing (a stage trained again on resuming). */
    default EpochListener quiet() {
        EpochListener self = this;
        return new EpochListener() {
            @Override
            public void epochDone(EpochMetrics m, int maxEpochs) {
            }

            @Override
            public boolean cancelled() {
                return self.cancelled();
            }
        };
    }

    static EpochMetrics shifted(EpochMetrics m, int epochs) {
        return new EpochMetrics(m.epoch() + epochs, m.loss(), m.accuracy(), m.valLoss(), m.valAccuracy());
    }
}
