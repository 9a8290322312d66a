package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/** ONNX Transpose of an activation: its dimensions in the order {@code perm}, laid out anew ('c' order). */
public class PermuteVertex extends TensorVertex {
    private int[] perm;

    /** For deserialisation. */
    public PermuteVertex() {
    }

    public PermuteVertex(long[] shape, int[] perm) {
        super(shape);
        this.perm = perm.clone();
    }

    @Override
    INDArray forward(INDArray[] in) {
        return in[0].permute(perm).dup('c');
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        int[] inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[perm[i]] = i;
        }
        return new INDArray[]{epsilon.permute(inverse).dup('c')};
    }

    @Override
    Object[] fields() {
        return new Object[]{perm};
    }
}
