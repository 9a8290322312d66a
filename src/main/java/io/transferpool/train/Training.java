package io.transferpool.train;

import io.transferpool.job.JobResult;
import io.transferpool.scheduling.Slots;

import java.util.concurrent.Future;

/**
 * A training under way (or waiting for its turn, or done with its result not yet published): its turn with a
 * slot, its progress, when its job was submitted, the place in line last reported, when to retry the result.
 */
final class Training {
    final Slots.Ticket slot;
    final TrainingProgress progress;
    final long submittedAtMillis;
    Future<JobResult> result;
    boolean handedOff;
    volatile int aheadReported = -1; // set by the consumer thread, read by the training thread
    long retryAt;

    Training(Slots.Ticket slot, TrainingProgress progress, long submittedAtMillis) {
        this.slot = slot;
        this.progress = progress;
        this.submittedAtMillis = submittedAtMillis;
    }
}
