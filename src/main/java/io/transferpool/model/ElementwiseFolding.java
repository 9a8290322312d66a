package io.transferpool.model;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;

import java.util.Arrays;

/**
 * Element-wise ONNX operators on small constant tensors for {@link ConstantFolder}: casts, arithmetic and
 * comparisons with numpy broadcasting, Where, Expand and Range, each as the ONNX spec defines it.
 */
final class ElementwiseFolding {
    private ElementwiseFolding() {
    }

    static TensorData cast(TensorData a, int to) {
        float[] v = a.values().clone();
        for (int i = 0; i < v.length; i++) {
            if (Float.isNaN(v[i])) {
                continue; // the batch stays the batch
            }
            if (to == DataType.BOOL_VALUE) {
                v[i] = v[i] != 0 ? 1 : 0;
            } else if (Folding.integral(to)) {
                v[i] = (float) (long) v[i]; // truncation toward zero, as a C cast
            }
        }
        return new TensorData(a.dims(), v);
    }

    private static long[] broadcastDims(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /** Index into {@code src} (broadcast to {@code outDims}) of every output element, in order. */
    private static int[] broadcastIndex(long[] src, long[] outDims) {
        int rank = outDims.length;
        long[] padded = new long[rank];
        Arrays.fill(padded, 1);
        System.arraycopy(src, 0, padded, rank - src.length, src.length);
        long[] s = Folding.strides(padded);
        int[] out = new int[Folding.count(outDims)];
        long[] idx = new long[rank];
        for (int k = 0; k < out.length; k++) {
            long pos = 0;
            for (int d = 0; d < rank; d++) {
                pos += (padded[d] == 1 ? 0 : idx[d]) * s[d];
            }
            out[k] = (int) pos;
            for (int d = rank - 1; d >= 0 && ++idx[d] == outDims[d]; d--) {
                idx[d] = 0;
            }
        }
        return out;
    }

    static TensorData expand(TensorData a, TensorData shape) {
        long[] dims = broadcastDims(a.dims(), Folding.longs(shape.values()));
        int[] ia = broadcastIndex(a.dims(), dims);
        float[] out = new float[ia.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = a.values()[ia[k]];
        }
        return new TensorData(dims, out);
    }

    static TensorData binary(String op, TensorData a, TensorData b, boolean integral) {
        long[] dims = broadcastDims(a.dims(), b.dims());
        int[] ia = broadcastIndex(a.dims(), dims);
        int[] ib = broadcastIndex(b.dims(), dims);
        float[] out = new float[ia.length];
        for (int k = 0; k < out.length; k++) {
            float x = a.values()[ia[k]];
            float y = b.values()[ib[k]];
            out[k] = switch (op) {
                case "Add" -> x + y;
                case "Sub" -> x - y;
                case "Mul" -> x * y;
                case "Div" -> integral ? (float) ((long) x / (long) y) : x / y;
                case "Pow" -> (float) Math.pow(x, y);
                // ONNX Mod with fmod=0 (the default) takes the divisor's sign, as Python's %
                case "Mod" -> integral ? (float) Math.floorMod((long) x, (long) y) : x - y * (float) Math.floor(x / y);
                case "Equal" -> x == y ? 1 : 0;
                case "Less" -> x < y ? 1 : 0;
                case "Greater" -> x > y ? 1 : 0;
                default -> throw new IllegalArgumentException("not a binary op: " + op);
            };
        }
        return new TensorData(dims, out);
    }

    static TensorData unary(String op, TensorData a) {
        float[] v = a.values().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (op) {
                case "Neg" -> -v[i];
                case "Sqrt" -> (float) Math.sqrt(v[i]);
                case "Reciprocal" -> 1 / v[i];
                case "Not" -> v[i] == 0 ? 1 : 0;
                default -> throw new IllegalArgumentException("not a unary op: " + op);
            };
        }
        return new TensorData(a.dims(), v);
    }

    /**
     * ONNX ScatterND without reduction: a copy of {@code data} where each index tuple (the last dimension of
     * {@code indices}) takes the matching slice of {@code updates} (Swin's shifted-window mask is built so).
     */
    static TensorData scatterNd(TensorData data, TensorData indices, TensorData updates) {
        long[] d = data.dims();
        int k = (int) indices.dims()[indices.rank() - 1];
        int slice = 1;
        for (int i = k; i < d.length; i++) {
            slice *= (int) d[i];
        }
        float[] out = data.values().clone();
        int tuples = indices.size() / Math.max(1, k);
        for (int t = 0; t < tuples; t++) {
            int offset = 0;
            for (int j = 0; j < k; j++) {
                long ix = (long) indices.values()[t * k + j];
                if (ix < 0) {
                    ix += d[j];
                }
                if (ix < 0 || ix >= d[j]) {
                    throw new IllegalArgumentException("ScatterND index " + ix + " outside " + d[j]);
                }
                offset = offset * (int) d[j] + (int) ix;
            }
            System.arraycopy(updates.values(), t * slice, out, offset * slice, slice);
        }
        return new TensorData(d, out);
    }

    static TensorData where(TensorData cond, TensorData x, TensorData y) {
        long[] dims = broadcastDims(broadcastDims(cond.dims(), x.dims()), y.dims());
        int[] ic = broadcastIndex(cond.dims(), dims);
        int[] ix = broadcastIndex(x.dims(), dims);
        int[] iy = broadcastIndex(y.dims(), dims);
        float[] out = new float[ic.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = cond.values()[ic[k]] != 0 ? x.values()[ix[k]] : y.values()[iy[k]];
        }
        return new TensorData(dims, out);
    }

    static TensorData range(float start, float limit, float delta) {
        if (delta == 0) {
            throw new IllegalArgumentException("Range with delta 0");
        }
        long n = Math.max(0, (long) Math.ceil((limit - start) / delta));
        float[] out = new float[Folding.count(new long[]{n})];
        for (int i = 0; i < out.length; i++) {
            out[i] = start + i * delta;
        }
        return new TensorData(new long[]{n}, out);
    }
}
