package io.transferpool.kernels;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code c = alpha op(a) op(b) + beta c} by ND4J's own OpenBLAS, called as ND4J's {@code CpuLevel3.sgemm} calls it
 * ({@code cblas_sgemm}), without the {@code Mmul} op {@code Nd4j.gemm} goes through: that op's set-up (shape checks,
 * op objects, libnd4j's dispatch) cost 75-100 us per call here, as much as 5% of a head's training step. Float
 * arrays only, each contiguous in 'f' or 'c' order ('c' is read as the transpose of an 'f' matrix, no copy); c in
 * 'f' order. Used by the training thread's step.
 */
public final class Gemm {
    private static final int COL_MAJOR = 102;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private Gemm() {
    }

    public static void gemm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double alpha, double beta) {
        int m = (int) (transA ? a.size(1) : a.size(0));
        int k = (int) (transA ? a.size(0) : a.size(1));
        int n = (int) (transB ? b.size(0) : b.size(1));
        if ((transB ? b.size(1) : b.size(0)) != k || c.size(0) != m || c.size(1) != n || !plain(c, 'f')) {
            throw new IllegalArgumentException("gemm shapes " + a.shapeInfoToString() + " x " + b.shapeInfoToString()
                    + " -> " + c.shapeInfoToString());
        }
        openblas_nolapack.cblas_sgemm(COL_MAJOR, op(a, transA), op(b, transB), m, n, k, (float) alpha, pointer(a),
                ld(a), pointer(b), ld(b), (float) beta, pointer(c), (int) Math.max(1, c.size(0)));
    }

    /** Whether {@link #gemm} takes this array: float, 2-d, contiguous in one of the two orders. */
    static boolean takes(INDArray a) {
        return plain(a, 'f') || plain(a, 'c');
    }

    private static boolean plain(INDArray a, char order) {
        if (a.dataType() != DataType.FLOAT || a.rank() != 2) {
            return false;
        }
        long rows = a.size(0);
        long cols = a.size(1);
        long[] stride = a.stride();
        return order == 'f' ? (rows <= 1 || stride[0] == 1) && (cols <= 1 || stride[1] == rows)
                : (cols <= 1 || stride[1] == 1) && (rows <= 1 || stride[0] == cols);
    }

    /** An 'f' array is itself to BLAS; a 'c' array is the transpose of the 'f' matrix its memory holds. */
    private static int op(INDArray x, boolean trans) {
        boolean f = plain(x, 'f');
        if (!f && !plain(x, 'c')) {
            throw new IllegalArgumentException("gemm needs a contiguous float matrix: " + x.shapeInfoToString());
        }
        return f != trans ? NO_TRANS : TRANS;
    }

    private static int ld(INDArray x) {
        return (int) Math.max(1, plain(x, 'f') ? x.size(0) : x.size(1));
    }

    private static FloatPointer pointer(INDArray x) {
        return new FloatPointer(NativeFloats.of(x));
    }
}
