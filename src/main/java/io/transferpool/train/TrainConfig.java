package io.transferpool.train;

import io.smallrye.config.WithDefault;
import io.transferpool.features.HeapBudget;

import java.nio.file.Path;
import java.util.Optional;

/** The trainer's settings ({@code tp.train.*}). */
public interface TrainConfig {
    /**
     * Heap that the feature rows of all jobs of this trainer may take together; a job's split that finds no room
     * moves to disk (0: a quarter of the maximum heap, at most 512 MiB).
     */
    @WithDefault("0")
    long spillThresholdBytes();

    /** Where spilled features go (default: work-dir/spill). */
    Optional<Path> spillDir();

    /**
     * Save a training checkpoint (weights, optimizer, loop state) every this many epochs, so a trainer taking a
     * job over resumes there; 0 with checkpoint-seconds 0 turns checkpoints off.
     */
    @WithDefault("5")
    int checkpointEpochs();

    /** ... or when this many seconds passed since the last checkpoint, whichever comes first. */
    @WithDefault("60")
    double checkpointSeconds();

    /**
     * Candidates of a job's sweep trained at once; 0: a quarter of the cores, at least 1 (each candidate's GEMMs
     * use several cores already).
     */
    @WithDefault("0")
    int sweepParallelism();

    /** The heap budget in effect (see {@link #spillThresholdBytes}). */
    default long heapBudgetBytes() {
        return spillThresholdBytes() > 0 ? spillThresholdBytes() : HeapBudget.defaultLimit();
    }

    /** The sweep parallelism in effect (see {@link #sweepParallelism}). */
    default int sweepThreads() {
        return sweepParallelism() > 0 ? sweepParallelism()
                : Math.max(1, Runtime.getRuntime().availableProcessors() / 4);
    }

    default CheckpointStore.Policy checkpoints() {
        return new CheckpointStore.Policy(checkpointEpochs(), checkpointSeconds());
    }
}
