package io.transferpool.admission;

import io.transferpool.data.Dataset;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobSpec;
import io.transferpool.model.OnnxModel;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a job refers to, as {@link JobValidator} found it, and every problem it found. Parts that could not be
 * read are null ({@code train} when the folder is outside the root, {@code model.parsed} when the file is not a
 * model, ...); a job with {@code errors} is not planned.
 *
 * @param test null when the job has no test data
 */
public record JobFacts(JobSpec spec, Model model, Dataset train, Dataset test, List<FieldError> errors) {

    /**
     * The base model as found.
     *
     * @param file           the model file; null when its path was refused
     * @param path           its path relative to the data root, as it travels in plans and tasks
     * @param sha256         its digest; null when it could not be read
     * @param input          the model input the images feed (the job's, or the only one)
     * @param parsed         the model; null when it could not be read
     * @param shapes         every tensor's shape for a batch of one (empty when the model could not be run)
     * @param externalSha256 its external-data files' digests by location; null when it has none
     */
    public record Model(Path file, String path, String sha256, String input, OnnxModel parsed,
                        Map<String, List<Long>> shapes, Map<String, String> externalSha256) {
    }

    public JobFacts {
        errors = List.copyOf(errors);
    }

    /** No problem found. */
    public boolean ok() {
        return errors.isEmpty();
    }
}
