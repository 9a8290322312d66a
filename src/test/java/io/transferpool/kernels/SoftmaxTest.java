package io.transferpool.kernels;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.assertj.core.api.Assertions.assertThat;

class SoftmaxTest {
    /** y (g - sum(g y)) over the last axis, by ND4J ops in double. */
    private static INDArray expected(INDArray y, INDArray g) {
        INDArray yd = y.castTo(DataType.DOUBLE);
        INDArray gy = g.castTo(DataType.DOUBLE).mul(yd);
        return gy.sub(yd.mul(gy.sum(true, y.rank() - 1)));
    }

    private static INDArray softmax(long... shape) {
        INDArray x = Nd4j.randn(DataType.FLOAT, shape).muli(3);
        INDArray y = x.ulike();
        Nd4j.exec(new SoftMax(x, y, x.rank() - 1));
        return y;
    }

    @Test
    void theGradientIsThatOfTheSoftmaxRowByRow() {
        // attention's rows (197: not a multiple of 4), a row longer than a chunk's share, short rows, one row
        for (long[] shape : new long[][]{{3, 4, 197, 197}, {5, 3000}, {2, 9, 7}, {1, 5}, {11}}) {
            INDArray y = softmax(shape);
            INDArray g = Nd4j.randn(DataType.FLOAT, shape);
            assertThat(Softmax.applies(y, g)).isTrue();
            INDArray got = Softmax.backward(y, g).castTo(DataType.DOUBLE);
            double err = Transforms.abs(got.sub(expected(y, g))).maxNumber().doubleValue();
            assertThat(err).as(java.util.Arrays.toString(shape)).isLessThan(1e-6);
        }
    }

    @Test
    void arraysInOtherLayoutsAreLeftToTheCaller() {
        INDArray y = softmax(4, 6);
        assertThat(Softmax.applies(y, Nd4j.randn(DataType.FLOAT, 4, 6).dup('f'))).isFalse();
        assertThat(Softmax.applies(y, Nd4j.randn(DataType.FLOAT, 6, 4).transpose())).isFalse();
        assertThat(Softmax.applies(y.castTo(DataType.DOUBLE), y.castTo(DataType.DOUBLE))).isFalse();
        assertThat(Softmax.applies(y, Nd4j.randn(DataType.FLOAT, 4, 5))).isFalse();
        assertThat(Softmax.applies(softmax(2, 9000), Nd4j.randn(DataType.FLOAT, 2, 9000))).as("rows past a chunk")
                .isFalse();
    }
}
