package io.transferpool.features;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The feature rows of one split of one job, deduplicated by sample id (a redelivered batch adds nothing). Rows stay
 * on the heap while the {@link HeapBudget} (shared by every store of a trainer) has room for them; when it has
 * none, everything this store holds moves to a file in {@code spillDir}, its share goes back to the budget, and
 * further rows are appended there, so neither a large job nor many jobs need unbounded heap. Not thread-safe: one
 * trainer thread fills a store, then one training reads it.
 */
public final class FeatureStore implements AutoCloseable {
    private final HeapBudget budget;
    private long heldBytes;
    private final Path spillDir;
    private final BitSet seen = new BitSet();
    private int dimension = -1;
    private int size;
    private int[] labels = new int[256];
    private int[] ids = new int[256];
    private final List<float[]> heapRows = new ArrayList<>();
    private FileChannel spill;
    private Path spillFile;

    /** A store with a budget of its own. */
    public FeatureStore(long heapLimitBytes, Path spillDir) {
        this(new HeapBudget(heapLimitBytes), spillDir);
    }

    public FeatureStore(HeapBudget budget, Path spillDir) {
        this.budget = budget;
        this.spillDir = spillDir;
    }

    /** A new, empty store drawing on the same heap budget and spilling to the same folder. */
    public FeatureStore sibling() {
        return new FeatureStore(budget, spillDir);
    }

    /** Adds the rows of a batch not seen before; returns how many were new. */
    public int add(int[] sampleIds, int[] batchLabels, float[] features, int dim) {
        if (dimension < 0) {
            dimension = dim;
        } else if (dim != dimension) {
            throw new IllegalArgumentException("feature dimension changed from " + dimension + " to " + dim);
        }
        int added = 0;
        for (int i = 0; i < sampleIds.length; i++) {
            if (seen.get(sampleIds[i])) {
                continue;
            }
            seen.set(sampleIds[i]);
            append(sampleIds[i], batchLabels[i], Arrays.copyOfRange(features, i * dim, (i + 1) * dim));
            added++;
        }
        return added;
    }

    private void append(int id, int label, float[] row) {
        if (size == labels.length) {
            labels = Arrays.copyOf(labels, size * 2);
            ids = Arrays.copyOf(ids, size * 2);
        }
        labels[size] = label;
        ids[size] = id;
        long rowBytes = 16L + (long) dimension * Float.BYTES; // a float[] with its header
        if (spill == null) {
            if (budget.reserve(rowBytes)) {
                heldBytes += rowBytes;
            } else {
                spillAll();
            }
        }
        if (spill != null) {
            write(row);
        } else {
            heapRows.add(row);
        }
        size++;
    }

    private void spillAll() {
        try {
            Files.createDirectories(spillDir);
            spillFile = Files.createTempFile(spillDir, "features-", ".f32");
            spill = FileChannel.open(spillFile, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
            for (float[] r : heapRows) {
                write(r);
            }
            heapRows.clear();
            budget.release(heldBytes);
            heldBytes = 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spill features to " + spillDir, e);
        }
    }

    private void write(float[] row) {
        ByteBuffer b = ByteBuffer.allocate(row.length * Float.BYTES);
        b.asFloatBuffer().put(row);
        try {
            while (b.hasRemaining()) {
                spill.write(b, spill.size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spilled features", e);
        }
    }

    /** Copies row {@code index} into {@code dst} at {@code offset}. */
    public void read(int index, float[] dst, int offset) {
        if (spill == null) {
            System.arraycopy(heapRows.get(index), 0, dst, offset, dimension);
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(dimension * Float.BYTES);
        try {
            long pos = (long) index * dimension * Float.BYTES;
            while (b.hasRemaining()) {
                if (spill.read(b, pos + b.position()) < 0) {
                    throw new IOException("spill file ends early");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spilled features", e);
        }
        b.flip();
        b.asFloatBuffer().get(dst, offset, dimension);
    }

    public int size() {
        return size;
    }

    public int dimension() {
        return dimension;
    }

    public int label(int index) {
        return labels[index];
    }

    public int sampleId(int index) {
        return ids[index];
    }

    public boolean spilled() {
        return spill != null;
    }

    @Override
    public void close() {
        if (spill != null) {
            try {
                spill.close();
                Files.deleteIfExists(spillFile);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        heapRows.clear();
        budget.release(heldBytes);
        heldBytes = 0;
    }
}
