package io.transferpool.features;

import io.transferpool.job.JobResult.BadSample;
import io.transferpool.messaging.Json;
import org.jboss.logging.Logger;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Feature rows kept after a job's extraction, by {@link FeatureKey}, so a later job with the same key trains on
 * them instead of extracting again. One folder per key under {@code dir} (on the artifacts volume: every trainer
 * writes there, the coordinator reads it): {@code entry.json} and the rows of each split. A folder is written
 * under a temporary name and renamed into place, so an entry the coordinator sees is complete. Entries are
 * evicted least recently used first once they take more than {@code maxBytes}; an entry used in the last
 * {@link #GRACE_MILLIS} is never evicted, so a job that was just told to reuse it still finds it.
 */
public final class FeatureCache {
    private static final Logger LOG = Logger.getLogger(FeatureCache.class);
    static final long GRACE_MILLIS = 10 * 60 * 1000L;
    private static final String ENTRY = "entry.json";
    private static final String TMP = ".tmp-";

    /** @param maxBytes the most the kept features may take on disk; 0 turns keeping and reusing off */
    public record Policy(Path dir, long maxBytes) {
    }

    /** Keeps and reuses nothing. */
    public static final FeatureCache OFF = new FeatureCache(new Policy(null, 0));

    /**
     * What a folder holds besides the rows.
     *
     * @param madeBy    the job whose extraction made it
     * @param dimension values per row
     * @param badSamples the samples the extractors could not use (reported again by every job that reuses them)
     */
    public record Entry(String version, String key, String madeBy, long createdAtMillis, int dimension,
                        int trainRows, int testRows, List<BadSample> badSamples) {
        public int rows() {
            return trainRows + testRows;
        }
    }

    private final Policy policy;

    public FeatureCache(Policy policy) {
        this.policy = policy;
    }

    public boolean enabled() {
        return policy.maxBytes() > 0;
    }

    /** The complete entry for this key, if one is kept. */
    public Optional<Entry> find(String key) {
        if (!enabled() || key == null) {
            return Optional.empty();
        }
        Path file = policy.dir().resolve(key).resolve(ENTRY);
        try {
            return Optional.of(Json.read(Files.readAllBytes(file), Entry.class))
                    .filter(e -> FeatureKey.VERSION.equals(e.version()) && key.equals(e.key()));
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Keeps a job's rows under its key, then evicts entries past the size bound. Nothing is kept when an entry for
     * the key exists already, or when the rows alone take more than the bound.
     */
    public void keep(String key, String jobId, FeatureStore train, FeatureStore test, List<BadSample> bad)
            throws IOException {
        int dim = train.dimension() > 0 ? train.dimension() : test.dimension();
        long bytes = (long) (train.size() + test.size()) * (8 + 4L * dim);
        if (!enabled() || bytes > policy.maxBytes() || find(key).isPresent()) {
            return;
        }
        Files.createDirectories(policy.dir());
        Path tmp = policy.dir().resolve(TMP + UUID.randomUUID());
        try {
            Files.createDirectory(tmp);
            write(tmp.resolve("train.rows"), train, dim);
            write(tmp.resolve("test.rows"), test, dim);
            Files.write(tmp.resolve(ENTRY), Json.bytes(new Entry(FeatureKey.VERSION, key, jobId,
                    System.currentTimeMillis(), dim, train.size(), test.size(), List.copyOf(bad))));
            try {
                Files.move(tmp, policy.dir().resolve(key), StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                // another trainer kept the same features first
            }
        } finally {
            Folders.deleteTree(tmp);
        }
        evict(key);
    }

    /** Deletes the entry for this key, if there is one (features handed over and trained: no longer needed). */
    public void remove(String key) throws IOException {
        if (policy.dir() != null && key != null) {
            Folders.deleteTree(policy.dir().resolve(key));
        }
    }

    /** Reads an entry's rows into the (empty) stores and marks it used; empty when it is gone. */
    public Optional<Entry> load(String key, FeatureStore train, FeatureStore test) throws IOException {
        Optional<Entry> entry = find(key);
        if (entry.isEmpty()) {
            return entry;
        }
        Path dir = policy.dir().resolve(key);
        Files.setLastModifiedTime(dir.resolve(ENTRY), FileTime.fromMillis(System.currentTimeMillis()));
        read(dir.resolve("train.rows"), train, entry.get().dimension(), entry.get().trainRows());
        read(dir.resolve("test.rows"), test, entry.get().dimension(), entry.get().testRows());
        return entry;
    }

    private static void write(Path file, FeatureStore store, int dim) throws IOException {
        float[] row = new float[Math.max(0, dim)];
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file),
                1 << 16))) {
            for (int i = 0; i < store.size(); i++) {
                store.read(i, row, 0);
                out.writeInt(store.sampleId(i));
                out.writeInt(store.label(i));
                for (float v : row) {
                    out.writeFloat(v);
                }
            }
        }
    }

    private static void read(Path file, FeatureStore store, int dim, int rows) throws IOException {
        float[] row = new float[dim];
        int[] id = new int[1];
        int[] label = new int[1];
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (int i = 0; i < rows; i++) {
                id[0] = in.readInt();
                label[0] = in.readInt();
                for (int j = 0; j < dim; j++) {
                    row[j] = in.readFloat();
                }
                store.add(id, label, row, dim);
            }
        }
    }

    /** Removes least recently used entries until the rest fit, sparing {@code keep} and recently used ones. */
    void evict(String keep) throws IOException {
        record Kept(Path dir, long bytes, long usedAt) {
        }
        List<Kept> entries = new ArrayList<>();
        long total = 0;
        long now = System.currentTimeMillis();
        try (Stream<Path> dirs = Files.list(policy.dir())) {
            for (Path d : dirs.toList()) {
                Path entry = d.resolve(ENTRY);
                if (d.getFileName().toString().startsWith(TMP)) {
                    // a keep() that died midway: gone after the grace period
                    if (now - Files.getLastModifiedTime(d).toMillis() > GRACE_MILLIS) {
                        Folders.deleteTree(d);
                    }
                    continue;
                }
                if (!Files.isRegularFile(entry)) {
                    continue;
                }
                long bytes = size(d);
                total += bytes;
                entries.add(new Kept(d, bytes, Files.getLastModifiedTime(entry).toMillis()));
            }
        }
        entries.sort(Comparator.comparingLong(Kept::usedAt));
        for (Kept k : entries) {
            if (total <= policy.maxBytes()) {
                break;
            }
            if (k.dir().getFileName().toString().equals(keep) || now - k.usedAt() < GRACE_MILLIS) {
                continue;
            }
            Folders.deleteTree(k.dir());
            total -= k.bytes();
            LOG.infof("Kept features %s evicted (%d MB; tp.features.max-bytes %d MB)", k.dir().getFileName(),
                    k.bytes() >> 20, policy.maxBytes() >> 20);
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long sum = 0;
            for (Path f : files.toList()) {
                sum += Files.size(f);
            }
            return sum;
        }
    }
}
