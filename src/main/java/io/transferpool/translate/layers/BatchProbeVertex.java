package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The batch size of the freeze boundary as a [N, 1] array of zeros: what {@link TrainedTensor}s and
 * {@link ExpandVertex} are attached to. DL4J sums every reader's gradient into the boundary's and accepts no missing
 * one; through this vertex those readers send back [N, 1] zeros, and the boundary gets one array of zeros per step
 * (nothing before the boundary trains).
 */
public class BatchProbeVertex extends TensorVertex {

    /** For deserialisation. */
    public BatchProbeVertex() {
        super(new long[]{1, 1});
    }

    @Override
    INDArray forward(INDArray[] in) {
        return Nd4j.zeros(in[0].dataType(), in[0].size(0), 1);
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        return new INDArray[]{Nd4j.zeros(in[0].dataType(), in[0].shape())};
    }

    @Override
    Object[] fields() {
        return new Object[0];
    }
}
