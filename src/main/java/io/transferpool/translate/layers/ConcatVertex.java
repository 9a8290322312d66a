package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** ONNX Concat of activations along any dimension but the batch's (tokens, the class token, a rolled map). */
public class ConcatVertex extends TensorVertex {
    private int axis;

    /** For deserialisation. */
    public ConcatVertex() {
    }

    public ConcatVertex(long[] shape, int axis) {
        super(shape);
        this.axis = axis;
    }

    @Override
    public int maxVertexInputs() {
        return Integer.MAX_VALUE;
    }

    @Override
    INDArray forward(INDArray[] in) {
        return Nd4j.concat(axis, in);
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        INDArray[] out = new INDArray[in.length];
        long from = 0;
        for (int i = 0; i < in.length; i++) {
            INDArrayIndex[] idx = new INDArrayIndex[epsilon.rank()];
            for (int d = 0; d < idx.length; d++) {
                idx[d] = d == axis ? NDArrayIndex.interval(from, from + in[i].size(axis)) : NDArrayIndex.all();
            }
            out[i] = epsilon.get(idx).dup('c');
            from += in[i].size(axis);
        }
        return out;
    }

    @Override
    Object[] fields() {
        return new Object[]{axis};
    }
}
