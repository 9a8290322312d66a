package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ONNX MatMul of two inputs: [..., M, K] times a matrix [K, E] (a weight from a {@link TrainedTensor}: one GEMM
 * over all leading dimensions), or batched, [..., M, K] times [..., K, E] with the same leading dimensions
 * (attention's queries times keys, weights times values). Times a matrix, it may add a bias of [E] too (a third
 * input, the Add torch exports after the MatMul of a Linear on tokens): added to the GEMM's result in place, and
 * its gradient summed from the output's, where an Add vertex would copy the output's gradient for its input.
 */
public class MatMulVertex extends TensorVertex {
    private boolean bias;

    /** For deserialisation. */
    public MatMulVertex() {
    }

    public MatMulVertex(long[] shape) {
        this(shape, false);
    }

    /** @param bias a third input, [E] (any leading dimensions of 1), added to a product by a matrix */
    public MatMulVertex(long[] shape, boolean bias) {
        super(shape);
        this.bias = bias;
    }

    @Override
    int inputCount() {
        return bias ? 3 : 2;
    }

    private static long[] with(long[] s, long last) {
        long[] r = s.clone();
        r[r.length - 1] = last;
        return r;
    }

    /** [..., M, K] as [B, M, K]. */
    private static INDArray batched(INDArray x) {
        long batch = x.length() / (x.size(-1) * x.size(-2));
        return x.reshape('c', batch, x.size(-2), x.size(-1));
    }

    @Override
    INDArray forward(INDArray[] in) {
        INDArray a = in[0];
        INDArray b = in[1].castTo(a.dataType());
        if (b.rank() == 2) {
            INDArray a2 = a.reshape('c', a.length() / a.size(-1), a.size(-1));
            INDArray r = gemm(a2, b, false, false);
            if (bias) {
                r.addiRowVector(in[2].castTo(r.dataType()).reshape('c', 1, b.size(1)));
            }
            return r.reshape('c', with(a.shape(), b.size(1)));
        }
        long[] outShape = with(a.shape(), b.size(-1));
        return Nd4j.matmul(batched(a), batched(b)).reshape('c', outShape);
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        INDArray a = in[0];
        INDArray b = in[1].castTo(a.dataType());
        if (b.rank() == 2) {
            INDArray a2 = a.reshape('c', a.length() / a.size(-1), a.size(-1));
            INDArray e2 = epsilon.reshape('c', epsilon.length() / epsilon.size(-1), epsilon.size(-1));
            INDArray ga = gemm(e2, b, false, true).reshape('c', a.shape());
            INDArray gb = gemm(a2, e2, true, false);
            return bias ? new INDArray[]{ga, gb, reduceTo(epsilon, in[2].shape())} : new INDArray[]{ga, gb};
        }
        INDArray a3 = batched(a);
        INDArray b3 = batched(b);
        INDArray e3 = batched(epsilon);
        INDArray ga = Nd4j.matmul(e3, b3, false, true, false).reshape('c', a.shape());
        INDArray gb = Nd4j.matmul(a3, e3, true, false, false).reshape('c', b.shape());
        return new INDArray[]{ga, gb};
    }

    /**
     * One GEMM into a new 'c'-order array: INDArray.mmul makes an 'f'-order result and copies it for the 'c' reshape
     * that follows, a pass over the output as large as the product's.
     */
    private static INDArray gemm(INDArray a, INDArray b, boolean transA, boolean transB) {
        INDArray x = plain(a) ? a : a.dup('c');
        INDArray y = plain(b) ? b : b.dup('c');
        long m = transA ? x.size(1) : x.size(0);
        long n = transB ? y.size(0) : y.size(1);
        INDArray out = Nd4j.createUninitialized(x.dataType(), new long[]{m, n}, 'c');
        return Nd4j.gemm(x, y, out, transA, transB, 1.0, 0.0);
    }

    @Override
    Object[] fields() {
        return new Object[]{bias};
    }
}
