package io.transferpool.messaging;

/** The pool's topics; names are fixed by the contract (README "Topics"), partition counts are configured. */
public final class Topics {
    /** Jobs submitted by users, JSON, keyed by job id. */
    public static final String JOBS = "tp.jobs";
    /** Extract tasks (one per shard of a split), JSON, keyed by job id and shard. */
    public static final String EXTRACT = "tp.extract";
    /** Per job, in order: the plan, binary feature batches, shard-done marks. Keyed by job id. */
    public static final String FEATURES = "tp.features";
    /** Progress events, JSON, keyed by job id (compacted). */
    public static final String STATUS = "tp.status";
    /** Job results, JSON, keyed by job id. */
    public static final String RESULTS = "tp.results";
    /** Records that could not be processed, with the reason in the {@code tp-error} header. */
    public static final String DLQ = "tp.dlq";

    /** Header that says what a record on {@link #FEATURES} is. */
    public static final String TYPE_HEADER = "tp-type";
    public static final String ERROR_HEADER = "tp-error";
    public static final String SOURCE_TOPIC_HEADER = "tp-source-topic";

    private Topics() {
    }
}
