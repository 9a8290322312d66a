package io.transferpool.cli;

import io.transferpool.job.JobResult;

/** Exit codes of run, submit --wait and demo: 0 only when the job succeeded. */
final class ExitCodes {
    static final int SUCCEEDED = 0;
    static final int FAILED = 1;
    static final int REJECTED = 2;
    /** The job was cancelled (DELETE /jobs/{id}, the cancel verb, Ctrl-C on run). */
    static final int CANCELLED = 3;
    static final int USAGE = 64;
    /** The verb itself failed (a file it could not read, say); the message is on stderr. */
    static final int SOFTWARE = 70;

    private ExitCodes() {
    }

    static int of(JobResult r) {
        return switch (r.status()) {
            case SUCCEEDED -> SUCCEEDED;
            case FAILED -> FAILED;
            case REJECTED -> REJECTED;
            case CANCELLED -> CANCELLED;
        };
    }
}
