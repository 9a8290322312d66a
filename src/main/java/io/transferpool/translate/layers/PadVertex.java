package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * ONNX Pad in constant mode of an activation of any rank and layout (sequences, NHWC maps as Swin pads them to
 * whole windows): {@code before[d]} and {@code after[d]} cells of {@code value} around each dimension, none around
 * the batch's. The gradient is the output's gradient inside.
 */
public class PadVertex extends TensorVertex {
    private long[] before;
    private long[] after;
    private double value;

    /** For deserialisation. */
    public PadVertex() {
    }

    public PadVertex(long[] shape, long[] before, long[] after, double value) {
        super(shape);
        this.before = before.clone();
        this.after = after.clone();
        this.value = value;
    }

    private INDArrayIndex[] inside(INDArray x) {
        INDArrayIndex[] idx = new INDArrayIndex[x.rank()];
        for (int d = 0; d < idx.length; d++) {
            idx[d] = NDArrayIndex.interval(before[d], before[d] + x.size(d));
        }
        return idx;
    }

    @Override
    INDArray forward(INDArray[] in) {
        INDArray x = in[0];
        long[] s = x.shape().clone();
        for (int d = 0; d < s.length; d++) {
            s[d] += before[d] + after[d];
        }
        INDArray out = Nd4j.valueArrayOf(s, value, x.dataType());
        out.get(inside(x)).assign(x);
        return out;
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        return new INDArray[]{epsilon.get(inside(in[0])).dup('c')};
    }

    @Override
    Object[] fields() {
        return new Object[]{before, after, value};
    }
}
