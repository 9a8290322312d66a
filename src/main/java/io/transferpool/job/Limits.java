package io.transferpool.job;

import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * Bounds on everything a job can make large, checked when it is accepted (a job over one is REJECTED naming the
 * field), and on how long each stage of a job may take. Configured per pool under {@code tp.limits.*} (README
 * "Configuration"); the defaults fit the machines this runs on.
 */
public interface Limits {
    /** Most epochs a job may ask for (training.epochs). */
    @WithDefault("10000")
    int maxEpochs();

    /** Most sample passes (epochs x training samples) of one job: the work it may ask for. */
    @WithDefault("1000000000")
    long maxEpochSamples();

    /** Most classes of one job. */
    @WithDefault("1000")
    int maxClasses();

    /** Most samples (images) in one split. */
    @WithDefault("10000000")
    int maxSamples();

    /** Most hidden layers of a new head (head.hidden). */
    @WithDefault("16")
    int maxHeadLayers();

    /** Most weights of a new head. */
    @WithDefault("200000000")
    long maxHeadParameters();

    /** Most input values (preprocess width x height x channels) per image. */
    @WithDefault("16777216")
    long maxInputValues();

    /** Most bytes of one extraction batch of inputs or one training batch of features. */
    @WithDefault("1073741824")
    long maxBatchBytes();

    /** Longest time to check one job before accepting it; past it the job is REJECTED on "$". */
    @WithDefault("PT2M")
    Duration validationTimeout();

    /** Longest time an extractor spends on one shard; past it the job FAILS. */
    @WithDefault("PT30M")
    Duration shardTimeout();

    /**
     * Longest time a trainer waits for a job's next shard; past it the job FAILS naming the missing shards, and its
     * offsets are freed. Keep it above the longest time shards may queue in tp.extract behind other jobs.
     */
    @WithDefault("PT1H")
    Duration shardArrivalTimeout();

    /** Longest time one job trains (the time it holds a training slot, not its waits); past it the job FAILS. */
    @WithDefault("PT24H")
    Duration trainingTimeout();
}
