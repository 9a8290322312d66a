package io.transferpool.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * The exact GELU of float activations, {@code x Phi(x) = x (1 + erf(x / sqrt 2)) / 2} (torch's {@code nn.GELU()}
 * as exported), and its gradient, in Java loops over heap copies of chunks that the JIT vectorizes, on every core.
 * libnd4j's erf and exp are scalar: the five native passes of a GELU over ViT-B's MLP activations ([32, 197, 3072])
 * took about 100 ms forward and 160 ms backward, these about 15 and 25 (benchmarks/README, ViT-B/16).
 * erf is the rational approximation Eigen uses for float (odd numerator of degree 13 over an even denominator of
 * degree 8 in x, on [-4, 4], where erf is +-1 to float precision beyond): within 2e-7 of erf; the Gaussian of the
 * gradient is {@link #gaussian}. Double arrays (gradient checks) keep the native path: this is accurate to float
 * precision only.
 */
public final class Gelu {
    private static final int CHUNK = 2048; // three rows of it stay in a core's L1 cache
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    private Gelu() {
    }

    /**
     * Whether the kernels take these arrays: contiguous float arrays of the same shape and order (so that an element
     * of one is at the same place in the memory of each).
     */
    public static boolean applies(INDArray x, INDArray... others) {
        if (NativeFloats.of(x, x.length()) == null || x.length() > Integer.MAX_VALUE) {
            return false;
        }
        for (INDArray o : others) {
            if (NativeFloats.of(o, x.length()) == null || !java.util.Arrays.equals(o.shape(), x.shape())
                    || (o.ordering() != x.ordering() && !o.isVector())) {
                return false;
            }
        }
        return true;
    }

    /** GELU(x), a new array like x (in the current workspace). */
    public static INDArray forward(INDArray x) {
        INDArray out = x.ulike();
        run(NativeFloats.of(x), null, NativeFloats.of(out), (int) x.length());
        return out;
    }

    /** {@code g * GELU'(x)}, GELU'(x) = Phi(x) + x phi(x); a new array like x. */
    public static INDArray backward(INDArray x, INDArray g) {
        INDArray out = x.ulike();
        run(NativeFloats.of(x), NativeFloats.of(g), NativeFloats.of(out), (int) x.length());
        return out;
    }

    /** Forward when {@code g} is null, else backward; in parts on every core, chunk by chunk. */
    private static void run(FloatBuffer x, FloatBuffer g, FloatBuffer out, int n) {
        Parts.run(n, 4 * CHUNK, (from, to) -> {
            float[] a = new float[CHUNK];
            float[] b = g == null ? null : new float[CHUNK];
            float[] t = g == null ? null : new float[CHUNK];
            for (int at = (int) from; at < to; at += CHUNK) {
                int len = (int) Math.min(CHUNK, to - at);
                x.get(at, a, 0, len);
                if (g == null) {
                    forward(a, len);
                } else {
                    g.get(at, b, 0, len);
                    backward(a, b, t, len);
                }
                out.put(at, a, 0, len);
            }
        });
    }

    /** a := GELU(a) on the first {@code n} values. */
    static void forward(float[] a, int n) {
        for (int i = 0; i < n; i++) {
            float v = a[i];
            a[i] = 0.5f * v * (1f + erf(v * INV_SQRT2));
        }
    }

    /**
     * a := g * GELU'(a) on the first {@code n} values, t a scratch row. Two loops: as one, erf and the Gaussian are
     * too much to inline together, and the calls left the loop scalar (16 ns an element instead of under 1).
     */
    static void backward(float[] a, float[] g, float[] t, int n) {
        for (int i = 0; i < n; i++) {
            t[i] = g[i] * a[i] * gaussian(a[i]) * INV_SQRT_2PI;
        }
        for (int i = 0; i < n; i++) {
            a[i] = g[i] * (0.5f * (1f + erf(a[i] * INV_SQRT2))) + t[i];
        }
    }

    /** erf(x) to float precision (see the class comment). */
    static float erf(float x) {
        float c = Math.max(-4f, Math.min(4f, x));
        float x2 = c * c;
        float p = -2.72614225801306e-10f;
        p = p * x2 + 2.77068142495902e-08f;
        p = p * x2 - 2.10102402082508e-06f;
        p = p * x2 - 5.69250639462346e-05f;
        p = p * x2 - 7.34990630326855e-04f;
        p = p * x2 - 2.95459980854025e-03f;
        p = p * x2 - 1.60960333262415e-02f;
        float q = -1.45660718464996e-05f;
        q = q * x2 - 2.13374055278905e-04f;
        q = q * x2 - 1.68282697438203e-03f;
        q = q * x2 - 7.37332916720468e-03f;
        q = q * x2 - 1.42647390514189e-02f;
        return c * p / q;
    }

    /**
     * e^(-x^2 / 2), with x e^(-x^2 / 2) within 3.2e-7 (x phi(x), which the gradient adds to Phi: 1.3e-7). Taylor's
     * series of e^u to degree 12 at u = -x^2 / 16, raised to the 8th power by squaring. Arithmetic alone, so the JIT
     * vectorizes it: a range reduction by powers of 2 needs a float-to-int conversion, which C2 leaves scalar (5 ns
     * an element). |x| is clamped at 8, where the function is 1e-14.
     */
    static float gaussian(float x) {
        float c = Math.min(8f, Math.abs(x));
        float u = -0.0625f * c * c;
        float y = 2.08767570e-09f; // 1/12!
        y = y * u + 2.50521084e-08f;
        y = y * u + 2.75573192e-07f;
        y = y * u + 2.75573192e-06f;
        y = y * u + 2.48015873e-05f;
        y = y * u + 1.98412698e-04f;
        y = y * u + 1.38888889e-03f;
        y = y * u + 8.33333333e-03f;
        y = y * u + 4.16666667e-02f;
        y = y * u + 1.66666667e-01f;
        y = y * u + 0.5f;
        y = y * u + 1f;
        y = y * u + 1f;
        y = y * y;
        y = y * y;
        return y * y;
    }
}
