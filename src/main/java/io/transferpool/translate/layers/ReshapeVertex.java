package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ONNX Reshape, Flatten, Squeeze and Unsqueeze of an activation: the elements in row-major order, in new dimensions.
 * {@code shape} is the target for a batch of one; the batch multiplies dimension {@code batchAxis} (as its outermost
 * factor), so [N * windows, T, C] and [T, N * heads, d] reshape as they do in the exported model.
 */
public class ReshapeVertex extends TensorVertex {
    private int batchAxis;

    /** For deserialisation. */
    public ReshapeVertex() {
    }

    public ReshapeVertex(long[] shape, int batchAxis) {
        super(shape);
        this.batchAxis = batchAxis;
    }

    @Override
    INDArray forward(INDArray[] in) {
        long[] dims = shape.clone();
        dims[batchAxis] *= in[0].length() / product(shape);
        return in[0].reshape('c', dims);
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        return new INDArray[]{epsilon.reshape('c', in[0].shape())};
    }

    @Override
    Object[] fields() {
        return new Object[]{batchAxis};
    }
}
