package io.transferpool.train;

import io.transferpool.job.JobResult.EpochMetrics;
import io.transferpool.learning.EpochListener;
import io.transferpool.messaging.Cancellations;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.scheduling.Slots;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * What a trainer tells the world while a job trains: a status event and the epoch metrics after each epoch, one
 * when a sweep's candidate starts; and whether to go on (the job was taken away, timed out or cancelled). Keeps
 * the epochs so far for a cancelled job's result. Told from the training thread (or, for a sweep trained several
 * candidates at once, one call at a time).
 */
final class TrainingProgress implements EpochListener {
    private final JobTracker.Job job;
    private final Publisher out;
    private final TrainingMetrics metrics;
    private final Cancellations cancellations;
    private final int trainSamples;
    private final Slots.Ticket slot;
    private final PlaceInLine waiting;

    /** Tells a job's place in line: the jobs ahead, the epochs it trained so far (0: none). */
    @FunctionalInterface
    interface PlaceInLine {
        void accept(int ahead, int epochsTrained);
    }
    private final List<EpochMetrics> done = new ArrayList<>();
    private long epochStart = System.nanoTime();
    // Read by the consumer thread (a paused job's place in line says how far it got) while this one trains.
    private volatile int epochsTrained;

    /**
     * @param trainSamples samples trained per epoch: the training split less the validation hold-out
     * @param slot         the job's turn with a training slot: it yields it at a batch boundary when its time is up
     * @param waiting      told when the job pauses for others: its place in line
     */
    TrainingProgress(JobTracker.Job job, Publisher out, TrainingMetrics metrics, Cancellations cancellations,
                     int trainSamples, Slots.Ticket slot, PlaceInLine waiting) {
        this.slot = slot;
        this.waiting = waiting;
        this.job = job;
        this.out = out;
        this.metrics = metrics;
        this.cancellations = cancellations;
        this.trainSamples = trainSamples;
    }

    /** The epochs trained so far (those before a resume included; of the current candidate in a sweep). */
    List<EpochMetrics> epochs() {
        return List.copyOf(done);
    }

    @Override
    public void epochDone(EpochMetrics m, int max) {
        done.add(m);
        epochsTrained = m.epoch();
        long now = System.nanoTime();
        metrics.epochDone(job.id(), m, trainSamples, Duration.ofNanos(now - epochStart));
        epochStart = now;
        out.status(StatusEvent.epoch(job.jobId(), String.format("epoch %d: loss %.4f, val accuracy %.4f",
                m.epoch(), m.loss(), m.valAccuracy()), m.epoch(), max, m.valAccuracy()));
    }

    @Override
    public void resumed(List<EpochMetrics> earlier) {
        done.addAll(earlier); // a cancelled result lists these too
        epochsTrained = earlier.isEmpty() ? 0 : earlier.get(earlier.size() - 1).epoch();
    }

    @Override
    public void candidate(int index, int total, Map<String, String> values) {
        done.clear(); // a cancelled result lists the epochs of the candidate it stopped
        out.status(StatusEvent.of(job.jobId(), Stage.TRAINING, "sweep candidate " + index + "/" + total + ": " + values));
    }

    /**
     * Asked between two batches: whether to stop, and the point where the job gives its slot to a waiting job once
     * its quantum is used (it blocks here until its turn comes again, its state in memory). Synchronized: the
     * candidates of a sweep train on several threads, and one of them yields for the whole job.
     */
    @Override
    public synchronized boolean cancelled() {
        if (stopped()) {
            return true;
        }
        try {
            if (slot.yieldIfDue(this::stopped, ahead -> waiting.accept(ahead, epochsTrained)) && !stopped()) {
                out.status(StatusEvent.of(job.jobId(), Stage.TRAINING, "training again after epoch " + epochsTrained
                        + ": its turn came"));
            }
        } catch (CancellationException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
        return stopped();
    }

    /** The last epoch trained (0 before the first); safe from any thread. */
    int epochsTrained() {
        return epochsTrained;
    }

    /** True once the job was dropped, timed out or cancelled. */
    boolean stopped() {
        return job.dropped() || job.timedOut() || cancellations.of(job.id()).isPresent();
    }
}
