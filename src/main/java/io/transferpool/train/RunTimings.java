package io.transferpool.train;

import io.transferpool.export.ModelExport;
import io.transferpool.job.JobResult;
import io.transferpool.learning.Trained;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The timings of a trained job's result ({@code metrics.timings}, README "The result"), stage by stage. */
final class RunTimings {
    private RunTimings() {
    }

    static Map<String, Double> of(JobAccumulator acc, TrainingData data, Trained head,
                                  List<JobResult.SweepCandidate> sweep, double evaluationSeconds,
                                  ModelExport.Exported exported) {
        Map<String, Double> t = new LinkedHashMap<>();
        t.put("validationSeconds", data.plan().submission().validationSeconds());
        t.put("extractionSeconds", acc.extractionSeconds());
        if (acc.reusedRows() == 0) {
            int extracted = data.train().store().size() + (data.test() == null ? 0 : data.test().size());
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
        t.putAll(data.featureTimings());
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
