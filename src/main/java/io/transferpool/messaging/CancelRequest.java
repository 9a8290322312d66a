package io.transferpool.messaging;

/**
 * A user's request to cancel a job, on tp.jobs keyed by the job id with {@code tp-type: cancel}: behind the job's
 * own submission on the same partition, so the coordinator has accepted the job (or rejected it) when it reads this.
 */
public record CancelRequest(String reason, long requestedAtMillis) {
}
