package io.transferpool.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local copies of whole objects that are opened as files (a base model and its external data, which ONNX Runtime
 * reads itself; IDX files), laid out as their keys ({@code <dir>/<bucket>/<key>}) so a model's external data lands
 * beside it as it lies beside it in the bucket. A copy is used again while the object's ETag and size are unchanged
 * (one HEAD per use); otherwise it is fetched again. Keys are checked paths ({@link ObjectUri}), so a copy never
 * leaves {@code dir}.
 */
public final class ObjectCache {
    private final Path dir;
    private final Path tags;
    // One fetch of an object at a time per process; other threads wanting it wait for it.
    private final ConcurrentHashMap<ObjectUri, Object> locks = new ConcurrentHashMap<>();

    public ObjectCache(Path dir) {
        this.dir = dir.toAbsolutePath().normalize().resolve("objects");
        this.tags = dir.toAbsolutePath().normalize().resolve("etags");
    }

    /** A local file with the object's bytes as they are now; refused from its HEAD when larger than {@code maxBytes}. */
    public Path copy(ObjectStore store, ObjectUri uri, long maxBytes) throws IOException {
        ObjectStore.Head head = store.head(uri).orElseThrow(() -> new ObjectStore.MissingObjectException(uri));
        if (head.size() > maxBytes) {
            throw new ObjectStore.TooLargeException(uri, head.size(), maxBytes);
        }
        Path file = place(dir, uri);
        Path tag = place(tags, uri);
        String stamp = head.etag() + " " + head.size();
        synchronized (locks.computeIfAbsent(uri, u -> new Object())) {
            if (Files.isRegularFile(file) && Files.isRegularFile(tag)
                    && stamp.equals(Files.readString(tag, StandardCharsets.UTF_8))
                    && Files.size(file) == head.size()) {
                return file;
            }
            Files.deleteIfExists(tag);
            ObjectStore.Head got = store.download(uri, file, maxBytes);
            Files.createDirectories(tag.getParent());
            Files.writeString(tag, got.etag() + " " + got.size(), StandardCharsets.UTF_8);
            return file;
        }
    }

    private static Path place(Path root, ObjectUri uri) {
        Path p = root.resolve(uri.bucket());
        return uri.key().isEmpty() ? p : p.resolve(uri.key());
    }
}
