package io.transferpool.features;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A float32 .npy file read back for tests, by NumPy's format description (version 1, little-endian, C order). */
public record NpyFile(long[] shape, float[] values) {
    private static final Pattern SHAPE = Pattern.compile("'shape': \\(([0-9, ]*)\\)");

    public static NpyFile read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        b.get(magic);
        if (!Arrays.equals(magic, new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'}) || b.get() != 1) {
            throw new IOException(file + " is not a version 1 .npy file");
        }
        b.get();
        int headerLength = b.getShort() & 0xffff;
        String header = new String(b.array(), 10, headerLength, StandardCharsets.US_ASCII);
        if (!header.contains("'descr': '<f4'") || !header.contains("'fortran_order': False")
                || (10 + headerLength) % 64 != 0 || !header.endsWith("\n")) {
            throw new IOException(file + ": not a C-order float32 array with an aligned header: " + header);
        }
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) {
            throw new IOException(file + ": no shape in " + header);
        }
        long[] shape = Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        b.position(10 + headerLength);
        float[] values = new float[b.remaining() / 4];
        b.asFloatBuffer().get(values);
        if (values.length != Arrays.stream(shape).reduce(1, (x, y) -> x * y)) {
            throw new IOException(file + ": " + values.length + " values for shape " + Arrays.toString(shape));
        }
        return new NpyFile(shape, values);
    }

    /** Row {@code i} of a 2-d array. */
    public float[] row(int i) {
        int d = (int) shape[1];
        return Arrays.copyOfRange(values, i * d, (i + 1) * d);
    }
}
