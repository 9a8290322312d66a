package io.transferpool.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A local folder and, when the pool keeps its artifacts in a bucket, the prefix it stands for: files are written
 * locally and pushed ({@code <dir>/a/b} to {@code <prefix>/a/b}); what another process may have written is read
 * from the prefix. With no bucket it is the folder alone (a shared volume in a cluster), and pushing and pulling do
 * nothing. How checkpoints, kept features and artifacts reach every trainer without a shared volume.
 */
public final class Mirror {
    private final Path dir;
    private final ObjectStore store;
    private final ObjectUri prefix;

    private Mirror(Path dir, ObjectStore store, ObjectUri prefix) {
        this.dir = dir.toAbsolutePath().normalize();
        this.store = store;
        this.prefix = prefix;
    }

    /** The folder alone. */
    public static Mirror local(Path dir) {
        return new Mirror(dir, null, null);
    }

    /** {@code dir} standing for {@code prefix} in {@code store}. */
    public static Mirror of(Path dir, ObjectStore store, ObjectUri prefix) {
        return new Mirror(dir, store, prefix);
    }

    public Path dir() {
        return dir;
    }

    /** Whether files live in a bucket (else in the folder alone). */
    public boolean remote() {
        return store != null;
    }

    /** The mirror of a sub-folder. */
    public Mirror child(String name) {
        return new Mirror(dir.resolve(name), store, prefix == null ? null : prefix.resolve(name));
    }

    /** How results name a file or folder of this mirror: its {@code s3://} URI, or its {@code file:} URI. */
    public String uri(Path file) {
        return remote() ? object(file).toString() : file.toAbsolutePath().toUri().toString();
    }

    private ObjectUri object(Path file) {
        Path f = file.toAbsolutePath().normalize();
        if (!f.startsWith(dir)) {
            throw new IllegalArgumentException(file + " is not under " + dir);
        }
        String rel = dir.relativize(f).toString().replace('\\', '/');
        return rel.isEmpty() ? prefix : prefix.resolve(rel);
    }

    /** Uploads a file written under the folder (nothing when local). */
    public void push(Path file) throws IOException {
        if (remote()) {
            store.upload(file, object(file));
        }
    }

    /** Writes a file whole (through a temporary file beside it) and pushes it. */
    public void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        push(file);
    }

    /**
     * A file's bytes as they are now where every process sees them: in the bucket when remote, else in the
     * folder; empty when there is none.
     */
    public Optional<byte[]> read(Path file) throws IOException {
        if (remote()) {
            try {
                return Optional.of(store.read(object(file), Integer.MAX_VALUE - 8));
            } catch (ObjectStore.MissingObjectException e) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Makes the local file the one in the bucket (downloaded when remote); false when there is none. Local: whether
     * the file exists.
     */
    public boolean pull(Path file) throws IOException {
        if (!remote()) {
            return Files.exists(file);
        }
        try {
            store.download(object(file), file, Long.MAX_VALUE);
            return true;
        } catch (ObjectStore.MissingObjectException e) {
            return false;
        }
    }

    /** Deletes a file or folder with all it holds, locally and in the bucket. */
    public void delete(Path fileOrDir) throws IOException {
        if (Files.exists(fileOrDir)) {
            try (Stream<Path> all = Files.walk(fileOrDir)) {
                for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
        if (remote()) {
            ObjectUri o = object(fileOrDir);
            List<ObjectStore.Entry> under;
            try (Stream<ObjectStore.Entry> s = store.all(o)) {
                under = s.toList();
            } catch (ObjectStore.ListingException e) {
                throw new IOException(e.getMessage(), e);
            }
            for (ObjectStore.Entry e : under) {
                store.delete(e.uri());
            }
            if (!o.key().isEmpty()) {
                store.delete(o); // the file itself (deleting a missing key is not an error in S3)
            }
        }
    }

    /** A file under a folder: its path relative to the folder ({@code /}-separated), size and last change. */
    public record Listed(String path, long size, long modifiedMillis) {
    }

    /** Every file under {@code folder}, at any depth, where every process sees them. */
    public List<Listed> list(Path folder) throws IOException {
        List<Listed> out = new ArrayList<>();
        if (remote()) {
            ObjectUri o = object(folder);
            try (Stream<ObjectStore.Entry> s = store.all(o)) {
                s.forEach(e -> out.add(new Listed(e.key().substring(o.listingPrefix().length()), e.size(),
                        e.modifiedMillis())));
            } catch (ObjectStore.ListingException e) {
                throw new IOException(e.getMessage(), e);
            }
            return out;
        }
        if (!Files.isDirectory(folder)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(folder)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                out.add(new Listed(folder.relativize(f).toString().replace('\\', '/'), Files.size(f),
                        Files.getLastModifiedTime(f).toMillis()));
            }
        }
        return out;
    }
}
