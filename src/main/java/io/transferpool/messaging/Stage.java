package io.transferpool.messaging;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where a job stands, as its status events on {@code tp.status} say: {@code "stage": "queued"} and so on in the
 * JSON (README "Topics"). The last four are final: a job's last event has one of them.
 */
public enum Stage {
    /** Accepted by a coordinator: its work is planned and published. */
    QUEUED,
    /** Its shards are being extracted (events count the shards in). */
    EXTRACTING,
    /**
     * Waiting for its turn: its features are in and it waits for a training slot (or it was paused after its turn
     * to let other jobs train); events carry the jobs ahead and the expected wait.
     */
    WAITING,
    /** Its head or fine-tuned network is training (events carry the epoch). */
    TRAINING,
    /** A user asked to cancel it; its workers are stopping. */
    CANCELLING,
    /** Trained: the result SUCCEEDED. */
    DONE(true),
    FAILED(true),
    REJECTED(true),
    CANCELLED(true);

    private final boolean last;

    Stage() {
        this(false);
    }

    Stage(boolean last) {
        this.last = last;
    }

    /** True for the stages a job ends in. */
    public boolean isFinal() {
        return last;
    }

    /** The stage as the JSON writes it: lower case. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads {@link #wire()}; an unknown value names itself and the stages there are. */
    @JsonCreator
    public static Stage fromWire(String value) {
        for (Stage s : values()) {
            if (s.wire().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown stage \"" + value + "\" (stages: "
                + Arrays.stream(values()).map(Stage::wire).toList() + ")");
    }
}
