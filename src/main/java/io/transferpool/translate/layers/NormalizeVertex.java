package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * LayerNormalization's normalising step: (x - mean) / sqrt(variance + epsilon) over the dimensions from
 * {@code axis} to the last. Its scale and shift follow as a Mul and an Add of {@link TrainedTensor}s, as in the
 * opset-13 expansion this also stands for.
 */
public class NormalizeVertex extends TensorVertex {
    private int axis;
    private double epsilon;

    /** For deserialisation. */
    public NormalizeVertex() {
    }

    public NormalizeVertex(long[] shape, int axis, double epsilon) {
        super(shape);
        this.axis = axis;
        this.epsilon = epsilon;
    }

    private int[] dims(int rank) {
        return java.util.stream.IntStream.range(axis, rank).toArray();
    }

    @Override
    INDArray forward(INDArray[] in) {
        INDArray x = in[0];
        int[] d = dims(x.rank());
        INDArray centred = x.sub(x.mean(true, d));
        INDArray std = Transforms.sqrt(centred.mul(centred).mean(true, d).addi(epsilon), false);
        return centred.divi(std);
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray g) {
        INDArray x = in[0];
        int[] d = dims(x.rank());
        INDArray centred = x.sub(x.mean(true, d));
        INDArray std = Transforms.sqrt(centred.mul(centred).mean(true, d).addi(epsilon), false);
        INDArray xhat = centred.divi(std);
        // dx = (g - mean(g) - xhat * mean(g * xhat)) / std
        INDArray dx = g.sub(g.mean(true, d)).subi(xhat.mul(g.mul(xhat).mean(true, d)));
        return new INDArray[]{dx.divi(std)};
    }

    @Override
    Object[] fields() {
        return new Object[]{axis, epsilon};
    }
}
