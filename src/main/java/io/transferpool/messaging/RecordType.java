package io.transferpool.messaging;

import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a record is, in its {@value #HEADER} header: one value per meaning (README "Topics"). A job on
 * {@code tp.jobs} and every record of the other topics have no header.
 */
public enum RecordType {
    /** On {@code tp.jobs}: a user asks to cancel the job of the record's key (value: {@link CancelRequest}). */
    CANCEL_REQUEST("cancel"),
    /** On {@code tp.extract}: one shard of one split to extract ({@link ExtractTask}). */
    TASK("task"),
    /** On {@code tp.features}: a job's plan ({@link JobPlan}), before any of its features. */
    PLAN("plan"),
    /** On {@code tp.features}: a binary batch of feature rows ({@link FeatureBatch}). */
    FEATURE_BATCH("features"),
    /** On {@code tp.features}: one shard extracted ({@link ShardDone}). */
    SHARD_DONE("shard-done"),
    /** On {@code tp.features}: the job is dropped, its work could not be published (value: the reason, text). */
    JOB_DROPPED("dropped"),
    /**
     * On {@code tp.features}, behind a job's records on the partition its plan came from: the job is settled there,
     * answered (its result is out) or handed to another trainer (a plan with {@link JobPlan#handoff()} on that
     * one's partition). A trainer that reads the partition again from an earlier offset (after a rebalance: jobs
     * finish out of order, and offsets are held back to the oldest unfinished one) lets the job go instead of
     * training it a second time (value: why, text).
     */
    SETTLED("settled");

    /** The header's name. */
    public static final String HEADER = "tp-type";

    private final String wire;

    RecordType(String wire) {
        this.wire = wire;
    }

    /** The header's value. */
    public String wire() {
        return wire;
    }

    /** Adds this type's header. */
    public void addTo(Headers headers) {
        headers.add(HEADER, wire.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The type in these headers; null when there is no {@value #HEADER} header. An unknown value is an
     * {@link IllegalArgumentException} naming it (the record goes to tp.dlq).
     */
    public static RecordType of(Headers headers) {
        var h = headers.lastHeader(HEADER);
        if (h == null) {
            return null;
        }
        String value = new String(h.value(), StandardCharsets.UTF_8);
        for (RecordType t : values()) {
            if (t.wire.equals(value)) {
                return t;
            }
        }
        throw new IllegalArgumentException("record of unknown type \"" + value + "\" (" + HEADER + " header; types: "
                + Arrays.stream(values()).map(RecordType::wire).toList() + ")");
    }
}
