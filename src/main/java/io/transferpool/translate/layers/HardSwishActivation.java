package io.transferpool.translate.layers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** ONNX HardSwish (MobileNetV3): {@code x * max(0, min(1, x / 6 + 1/2))}. DL4J has no such activation. */
public class HardSwishActivation extends BaseActivationFunction {
    private static final double ALPHA = 1.0 / 6;
    private static final double BETA = 0.5;

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return in.muli(gate(in));
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        // d/dx [x * g(x)] = g(x) + x * g'(x), g' = 1/6 inside the ramp and 0 outside.
        INDArray slope = in.mul(HardSigmoidActivation.slopeMask(in, ALPHA, BETA)).muli(ALPHA);
        return new Pair<>(epsilon.mul(gate(in).addi(slope)), null);
    }

    private static INDArray gate(INDArray x) {
        INDArray g = x.mul(ALPHA).addi(BETA);
        Transforms.max(g, 0.0, false);
        return Transforms.min(g, 1.0, false);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HardSwishActivation;
    }

    @Override
    public int hashCode() {
        return HardSwishActivation.class.hashCode();
    }

    @Override
    public String toString() {
        return "hardswish";
    }
}
