package io.transferpool.job;

/**
 * One thing wrong with a job: the field it concerns (a dotted JSON path such as {@code training.batchSize},
 * or {@code $} for the document itself) and what is wrong with it, in words a user can act on.
 */
public record FieldError(String field, String problem) {
    @Override
    public String toString() {
        return field + ": " + problem;
    }
}
