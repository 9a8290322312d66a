package io.transferpool.model;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The value of an ONNX tensor (an initializer, a Constant node's value, a test case's .pb file) as floats, with its
 * dims. Integer and boolean tensors (shapes, indices, flags) are kept as floats too: they are small and exact up to
 * 2^24.
 */
public record TensorData(long[] dims, float[] values) {

    public TensorData {
        long n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        if (n != values.length) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " do not hold " + values.length
                    + " values");
        }
    }

    /** A tensor whose data is inside the proto; one with external data is read by {@link OnnxModel#values}. */
    public static TensorData of(OnnxMl.TensorProto t) {
        if (ExternalData.isExternal(t)) {
            throw new IllegalArgumentException("tensor " + t.getName() + " keeps its data in an external file; "
                    + "read it through its model");
        }
        return decode(t, t.getRawData().isEmpty() ? null : t.getRawData().asReadOnlyByteBuffer());
    }

    /**
     * Reads a tensor's values from {@code raw} (little-endian, as raw_data and external files store them) or, when
     * {@code raw} is null, from the proto's typed fields.
     */
    static TensorData decode(OnnxMl.TensorProto t, ByteBuffer raw) {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        if (count < 0 || count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor " + t.getName() + " has " + count + " elements, more than "
                    + "one array holds");
        }
        int n = (int) count;
        DataType type = DataType.forNumber(t.getDataType());
        type = type == null ? DataType.UNDEFINED : type;
        if (raw != null) {
            raw = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int need = n * elementBytes(t, type);
            if (raw.remaining() < need) {
                throw new IllegalArgumentException("tensor " + t.getName() + " holds " + raw.remaining()
                        + " bytes, its dims and type need " + need);
            }
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = raw != null ? rawValue(raw, type) : typedValue(t, type, i);
        }
        return new TensorData(dims, v);
    }

    /** Bytes per element of a type this class reads. */
    static int elementBytes(OnnxMl.TensorProto t, DataType type) {
        return switch (type) {
            case FLOAT, INT32, UINT32 -> 4;
            case DOUBLE, INT64, UINT64 -> 8;
            case FLOAT16, BFLOAT16, INT16, UINT16 -> 2;
            case INT8, UINT8, BOOL -> 1;
            default -> throw new IllegalArgumentException("tensor " + t.getName() + " has data type " + type
                    + ", which is not read (floating point, integer and bool are)");
        };
    }

    private static float rawValue(ByteBuffer b, DataType type) {
        return switch (type) {
            case FLOAT -> b.getFloat();
            case DOUBLE -> (float) b.getDouble();
            case INT64, UINT64 -> b.getLong();
            case INT32 -> b.getInt();
            case UINT32 -> b.getInt() & 0xffffffffL;
            case INT16 -> b.getShort();
            case UINT16 -> b.getShort() & 0xffff;
            case INT8 -> b.get();
            case UINT8, BOOL -> b.get() & 0xff;
            case FLOAT16 -> Half.toFloat(b.getShort());
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
            default -> throw new IllegalStateException("unreachable: checked by elementBytes");
        };
    }

    private static float typedValue(OnnxMl.TensorProto t, DataType type, int i) {
        return switch (type) {
            case FLOAT -> t.getFloatData(i);
            case DOUBLE -> (float) t.getDoubleData(i);
            case INT64 -> t.getInt64Data(i);
            case UINT64, UINT32 -> t.getUint64Data(i);
            case INT32, INT16, UINT16, INT8, UINT8, BOOL -> t.getInt32Data(i);
            case FLOAT16 -> Half.toFloat((short) t.getInt32Data(i));
            case BFLOAT16 -> Float.intBitsToFloat((t.getInt32Data(i) & 0xffff) << 16);
            default -> throw new IllegalArgumentException("tensor " + t.getName() + " has data type " + type
                    + ", which is not read (floating point, integer and bool are)");
        };
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
