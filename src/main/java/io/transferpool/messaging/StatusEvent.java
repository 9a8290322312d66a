package io.transferpool.messaging;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Progress of a job on {@code tp.status}. {@code stage} is one of queued, extracting, training, done, failed,
 * rejected; the other fields are filled as they apply to the stage.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusEvent(String jobId, String stage, String message, Integer shardsDone, Integer shardsTotal,
                          Double imagesPerSecond, Integer epoch, Integer epochs, Double valAccuracy,
                          long timestampMillis) {

    public static StatusEvent of(String jobId, String stage, String message) {
        return new StatusEvent(jobId, stage, message, null, null, null, null, null, null, System.currentTimeMillis());
    }
}
