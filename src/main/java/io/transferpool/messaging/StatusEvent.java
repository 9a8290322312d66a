package io.transferpool.messaging;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Progress of a job on {@code tp.status}, keyed by job id: its {@link Stage} and a line for people, and the counts
 * that apply to the stage (shards while extracting, the epoch while training), left out of the JSON when they do
 * not apply; while waiting, the jobs ahead and the expected wait. Made through the factories below, one per kind of event; the canonical constructor is what JSON reads.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusEvent(String jobId, Stage stage, String message, Integer shardsDone, Integer shardsTotal,
                          Double imagesPerSecond, Integer epoch, Integer epochs, Double valAccuracy,
                          long timestampMillis, Integer ahead, Double expectedWaitSeconds) {

    /** An event that says nothing of a queue (every stage but waiting). */
    public StatusEvent(String jobId, Stage stage, String message, Integer shardsDone, Integer shardsTotal,
                       Double imagesPerSecond, Integer epoch, Integer epochs, Double valAccuracy, long timestampMillis) {
        this(jobId, stage, message, shardsDone, shardsTotal, imagesPerSecond, epoch, epochs, valAccuracy,
                timestampMillis, null, null);
    }

    /** An event with no counts (cancelling, failed, rejected, done, cancelled, a sweep candidate starting). */
    public static StatusEvent of(String jobId, Stage stage, String message) {
        return new StatusEvent(jobId, stage, message, null, null, null, null, null, null, System.currentTimeMillis());
    }

    /** Accepted: its work is published, {@code shards} shards to extract (0 when its features are reused). */
    public static StatusEvent queued(String jobId, String message, int shards) {
        return new StatusEvent(jobId, Stage.QUEUED, message, 0, shards, null, null, null, null,
                System.currentTimeMillis());
    }

    /** Another shard is in: {@code done} of {@code total}, at {@code imagesPerSecond} so far. */
    public static StatusEvent extracting(String jobId, int done, int total, double imagesPerSecond) {
        return new StatusEvent(jobId, Stage.EXTRACTING, "shard " + done + "/" + total, done, total, imagesPerSecond,
                null, null, null, System.currentTimeMillis());
    }

    /** The same event as of another time (an event read back, a test's clock). */
    public StatusEvent at(long millis) {
        return new StatusEvent(jobId, stage, message, shardsDone, shardsTotal, imagesPerSecond, epoch, epochs,
                valAccuracy, millis, ahead, expectedWaitSeconds);
    }

    /** An epoch is trained: {@code epoch} of at most {@code epochs}, with its validation accuracy. */
    public static StatusEvent epoch(String jobId, String message, int epoch, int epochs, double valAccuracy) {
        return new StatusEvent(jobId, Stage.TRAINING, message, null, null, null, epoch, epochs, valAccuracy,
                System.currentTimeMillis());
    }

    /**
     * Waiting for its turn at {@code stage} ("training": a training slot; "extraction": an extractor): {@code ahead}
     * jobs will be served first, in about {@code expectedWaitSeconds}; {@code epoch} the epochs trained so far
     * (a job paused after its turn), null before any.
     */
    public static StatusEvent waiting(String jobId, String stage, int ahead, double expectedWaitSeconds, Integer epoch) {
        String message = "waiting for " + stage + ": " + (ahead == 0 ? "next in line"
                : ahead + " job" + (ahead == 1 ? "" : "s") + " ahead") + String.format(java.util.Locale.ROOT,
                ", about %.0f s", expectedWaitSeconds) + (epoch == null ? "" : " (paused after epoch " + epoch + ")");
        return new StatusEvent(jobId, Stage.WAITING, message, null, null, null, epoch, null, null,
                System.currentTimeMillis(), ahead, expectedWaitSeconds);
    }
}
