package io.transferpool.report;

import io.transferpool.job.FieldError;
import io.transferpool.job.JobResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class JobReportTest {

    @Test
    void aSucceededJobHasCurvesPerEpochTheMetricsTheConfusionMatrixAndTimings() {
        String html = JobReport.html(ReportFixtures.succeeded(18));

        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg id=\"loss-curve\"", "<svg id=\"accuracy-curve\"",
                "id=\"confusion\"", ">421<", ">452<", "ROC AUC", "trainingSeconds", "best checkpoint at epoch 11",
                "accuracy, 95% interval (Wilson, 1000 test images)</td><td>0.8509 - 0.8922</td>");
        Matcher curves = Pattern.compile("<polyline class=\"curve\" data-series=\"([^\"]+)\" points=\"([^\"]+)\"")
                .matcher(html);
        int found = 0;
        while (curves.find()) {
            assertThat(curves.group(2).split(" ")).as(curves.group(1)).hasSize(18);
            found++;
        }
        assertThat(found).as("train/validation loss and accuracy").isEqualTo(4);
        assertThat(html).as("no external assets or scripts").doesNotContain("<script", "src=\"http", "href=\"http")
                .as("names are escaped").contains("t&lt;shirt&gt;").doesNotContain("t<shirt>");
    }

    @Test
    void aWarmedUpFineTuneShowsBothStagesAndWhichWasKept() {
        JobResult r = ReportFixtures.succeeded(18);
        JobResult.Metrics m = r.metrics();
        List<JobResult.Stage> stages = List.of(
                new JobResult.Stage("warmup", 1, 14, 7, 1e-3, 0, "early stopping <warm>", 3.6, true),
                new JobResult.Stage("fine-tune", 15, 18, 15, 1e-4, 1e-4, "early stopping", 28.6, false));
        String html = JobReport.html(new JobResult(r.jobId(), r.status(), r.errors(), new JobResult.Metrics(
                m.epochs(), 7, m.stopReason(), m.test(), m.counts(), m.timings(), null, stages), r.artifacts()));

        assertThat(html).contains("id=\"stages\"",
                "<td class=\"l\">warmup</td><td>1-14</td><td>1e-03</td><td>frozen</td><td>7</td><td>3.6</td>"
                        + "<td class=\"l\">early stopping &lt;warm&gt;</td><td class=\"l\">yes</td>",
                "<td class=\"l\">fine-tune</td><td>15-18</td><td>1e-04</td><td>1e-04</td><td>15</td>");
        assertThat(JobReport.html(r)).as("one stage: no table").doesNotContain("id=\"stages\"");
    }

    @Test
    void aSweepShowsEveryCandidateInATableAndAChart() {
        JobResult r = ReportFixtures.succeeded(18);
        JobResult.Metrics m = r.metrics();
        List<JobResult.SweepCandidate> sweep = List.of(
                new JobResult.SweepCandidate(java.util.Map.of("learningRate", "0.001"), 18, 11, 0.31, 0.88, 0.31, 0.30,
                        0.873, 2.5, true, null),
                new JobResult.SweepCandidate(java.util.Map.of("learningRate", "0.1"), 0, null, null, null, null, null,
                        null, 0.4, false, "the training loss became NaN in epoch 3"),
                new JobResult.SweepCandidate(java.util.Map.of("learningRate", "0.0001"), 9, 9, 0.45, 0.8, 0.45, 0.44,
                        0.86, 1.5, false, null));
        // 421 + 452 + ... = 1000 test images in the fixture's confusion matrix
        JobResult.Interval chosen = JobResult.Interval.wilson(0.873, 1000);
        sweep = sweep.stream().map(c -> c.withIntervals(1000, 0.873, chosen)).toList();
        String html = JobReport.html(new JobResult(r.jobId(), r.status(), r.errors(), new JobResult.Metrics(
                m.epochs(), 11, m.stopReason(), m.test(), m.counts(), m.timings(), null, null, sweep), r.artifacts()));

        assertThat(html).contains("id=\"sweep\"", "3 candidates", "<svg id=\"sweep-chart\"",
                "<td>1</td><td class=\"l\">{learningRate=0.001}</td><td>18</td><td>11</td><td>0.3100</td>"
                        + "<td>0.8800</td><td>0.3000</td><td>0.8730</td><td>0.8509 - 0.8922</td><td>2.5</td>"
                        + "<td class=\"l\">yes</td>",
                "the training loss became NaN in epoch 3",
                "<td>0.8600</td><td>0.8371 - 0.8801</td><td>1.5</td><td class=\"l\">no; within the chosen one's "
                        + "interval (the test set does not tell them apart)</td>");
        assertThat(html).containsPattern("data-series=\"test accuracy\" points=\"[^\" ]+ [^\" ]+\"")
                .as("the failed candidate has no point");
        assertThat(JobReport.html(r)).doesNotContain("id=\"sweep\"");
    }

    @Test
    void anAutoJobShowsWhatWasMeasuredAndWhy() {
        JobResult r = ReportFixtures.succeeded(5);
        io.transferpool.job.Advice advice = new io.transferpool.job.Advice(3, "feature-extraction", "/block2", null,
                new io.transferpool.job.Advice.Measurements(1200, 4, 300, 800, List.of(
                        new io.transferpool.job.Advice.Probe("/flatten", 1152, 0.463),
                        new io.transferpool.job.Advice.Probe("/block2", 1024, 0.579)), 0.65, 4000, 0.03),
                "small and <unlike>: Case 3 of the seed");
        String html = JobReport.html(r.withAdvice(advice));
        assertThat(html).contains("id=\"advice\">Case 3: <b>feature-extraction</b>, cut /block2",
                "small and &lt;unlike&gt;: Case 3 of the seed", "linear probe at /block2 (1024 values)",
                "<td>0.579</td>", "mean top probability</td><td>0.650</td>");
        assertThat(JobReport.html(r)).doesNotContain("Strategy advice");
    }

    @Test
    void aRejectedJobShowsItsErrors() {
        String html = JobReport.html(JobResult.rejected("bad", List.of(new FieldError("baseModel.cut", "no <tensor>"))));
        assertThat(html).contains("REJECTED", "baseModel.cut", "no &lt;tensor&gt;").doesNotContain("<svg");
    }
}
