package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * ONNX Slice (and one output of Split) of an activation: along each dimension, elements {@code begin} up to
 * {@code end} (exclusive) by {@code step}; an {@code end} of -1 takes the dimension whole (the batch's). The
 * gradient is the output's gradient in place, zeros elsewhere.
 */
public class SliceVertex extends TensorVertex {
    private long[] begin;
    private long[] end;
    private long[] step;

    /** For deserialisation. */
    public SliceVertex() {
    }

    public SliceVertex(long[] shape, long[] begin, long[] end, long[] step) {
        super(shape);
        this.begin = begin.clone();
        this.end = end.clone();
        this.step = step.clone();
    }

    private INDArrayIndex[] indices(INDArray x) {
        INDArrayIndex[] idx = new INDArrayIndex[begin.length];
        for (int d = 0; d < idx.length; d++) {
            long e = end[d] < 0 ? x.size(d) : end[d];
            idx[d] = begin[d] == 0 && e == x.size(d) && step[d] == 1 ? NDArrayIndex.all()
                    : NDArrayIndex.interval(begin[d], step[d], e);
        }
        return idx;
    }

    @Override
    INDArray forward(INDArray[] in) {
        return in[0].get(indices(in[0])).dup('c');
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        INDArray g = Nd4j.zeros(in[0].dataType(), in[0].shape());
        g.get(indices(in[0])).assign(epsilon);
        return new INDArray[]{g};
    }

    @Override
    Object[] fields() {
        return new Object[]{begin, end, step};
    }
}
