package io.transferpool.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/** The memory of a native float array as a Java buffer, for bulk copies to and from the heap. */
final class NativeFloats {
    private NativeFloats() {
    }

    /**
     * The array's {@code expected} elements as a buffer starting at its first element (a view's own offset), or null
     * when it is not float, not contiguous or not that long.
     */
    static FloatBuffer of(INDArray a, long expected) {
        if (a == null || a.dataType() != DataType.FLOAT || a.length() != expected || a.elementWiseStride() != 1) {
            return null;
        }
        FloatBuffer rest = a.data().asNioFloat().slice();
        return rest.capacity() < expected ? null : rest.slice(0, (int) expected);
    }

    /** {@link #of(INDArray, long)} for the whole array, failing where the step's own arrays must qualify. */
    static FloatBuffer of(INDArray a) {
        FloatBuffer b = of(a, a.length());
        if (b == null) {
            throw new IllegalArgumentException("not a contiguous float array: " + a.shapeInfoToString());
        }
        return b;
    }
}
