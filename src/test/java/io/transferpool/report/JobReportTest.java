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
                "id=\"confusion\"", ">421<", ">452<", "ROC AUC", "trainingSeconds", "best checkpoint at epoch 11");
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
    void aRejectedJobShowsItsErrors() {
        String html = JobReport.html(JobResult.rejected("bad", List.of(new FieldError("baseModel.cut", "no <tensor>"))));
        assertThat(html).contains("REJECTED", "baseModel.cut", "no &lt;tensor&gt;").doesNotContain("<svg");
    }
}
