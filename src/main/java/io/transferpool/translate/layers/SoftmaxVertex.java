package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/** ONNX Softmax over the last dimension of an activation of any rank (attention weights). */
public class SoftmaxVertex extends TensorVertex {

    /** For deserialisation. */
    public SoftmaxVertex() {
    }

    public SoftmaxVertex(long[] shape) {
        super(shape);
    }

    @Override
    INDArray forward(INDArray[] in) {
        INDArray x = in[0].dup('c');
        INDArray out = x.ulike();
        Nd4j.exec(new SoftMax(x, out, x.rank() - 1));
        return out;
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        INDArray y = forward(in);
        // dL/dx = y * (g - sum(g * y))
        INDArray gy = epsilon.mul(y);
        INDArray s = gy.sum(true, y.rank() - 1);
        return new INDArray[]{gy.subi(y.muli(s))};
    }

    @Override
    Object[] fields() {
        return new Object[0];
    }
}
