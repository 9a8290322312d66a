package io.transferpool.kernels;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The step's element-wise kernels against libnd4j's own ops on the same 'f'-order batches. */
class DenseKernelsTest {
    private static final int N = 7;
    private static final int COLS = 5;

    /** Random values with the edges a layer meets: exact zeros of both signs, infinities, NaN. */
    private static float[] values(long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[N * COLS];
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) rnd.nextGaussian();
        }
        v[0] = 0f;
        v[1] = -0f;
        v[2] = Float.POSITIVE_INFINITY;
        v[3] = Float.NEGATIVE_INFINITY;
        v[4] = Float.MIN_VALUE;
        v[5] = -Float.MIN_VALUE;
        return v;
    }

    private static INDArray f(float[] v) {
        INDArray a = Nd4j.create(DataType.FLOAT, new long[]{N, COLS}, 'f');
        NativeFloats.of(a).put(0, v, 0, v.length);
        return a;
    }

    private static float[] host(INDArray a) {
        float[] v = new float[(int) a.length()];
        NativeFloats.of(a.dup('f')).get(0, v, 0, v.length);
        return v;
    }

    @Test
    void reluAndItsDerivativeAreDl4jsOnEveryEdgeValue() {
        float[] z = values(1);
        float[] a = new float[z.length];
        DenseKernels.relu(z, a, z.length);
        INDArray expected = Nd4j.exec(new RectifiedLinear(f(z), Nd4j.create(DataType.FLOAT, new long[]{N, COLS}, 'f'), 0.0));
        assertThat(a).containsExactly(host(expected), within(0f));

        float[] eps = values(2);
        INDArray nativeEps = f(eps);
        DenseKernels.reluDerivative(z, eps, eps.length);
        Nd4j.exec(new RectifiedLinearDerivative(f(z), nativeEps, nativeEps, 0.0));
        assertThat(eps).containsExactly(host(nativeEps), within(0f));
        assertThat(eps[0]).as("no gradient through a unit at exactly zero").isZero();
        assertThat(eps[4]).as("the smallest positive input passes the gradient").isEqualTo(values(2)[4]);
    }

    @Test
    void nanStopsTheGradientAsDl4jDoes() {
        float[] z = {Float.NaN, Float.intBitsToFloat(0xFFC00000), 1f};
        float[] eps = {3f, 4f, 5f};
        INDArray nativeEps = Nd4j.createFromArray(eps).reshape('f', 1, 3);
        Nd4j.exec(new RectifiedLinearDerivative(Nd4j.createFromArray(z).reshape('f', 1, 3), nativeEps, nativeEps, 0.0));
        DenseKernels.reluDerivative(z, eps, 3);
        assertThat(eps).containsExactly(0f, 0f, 5f).containsExactly(host(nativeEps), within(0f));
    }

    @Test
    void biasAndColumnSumsFollowTheFOrderLayout() {
        float[] z = values(3);
        for (int k = 0; k < 6; k++) {
            z[k] = k; // finite values, so sums compare
        }
        INDArray expected = f(z).addRowVector(Nd4j.createFromArray(1f, 2f, 3f, 4f, 5f));
        DenseKernels.addBias(z, new float[]{1f, 2f, 3f, 4f, 5f}, N, COLS);
        assertThat(z).containsExactly(host(expected), within(0f));

        float[] sums = new float[COLS];
        DenseKernels.columnSums(z, N, COLS, sums);
        assertThat(sums).containsExactly(host(f(z).sum(0).reshape(1, COLS)), within(1e-5f));
    }

    @Test
    void softmaxCrossEntropyGivesDl4jsProbabilitiesLossAndDelta() {
        float[] logits = values(4);
        for (int k = 0; k < 6; k++) {
            logits[k] = 10f * k - 20f; // large and small logits, finite
        }
        int[] labels = {0, 1, 2, 3, 4, 0, 1};
        INDArray probs = Nd4j.exec(new SoftMax(f(logits), Nd4j.create(DataType.FLOAT, new long[]{N, COLS}, 'f'), 1))[0];
        float[] p = host(probs);
        double expectedLoss = 0;
        int expectedRight = 0;
        for (int i = 0; i < N; i++) {
            expectedLoss -= Math.log(Math.min(1 - 1e-10, Math.max(1e-10, p[labels[i] * N + i])));
            int best = 0;
            for (int k = 1; k < COLS; k++) {
                best = p[k * N + i] > p[best * N + i] ? k : best;
            }
            expectedRight += best == labels[i] ? 1 : 0;
        }
        int[] right = new int[1];
        double loss = DenseKernels.softmaxCrossEntropy(logits, labels, N, COLS, 1e-10, right);

        assertThat(loss).isCloseTo(expectedLoss, within(1e-4));
        assertThat(right[0]).isEqualTo(expectedRight);
        for (int i = 0; i < N; i++) {
            for (int k = 0; k < COLS; k++) {
                float y = k == labels[i] ? 1f : 0f;
                assertThat(logits[k * N + i]).as("delta of row %d class %d", i, k)
                        .isCloseTo((p[k * N + i] - y) / N, within(1e-6f));
            }
        }
    }
}
