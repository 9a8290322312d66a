package io.transferpool.features;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** A subset of a {@link FeatureStore}'s rows (by index), read as DL4J minibatches. */
public record Rows(FeatureStore store, int[] indices, int classes) {

    public int size() {
        return indices.length;
    }

    public int[] labels() {
        int[] out = new int[indices.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = store.label(indices[i]);
        }
        return out;
    }

    /** Rows {@code order[from..to)} (positions into {@link #indices}) as features and one-hot labels. */
    public DataSet batch(int[] order, int from, int to) {
        int n = to - from;
        int d = store.dimension();
        float[] x = new float[n * d];
        float[] y = new float[n * classes];
        for (int i = 0; i < n; i++) {
            int row = indices[order[from + i]];
            store.read(row, x, i * d);
            y[i * classes + store.label(row)] = 1f;
        }
        INDArray features = Nd4j.create(x, new long[]{n, d}, 'c').castTo(DataType.FLOAT);
        INDArray labels = Nd4j.create(y, new long[]{n, classes}, 'c').castTo(DataType.FLOAT);
        return new DataSet(features, labels);
    }

    public int[] identityOrder() {
        int[] order = new int[indices.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return order;
    }
}
