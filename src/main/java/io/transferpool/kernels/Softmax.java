package io.transferpool.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The gradient of a softmax over the last axis, from its output y and the output's gradient g: y (g - sum(g y)) row
 * by row, one pass in Java over heap copies of whole rows, on every core. As ND4J ops (a product, a sum over the
 * rows, a broadcast product and a difference) it took about 4% of a ViT-B fine-tuning step on attention weights of
 * [32, 12, 197, 197] (benchmarks/README, ViT-B/16): two of them ran ND4J's slow path for arrays of different
 * layouts or broadcast shapes.
 */
public final class Softmax {
    private static final int CHUNK = 8192; // floats of y and of g per copy: whole rows, together in a core's L1

    private Softmax() {
    }

    /** Whether {@link #backward} takes these: row-major contiguous float arrays of one shape, rows of <= 8192. */
    public static boolean applies(INDArray y, INDArray g) {
        return y.rank() >= 1 && y.ordering() == 'c' && g.ordering() == 'c' && Arrays.equals(y.shape(), g.shape())
                && y.size(-1) <= CHUNK && y.length() <= Integer.MAX_VALUE && NativeFloats.of(y, y.length()) != null
                && NativeFloats.of(g, g.length()) != null;
    }

    /** The gradient with respect to the softmax's input, a new row-major array like y. */
    public static INDArray backward(INDArray y, INDArray g) {
        INDArray out = y.ulike();
        FloatBuffer yb = NativeFloats.of(y);
        FloatBuffer gb = NativeFloats.of(g);
        FloatBuffer ob = NativeFloats.of(out);
        int row = (int) y.size(-1);
        int perChunk = Math.max(1, CHUNK / row);
        Parts.run(y.length() / row, 4L * perChunk, (from, to) -> {
            float[] a = new float[perChunk * row];
            float[] b = new float[perChunk * row];
            for (long r = from; r < to; r += perChunk) {
                int rows = (int) Math.min(perChunk, to - r);
                int at = (int) (r * row);
                int len = rows * row;
                yb.get(at, a, 0, len);
                gb.get(at, b, 0, len);
                for (int k = 0; k < rows; k++) {
                    rowGradient(a, b, k * row, row);
                }
                ob.put(at, a, 0, len);
            }
        });
        return out;
    }

    /** y := y (g - sum(g y)) on the row at {@code off}; four partial sums, so the sum does not wait on each add. */
    static void rowGradient(float[] y, float[] g, int off, int len) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = off;
        int end = off + len;
        for (; i + 3 < end; i += 4) {
            s0 += g[i] * y[i];
            s1 += g[i + 1] * y[i + 1];
            s2 += g[i + 2] * y[i + 2];
            s3 += g[i + 3] * y[i + 3];
        }
        for (; i < end; i++) {
            s0 += g[i] * y[i];
        }
        float dot = (s0 + s1) + (s2 + s3);
        for (int j = off; j < end; j++) {
            y[j] *= g[j] - dot;
        }
    }
}
