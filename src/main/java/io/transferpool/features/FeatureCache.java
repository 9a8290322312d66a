package io.transferpool.features;

import io.transferpool.job.JobResult.BadSample;
import io.transferpool.messaging.Json;
import io.transferpool.storage.Mirror;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Feature rows kept after a job's extraction, by {@link FeatureKey}, so a later job with the same key trains on
 * them instead of extracting again. One folder per key under {@code dir} (on the artifacts volume, or in the
 * artifacts bucket through a {@link Mirror}: every trainer writes there, the coordinator reads it):
 * {@code entry.json} and the rows of each split. A folder is written under a temporary name and renamed into
 * place, and in a bucket {@code entry.json} is uploaded after the rows, so an entry the coordinator sees is
 * complete. Entries are
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
    private final Mirror mirror;

    public FeatureCache(Policy policy) {
        this(policy, policy.dir() == null ? null : Mirror.local(policy.dir()));
    }

    /** @param mirror where the entries are shared: {@code policy.dir()} alone, or standing for a bucket prefix */
    public FeatureCache(Policy policy, Mirror mirror) {
        this.policy = policy;
        this.mirror = mirror;
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
            Optional<byte[]> bytes = mirror.read(file);
            if (bytes.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(Json.read(bytes.get(), Entry.class))
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
            Path dir = policy.dir().resolve(key);
            if (mirror.remote()) {
                Folders.deleteTree(dir); // a local copy left by a trainer that died while uploading it
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                // another trainer kept the same features first
                return;
            }
            if (mirror.remote()) {
                mirror.push(dir.resolve("train.rows"));
                mirror.push(dir.resolve("test.rows"));
                mirror.push(dir.resolve(ENTRY)); // last: an entry seen is complete
                Folders.deleteTree(dir); // the bucket keeps it; the local copy was only the way there
            }
        } finally {
            Folders.deleteTree(tmp);
        }
        evict(key);
    }

    /** Deletes the entry for this key, if there is one (features handed over and trained: no longer needed). */
    public void remove(String key) throws IOException {
        if (policy.dir() != null && key != null) {
            mirror.delete(policy.dir().resolve(key));
        }
    }

    /** Reads an entry's rows into the (empty) stores and marks it used; empty when it is gone. */
    public Optional<Entry> load(String key, FeatureStore train, FeatureStore test) throws IOException {
        Optional<Entry> entry = find(key);
        if (entry.isEmpty()) {
            return entry;
        }
        Path dir = policy.dir().resolve(key);
        if (mirror.remote()) {
            // used now: uploaded again, its last change is the time it was last used (eviction goes by it)
            mirror.write(dir.resolve(ENTRY), Json.bytes(entry.get()));
            try {
                if (!mirror.pull(dir.resolve("train.rows")) || !mirror.pull(dir.resolve("test.rows"))) {
                    return Optional.empty(); // evicted meanwhile
                }
                read(dir.resolve("train.rows"), train, entry.get().dimension(), entry.get().trainRows());
                read(dir.resolve("test.rows"), test, entry.get().dimension(), entry.get().testRows());
            } finally {
                Folders.deleteTree(dir);
            }
            return entry;
        }
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
        record Kept(String key, long bytes, long usedAt) {
        }
        long now = System.currentTimeMillis();
        dropAbandoned(now);
        Map<String, Long> bytes = new HashMap<>();
        Map<String, Long> usedAt = new HashMap<>();
        for (Mirror.Listed l : mirror.list(policy.dir())) {
            int slash = l.path().indexOf('/');
            if (slash <= 0 || l.path().startsWith(TMP)) {
                continue;
            }
            String key = l.path().substring(0, slash);
            bytes.merge(key, l.size(), Long::sum);
            if (l.path().equals(key + "/" + ENTRY)) {
                usedAt.put(key, l.modifiedMillis());
            }
        }
        List<Kept> entries = new ArrayList<>();
        long total = 0;
        for (var e : usedAt.entrySet()) {
            long b = bytes.get(e.getKey());
            total += b;
            entries.add(new Kept(e.getKey(), b, e.getValue()));
        }
        entries.sort(Comparator.comparingLong(Kept::usedAt));
        for (Kept k : entries) {
            if (total <= policy.maxBytes()) {
                break;
            }
            if (k.key().equals(keep) || now - k.usedAt() < GRACE_MILLIS) {
                continue;
            }
            mirror.delete(policy.dir().resolve(k.key()));
            total -= k.bytes();
            LOG.infof("Kept features %s evicted (%d MB; tp.features.max-bytes %d MB)", k.key(),
                    k.bytes() >> 20, policy.maxBytes() >> 20);
        }
    }

    /** Local folders of a keep() that died midway: gone after the grace period. */
    private void dropAbandoned(long now) throws IOException {
        if (!Files.isDirectory(policy.dir())) {
            return;
        }
        try (Stream<Path> dirs = Files.list(policy.dir())) {
            for (Path d : dirs.toList()) {
                if (d.getFileName().toString().startsWith(TMP)
                        && now - Files.getLastModifiedTime(d).toMillis() > GRACE_MILLIS) {
                    Folders.deleteTree(d);
                }
            }
        }
    }
}
