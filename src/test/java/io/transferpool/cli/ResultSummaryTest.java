package io.transferpool.cli;

import io.transferpool.job.Advice;
import io.transferpool.job.JobResult;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The run summary says what the result says: the advice, the sweep's candidates, the stages, kept features. */
class ResultSummaryTest {
    private static String print(JobResult r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ResultSummary.print(r, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsAdviceCandidatesStagesAndReusedFeatures() {
        List<JobResult.EpochMetrics> epochs = List.of(new JobResult.EpochMetrics(1, 0.5, 0.8, 0.4, 0.85),
                new JobResult.EpochMetrics(2, 0.4, 0.85, 0.35, 0.9));
        JobResult.Counts counts = new JobResult.Counts(90, 10, 20, 1152, 0, List.of(), Map.of(), 120);
        JobResult r = new JobResult("j", JobResult.Status.SUCCEEDED, List.of(), new JobResult.Metrics(epochs, 2,
                "done", new JobResult.TestMetrics(0.85, 0.4, Map.of(), List.of("a", "b"), new int[][]{{45, 5},
                {10, 40}}, null), counts, Map.of("featuresLoadSeconds", 0.25, "trainingSeconds", 1.0), null,
                List.of(new JobResult.Stage("warmup", 1, 1, 1, 1e-3, 0, "early", 0.5, false),
                        new JobResult.Stage("fine-tune", 2, 2, 2, 1e-4, 1e-4, "max", 0.5, true)),
                List.of(new JobResult.SweepCandidate(Map.of("learningRate", "0.01"), 2, 2, 0.35, 0.9, 0.35, 0.4,
                                0.875, 1.0, true, null),
                        new JobResult.SweepCandidate(Map.of("learningRate", "9"), 0, null, null, null, null, null,
                                null, 0.1, false, "loss NaN"),
                        new JobResult.SweepCandidate(Map.of("learningRate", "0.001"), 2, 2, 0.36, 0.9, 0.36, 0.41,
                                0.86, 1.0, false, null).withIntervals(100, 0.875,
                                JobResult.Interval.wilson(0.875, 100)))), null)
                .withAdvice(new Advice(2, "fine-tune", "/flat", "/block2", null, "why"));

        assertThat(print(r)).contains(
                "advice     case 2: fine-tune from /block2, cut /flat",
                "candidate  {learningRate=0.01}: best epoch 2 of 2, monitored 0.3500, test accuracy 0.8750 (chosen)",
                "candidate  {learningRate=9}: failed: loss NaN",
                "candidate  {learningRate=0.001}: best epoch 2 of 2, monitored 0.3600, test accuracy 0.8600 (within "
                        + "the chosen one's 95% interval: not told apart by the test set)",
                "test       accuracy 0.8500 (95% interval 0.7672-0.9069, 100 images)",
                "stage      warmup    epochs 1-1, head rate 1e-03, base frozen",
                "stage      fine-tune epochs 2-2, head rate 1e-04, base rate 1e-04, best epoch 2, 0.5 s (kept)",
                "extraction none (120 feature rows kept from an earlier job, read in 0.3 s)");
    }
}
