package io.transferpool.job;

/**
 * One thing wrong with a job: the field it concerns (a dotted JSON path such as {@code training.batchSize},
 * or {@code $} for the document itself) and what is wrong with it, in words a user can act on. Both are cut to a
 * bounded length (they may quote what a job sent, and a result must fit in a record).
 */
public record FieldError(String field, String problem) {
    static final int MAX_FIELD = 256;
    static final int MAX_PROBLEM = 2000;

    public FieldError {
        field = cut(field, MAX_FIELD);
        problem = cut(problem, MAX_PROBLEM);
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max) + "... (" + (s.length() - max)
                + " more characters)";
    }

    @Override
    public String toString() {
        return field + ": " + problem;
    }
}
