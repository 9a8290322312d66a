package io.transferpool.report;

import io.transferpool.job.JobResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A plausible finished job for report tests. */
final class ReportFixtures {
    private ReportFixtures() {
    }

    static JobResult succeeded(int epochs) {
        List<JobResult.EpochMetrics> e = new ArrayList<>();
        for (int i = 1; i <= epochs; i++) {
            e.add(new JobResult.EpochMetrics(i, 0.7 / i, 0.6 + 0.3 * i / epochs, 0.75 / i + 0.02, 0.58 + 0.3 * i / epochs));
        }
        Map<String, JobResult.ClassMetrics> perClass = new LinkedHashMap<>();
        perClass.put("shirt", new JobResult.ClassMetrics(0.89, 0.84, 0.86, 500));
        perClass.put("t<shirt>", new JobResult.ClassMetrics(0.85, 0.90, 0.87, 500));
        var test = new JobResult.TestMetrics(0.873, 0.30, perClass, List.of("shirt", "t<shirt>"),
                new int[][]{{421, 79}, {48, 452}}, 0.947);
        var counts = new JobResult.Counts(2700, 300, 1000, 3136, 1,
                List.of(new JobResult.BadSample("train/shirt/x.png", "not a PNG")), Map.of("shirt", 1500));
        Map<String, Double> timings = new LinkedHashMap<>();
        timings.put("extractionSeconds", 2.7);
        timings.put("trainingSeconds", 106.7);
        return new JobResult("report-job", JobResult.Status.SUCCEEDED, List.of(),
                new JobResult.Metrics(e, 11, "early stopping", test, counts, timings),
                new JobResult.Artifacts(new JobResult.Artifact("file:///a/network.dl4j.zip", "ab"),
                        new JobResult.Artifact("file:///a/model.onnx", "cd")));
    }
}
