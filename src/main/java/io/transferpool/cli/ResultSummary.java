package io.transferpool.cli;

import io.transferpool.job.FieldError;
import io.transferpool.job.JobResult;

import java.io.PrintStream;
import java.util.Map;

/** The short, readable summary printed after a job: status, errors, the test table and where the artifacts are. */
final class ResultSummary {
    private ResultSummary() {
    }

    static void print(JobResult r, PrintStream out) {
        out.println();
        out.println("Job " + r.jobId() + ": " + r.status());
        for (FieldError e : r.errors()) {
            out.println("  error  " + e.field() + ": " + e.problem());
        }
        if (r.advice() != null) {
            out.printf("  advice     case %d: %s%s, cut %s%n", r.advice().caseNumber(), r.advice().strategy(),
                    r.advice().freezeAt() != null ? " from " + r.advice().freezeAt() : "", r.advice().cut());
        }
        JobResult.Metrics m = r.metrics();
        if (m == null) {
            return;
        }
        if (m.epochs() != null && !m.epochs().isEmpty() && m.bestEpoch() == null) {
            // A cancelled job: the epochs it trained, no checkpoint chosen.
            var last = m.epochs().get(m.epochs().size() - 1);
            out.printf("  training   %d epochs (%s); last: val loss %.4f, val accuracy %.4f%n", m.epochs().size(),
                    m.stopReason(), last.valLoss(), last.valAccuracy());
        } else if (m.epochs() != null && !m.epochs().isEmpty()) {
            var best = m.epochs().get(m.bestEpoch() - 1);
            out.printf("  training   %d epochs (%s); best epoch %d: val loss %.4f, val accuracy %.4f%n",
                    m.epochs().size(), m.stopReason(), m.bestEpoch(), best.valLoss(), best.valAccuracy());
        }
        if (m.sweep() != null) {
            for (JobResult.SweepCandidate c : m.sweep()) {
                out.printf("  candidate  %s: %s%s%n", c.values(), c.failed() != null ? "failed: " + c.failed()
                                : String.format("best epoch %d of %d, monitored %.4f%s", c.bestEpoch(), c.epochs(),
                                c.monitored(), c.testAccuracy() == null ? ""
                                        : String.format(", test accuracy %.4f", c.testAccuracy())),
                        c.chosen() ? " (chosen)" : Boolean.TRUE.equals(c.withinChosenInterval())
                                ? " (within the chosen one's 95% interval: not told apart by the test set)" : "");
            }
        }
        if (m.stages() != null) {
            for (JobResult.Stage st : m.stages()) {
                out.printf("  stage      %-9s epochs %d-%d, head rate %.0e, base %s, best epoch %d, %.1f s%s%n",
                        st.name(), st.firstEpoch(), st.lastEpoch(), st.learningRate(),
                        st.baseLearningRate() == 0 ? "frozen" : String.format("rate %.0e", st.baseLearningRate()),
                        st.bestEpoch(), st.seconds(), st.chosen() ? " (kept)" : "");
            }
        }
        if (m.counts() != null) {
            var c = m.counts();
            out.printf("  samples    train %d, validation %d, test %d, features %d-d, bad %d%n", c.train(),
                    c.validation(), c.test(), c.featureDimension(), c.badSampleCount());
        }
        if (m.test() != null) {
            var t = m.test();
            out.printf("  test       accuracy %.4f%s, loss %.4f%s%n", t.accuracy(), t.accuracy95() == null ? ""
                            : String.format(" (95%% interval %.4f-%.4f, %d images)", t.accuracy95().low(),
                            t.accuracy95().high(), t.samples()), t.loss(),
                    t.rocAuc() == null ? "" : String.format(", ROC AUC %.4f", t.rocAuc()));
            out.printf("  %-12s %9s %9s %9s %8s%n", "class", "precision", "recall", "f1", "support");
            for (Map.Entry<String, JobResult.ClassMetrics> e : t.perClass().entrySet()) {
                var cm = e.getValue();
                out.printf("  %-12s %9.4f %9.4f %9.4f %8d%n", e.getKey(), cm.precision(), cm.recall(), cm.f1(),
                        cm.support());
            }
            out.printf("  confusion (rows true, columns predicted: %s)%n", String.join(", ", t.classes()));
            for (int i = 0; i < t.confusionMatrix().length; i++) {
                StringBuilder row = new StringBuilder(String.format("  %-12s", t.classes().get(i)));
                for (int v : t.confusionMatrix()[i]) {
                    row.append(String.format(" %7d", v));
                }
                out.println(row);
            }
        }
        if (m.timings() != null && !m.timings().isEmpty()) {
            var tm = m.timings();
            String extraction = m.counts() != null && m.counts().featuresReused() > 0
                    ? String.format("none (%d feature rows kept from an earlier job, read in %.1f s)",
                    m.counts().featuresReused(), tm.getOrDefault("featuresLoadSeconds", 0.0))
                    : String.format("%.1f s (%.0f images/s)", tm.getOrDefault("extractionSeconds", 0.0),
                    tm.getOrDefault("extractionImagesPerSecond", 0.0));
            out.printf("  timings    extraction %s, training %.1f s (%.0f samples/s), total %.1f s%n", extraction,
                    tm.getOrDefault("trainingSeconds", 0.0), tm.getOrDefault("trainingSamplesPerSecond", 0.0),
                    tm.getOrDefault("totalSeconds", 0.0));
        }
        if (r.artifacts() != null && r.artifacts().features() != null) {
            out.println("  features   " + r.artifacts().features().uri() + " (<split>.npy float32 [N, D], "
                    + "<split>.jsonl ref, label, class per row)");
        }
        if (r.artifacts() != null && r.artifacts().onnx() != null) {
            out.println("  model      " + r.artifacts().onnx().uri() + " (sha256 " + r.artifacts().onnx().sha256() + ")");
            if (r.artifacts().onnxData() != null) {
                out.println("  weights    " + r.artifacts().onnxData().uri() + " (sha256 "
                        + r.artifacts().onnxData().sha256() + ")");
            }
            out.println("  head       " + r.artifacts().head().uri());
        }
    }
}
