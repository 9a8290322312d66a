package io.transferpool.job;

import java.util.List;

/** Thrown where a job cannot go on because of what it says; carries every error found, each naming its field. */
public class JobRejectedException extends RuntimeException {
    private final List<FieldError> errors;

    public JobRejectedException(List<FieldError> errors) {
        super(errors.stream().map(FieldError::toString).reduce((a, b) -> a + "; " + b).orElse("job rejected"));
        this.errors = List.copyOf(errors);
    }

    public JobRejectedException(String field, String problem) {
        this(List.of(new FieldError(field, problem)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
