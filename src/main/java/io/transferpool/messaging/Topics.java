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
    /**
     * The job ids the coordinators accepted and how many runs each had, JSON, keyed by job id (compacted, kept
     * for good): what makes a resubmitted id "in use".
     */
    public static final String JOB_IDS = "tp.jobids";

    /**
     * Cancellations of job runs, JSON {@link Cancellation}, keyed by run key (compacted): written by coordinators,
     * followed by every extractor and trainer, which stop the run's work.
     */
    public static final String CANCELS = "tp.cancels";

    /**
     * Each trainer's load, JSON {@link TrainerLoad}, keyed by trainer id (compacted; a tombstone when it stops):
     * written and followed by every trainer, so a busy one can hand a waiting job to an idle one.
     */
    public static final String TRAINERS = "tp.trainers";

    // What a record is, on the topics whose records differ, is in its RecordType header.
    /** Header of a dead letter on {@link #DLQ}: why the record could not be processed. */
    public static final String ERROR_HEADER = "tp-error";
    /** Header of a dead letter on {@link #DLQ}: the topic the record came from. */
    public static final String SOURCE_TOPIC_HEADER = "tp-source-topic";

    private Topics() {
    }

    /**
     * Names one submission of a job: its record's topic, partition, offset and timestamp (see JobPlan#submission),
     * unique also across brokers started afresh (`run`).
     */
    public static String submission(String topic, int partition, long offset, long timestampMillis) {
        return topic + "-" + partition + "@" + offset + "-" + timestampMillis;
    }

    /**
     * The key of a job's records on {@link #EXTRACT} and {@link #FEATURES}: the job id for its first run, and
     * {@code <jobId>#<run>} for a rerun, so two runs of one id never mix (job ids cannot contain '#').
     */
    public static String runKey(String jobId, int run) {
        return run <= 1 ? jobId : jobId + "#" + run;
    }
}
