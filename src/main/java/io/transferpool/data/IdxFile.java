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
 * not. Only the unsigned-byte type is read, which is what image and label files use. The header is checked against
 * the file before anything is allocated: dimensions must be positive and their product must fit in the file (for a
 * gzipped file: in what gzip can expand that file to) and under {@link #MAX_BYTES}.
 */
public record IdxFile(int[] dims, byte[] data) {
    /** Largest IDX payload read (1 GiB): an IDX file is read whole. */
    public static final long MAX_BYTES = 1L << 30;
    /** Deflate expands at most about 1032:1; a header promising more than that from the file is a lie. */
    private static final long MAX_GZIP_RATIO = 1100;

    public static IdxFile read(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int[] dims = header(in, file);
            long size = payload(dims, file);
            byte[] data = new byte[(int) size];
            try {
                in.readFully(data);
            } catch (java.io.EOFException e) {
                throw new IOException(file + " ends before the " + size + " bytes its header declares");
            }
            return new IdxFile(dims, data);
        }
    }

    /** Bytes the header declares, checked against the file and the cap before they are allocated. */
    private static long payload(int[] dims, Path file) throws IOException {
        long size = 1;
        for (int d : dims) {
            if (d <= 0) {
                throw new IOException(file + " declares a dimension of " + d);
            }
            size *= d;
            if (size > MAX_BYTES) {
                throw new IOException(file + " declares more than " + MAX_BYTES + " bytes");
            }
        }
        long fileSize = Files.size(file);
        long possible = isGzip(file) ? fileSize * MAX_GZIP_RATIO : fileSize;
        if (size > possible) {
            throw new IOException(file + " declares " + size + " bytes, more than its " + fileSize + " bytes can hold");
        }
        return size;
    }

    /** The item count from the header alone (checked like {@link #read}): listing a split must not load it. */
    public static int count(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int[] dims = header(in, file);
            payload(dims, file);
            return dims[0];
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " is not a regular file");
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return new DataInputStream(isGzip(file) ? new GZIPInputStream(raw, 1 << 16) : raw);
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static int[] header(DataInputStream in, Path file) throws IOException {
        int magic = in.readInt();
        if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != 0x08 || (magic & 0xff) < 1) {
            throw new IOException(file + " is not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        if ((magic & 0xff) > 8) {
            throw new IOException(file + " declares " + (magic & 0xff) + " dimensions");
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
