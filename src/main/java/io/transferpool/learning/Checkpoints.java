package io.transferpool.learning;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.util.Optional;

/** Where the epoch loop saves its progress and, after a crash, picks it up again. */
public interface Checkpoints {
    /** No checkpoints: every start is epoch 1. */
    Checkpoints NONE = new Checkpoints() {
        @Override
        public Optional<Saved> restore(Network net) {
            return Optional.empty();
        }

        @Override
        public boolean due(int epoch) {
            return false;
        }

        @Override
        public void save(LoopState state, INDArray bestParams, Network net) {
        }

        @Override
        public Checkpoints child(String name) {
            return this;
        }
    };

    /** A saved state and the best checkpoint's weights at that point. */
    record Saved(LoopState state, INDArray bestParams) {
    }

    /** Restores the network's weights and optimizer state, and returns the loop's state; empty to start afresh. */
    Optional<Saved> restore(Network net) throws IOException;

    /** Whether {@link #restore} would go on from a saved state. */
    default boolean hasSaved() {
        return false;
    }

    /** Whether to save after this epoch. */
    boolean due(int epoch);

    void save(LoopState state, INDArray bestParams, Network net) throws IOException;

    /** The checkpoints of one part of the job (a sweep's candidate), kept apart from the others'. */
    Checkpoints child(String name);
}
