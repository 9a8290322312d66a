package io.transferpool.model;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The value of an ONNX tensor (an initializer, a Constant node's value, a test case's .pb file) as floats, with its
 * dims. Integer tensors (shapes) are kept as floats too: they are small and exact up to 2^24.
 */
public record TensorData(long[] dims, float[] values) {

    public TensorData {
        long n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        if (n != values.length) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " do not hold " + values.length
                    + " values");
        }
    }

    public static TensorData of(OnnxMl.TensorProto t) {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int n = (int) Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        float[] v = new float[n];
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = !t.getRawData().isEmpty();
        DataType type = DataType.forNumber(t.getDataType());
        switch (type == null ? DataType.UNDEFINED : type) {
            case FLOAT -> {
                for (int i = 0; i < n; i++) {
                    v[i] = hasRaw ? raw.getFloat() : t.getFloatData(i);
                }
            }
            case DOUBLE -> {
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (hasRaw ? raw.getDouble() : t.getDoubleData(i));
                }
            }
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    v[i] = hasRaw ? raw.getLong() : t.getInt64Data(i);
                }
            }
            case INT32 -> {
                for (int i = 0; i < n; i++) {
                    v[i] = hasRaw ? raw.getInt() : t.getInt32Data(i);
                }
            }
            default -> throw new IllegalArgumentException("tensor " + t.getName() + " has data type "
                    + type + ", only float, double, int32 and int64 are read");
        }
        return new TensorData(dims, v);
    }

    /** A float32 initializer with this value and the given name. */
    public OnnxMl.TensorProto toProto(String name) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    public int size() {
        return values.length;
    }

    public int rank() {
        return dims.length;
    }

    public boolean isScalar() {
        return values.length == 1;
    }

    public float scalar() {
        if (!isScalar()) {
            throw new IllegalStateException("not a scalar: dims " + Arrays.toString(dims));
        }
        return values[0];
    }
}
