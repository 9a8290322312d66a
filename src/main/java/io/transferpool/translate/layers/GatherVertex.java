package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * ONNX Gather with constant indices: along dimension {@code axis} (never the batch's), the entries {@code indices}
 * (non-negative) arranged as {@code indexShape} ([] for one index, which drops the dimension: the class token of
 * {@code x[:, 0]}); also of a trained table (Swin's relative position bias). The gradient adds each output entry's
 * gradient back onto the entry it came from.
 */
public class GatherVertex extends TensorVertex {
    private int axis;
    private int[] indices;
    private long[] indexShape;

    /** For deserialisation. */
    public GatherVertex() {
    }

    public GatherVertex(long[] shape, int axis, int[] indices, long[] indexShape) {
        super(shape);
        this.axis = axis;
        this.indices = indices.clone();
        this.indexShape = indexShape.clone();
    }

    /** {@code x} with {@code axis} first, as rows of the other dimensions. */
    private int[] axisFirst(int rank) {
        int[] perm = new int[rank];
        perm[0] = axis;
        for (int d = 0, j = 1; d < rank; d++) {
            if (d != axis) {
                perm[j++] = d;
            }
        }
        return perm;
    }

    private long[] rest(long[] s) {
        long[] r = new long[s.length - 1];
        for (int d = 0, j = 0; d < s.length; d++) {
            if (d != axis) {
                r[j++] = s[d];
            }
        }
        return r;
    }

    @Override
    INDArray forward(INDArray[] in) {
        INDArray x = in[0];
        long[] rest = rest(x.shape());
        INDArray rows = x.permute(axisFirst(x.rank())).dup('c').reshape('c', x.size(axis), product(rest));
        INDArray picked = Nd4j.pullRows(rows, 1, indices, 'c');
        // picked is [indices..., rest...]: move the index dimensions back to where the axis was
        long[] pickedShape = new long[indexShape.length + rest.length];
        System.arraycopy(indexShape, 0, pickedShape, 0, indexShape.length);
        System.arraycopy(rest, 0, pickedShape, indexShape.length, rest.length);
        INDArray p = picked.reshape('c', pickedShape);
        int k = indexShape.length;
        int[] perm = new int[pickedShape.length];
        int j = 0;
        for (int d = 0; d < axis; d++) {
            perm[j++] = k + d;
        }
        for (int d = 0; d < k; d++) {
            perm[j++] = d;
        }
        for (int d = axis; d < rest.length; d++) {
            perm[j++] = k + d;
        }
        return p.permute(perm).dup('c');
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        INDArray x = in[0];
        long[] rest = rest(x.shape());
        int k = indexShape.length;
        int[] toFront = new int[epsilon.rank()];
        int j = 0;
        for (int d = 0; d < k; d++) {
            toFront[j++] = axis + d;
        }
        for (int d = 0; d < epsilon.rank(); d++) {
            if (d < axis || d >= axis + k) {
                toFront[j++] = d;
            }
        }
        long width = product(rest);
        INDArray e = epsilon.permute(toFront).dup('c').reshape('c', indices.length, width);
        double[] ev = e.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
        double[] g = new double[(int) (x.size(axis) * width)];
        for (int i = 0; i < indices.length; i++) {
            int src = i * (int) width;
            int dst = indices[i] * (int) width;
            for (int c = 0; c < width; c++) {
                g[dst + c] += ev[src + c];
            }
        }
        long[] frontShape = new long[x.rank()];
        frontShape[0] = x.size(axis);
        System.arraycopy(rest, 0, frontShape, 1, rest.length);
        int[] back = new int[x.rank()];
        int[] front = axisFirst(x.rank());
        for (int d = 0; d < front.length; d++) {
            back[front[d]] = d;
        }
        INDArray grad = Nd4j.create(g, frontShape, 'c').castTo(x.dataType()).permute(back).dup('c');
        return new INDArray[]{grad};
    }

    @Override
    Object[] fields() {
        return new Object[]{axis, indices, indexShape};
    }

    @Override
    public String toString() {
        return "GatherVertex[axis " + axis + ", " + Arrays.toString(indexShape) + " indices]";
    }
}
