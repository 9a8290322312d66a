package io.transferpool.messaging;

/** A run of a job that is cancelled, on tp.cancels under its run key (see Topics#runKey). */
public record Cancellation(String jobId, int run, String key, String reason, long requestedAtMillis) {
}
