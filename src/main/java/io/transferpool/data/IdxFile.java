package io.transferpool.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * An IDX file (the MNIST / Fashion-MNIST format: big-endian magic, dimensions, then unsigned bytes), gzipped or
 * not. Only the unsigned-byte type is read, which is what image and label files use.
 */
public record IdxFile(int[] dims, byte[] data) {

    public static IdxFile read(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int[] dims = header(in, file);
            long size = 1;
            for (int d : dims) {
                size *= d;
            }
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(file + " is too large to read at once");
            }
            byte[] data = new byte[(int) size];
            in.readFully(data);
            return new IdxFile(dims, data);
        }
    }

    /** The item count from the header alone: listing a split must not load every image. */
    public static int count(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            return header(in, file)[0];
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
        raw.reset();
        return new DataInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw);
    }

    private static int[] header(DataInputStream in, Path file) throws IOException {
        int magic = in.readInt();
        if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != 0x08 || (magic & 0xff) < 1) {
            throw new IOException(file + " is not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int[] dims = new int[magic & 0xff];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = in.readInt();
        }
        return dims;
    }

    public int count() {
        return dims[0];
    }

    /** Bytes of one item (one image or one label). */
    public int itemSize() {
        int s = 1;
        for (int i = 1; i < dims.length; i++) {
            s *= dims[i];
        }
        return s;
    }

    public int unsigned(int index) {
        return data[index] & 0xff;
    }
}
