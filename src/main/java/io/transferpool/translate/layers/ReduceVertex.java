package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/** ONNX ReduceMean and ReduceSum of an activation over some dimensions (never the batch's), keeping them or not. */
public class ReduceVertex extends TensorVertex {
    public enum Op { MEAN, SUM }

    private Op op;
    private int[] axes;
    private boolean keepDims;

    /** For deserialisation. */
    public ReduceVertex() {
    }

    public ReduceVertex(long[] shape, Op op, int[] axes, boolean keepDims) {
        super(shape);
        this.op = op;
        this.axes = axes.clone();
        this.keepDims = keepDims;
    }

    @Override
    INDArray forward(INDArray[] in) {
        return op == Op.MEAN ? in[0].mean(keepDims, axes) : in[0].sum(keepDims, axes);
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        INDArray x = in[0];
        long[] kept = x.shape().clone();
        long count = 1;
        for (int a : axes) {
            count *= kept[a];
            kept[a] = 1;
        }
        INDArray g = epsilon.reshape('c', kept);
        INDArray out = x.ulike().assign(0).addi(g);
        return new INDArray[]{op == Op.MEAN ? out.divi(count) : out};
    }

    @Override
    Object[] fields() {
        return new Object[]{op, axes, keepDims};
    }
}
