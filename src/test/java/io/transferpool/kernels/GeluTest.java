package io.transferpool.kernels;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GeluTest {
    /** x from -12 to 12 (both tails, where erf is +-1 and phi underflows) and a random spread, in double. */
    private static INDArray inputs() {
        INDArray grid = Nd4j.linspace(-12, 12, 48_001, DataType.DOUBLE);
        INDArray random = Nd4j.randn(Nd4j.getRandomFactory().getNewRandomInstance(5), 200_000).castTo(DataType.DOUBLE)
                .muli(3);
        assertThat(grid.length()).isEqualTo(48_001);
        return Nd4j.concat(0, grid, random);
    }

    private static INDArray erf(INDArray x) {
        INDArray out = x.ulike();
        Nd4j.exec(new Erf(x, out));
        return out;
    }

    @Test
    void forwardIsTheExactGeluToFloatPrecision() {
        INDArray x = inputs();
        INDArray expected = erf(x.mul(1 / Math.sqrt(2))).addi(1).muli(x).muli(0.5);
        INDArray got = Gelu.forward(x.castTo(DataType.FLOAT)).castTo(DataType.DOUBLE);
        // float rounding of the input and the result: relative 1e-7 of |x| at most, plus erf's 2e-7
        INDArray err = Transforms.abs(got.sub(expected)).divi(Transforms.abs(x).addi(1));
        assertThat(err.maxNumber().doubleValue()).isLessThan(5e-7);
    }

    @Test
    void backwardIsTheGradientTimesPhiPlusXPhiToFloatPrecision() {
        INDArray x = inputs();
        INDArray g = Nd4j.rand(DataType.DOUBLE, x.shape()).subi(0.5).muli(4);
        INDArray phi = Transforms.exp(x.mul(x).muli(-0.5), true).muli(1 / Math.sqrt(2 * Math.PI));
        INDArray expected = erf(x.mul(1 / Math.sqrt(2))).addi(1).muli(0.5).addi(phi.muli(x)).muli(g);
        INDArray got = Gelu.backward(x.castTo(DataType.FLOAT), g.castTo(DataType.FLOAT)).castTo(DataType.DOUBLE);
        INDArray err = Transforms.abs(got.sub(expected)).divi(Transforms.abs(g).addi(1e-3));
        assertThat(err.maxNumber().doubleValue()).isLessThan(1e-6);
    }

    @Test
    void expAndErfMatchTheLibraryFunctionsOverTheirRanges() {
        for (float x = -12f; x <= 12f; x += 0.0005f) {
            double e = Math.exp(-0.5 * x * x);
            // what the gradient adds: x times the Gaussian
            assertThat(x * (double) Gelu.gaussian(x)).as("x e^(-x^2/2) at %s", x).isCloseTo(x * e, within(3.2e-7));
        }
        assertThat((double) Gelu.gaussian(0f)).isEqualTo(1.0);
        assertThat((double) Gelu.erf(0f)).isEqualTo(0.0);
        assertThat((double) Gelu.erf(30f)).isCloseTo(1.0, within(1e-7));
        assertThat((double) Gelu.erf(-30f)).isCloseTo(-1.0, within(1e-7));
        assertThat((double) Gelu.erf(Float.NaN)).isNaN();
    }

    @Test
    void viewsAndDoublesAreLeftToTheNativePathAndPartsCoverEveryElement() {
        INDArray m = Nd4j.rand(DataType.FLOAT, 40, 50);
        assertThat(Gelu.applies(m.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 10)))).as("a strided view")
                .isFalse();
        assertThat(Gelu.applies(m.castTo(DataType.DOUBLE))).isFalse();
        assertThat(Gelu.applies(m, Nd4j.rand(DataType.FLOAT, 40, 49))).as("another length").isFalse();
        assertThat(Gelu.applies(m, m.dup('f'))).as("the same values in another order").isFalse();
        assertThat(Gelu.applies(m, m.dup('c'))).isTrue();
        // a row view with an offset is contiguous: taken, and read from its own first element
        INDArray row = m.getRow(7);
        assertThat(Gelu.applies(row)).isTrue();
        assertThat(Gelu.forward(row).getDouble(3)).isCloseTo(gelu(row.getDouble(3)), within(1e-6));
        // long enough for many parts on the pool: every element computed, none twice
        INDArray big = Nd4j.linspace(-3, 3, 1_000_003, DataType.FLOAT);
        INDArray out = Gelu.forward(big);
        for (long i : new long[]{0, 1, 65_535, 65_536, 500_001, 1_000_002}) {
            assertThat(out.getDouble(i)).as("element %d", i).isCloseTo(gelu(big.getDouble(i)), within(1e-6));
        }
    }

    private static double gelu(double x) {
        INDArray v = Nd4j.scalar(DataType.DOUBLE, x / Math.sqrt(2));
        return 0.5 * x * (1 + erf(v).getDouble(0));
    }
}
