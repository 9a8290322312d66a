package io.transferpool.job;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * What a job produced, published on {@code tp.results} keyed by job id and written by {@code run --out}.
 * The README documents every field.
 *
 * @param submission the job record this answers (its place on tp.jobs), when it came through tp.jobs
 * @param run        which run of the job id this was (1, or more for a job resubmitted with {@code "rerun": true});
 *                   null for a job that was not accepted
 * @param advice     what the advisor measured and chose, for a job with {@code "strategy": "auto"}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobResult(String jobId, Status status, List<FieldError> errors, Metrics metrics, Artifacts artifacts,
                        String submission, Integer run, Advice advice) {

    public enum Status { SUCCEEDED, FAILED, REJECTED, CANCELLED }

    public JobResult(String jobId, Status status, List<FieldError> errors, Metrics metrics, Artifacts artifacts) {
        this(jobId, status, errors, metrics, artifacts, null, null, null);
    }

    public JobResult(String jobId, Status status, List<FieldError> errors, Metrics metrics, Artifacts artifacts,
                     String submission, Integer run) {
        this(jobId, status, errors, metrics, artifacts, submission, run, null);
    }

    /**
     * The same result, marked with the submission it answers (see JobPlan#submission): readers drop a second
     * result of the same submission, which an at-least-once trainer may send after a crash.
     */
    public JobResult withSubmission(String s) {
        return new JobResult(jobId, status, errors, metrics, artifacts, s, run, advice);
    }

    /** The same result, marked with the submission and run of the job id it answers. */
    public JobResult withSubmission(String s, int run) {
        return new JobResult(jobId, status, errors, metrics, artifacts, s, run, advice);
    }

    /** The same result naming these artifacts. */
    public JobResult withArtifacts(Artifacts a) {
        return new JobResult(jobId, status, errors, metrics, a, submission, run, advice);
    }

    /** The same result with the advice its job was planned by (null: none). */
    public JobResult withAdvice(Advice a) {
        return new JobResult(jobId, status, errors, metrics, artifacts, submission, run, a);
    }

    /** Errors listed in one result; past this the rest is counted in a last error (results must fit a record). */
    public static final int MAX_ERRORS = 100;
    /** Bad samples listed in one result ({@code counts.badSampleCount} has them all). */
    public static final int MAX_BAD_SAMPLES = 1000;

    public static JobResult rejected(String jobId, List<FieldError> errors) {
        return new JobResult(jobId, Status.REJECTED, capped(errors), null, null);
    }

    public static JobResult failed(String jobId, List<FieldError> errors, Metrics partial) {
        return new JobResult(jobId, Status.FAILED, capped(errors), partial, null);
    }

    /** A job stopped at its user's request; {@code partial} holds what was done (epochs trained so far). */
    public static JobResult cancelled(String jobId, String reason, Metrics partial) {
        return new JobResult(jobId, Status.CANCELLED, List.of(new FieldError("$", "cancelled: " + reason)), partial,
                null);
    }

    private static List<FieldError> capped(List<FieldError> errors) {
        if (errors.size() <= MAX_ERRORS) {
            return List.copyOf(errors);
        }
        List<FieldError> out = new java.util.ArrayList<>(errors.subList(0, MAX_ERRORS - 1));
        out.add(new FieldError("$", "and " + (errors.size() - MAX_ERRORS + 1) + " more errors"));
        return List.copyOf(out);
    }

    /** The first {@link #MAX_BAD_SAMPLES} bad samples, for {@code counts.badSamples}. */
    public static List<BadSample> listed(List<BadSample> badSamples) {
        return List.copyOf(badSamples.subList(0, Math.min(MAX_BAD_SAMPLES, badSamples.size())));
    }

    /**
     * @param recovery how often training was started and where it resumed; null when it ran once
     * @param stages   the stages of a fine-tune that first trained its new head alone (warm-up, then fine-tune);
     *                 null when training was one stage
     * @param sweep    every candidate of a job's sweep, in the order trained; the job's epochs, test metrics and
     *                 artifacts are the chosen one's. Null without a sweep
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Metrics(List<EpochMetrics> epochs, Integer bestEpoch, String stopReason, TestMetrics test,
                          Counts counts, Map<String, Double> timings, Recovery recovery, List<Stage> stages,
                          List<SweepCandidate> sweep) {
        public Metrics(List<EpochMetrics> epochs, Integer bestEpoch, String stopReason, TestMetrics test,
                       Counts counts, Map<String, Double> timings, Recovery recovery, List<Stage> stages) {
            this(epochs, bestEpoch, stopReason, test, counts, timings, recovery, stages, null);
        }

        public Metrics(List<EpochMetrics> epochs, Integer bestEpoch, String stopReason, TestMetrics test,
                       Counts counts, Map<String, Double> timings, Recovery recovery) {
            this(epochs, bestEpoch, stopReason, test, counts, timings, recovery, null, null);
        }

        public Metrics(List<EpochMetrics> epochs, Integer bestEpoch, String stopReason, TestMetrics test,
                       Counts counts, Map<String, Double> timings) {
            this(epochs, bestEpoch, stopReason, test, counts, timings, null, null, null);
        }
    }

    /**
     * One candidate of a sweep: the swept fields' values, its training (epochs trained, best epoch and the
     * validation figures there, the checkpoint monitor's value that ranked it) and its test figures.
     *
     * @param failed why it could not be trained (it diverged), else null; a failed candidate is never chosen
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SweepCandidate(Map<String, String> values, int epochs, Integer bestEpoch, Double valLoss,
                                 Double valAccuracy, Double monitored, Double testLoss, Double testAccuracy,
                                 double seconds, boolean chosen, String failed, Interval testAccuracy95,
                                 Boolean withinChosenInterval) {
        public SweepCandidate(Map<String, String> values, int epochs, Integer bestEpoch, Double valLoss,
                              Double valAccuracy, Double monitored, Double testLoss, Double testAccuracy,
                              double seconds, boolean chosen, String failed) {
            this(values, epochs, bestEpoch, valLoss, valAccuracy, monitored, testLoss, testAccuracy, seconds, chosen,
                    failed, null, null);
        }

        /**
         * With its test accuracy's 95% interval on {@code testSamples} images, and whether it and the chosen
         * candidate ({@code chosenAccuracy}) are each inside the other's interval: then the test set does not tell
         * them apart (null for the chosen one itself, or without test figures).
         */
        public SweepCandidate withIntervals(int testSamples, Double chosenAccuracy, Interval chosenInterval) {
            if (testAccuracy == null || testSamples <= 0) {
                return this;
            }
            Interval own = Interval.wilson(testAccuracy, testSamples);
            Boolean within = chosen || chosenAccuracy == null || chosenInterval == null ? null
                    : own.contains(chosenAccuracy) && chosenInterval.contains(testAccuracy);
            return new SweepCandidate(values, epochs, bestEpoch, valLoss, valAccuracy, monitored, testLoss,
                    testAccuracy, seconds, chosen, failed, own, within);
        }
    }

    /**
     * One stage of training, its epochs numbered as in {@code metrics.epochs}.
     *
     * @param name              {@code warmup} (the new head alone, the base frozen) or {@code fine-tune}
     * @param learningRate      the head's rate in this stage
     * @param baseLearningRate  the pretrained layers' rate (0: frozen)
     * @param bestEpoch         this stage's best epoch by the checkpoint monitor
     * @param chosen            whether the job's weights are this stage's best
     */
    public record Stage(String name, int firstEpoch, int lastEpoch, int bestEpoch, double learningRate,
                        double baseLearningRate, String stopReason, double seconds, boolean chosen) {
    }

    /**
     * A job whose trainer died or lost it: {@code attempts} trainers started it, the last resumed after epoch
     * {@code resumedFromEpoch} of a checkpoint (0: from the start).
     */
    public record Recovery(int attempts, int resumedFromEpoch) {
    }

    public record EpochMetrics(int epoch, double loss, double accuracy, double valLoss, double valAccuracy) {
    }

    /**
     * Test figures. {@code samples}: the test images scored; {@code accuracy95}: the 95% interval of the accuracy
     * (Wilson's score interval for {@code samples} images), how far the accuracy could be from the one on all
     * images like these: two results whose intervals overlap much are not told apart by this test set.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TestMetrics(double accuracy, double loss, Map<String, ClassMetrics> perClass, List<String> classes,
                              int[][] confusionMatrix, Double rocAuc, int samples, Interval accuracy95) {
        /** Samples counted from the confusion matrix (0 without one), the interval computed from them. */
        public TestMetrics(double accuracy, double loss, Map<String, ClassMetrics> perClass, List<String> classes,
                           int[][] confusionMatrix, Double rocAuc) {
            this(accuracy, loss, perClass, classes, confusionMatrix, rocAuc, total(confusionMatrix),
                    total(confusionMatrix) == 0 ? null : Interval.wilson(accuracy, total(confusionMatrix)));
        }

        private static int total(int[][] confusion) {
            int n = 0;
            if (confusion != null) {
                for (int[] row : confusion) {
                    for (int v : row) {
                        n += v;
                    }
                }
            }
            return n;
        }
    }

    /** A 95% confidence interval of a proportion. */
    public record Interval(double low, double high) {
        private static final double Z = 1.959963984540054;

        /**
         * Wilson's score interval for an accuracy measured on {@code n} samples: unlike the normal approximation it
         * stays inside [0, 1] and is sound for small n and accuracies near 0 or 1.
         */
        public static Interval wilson(double accuracy, int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("an interval needs samples, got " + n);
            }
            double z2 = Z * Z;
            double denominator = 1 + z2 / n;
            double centre = (accuracy + z2 / (2.0 * n)) / denominator;
            double half = Z / denominator * Math.sqrt(accuracy * (1 - accuracy) / n + z2 / (4.0 * n * n));
            return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
        }

        public boolean contains(double value) {
            return value >= low && value <= high;
        }
    }

    public record ClassMetrics(double precision, double recall, double f1, int support) {
    }

    /**
     * Sample counts; {@code badSamples} lists each sample that could not be used and why; {@code featuresReused}
     * counts the feature rows taken from an earlier job's extraction instead of extracted (0: none).
     */
    public record Counts(int train, int validation, int test, int featureDimension, int badSampleCount,
                         List<BadSample> badSamples, Map<String, Integer> perClassTrain, int featuresReused) {
        public Counts(int train, int validation, int test, int featureDimension, int badSampleCount,
                      List<BadSample> badSamples, Map<String, Integer> perClassTrain) {
            this(train, validation, test, featureDimension, badSampleCount, badSamples, perClassTrain, 0);
        }
    }

    public record BadSample(String sample, String reason) {
    }

    /**
     * @param onnxData the data file beside {@code onnx} holding its large weights, when it has one
     * @param features the folder of a {@code strategy: "extract"} job's features ({@code <split>.npy} and
     *                 {@code <split>.jsonl}); the other three are then null
     * @param report   the job's HTML report as the trainer rendered it from this result (listing the other
     *                 artifacts, not itself), beside them; null before it is written
     */
    public record Artifacts(Artifact head, Artifact onnx, Artifact onnxData, Artifact features, Artifact report) {
        public Artifacts(Artifact head, Artifact onnx) {
            this(head, onnx, null, null, null);
        }

        public Artifacts(Artifact head, Artifact onnx, Artifact onnxData) {
            this(head, onnx, onnxData, null, null);
        }

        public static Artifacts features(Artifact folder) {
            return new Artifacts(null, null, null, folder, null);
        }

        public Artifacts withReport(Artifact r) {
            return new Artifacts(head, onnx, onnxData, features, r);
        }
    }

    public record Artifact(String uri, String sha256) {
    }
}
