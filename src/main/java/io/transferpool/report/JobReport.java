package io.transferpool.report;

import io.transferpool.job.Advice;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobResult.EpochMetrics;
import io.transferpool.job.JobResult;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.transferpool.report.Svg.esc;

/**
 * A job's result as one self-contained HTML page (inline CSS and SVG, no scripts or external assets): status,
 * learning curves of loss and accuracy, the test metrics table, the confusion matrix and the stage timings. The
 * coordinator serves it at {@code /jobs/{id}/report}; {@code run --report FILE.html} writes it.
 */
public final class JobReport {
    private static final String CSS = """
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
            .status{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-weight:600}
            .SUCCEEDED{background:#1a7f37}.FAILED{background:#cf222e}.REJECTED{background:#9a6700}.CANCELLED{background:#6e7781}
            table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:4px 10px;text-align:right}
            th{background:#f6f8fa}td.l,th.l{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:16px}
            .plot{fill:#fbfcfd;stroke:#d0d7de}.grid{stroke:#eaeef2}.tick,.legend{font-size:11px;fill:#57606a}
            .title{font-size:13px;font-weight:600;fill:#1d2330}.cm td{min-width:48px}
            """;

    private JobReport() {
    }

    public static String html(JobResult r) {
        StringBuilder b = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        b.append("<title>TransferPool job ").append(esc(r.jobId())).append("</title><style>").append(CSS)
                .append("</style></head><body>");
        b.append("<h1>Job ").append(esc(r.jobId())).append("</h1>");
        b.append("<span class=\"status ").append(r.status()).append("\">").append(r.status()).append("</span>");
        if (r.errors() != null && !r.errors().isEmpty()) {
            b.append("<h2>Errors</h2><table><tr><th class=\"l\">field</th><th class=\"l\">problem</th></tr>");
            for (FieldError e : r.errors()) {
                b.append("<tr><td class=\"l\">").append(esc(e.field())).append("</td><td class=\"l\">")
                        .append(esc(e.problem())).append("</td></tr>");
            }
            b.append("</table>");
        }
        advice(b, r.advice());
        JobResult.Metrics m = r.metrics();
        if (m != null) {
            curves(b, m);
            sweep(b, m.sweep());
            test(b, m);
            counts(b, m.counts());
            timings(b, m.timings());
        }
        if (r.artifacts() != null) {
            b.append("<h2>Artifacts</h2><table>");
            artifact(b, "ONNX model", r.artifacts().onnx());
            artifact(b, "ONNX external data", r.artifacts().onnxData());
            artifact(b, "DL4J network", r.artifacts().head());
            artifact(b, "Features (folder: &lt;split&gt;.npy, &lt;split&gt;.jsonl)", r.artifacts().features());
            artifact(b, "This report, as the trainer wrote it", r.artifacts().report());
            b.append("</table>");
        }
        return b.append("</body></html>").toString();
    }

    private static void curves(StringBuilder b, JobResult.Metrics m) {
        List<EpochMetrics> epochs = m.epochs();
        if (epochs == null || epochs.isEmpty()) {
            return;
        }
        double[] x = epochs.stream().mapToDouble(EpochMetrics::epoch).toArray();
        b.append("<h2>Learning curves</h2><p>").append(epochs.size()).append(" epochs");
        if (m.bestEpoch() != null) {
            b.append(", best checkpoint at epoch ").append(m.bestEpoch());
        }
        if (m.stopReason() != null) {
            b.append("; ").append(esc(m.stopReason()));
        }
        b.append("</p><div class=\"charts\">");
        b.append(Svg.lineChart("loss-curve", "Loss", List.of(
                new Svg.Series("train loss", "#0969da", x, epochs.stream().mapToDouble(EpochMetrics::loss).toArray()),
                new Svg.Series("validation loss", "#cf222e", x,
                        epochs.stream().mapToDouble(EpochMetrics::valLoss).toArray())), 460, 260));
        b.append(Svg.lineChart("accuracy-curve", "Accuracy", List.of(
                new Svg.Series("train accuracy", "#0969da", x,
                        epochs.stream().mapToDouble(EpochMetrics::accuracy).toArray()),
                new Svg.Series("validation accuracy", "#cf222e", x,
                        epochs.stream().mapToDouble(EpochMetrics::valAccuracy).toArray())), 460, 260));
        b.append("</div>");
        stages(b, m.stages());
    }

