package io.transferpool.data;

/** A sample that cannot be used (unreadable, corrupt, wrong size); it is counted and reported, the job goes on. */
public class BadSampleException extends Exception {
    public BadSampleException(String reason) {
        super(reason);
    }

    public BadSampleException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
