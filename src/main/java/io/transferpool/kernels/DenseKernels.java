package io.transferpool.kernels;

/**
 * The element-wise parts of a dense layer's training step, on heap copies of 'f'-order batches (element (i, j) of an
 * n-row batch at {@code j * n + i}). Each one is a single pass the JIT vectorizes; as native ops each of them cost a
 * call into libnd4j and a wake-up of its threads, more than the arithmetic (../shared/STACK-NOTES.md, DL4J).
 */
final class DenseKernels {
    private DenseKernels() {
    }

    /** z[i, j] += b[j] for the n rows of a batch with {@code cols} columns. */
    static void addBias(float[] z, float[] b, int n, int cols) {
        for (int j = 0; j < cols; j++) {
            float bj = b[j];
            for (int i = 0, p = j * n; i < n; i++, p++) {
                z[p] += bj;
            }
        }
    }

    /**
     * a = max(z, 0) on the first {@code cells} values, as DL4J's ReLU. {@code Math.max} compiles to a vector max; a
     * comparison compiles to a branch that the random signs of a layer's units mispredict half the time (a ternary
     * here took 130-200 us a batch of 64 x 1024, this 3).
     */
    static void relu(float[] z, float[] a, int cells) {
        for (int k = 0; k < cells; k++) {
            a[k] = Math.max(z[k], 0f);
        }
    }

    /**
     * eps := eps * relu'(z): the gradient passes where the unit was active (z > 0, NaN not), as DL4J's ReLU
     * derivative, without a branch (see {@link #relu}): the sign and exponent bits of z make a mask of all ones
     * exactly when 0 < bits(z) <= bits(+infinity).
     */
    static void reluDerivative(float[] z, float[] eps, int cells) {
        for (int k = 0; k < cells; k++) {
            int b = Float.floatToRawIntBits(z[k]);
            int pass = (-b & ~b & (b - 0x7F800001)) >> 31;
            eps[k] = Float.intBitsToFloat(Float.floatToRawIntBits(eps[k]) & pass);
        }
    }

    /** out[j] = sum over the batch's n rows of d[i, j]: a bias's gradient from its layer's delta. */
    static void columnSums(float[] d, int n, int cols, float[] out) {
        for (int j = 0; j < cols; j++) {
            float s = 0f;
            for (int i = 0, p = j * n; i < n; i++, p++) {
                s += d[p];
            }
            out[j] = s;
        }
    }

    /**
     * Row-wise softmax of logits in place; the batch's summed cross-entropy against {@code labels} (probabilities
     * clipped to [clip, 1 - clip] before the log, as DL4J's score), its right answers in {@code correct[0]}, and the
     * logits replaced by the output's delta (p - y) / n.
     */
    static double softmaxCrossEntropy(float[] logits, int[] labels, int n, int classes, double clip, int[] correct) {
        double loss = 0;
        int right = 0;
        for (int i = 0; i < n; i++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0, p = i; k < classes; k++, p += n) {
                max = Math.max(max, logits[p]);
            }
            double sum = 0;
            for (int k = 0, p = i; k < classes; k++, p += n) {
                double e = Math.exp(logits[p] - max);
                logits[p] = (float) e;
                sum += e;
            }
            int label = labels[i];
            int best = 0;
            float bestP = -1f;
            for (int k = 0, p = i; k < classes; k++, p += n) {
                float prob = (float) (logits[p] / sum);
                if (prob > bestP) {
                    best = k;
                    bestP = prob;
                }
                if (k == label) {
                    loss -= Math.log(Math.min(1 - clip, Math.max(clip, prob)));
                }
                logits[p] = (prob - (k == label ? 1f : 0f)) / n;
            }
            right += best == label ? 1 : 0;
        }
        correct[0] = right;
        return loss;
    }
}
