package io.transferpool.kernels;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The direct BLAS call against ND4J's own {@code Nd4j.gemm}, for every order and transpose, and on views. */
class GemmTest {
    private static INDArray matrix(long rows, long cols, char order, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, rows, cols).dup(order);
    }

    @Test
    void everyOrderAndTransposeGivesNd4jsProduct() {
        int m = 7;
        int k = 5;
        int n = 3;
        for (char orderA : new char[]{'f', 'c'}) {
            for (char orderB : new char[]{'f', 'c'}) {
                for (boolean transA : new boolean[]{false, true}) {
                    for (boolean transB : new boolean[]{false, true}) {
                        INDArray a = transA ? matrix(k, m, orderA, 1) : matrix(m, k, orderA, 1);
                        INDArray b = transB ? matrix(n, k, orderB, 2) : matrix(k, n, orderB, 2);
                        INDArray expected = matrix(m, n, 'f', 3);
                        INDArray actual = expected.dup('f');
                        Nd4j.gemm(a, b, expected, transA, transB, 0.5, 2.0);
                        Gemm.gemm(a, transA, b, transB, actual, 0.5, 2.0);
                        assertThat(actual.equalsWithEps(expected, 1e-5))
                                .as("%s%s x %s%s", orderA, transA ? "^T" : "", orderB, transB ? "^T" : "").isTrue();
                    }
                }
            }
        }
    }

    @Test
    void viewsOfAFlatArrayAreReadAndWrittenWhereTheyAre() {
        // as DL4J's parameters: each layer's weights an 'f' view at an offset in one flat array
        INDArray flat = Nd4j.rand(DataType.FLOAT, 1, 100);
        INDArray w = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(10, 30)).reshape('f', 5, 4);
        INDArray out = Nd4j.create(DataType.FLOAT, 100);
        INDArray c = out.get(NDArrayIndex.interval(40, 52)).reshape('f', 3, 4);
        INDArray x = matrix(3, 5, 'c', 4);
        INDArray before = out.dup();
        Gemm.gemm(x, false, w, false, c, 1.0, 0.0);

        assertThat(c.equalsWithEps(x.mmul(w.dup('f')), 1e-5)).isTrue();
        assertThat(out.get(NDArrayIndex.interval(0, 40)).equalsWithEps(before.get(NDArrayIndex.interval(0, 40)), 0))
                .as("nothing written before the view").isTrue();
        assertThat(out.get(NDArrayIndex.interval(52, 100)).equalsWithEps(before.get(NDArrayIndex.interval(52, 100)), 0))
                .as("nothing written after the view").isTrue();
    }

    @Test
    void mismatchedShapesAreRefused() {
        assertThatThrownBy(() -> Gemm.gemm(matrix(3, 4, 'f', 1), false, matrix(5, 2, 'f', 2), false,
                Nd4j.create(DataType.FLOAT, new long[]{3, 2}, 'f'), 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Gemm.gemm(matrix(3, 4, 'f', 1), false, matrix(4, 2, 'f', 2), false,
                Nd4j.create(DataType.FLOAT, new long[]{3, 2}, 'c'), 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
