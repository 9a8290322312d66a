package io.transferpool.translate.layers;

import io.transferpool.kernels.Softmax;
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
        INDArray x = plain(in[0]) ? in[0] : in[0].dup('c');
        INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape(), 'c');
        Nd4j.exec(new SoftMax(x, out, x.rank() - 1));
        return out;
    }

    @Override
    boolean usesOutput() {
        return true;
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        return backward(in, forward(in), epsilon);
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray y, INDArray epsilon) {
        if (Softmax.applies(y, y)) { // a gradient in another layout is copied once, not taken on ND4J's slow path
            return new INDArray[]{Softmax.backward(y, Softmax.applies(y, epsilon) ? epsilon : epsilon.dup('c'))};
        }
        // dL/dx = y * (g - sum(g * y)); y is the forward's output, read by the next vertex too: not changed
        INDArray gy = epsilon.mul(y);
        INDArray s = gy.sum(true, y.rank() - 1);
        return new INDArray[]{gy.subi(y.mul(s))};
    }

    @Override
    Object[] fields() {
        return new Object[0];
    }
}
