package io.transferpool.train;

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
     * out = a w + b for a narrow layer (few outputs): a is n x width, w is width x cols ('f': element (j, k) at
     * j + k * width). Vectorized over the batch's rows; for a handful of classes this beats a GEMM call, whose
     * set-up costs more than its 64 x 1024 x 2 multiply-adds.
     */
    static void narrowForward(float[] a, int n, int width, float[] w, float[] b, int cols, float[] out) {
        for (int k = 0; k < cols; k++) {
            int o = k * n;
            java.util.Arrays.fill(out, o, o + n, b[k]);
            for (int j = 0; j < width; j++) {
                float wj = w[j + k * width];
                for (int i = 0, p = j * n; i < n; i++, p++) {
                    out[o + i] += a[p] * wj;
                }
            }
        }
    }

    /** dw = a^T delta for a narrow layer: each entry a dot product over the batch, in four independent sums. */
    static void narrowWeightGradient(float[] a, float[] delta, int n, int width, int cols, float[] dw) {
        int n4 = n & ~3;
        for (int k = 0; k < cols; k++) {
            int d = k * n;
            for (int j = 0; j < width; j++) {
                int p = j * n;
                float s0 = 0f;
                float s1 = 0f;
                float s2 = 0f;
                float s3 = 0f;
                int i = 0;
                for (; i < n4; i += 4) {
                    s0 += a[p + i] * delta[d + i];
                    s1 += a[p + i + 1] * delta[d + i + 1];
                    s2 += a[p + i + 2] * delta[d + i + 2];
                    s3 += a[p + i + 3] * delta[d + i + 3];
                }
                for (; i < n; i++) {
                    s0 += a[p + i] * delta[d + i];
                }
                dw[j + k * width] = (s0 + s1) + (s2 + s3);
            }
        }
    }

    /** eps = delta w^T for a narrow layer: the gradient for its input, n x width. */
    static void narrowInputGradient(float[] delta, int n, float[] w, int width, int cols, float[] eps) {
        for (int j = 0; j < width; j++) {
            int e = j * n;
            java.util.Arrays.fill(eps, e, e + n, 0f);
            for (int k = 0; k < cols; k++) {
                float wjk = w[j + k * width];
                for (int i = 0, d = k * n; i < n; i++, d++) {
                    eps[e + i] += delta[d] * wjk;
                }
            }
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
