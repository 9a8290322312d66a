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

    /**
     * Jobs this trainer trains at once, each on a slot of its own; more jobs take turns (0: a slot per two cores and
     * per 512 MiB of maximum heap, whichever gives fewer, at least 1).
     */
    @WithDefault("0")
    int slots();

    /**
     * How long a job trains before it lets a waiting job have its slot (at the next batch boundary), then waits for
     * its next turn, paused where it stopped. Nobody waiting, it keeps its slot.
     */
    @WithDefault("PT1S")
    java.time.Duration quantum();

    /**
     * Hand a gathered job that waits for a slot here to an idle trainer (its features through the artifacts volume,
     * which every trainer must reach), instead of letting it wait while another trainer idles.
     */
    @WithDefault("true")
    boolean handoff();

    /** The slots in effect (see {@link #slots}). */
    default int slotCount() {
        if (slots() > 0) {
            return slots();
        }
        long byHeap = Runtime.getRuntime().maxMemory() / (512L << 20);
        return (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors() / 2, byHeap));
    }

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
