package io.transferpool.learning;

import io.transferpool.job.JobResult.ClassMetrics;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobResult.TestMetrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classification metrics from predicted class probabilities: accuracy, mean cross-entropy, per-class precision,
 * recall and F1, the confusion matrix (rows = true class, columns = predicted) and, for two classes, ROC AUC of
 * the second class's probability.
 */
public final class Evaluation {
    private Evaluation() {
    }

    /** Index of the largest value in row {@code i} of a row-major matrix with {@code k} columns. */
    public static int argmax(float[] probs, int i, int k) {
        int best = 0;
        for (int c = 1; c < k; c++) {
            if (probs[i * k + c] > probs[i * k + best]) {
                best = c;
            }
        }
        return best;
    }

    /** Mean cross-entropy and accuracy, for per-epoch metrics. */
    public record LossAccuracy(double loss, double accuracy) {
    }

    public static LossAccuracy lossAccuracy(float[] probs, int[] labels, int k) {
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            loss -= Math.log(Math.max(probs[i * k + labels[i]], 1e-7));
            if (argmax(probs, i, k) == labels[i]) {
                correct++;
            }
        }
        int n = Math.max(1, labels.length);
        return new LossAccuracy(loss / n, (double) correct / n);
    }

    public static TestMetrics of(float[] probs, int[] labels, List<String> classes) {
        int k = classes.size();
        int[][] confusion = new int[k][k];
        for (int i = 0; i < labels.length; i++) {
            confusion[labels[i]][argmax(probs, i, k)]++;
        }
        Map<String, ClassMetrics> perClass = new LinkedHashMap<>();
        for (int c = 0; c < k; c++) {
            int tp = confusion[c][c];
            int actual = Arrays.stream(confusion[c]).sum();
            int predicted = 0;
            for (int[] row : confusion) {
                predicted += row[c];
            }
            double precision = predicted == 0 ? 0 : (double) tp / predicted;
            double recall = actual == 0 ? 0 : (double) tp / actual;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.put(classes.get(c), new ClassMetrics(precision, recall, f1, actual));
        }
        LossAccuracy la = lossAccuracy(probs, labels, k);
        Double auc = k == 2 ? rocAuc(probs, labels) : null;
        if (auc != null && auc.isNaN()) {
            auc = null; // one class absent from the test set: AUC is undefined
        }
        return new TestMetrics(la.accuracy(), la.loss(), perClass, List.copyOf(classes), confusion, auc,
                labels.length, labels.length == 0 ? null : JobResult.Interval.wilson(la.accuracy(), labels.length));
    }

    /** Area under the ROC curve for class 1 (Mann-Whitney U, ties counted half). */
    static double rocAuc(float[] probs, int[] labels) {
        int n = labels.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(probs[a * 2 + 1], probs[b * 2 + 1]));
        double rankSumPos = 0;
        long pos = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && probs[order[j + 1] * 2 + 1] == probs[order[i] * 2 + 1]) {
                j++;
            }
            double avgRank = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) {
                if (labels[order[t]] == 1) {
                    rankSumPos += avgRank;
                    pos++;
                }
            }
            i = j + 1;
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }
}
