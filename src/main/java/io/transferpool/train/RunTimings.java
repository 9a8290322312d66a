package io.transferpool.train;

import io.transferpool.export.ModelExport;
import io.transferpool.job.JobResult;
import io.transferpool.learning.Trained;
import io.transferpool.messaging.FeatureBatch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The timings of a trained job's result ({@code metrics.timings}, README "The result"), stage by stage. */
final class RunTimings {
    private RunTimings() {
    }

    /** What the extraction of a job took, as its trainer saw it gathering the job. */
    static Map<String, Double> extraction(JobAccumulator acc) {
        Map<String, Double> t = new LinkedHashMap<>();
        t.put("extractionSeconds", acc.extractionSeconds());
        if (acc.reusedRows() == 0) {
            int extracted = acc.store(FeatureBatch.Split.TRAIN).size() + acc.store(FeatureBatch.Split.TEST).size();
            t.put("extractionImagesPerSecond", extracted / Math.max(1e-9, acc.extractionSeconds()));
        }
        t.put("decodeSeconds", acc.decodeSeconds());
        t.put("readSeconds", acc.readSeconds());
        t.put("preprocessSeconds", acc.preprocessSeconds());
        t.put("inferenceSeconds", acc.inferenceSeconds());
        t.put("encodeSeconds", acc.encodeSeconds());
        t.put("publishSeconds", acc.publishSeconds());
        t.put("consumeSeconds", acc.consumeSeconds());
        t.put("ingestSeconds", acc.ingestSeconds());
        return t;
    }

    /** The timings of a {@code strategy: "extract"} job: extraction, then writing the features out. */
    static Map<String, Double> extracted(JobAccumulator acc, TrainingData data, double exportSeconds) {
        Map<String, Double> t = gathered(acc, data);
        t.put("exportSeconds", exportSeconds);
        t.put("totalSeconds", (System.currentTimeMillis() - data.plan().submission().submittedAtMillis()) / 1e3);
        return t;
    }

    /** Validation, extraction (or a handing trainer's figures) and reading or keeping features. */
    private static Map<String, Double> gathered(JobAccumulator acc, TrainingData data) {
        Map<String, Double> t = new LinkedHashMap<>();
        t.put("validationSeconds", data.plan().submission().validationSeconds());
        // A job handed over by the trainer that gathered it carries that trainer's figures.
        t.putAll(data.plan().handoff() != null ? data.plan().handoff().extraction() : extraction(acc));
        t.putAll(data.featureTimings());
        return t;
    }

    static Map<String, Double> of(JobAccumulator acc, TrainingData data, Trained head,
                                  List<JobResult.SweepCandidate> sweep, double evaluationSeconds,
                                  ModelExport.Exported exported) {
        Map<String, Double> t = gathered(acc, data);
        t.put("trainingSeconds", head.seconds());
        if (sweep != null) {
            t.put("sweepSeconds", sweep.stream().mapToDouble(JobResult.SweepCandidate::seconds).sum());
        }
        t.put("trainingSamplesPerSecond", head.samplesPerSecond());
        t.put("evaluationSeconds", evaluationSeconds);
        t.put("exportSeconds", exported.seconds());
        t.put("totalSeconds", (System.currentTimeMillis() - data.plan().submission().submittedAtMillis()) / 1e3);
        return t;
    }
}
