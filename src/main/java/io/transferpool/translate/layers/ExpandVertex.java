package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastTo;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ONNX Expand of a tensor without a batch (ViT's class token) to {@code shape} with the batch in dimension
 * {@code batchAxis}: the second input is the {@link BatchProbeVertex}, read only for the batch size. The gradient sums over
 * the copies.
 */
public class ExpandVertex extends TensorVertex {
    private int batchAxis;

    /** For deserialisation. */
    public ExpandVertex() {
    }

    public ExpandVertex(long[] shape, int batchAxis) {
        super(shape);
        this.batchAxis = batchAxis;
    }

    @Override
    int inputCount() {
        return 2;
    }

    @Override
    INDArray forward(INDArray[] in) {
        long[] target = shape.clone();
        target[batchAxis] *= in[1].size(0);
        INDArray x = toRank(in[0], target.length);
        INDArray out = Nd4j.createUninitialized(x.dataType(), target);
        Nd4j.exec(new BroadcastTo(x, target, out));
        return out;
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        return new INDArray[]{reduceTo(epsilon, in[0].shape()), in[1].ulike().assign(0)};
    }

    @Override
    Object[] fields() {
        return new Object[]{batchAxis};
    }
}
