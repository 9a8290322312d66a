package io.transferpool.train;

import io.transferpool.job.JobResult.EpochMetrics;
import io.transferpool.learning.EpochListener;
import io.transferpool.messaging.Cancellations;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    private final List<EpochMetrics> done = new ArrayList<>();
    private long epochStart = System.nanoTime();

    /** @param trainSamples samples trained per epoch: the training split less the validation hold-out */
    TrainingProgress(JobTracker.Job job, Publisher out, TrainingMetrics metrics, Cancellations cancellations,
                     int trainSamples) {
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
        long now = System.nanoTime();
        metrics.epochDone(job.id(), m, trainSamples, Duration.ofNanos(now - epochStart));
        epochStart = now;
        out.status(StatusEvent.epoch(job.jobId(), String.format("epoch %d: loss %.4f, val accuracy %.4f",
                m.epoch(), m.loss(), m.valAccuracy()), m.epoch(), max, m.valAccuracy()));
    }

    @Override
    public void resumed(List<EpochMetrics> earlier) {
        done.addAll(earlier); // a cancelled result lists these too
    }

    @Override
    public void candidate(int index, int total, Map<String, String> values) {
        done.clear(); // a cancelled result lists the epochs of the candidate it stopped
        out.status(StatusEvent.of(job.jobId(), Stage.TRAINING, "sweep candidate " + index + "/" + total + ": " + values));
    }

    @Override
    public boolean cancelled() {
        return job.dropped() || job.timedOut() || cancellations.of(job.id()).isPresent();
    }
}
