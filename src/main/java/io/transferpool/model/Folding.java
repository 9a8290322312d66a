package io.transferpool.model;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX operators that move the elements of small constant tensors (row-major, values as floats) for
 * {@link ConstantFolder}: gathering, slicing, reshaping, concatenating. Each follows the operator's definition in the
 * ONNX spec; the element-wise ones are in {@link ElementwiseFolding}.
 */
final class Folding {
    private Folding() {
    }

    static float[] floats(long[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    static long[] longs(float[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            if (Float.isNaN(v[i])) {
                throw new IllegalArgumentException("the batch size is not known while folding");
            }
            l[i] = (long) v[i];
        }
        return l;
    }

    static boolean integral(int type) {
        return type != DataType.FLOAT_VALUE && type != DataType.DOUBLE_VALUE && type != DataType.FLOAT16_VALUE
                && type != DataType.BFLOAT16_VALUE;
    }

    /** A negative axis counts from the end; the result is clamped to [0, rank] (Shape's start and end). */
    static long clampAxis(long axis, int rank) {
        return Math.max(0, Math.min(rank, axis < 0 ? axis + rank : axis));
    }

    private static int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        }
        return (int) a;
    }

    static long[] strides(long[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    static int count(long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d);
            }
            n = Math.multiplyExact(n, d);
        }
        if (n > ConstantFolder.MAX_ELEMENTS) {
            throw new IllegalArgumentException("too large to fold");
        }
        return (int) n;
    }

    static TensorData gather(TensorData data, TensorData indices, int axisAttr) {
        long[] d = data.dims();
        int axis = axis(axisAttr, d.length);
        long[] outDims = new long[d.length - 1 + indices.rank()];
        System.arraycopy(d, 0, outDims, 0, axis);
        System.arraycopy(indices.dims(), 0, outDims, axis, indices.rank());
        System.arraycopy(d, axis + 1, outDims, axis + indices.rank(), d.length - axis - 1);
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= d[i];
        }
        long inner = 1;
        for (int i = axis + 1; i < d.length; i++) {
            inner *= d[i];
        }
        float[] out = new float[count(outDims)];
        int k = 0;
        for (long o = 0; o < outer; o++) {
            for (float idxF : indices.values()) {
                long idx = (long) idxF;
                if (idx < 0) {
                    idx += d[axis];
                }
                if (idx < 0 || idx >= d[axis]) {
                    throw new IllegalArgumentException("Gather index " + (long) idxF + " out of range");
                }
                for (long in = 0; in < inner; in++) {
                    out[k++] = data.values()[(int) ((o * d[axis] + idx) * inner + in)];
                }
            }
        }
        return new TensorData(outDims, out);
    }

    static TensorData unsqueeze(TensorData a, long[] axes) {
        if (axes == null) {
            throw new IllegalArgumentException("Unsqueeze without axes");
        }
        int rank = a.rank() + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long ax : axes) {
            inserted[axis(ax, rank)] = true;
        }
        long[] dims = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            dims[i] = inserted[i] ? 1 : a.dims()[j++];
        }
        return new TensorData(dims, a.values());
    }

    static TensorData squeeze(TensorData a, long[] axes) {
        List<Long> dims = new ArrayList<>();
        boolean[] drop = new boolean[a.rank()];
        if (axes == null) {
            for (int i = 0; i < a.rank(); i++) {
                drop[i] = a.dims()[i] == 1;
            }
        } else {
            for (long ax : axes) {
                int i = axis(ax, a.rank());
                if (a.dims()[i] != 1) {
                    throw new IllegalArgumentException("Squeeze of a dimension that is not 1");
                }
                drop[i] = true;
            }
        }
        for (int i = 0; i < a.rank(); i++) {
            if (!drop[i]) {
                dims.add(a.dims()[i]);
            }
        }
        return new TensorData(dims.stream().mapToLong(Long::longValue).toArray(), a.values());
    }

    static TensorData concat(TensorData[] parts, int axisAttr) {
        int rank = parts[0].rank();
        int axis = axis(axisAttr, rank);
        long[] dims = parts[0].dims().clone();
        dims[axis] = 0;
        for (TensorData p : parts) {
            if (p.rank() != rank) {
                throw new IllegalArgumentException("Concat of tensors of different rank");
            }
            dims[axis] += p.dims()[axis];
        }
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= dims[i];
        }
        float[] out = new float[count(dims)];
        int k = 0;
        for (long o = 0; o < outer; o++) {
            for (TensorData p : parts) {
                int block = (int) (p.size() / Math.max(1, outer));
                System.arraycopy(p.values(), (int) (o * block), out, k, block);
                k += block;
            }
        }
        return new TensorData(dims, out);
    }

    static TensorData slice(TensorData a, long[] starts, long[] ends, long[] axes, long[] steps) {
        int rank = a.rank();
        long[] begin = new long[rank];
        long[] step = new long[rank];
        long[] size = a.dims().clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            int ax = axis(axes == null ? i : axes[i], rank);
            long dim = a.dims()[ax];
            long st = steps == null ? 1 : steps[i];
            if (st == 0) {
                throw new IllegalArgumentException("Slice step 0");
            }
            long s = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (st > 0) {
                s = Math.max(0, Math.min(dim, s));
                e = Math.max(0, Math.min(dim, e));
                size[ax] = Math.max(0, (e - s + st - 1) / st);
            } else {
                s = Math.max(-1, Math.min(dim - 1, s));
                e = Math.max(-1, Math.min(dim - 1, e));
                size[ax] = Math.max(0, (s - e - st - 1) / -st);
            }
            begin[ax] = s;
            step[ax] = st;
        }
        long[] inStrides = strides(a.dims());
        float[] out = new float[count(size)];
        long[] idx = new long[rank];
        for (int k = 0; k < out.length; k++) {
            long src = 0;
            for (int d = 0; d < rank; d++) {
                src += (begin[d] + idx[d] * step[d]) * inStrides[d];
            }
            out[k] = a.values()[(int) src];
            for (int d = rank - 1; d >= 0 && ++idx[d] == size[d]; d--) {
                idx[d] = 0;
            }
        }
        return new TensorData(size, out);
    }

    /** ONNX Reshape's target: 0 copies the input's dimension (unless allowzero), -1 takes what is left. */
    static long[] reshapeTarget(long[] in, float[] shape, boolean allowZero) {
        long[] t = longs(shape);
        long total = 1;
        for (long d : in) {
            total *= d;
        }
        long known = 1;
        int minus = -1;
        for (int i = 0; i < t.length; i++) {
            if (t[i] == 0 && !allowZero) {
                if (i >= in.length) {
                    throw new IllegalArgumentException("Reshape copies dimension " + i + " the input lacks");
                }
                t[i] = in[i];
            }
            if (t[i] == -1) {
                if (minus >= 0) {
                    throw new IllegalArgumentException("Reshape with two -1");
                }
                minus = i;
            } else {
                known *= t[i];
            }
        }
        if (minus >= 0) {
            if (known == 0 || total % known != 0) {
                throw new IllegalArgumentException("Reshape cannot infer -1");
            }
            t[minus] = total / known;
        }
        return t;
    }

    static TensorData flatten(TensorData a, int axisAttr) {
        int axis = (int) clampAxis(axisAttr, a.rank());
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= a.dims()[i];
        }
        return new TensorData(new long[]{outer, a.size() / Math.max(1, outer)}, a.values());
    }

    static TensorData transpose(TensorData a, long[] perm) {
        int rank = a.rank();
        long[] p = perm;
        if (p == null) {
            p = new long[rank];
            for (int i = 0; i < rank; i++) {
                p[i] = rank - 1 - i;
            }
        }
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = a.dims()[(int) p[i]];
        }
        long[] inStrides = strides(a.dims());
        float[] out = new float[count(dims)];
        long[] idx = new long[rank];
        for (int k = 0; k < out.length; k++) {
            long src = 0;
            for (int d = 0; d < rank; d++) {
                src += idx[d] * inStrides[(int) p[d]];
            }
            out[k] = a.values()[(int) src];
            for (int d = rank - 1; d >= 0 && ++idx[d] == dims[d]; d--) {
                idx[d] = 0;
            }
        }
        return new TensorData(dims, out);
    }

}
