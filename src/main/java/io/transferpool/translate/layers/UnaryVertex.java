package io.transferpool.translate.layers;

import io.transferpool.kernels.Gelu;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise ONNX operators of one activation: Erf (of the exported GELU), Sqrt, Reciprocal, Neg, Exp, Pow by a
 * constant exponent ({@code power}), and Gelu itself (opset 20; exact, or the tanh approximation).
 */
public class UnaryVertex extends TensorVertex {
    public enum Op { ERF, SQRT, RECIPROCAL, NEG, EXP, POW, GELU, GELU_TANH }

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private Op op;
    private double power;

    /** For deserialisation. */
    public UnaryVertex() {
    }

    public UnaryVertex(long[] shape, Op op, double power) {
        super(shape);
        this.op = op;
        this.power = power;
    }

    private static INDArray erf(INDArray x) {
        INDArray out = x.ulike();
        Nd4j.exec(new Erf(x, out));
        return out;
    }

    @Override
    INDArray forward(INDArray[] in) {
        INDArray x = in[0];
        return switch (op) {
            case ERF -> erf(x);
            case SQRT -> Transforms.sqrt(x, true);
            case RECIPROCAL -> Transforms.pow(x, -1, true);
            case NEG -> x.neg();
            case EXP -> Transforms.exp(x, true);
            case POW -> power == 2 ? x.mul(x) : Transforms.pow(x, power, true);
            case GELU -> Gelu.applies(x) ? Gelu.forward(x) : erf(x.mul(1 / Math.sqrt(2))).addi(1).muli(x).muli(0.5);
            case GELU_TANH -> Transforms.tanh(x.mul(x).muli(x).muli(0.044715).addi(x).muli(SQRT_2_OVER_PI), false)
                    .addi(1).muli(x).muli(0.5);
        };
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        INDArray x = in[0];
        if (op == Op.GELU && Gelu.applies(x, epsilon)) {
            return new INDArray[]{Gelu.backward(x, epsilon)};
        }
        INDArray d = switch (op) {
            case ERF -> Transforms.exp(x.mul(x).negi(), false).muli(2 / Math.sqrt(Math.PI));
            case SQRT -> Transforms.sqrt(x, true).rdivi(0.5);
            case RECIPROCAL -> x.mul(x).rdivi(-1);
            case NEG -> Nd4j.valueArrayOf(x.shape(), -1.0, x.dataType());
            case EXP -> Transforms.exp(x, true);
            case POW -> power == 2 ? x.mul(2) : Transforms.pow(x, power - 1, true).muli(power);
            case GELU -> {
                // Phi(x) + x phi(x)
                INDArray phi = Transforms.exp(x.mul(x).muli(-0.5), false).muli(1 / Math.sqrt(2 * Math.PI));
                yield erf(x.mul(1 / Math.sqrt(2))).addi(1).muli(0.5).addi(phi.muli(x));
            }
            case GELU_TANH -> {
                INDArray u = x.mul(x).muli(x).muli(0.044715).addi(x).muli(SQRT_2_OVER_PI);
                INDArray t = Transforms.tanh(u, false);
                INDArray du = x.mul(x).muli(3 * 0.044715).addi(1).muli(SQRT_2_OVER_PI);
                INDArray sech2 = t.mul(t).rsubi(1);
                yield t.addi(1).muli(0.5).addi(sech2.muli(du).muli(x).muli(0.5));
            }
        };
        return new INDArray[]{d.muli(epsilon)};
    }

    @Override
    Object[] fields() {
        return new Object[]{op, power};
    }
}