    /** What the advisor measured and chose for a job with strategy auto. */
    private static void advice(StringBuilder b, Advice a) {
        if (a == null) {
            return;
        }
        Advice.Measurements m = a.measurements();
        b.append("<h2>Strategy advice</h2><p id=\"advice\">Case ").append(a.caseNumber()).append(": <b>")
                .append(esc(a.strategy())).append("</b>").append(a.freezeAt() != null
                        ? " from " + esc(a.freezeAt()) : "").append(", cut ").append(esc(a.cut())).append("</p><p>")
                .append(esc(a.reason())).append("</p>");
        b.append(String.format(Locale.ROOT, "<table id=\"advice-measurements\"><tr><th class=\"l\">measured</th>"
                        + "<th>value</th></tr><tr><td class=\"l\">training images</td><td>%d</td></tr>"
                        + "<tr><td class=\"l\">in the smallest of %d classes (large from %d)</td><td>%d</td></tr>"
                        + "<tr><td class=\"l\">images probed</td><td>%d</td></tr>", m.trainImages(), m.classes(),
                m.largePerClass(), m.minImagesPerClass(), m.probedImages()));
        for (Advice.Probe p : m.probes()) {
            b.append(String.format(Locale.ROOT, "<tr><td class=\"l\">linear probe at %s (%d values), validation "
                    + "accuracy</td><td>%.3f</td></tr>", esc(p.tensor()), p.values(), p.valAccuracy()));
        }
        if (m.baseConfidence() != null) {
            b.append(String.format(Locale.ROOT, "<tr><td class=\"l\">the base's classifier, mean top probability"
                    + "</td><td>%.3f</td></tr>", m.baseConfidence()));
        }
        b.append("</table>");
    }

    /** Every candidate of a sweep: a table, and validation and test accuracy by candidate. */
    private static void sweep(StringBuilder b, List<JobResult.SweepCandidate> sweep) {
        if (sweep == null || sweep.isEmpty()) {
            return;
        }
        b.append("<h2>Sweep</h2><p>").append(sweep.size()).append(" candidates trained on the same features; the ")
                .append("job's model is the one marked chosen (best by the checkpoint monitor)</p>")
                .append("<table id=\"sweep\"><tr><th>#</th><th class=\"l\">values</th><th>epochs</th>")
                .append("<th>best epoch</th><th>val loss</th><th>val accuracy</th><th>test loss</th>")
                .append("<th>test accuracy</th><th>95% interval</th><th>seconds</th><th class=\"l\">chosen</th></tr>");
        for (int i = 0; i < sweep.size(); i++) {
            JobResult.SweepCandidate c = sweep.get(i);
            String interval = c.testAccuracy95() == null ? "" : String.format(Locale.ROOT, "%.4f - %.4f",
                    c.testAccuracy95().low(), c.testAccuracy95().high());
            String chosen = c.chosen() ? "yes" : c.failed() != null ? esc(c.failed())
                    : Boolean.TRUE.equals(c.withinChosenInterval())
                    ? "no; within the chosen one's interval (the test set does not tell them apart)" : "";
            b.append(String.format(Locale.ROOT, "<tr><td>%d</td><td class=\"l\">%s</td><td>%d</td><td>%s</td>"
                            + "<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%.1f</td><td class=\"l\">%s"
                            + "</td></tr>",
                    i + 1, esc(c.values().toString()), c.epochs(), c.bestEpoch() == null ? "" : c.bestEpoch(),
                    figure(c.valLoss()), figure(c.valAccuracy()), figure(c.testLoss()), figure(c.testAccuracy()),
                    interval, c.seconds(), chosen));
        }
        b.append("</table>");
        double[] x = new double[sweep.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        b.append("<div class=\"charts\">").append(Svg.lineChart("sweep-chart", "Accuracy by candidate", List.of(
                new Svg.Series("validation accuracy", "#cf222e", x, sweep.stream()
                        .mapToDouble(c -> c.valAccuracy() == null ? Double.NaN : c.valAccuracy()).toArray()),
                new Svg.Series("test accuracy", "#0969da", x, sweep.stream()
                        .mapToDouble(c -> c.testAccuracy() == null ? Double.NaN : c.testAccuracy()).toArray())),
                460, 260)).append("</div>");
    }

    private static String figure(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static void stages(StringBuilder b, List<JobResult.Stage> stages) {
        if (stages == null) {
            return;
        }
        b.append("<table id=\"stages\"><tr><th class=\"l\">stage</th><th>epochs</th><th>head rate</th>"
                + "<th>base rate</th><th>best epoch</th><th>seconds</th><th class=\"l\">stopped</th>"
                + "<th class=\"l\">kept</th></tr>");
        for (JobResult.Stage st : stages) {
            b.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%d-%d</td><td>%.0e</td><td>%s</td>"
                            + "<td>%d</td><td>%.1f</td><td class=\"l\">%s</td><td class=\"l\">%s</td></tr>",
                    esc(st.name()), st.firstEpoch(), st.lastEpoch(), st.learningRate(),
                    st.baseLearningRate() == 0 ? "frozen" : String.format(Locale.ROOT, "%.0e", st.baseLearningRate()),
                    st.bestEpoch(), st.seconds(), esc(st.stopReason()), st.chosen() ? "yes" : ""));
        }
        b.append("</table>");
    }

