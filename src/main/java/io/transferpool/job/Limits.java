package io.transferpool.job;

import java.time.Duration;

/**
 * Bounds on everything a job can make large, checked when it is accepted (a job over one is REJECTED naming the
 * field). Configured per pool ({@code tp.limits.*}); the defaults fit the machines this runs on.
 *
 * @param maxEpochs         training.epochs
 * @param maxEpochSamples   training.epochs times the training samples: the work a job may ask for
 * @param maxClasses        classes of a job
 * @param maxSamples        samples (images) of one split
 * @param maxHeadLayers     head.hidden layers
 * @param maxHeadParameters weights of the new head
 * @param maxInputValues    preprocess width x height x channels: one image's input
 * @param maxBatchBytes     memory of one batch: an extraction batch of inputs, a training batch of features
 * @param validation        time to check a job before it is accepted (REJECTED on {@code $} past it)
 * @param shardExtraction   time an extractor spends on one shard (the job FAILS past it)
 * @param shardArrival      time a trainer waits for a job's next shard to arrive (the job FAILS past it, naming
 *                          the shards still missing, and its offsets are freed); set it above the longest time
 *                          shards can wait in tp.extract behind other jobs
 * @param training          time one job trains (the job FAILS past it)
 */
public record Limits(int maxEpochs, long maxEpochSamples, int maxClasses, int maxSamples, int maxHeadLayers,
                     long maxHeadParameters, long maxInputValues, long maxBatchBytes, Duration validation,
                     Duration shardExtraction, Duration shardArrival, Duration training) {
    public static final Duration DEFAULT_VALIDATION = Duration.ofMinutes(2);
    public static final Duration DEFAULT_SHARD_EXTRACTION = Duration.ofMinutes(30);
    public static final Duration DEFAULT_SHARD_ARRIVAL = Duration.ofHours(1);
    public static final Duration DEFAULT_TRAINING = Duration.ofHours(24);

    public static final Limits DEFAULT = new Limits(10_000, 1_000_000_000L, 1_000, 10_000_000, 16, 200_000_000L,
            16L << 20, 1L << 30);

    /** Size limits with the default time limits. */
    public Limits(int maxEpochs, long maxEpochSamples, int maxClasses, int maxSamples, int maxHeadLayers,
                  long maxHeadParameters, long maxInputValues, long maxBatchBytes) {
        this(maxEpochs, maxEpochSamples, maxClasses, maxSamples, maxHeadLayers, maxHeadParameters, maxInputValues,
                maxBatchBytes, DEFAULT_VALIDATION, DEFAULT_SHARD_EXTRACTION, DEFAULT_SHARD_ARRIVAL, DEFAULT_TRAINING);
    }

    /** The same limits with other time limits. */
    public Limits withTimes(Duration validation, Duration shardExtraction, Duration shardArrival, Duration training) {
        return new Limits(maxEpochs, maxEpochSamples, maxClasses, maxSamples, maxHeadLayers, maxHeadParameters,
                maxInputValues, maxBatchBytes, validation, shardExtraction, shardArrival, training);
    }
}
