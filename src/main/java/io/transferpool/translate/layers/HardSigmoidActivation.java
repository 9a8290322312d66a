package io.transferpool.translate.layers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * ONNX HardSigmoid, {@code max(0, min(1, alpha * x + beta))}, with the node's alpha and beta (DL4J's own hard
 * sigmoid fixes them at 0.2 and 0.5; PyTorch's hardsigmoid exports alpha 1/6).
 */
public class HardSigmoidActivation extends BaseActivationFunction {
    private double alpha = 0.2;
    private double beta = 0.5;

    /** For deserialisation. */
    public HardSigmoidActivation() {
    }

    public HardSigmoidActivation(double alpha, double beta) {
        this.alpha = alpha;
        this.beta = beta;
    }

    public double getAlpha() {
        return alpha;
    }

    public void setAlpha(double alpha) {
        this.alpha = alpha;
    }

    public double getBeta() {
        return beta;
    }

    public void setBeta(double beta) {
        this.beta = beta;
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        in.muli(alpha).addi(beta);
        Transforms.max(in, 0.0, false);
        return Transforms.min(in, 1.0, false);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray dLdz = epsilon.mul(slopeMask(in, alpha, beta)).muli(alpha);
        return new Pair<>(dLdz, null);
    }

    /** 1 where {@code alpha * x + beta} lies strictly inside (0, 1), else 0. */
    static INDArray slopeMask(INDArray x, double alpha, double beta) {
        INDArray t = x.mul(alpha).addi(beta);
        return t.gt(0.0).castTo(x.dataType()).muli(t.lt(1.0).castTo(x.dataType()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HardSigmoidActivation h && h.alpha == alpha && h.beta == beta;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(alpha) * 31 + Double.hashCode(beta);
    }

    @Override
    public String toString() {
        return "hardsigmoid(alpha=" + alpha + ", beta=" + beta + ")";
    }
}
