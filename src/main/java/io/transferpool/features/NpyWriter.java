package io.transferpool.features;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes rows of a {@link FeatureStore} as a NumPy {@code .npy} file (format version 1.0): float32, little-endian,
 * C order, shape [rows, dimension], so {@code numpy.load} reads it as users of NumPy, PyTorch or scikit-learn
 * expect. Rows are streamed, never all in memory (features cut at a model's input are images' worth of floats);
 * the file appears whole or not at all (written beside, then moved).
 */
public final class NpyWriter {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private NpyWriter() {
    }

    /** The header: magic, version, header length, then the dict padded with spaces to a multiple of 64 bytes. */
    static byte[] header(long rows, int dimension) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + dimension + "), }";
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        StringBuilder text = new StringBuilder(dict);
        text.append(" ".repeat(padded - unpadded)).append('\n');
        ByteBuffer b = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) text.length()).put(text.toString().getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    /** A file of no rows (shape [0, 0]): a split whose every image was bad. */
    public static byte[] empty() {
        return header(0, 0);
    }

    /** Writes the store's rows {@code order[0..]} (row indices) to {@code file}. */
    public static void write(Path file, FeatureStore store, int[] order) throws IOException {
        int d = store.dimension();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        float[] row = new float[d];
        ByteBuffer bytes = ByteBuffer.allocate(d * 4).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            out.write(header(order.length, d));
            for (int index : order) {
                store.read(index, row, 0);
                bytes.clear();
                bytes.asFloatBuffer().put(row);
                out.write(bytes.array(), 0, d * 4);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
