package io.transferpool.admission;

import io.transferpool.data.Dataset;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobSpec;
import io.transferpool.job.Limits;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks a job against the pool's {@link Limits} before anything big is made for it. */
final class LimitCheck {
    private LimitCheck() {
    }

    /**
     * @param shapes       the model's tensor shapes for a batch of one (empty when unknown)
     * @param extractBatch images per extraction batch (tp.extract.batch-size)
     */
    static void check(JobSpec spec, Dataset train, Dataset test, Map<String, List<Long>> shapes, Limits limits,
                      int extractBatch, List<FieldError> errors) {
        List<FieldError> own = new ArrayList<>();
        checkOne(spec, train, test, shapes, limits, extractBatch, own);
        errors.addAll(own);
        // Each candidate of a sweep is a job of its own within the limits; together they may not do more
        // sample passes than one job may.
        long work = 0;
        for (JobSpec.Candidate c : spec.sweep()) {
            List<FieldError> theirs = new ArrayList<>();
            checkOne(spec.candidate(c), train, test, shapes, limits, extractBatch, theirs);
            theirs.stream().filter(e -> !own.contains(e)).forEach(e -> errors.add(new FieldError("sweep",
                    "the candidate " + c.values() + ": " + e.field() + ": " + e.problem())));
            work += (long) c.training().epochs() * (train == null ? 0 : train.samples().size());
        }
        if (work > limits.maxEpochSamples()) {
            errors.add(new FieldError("sweep", spec.sweep().size() + " candidates, each up to its epochs over "
                    + train.samples().size() + " samples: " + work + " sample passes in all, more than this pool's "
                    + "limit of " + limits.maxEpochSamples() + " (tp.limits.max-epoch-samples)"));
        }
    }

    private static void checkOne(JobSpec spec, Dataset train, Dataset test, Map<String, List<Long>> shapes,
                                 Limits limits, int extractBatch, List<FieldError> errors) {
        JobSpec.Training t = spec.training();
        if (t.epochs() > limits.maxEpochs()) {
            errors.add(new FieldError("training.epochs", t.epochs() + " epochs, more than this pool's limit of "
                    + limits.maxEpochs() + " (tp.limits.max-epochs)"));
        }
        if (spec.fineTune() != null && spec.fineTune().warmupEpochs() > limits.maxEpochs()) {
            errors.add(new FieldError("fineTune.warmupEpochs", spec.fineTune().warmupEpochs() + " epochs, more than "
                    + "this pool's limit of " + limits.maxEpochs() + " (tp.limits.max-epochs)"));
        }
        JobSpec.Preprocess p = spec.preprocess();
        long inputValues = (long) p.width() * p.height() * p.channels();
        if (inputValues > limits.maxInputValues()) {
            errors.add(new FieldError("preprocess", p.width() + "x" + p.height() + "x" + p.channels() + " = "
                    + inputValues + " input values per image, more than this pool's limit of "
                    + limits.maxInputValues() + " (tp.limits.max-input-values)"));
        } else if ((long) extractBatch * inputValues * Float.BYTES > limits.maxBatchBytes()) {
            errors.add(new FieldError("preprocess", "an extraction batch of " + extractBatch + " such images takes "
                    + (long) extractBatch * inputValues * Float.BYTES + " bytes, more than this pool's limit of "
                    + limits.maxBatchBytes() + " (tp.limits.max-batch-bytes)"));
        }
        if (spec.head().hidden().size() > limits.maxHeadLayers()) {
            errors.add(new FieldError("head.hidden", spec.head().hidden().size() + " layers, more than this pool's "
                    + "limit of " + limits.maxHeadLayers() + " (tp.limits.max-head-layers)"));
        }
        if (train == null) {
            return;
        }
        int classes = train.classes().size();
        if (classes > limits.maxClasses()) {
            errors.add(new FieldError("data.train", classes + " classes, more than this pool's limit of "
                    + limits.maxClasses() + " (tp.limits.max-classes)"));
        }
        for (var split : List.of(Map.entry("data.train", train), Map.entry("data.test", test == null ? train : test))) {
            if (split.getValue().samples().size() > limits.maxSamples()) {
                errors.add(new FieldError(split.getKey(), split.getValue().samples().size() + " samples, more than "
                        + "this pool's limit of " + limits.maxSamples() + " (tp.limits.max-samples)"));
            }
        }
        long work = (long) t.epochs() * train.samples().size();
        if (work > limits.maxEpochSamples()) {
            errors.add(new FieldError("training.epochs", t.epochs() + " epochs of " + train.samples().size()
                    + " samples is " + work + " sample passes, more than this pool's limit of "
                    + limits.maxEpochSamples() + " (tp.limits.max-epoch-samples)"));
        }
        long features = values(shapes.get(spec.baseModel().cut()));
        if (features > 0) {
            long params = 0;
            long in = features;
            for (int h : spec.head().hidden()) {
                params += in * h + h;
                in = h;
            }
            params += in * classes + classes;
            if (params > limits.maxHeadParameters()) {
                errors.add(new FieldError("head.hidden", "the head would have " + params + " weights, more than this "
                        + "pool's limit of " + limits.maxHeadParameters() + " (tp.limits.max-head-parameters)"));
            }
        }
        long rowValues = values(shapes.get(spec.extractAt()));
        if (rowValues > 0 && (long) t.batchSize() * rowValues * Float.BYTES > limits.maxBatchBytes()) {
            errors.add(new FieldError("training.batchSize", "a training batch of " + t.batchSize() + " rows of "
                    + rowValues + " values takes " + (long) t.batchSize() * rowValues * Float.BYTES
                    + " bytes, more than this pool's limit of " + limits.maxBatchBytes() + " (tp.limits.max-batch-bytes)"));
        }
    }

    /** Values per sample of a tensor (its dims after the batch), or -1 when unknown. */
    private static long values(List<Long> shape) {
        if (shape == null || shape.size() < 2) {
            return -1;
        }
        long n = 1;
        for (int i = 1; i < shape.size(); i++) {
            n *= Math.max(1, shape.get(i));
        }
        return n;
    }
}