    private static void test(StringBuilder b, JobResult.Metrics m) {
        JobResult.TestMetrics t = m.test();
        if (t == null) {
            return;
        }
        b.append("<h2>Test</h2><table id=\"metrics\"><tr><th class=\"l\">metric</th><th>value</th></tr>");
        row(b, "accuracy", t.accuracy());
        if (t.accuracy95() != null) {
            b.append(String.format(Locale.ROOT, "<tr><td class=\"l\">accuracy, 95%% interval (Wilson, %d test images)"
                    + "</td><td>%.4f - %.4f</td></tr>", t.samples(), t.accuracy95().low(), t.accuracy95().high()));
        }
        row(b, "loss", t.loss());
        if (t.rocAuc() != null) {
            row(b, "ROC AUC", t.rocAuc());
        }
        b.append("</table><h2>Per class</h2><table><tr><th class=\"l\">class</th><th>precision</th><th>recall</th>"
                + "<th>F1</th><th>support</th></tr>");
        for (Map.Entry<String, JobResult.ClassMetrics> e : t.perClass().entrySet()) {
            JobResult.ClassMetrics c = e.getValue();
            b.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%.4f</td><td>%.4f</td><td>%.4f</td>"
                    + "<td>%d</td></tr>", esc(e.getKey()), c.precision(), c.recall(), c.f1(), c.support()));
        }
        b.append("</table>");
        int[][] cm = t.confusionMatrix();
        if (cm != null && t.classes() != null) {
            int max = 1;
            for (int[] row : cm) {
                for (int v : row) {
                    max = Math.max(max, v);
                }
            }
            b.append("<h2>Confusion matrix</h2><table class=\"cm\" id=\"confusion\"><tr><th class=\"l\">true \\ "
                    + "predicted</th>");
            t.classes().forEach(c -> b.append("<th>").append(esc(c)).append("</th>"));
            b.append("</tr>");
            for (int i = 0; i < cm.length; i++) {
                b.append("<tr><th class=\"l\">").append(esc(t.classes().get(i))).append("</th>");
                for (int j = 0; j < cm[i].length; j++) {
                    double shade = (double) cm[i][j] / max;
                    String colour = i == j ? "26,127,55" : "207,34,46";
                    b.append(String.format(Locale.ROOT, "<td style=\"background:rgba(%s,%.2f)\">%d</td>", colour,
                            0.08 + 0.5 * shade, cm[i][j]));
                }
                b.append("</tr>");
            }
            b.append("</table>");
        }
    }

    private static void counts(StringBuilder b, JobResult.Counts c) {
        if (c == null) {
            return;
        }
        b.append("<h2>Samples</h2><table><tr><th>train</th><th>validation</th><th>test</th><th>features</th>"
                + "<th>bad</th></tr>");
        b.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr></table>",
                c.train(), c.validation(), c.test(), c.featureDimension(), c.badSampleCount()));
        if (c.badSamples() != null && !c.badSamples().isEmpty()) {
            b.append("<table><tr><th class=\"l\">bad sample</th><th class=\"l\">reason</th></tr>");
            c.badSamples().stream().limit(50).forEach(s -> b.append("<tr><td class=\"l\">").append(esc(s.sample()))
                    .append("</td><td class=\"l\">").append(esc(s.reason())).append("</td></tr>"));
            b.append("</table>");
        }
    }

    private static void timings(StringBuilder b, Map<String, Double> timings) {
        if (timings == null || timings.isEmpty()) {
            return;
        }
        b.append("<h2>Stage timings</h2><table id=\"timings\"><tr><th class=\"l\">stage</th><th>value</th></tr>");
        timings.forEach((k, v) -> row(b, k, v));
        b.append("</table>");
    }

    private static void row(StringBuilder b, String name, double value) {
        b.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%.4f</td></tr>", esc(name), value));
    }

    private static void artifact(StringBuilder b, String name, JobResult.Artifact a) {
        if (a != null) {
            b.append("<tr><td class=\"l\">").append(name).append("</td><td class=\"l\">").append(esc(a.uri()));
            if (a.sha256() != null) {
                b.append("<br><small>sha256 ").append(esc(a.sha256())).append("</small>");
            }
            b.append("</td></tr>");
        }
    }
}
