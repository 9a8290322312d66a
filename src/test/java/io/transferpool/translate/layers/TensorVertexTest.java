package io.transferpool.translate.layers;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

/** Gradients summed over the dimensions an operand was broadcast along, against ND4J's sum over them. */
class TensorVertexTest {
    private static void sumsAsNd4j(INDArray g, long[] operand, int... dims) {
        INDArray expected = g.sum(true, dims).reshape('c', operand);
        INDArray got = TensorVertex.reduceTo(g, operand);
        assertThat(got.shape()).isEqualTo(operand);
        assertThat(got.equalsWithEps(expected, 1e-3)).as("%s over %s", java.util.Arrays.toString(operand),
                java.util.Arrays.toString(dims)).isTrue();
    }

    @Test
    void aBiasOrScaleIsSummedOverTheLeadingDimensions() {
        INDArray g = Nd4j.rand(DataType.FLOAT, 4, 7, 5).subi(0.5);
        sumsAsNd4j(g, new long[]{5}, 0, 1); // a bias on the last axis
        sumsAsNd4j(g, new long[]{1, 1, 5}, 0, 1);
        sumsAsNd4j(g, new long[]{7, 5}, 0); // a positional embedding
        sumsAsNd4j(g, new long[]{1, 7, 5}, 0);
        sumsAsNd4j(g.castTo(DataType.DOUBLE), new long[]{5}, 0, 1);
        // a permuted view (not row-major): copied before the product
        sumsAsNd4j(Nd4j.rand(DataType.FLOAT, 5, 7, 4).permute(2, 1, 0), new long[]{5}, 0, 1);
    }

    @Test
    void otherBroadcastsAreSummedAsBefore() {
        INDArray g = Nd4j.rand(DataType.FLOAT, 4, 7, 5).subi(0.5);
        sumsAsNd4j(g, new long[]{4, 1, 5}, 1); // a middle dimension: not a sum of rows
        sumsAsNd4j(g, new long[]{4, 7, 1}, 2);
        sumsAsNd4j(g, new long[]{1, 7, 1}, 0, 2);
        assertThat(TensorVertex.reduceTo(g, new long[]{4, 7, 5})).isSameAs(g);
    }
}
