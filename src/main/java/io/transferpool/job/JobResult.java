package io.transferpool.job;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * What a job produced, published on {@code tp.results} keyed by job id and written by {@code run --out}.
 * The README documents every field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobResult(String jobId, Status status, List<FieldError> errors, Metrics metrics, Artifacts artifacts,
                        String submission) {

    public enum Status { SUCCEEDED, FAILED, REJECTED }

    public JobResult(String jobId, Status status, List<FieldError> errors, Metrics metrics, Artifacts artifacts) {
        this(jobId, status, errors, metrics, artifacts, null);
    }

    /**
     * The same result, marked with the submission it answers (see JobPlan#submission): readers drop a second
     * result of the same submission, which an at-least-once trainer may send after a crash.
     */
    public JobResult withSubmission(String s) {
        return new JobResult(jobId, status, errors, metrics, artifacts, s);
    }

    public static JobResult rejected(String jobId, List<FieldError> errors) {
        return new JobResult(jobId, Status.REJECTED, List.copyOf(errors), null, null);
    }

    public static JobResult failed(String jobId, List<FieldError> errors, Metrics partial) {
        return new JobResult(jobId, Status.FAILED, List.copyOf(errors), partial, null);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    /** @param recovery how often training was started and where it resumed; null when it ran once */
    public record Metrics(List<EpochMetrics> epochs, Integer bestEpoch, String stopReason, TestMetrics test,
                          Counts counts, Map<String, Double> timings, Recovery recovery) {
        public Metrics(List<EpochMetrics> epochs, Integer bestEpoch, String stopReason, TestMetrics test,
                       Counts counts, Map<String, Double> timings) {
            this(epochs, bestEpoch, stopReason, test, counts, timings, null);
        }
    }

    /**
     * A job whose trainer died or lost it: {@code attempts} trainers started it, the last resumed after epoch
     * {@code resumedFromEpoch} of a checkpoint (0: from the start).
     */
    public record Recovery(int attempts, int resumedFromEpoch) {
    }

    public record EpochMetrics(int epoch, double loss, double accuracy, double valLoss, double valAccuracy) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TestMetrics(double accuracy, double loss, Map<String, ClassMetrics> perClass, List<String> classes,
                              int[][] confusionMatrix, Double rocAuc) {
    }

    public record ClassMetrics(double precision, double recall, double f1, int support) {
    }

    /** Sample counts; {@code badSamples} lists each sample that could not be used and why. */
    public record Counts(int train, int validation, int test, int featureDimension, int badSampleCount,
                         List<BadSample> badSamples, Map<String, Integer> perClassTrain) {
    }

    public record BadSample(String sample, String reason) {
    }

    /** @param onnxData the data file beside {@code onnx} holding its large weights, when it has one */
    public record Artifacts(Artifact head, Artifact onnx, Artifact onnxData) {
        public Artifacts(Artifact head, Artifact onnx) {
            this(head, onnx, null);
        }
    }

    public record Artifact(String uri, String sha256) {
    }
}
