package io.transferpool.kernels;

import io.transferpool.features.Rows;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * The arrays of one batch size of a {@link DenseHeadStep}, allocated once: native ones for the GEMMs (the input in
 * 'c' order, so each row is one copy; pre-activations, activations, deltas and logits in 'f' order, as the GEMMs
 * write them), and the heap copies the element-wise work runs on.
 */
final class StepBuffers {
    final int n;
    final int classes;
    final INDArray x;
    final INDArray[] z;
    final INDArray[] a;
    final INDArray[] eps;
    final FloatBuffer[] zData;
    final FloatBuffer[] aData;
    final FloatBuffer[] epsData;
    /** Each hidden layer's pre-activations (bias added), kept from the forward pass for the derivative. */
    final float[][] zHost;
    /** Each hidden layer's delta, for its bias gradient. */
    final float[][] deltaHost;
    /** Scratch for one layer's activations and for a bias or its gradient. */
    final float[] act;
    final float[] bias;
    final INDArray mask;
    final INDArray dropped;
    final INDArray logits;
    final FloatBuffer logitsData;
    final float[] probs;
    final int[] labels;
    final int[] correct = new int[1];
    private final FloatBuffer xData;
    private final float[] host;
    private final int width;

    /**
     * @param widths the layers' widths: the input's, then each layer's output (the last one's = classes)
     * @param keep   the output layer's dropout keep probability (1: none)
     */
    StepBuffers(int n, int[] widths, double keep) {
        this.n = n;
        int d = widths[0];
        int hidden = widths.length - 2;
        this.classes = widths[hidden + 1];
        x = Nd4j.create(DataType.FLOAT, new long[]{n, d}, 'c');
        xData = NativeFloats.of(x);
        z = new INDArray[hidden];
        a = new INDArray[hidden];
        eps = new INDArray[hidden];
        zData = new FloatBuffer[hidden];
        aData = new FloatBuffer[hidden];
        epsData = new FloatBuffer[hidden];
        zHost = new float[hidden][];
        deltaHost = new float[hidden][];
        int widest = classes;
        for (int l = 0; l < hidden; l++) {
            int w = widths[l + 1];
            widest = Math.max(widest, w);
            long[] shape = {n, w};
            z[l] = Nd4j.create(DataType.FLOAT, shape, 'f');
            a[l] = Nd4j.create(DataType.FLOAT, shape, 'f');
            eps[l] = Nd4j.create(DataType.FLOAT, shape, 'f');
            zData[l] = NativeFloats.of(z[l]);
            aData[l] = NativeFloats.of(a[l]);
            epsData[l] = NativeFloats.of(eps[l]);
            zHost[l] = new float[n * w];
            deltaHost[l] = new float[n * w];
        }
        act = new float[n * widest];
        bias = new float[widest];
        long[] outIn = {n, widths[hidden]};
        // 'c' order as DL4J's own activations: the random stream fills the mask in memory order, so the same
        // seed drops the same units as DL4J's fit would.
        mask = keep < 1.0 ? Nd4j.create(DataType.FLOAT, outIn, 'c') : null;
        dropped = keep < 1.0 ? Nd4j.create(DataType.FLOAT, outIn, 'f') : null;
        logits = Nd4j.create(DataType.FLOAT, new long[]{n, classes}, 'f');
        logitsData = NativeFloats.of(logits);
        host = new float[n * d];
        width = d;
        probs = new float[n * classes];
        labels = new int[n];
    }

    /** Copies the batch's rows into {@link #x} and its labels. */
    void load(Rows rows, int[] order, int from, int to) {
        int d = width;
        for (int i = 0; i < n; i++) {
            int index = rows.indices()[order[from + i]];
            rows.store().read(index, host, i * d);
            labels[i] = rows.store().label(index);
        }
        xData.put(0, host, 0, n * d);
    }
}
