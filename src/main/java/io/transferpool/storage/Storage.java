package io.transferpool.storage;

import io.transferpool.job.JobRejectedException;
import io.transferpool.paths.PathResolver;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Where a pool reads data and models from: files under the data root ({@link PathResolver}) and objects in the
 * buckets and prefixes of {@code tp.storage.allowed}. The one place that decides whether a job's field or a
 * record's ref may be read, for both. The S3 client is made on first use, so a pool that names no bucket needs no
 * region or credentials.
 */
public final class Storage implements AutoCloseable {
    private final PathResolver files;
    private final AllowList allowed;
    private final Supplier<ObjectStore> connect;
    private final ObjectCache cache;
    private final int parallelGets;
    private volatile ObjectStore objects;
    private volatile ExecutorService fetchers;

    public Storage(PathResolver files, AllowList allowed, Supplier<ObjectStore> connect, ObjectCache cache,
                   int parallelGets) {
        this.files = files;
        this.allowed = allowed;
        this.connect = connect;
        this.cache = cache;
        this.parallelGets = Math.max(1, parallelGets);
    }

    /** Files under {@code root} only: every {@code s3://} ref is refused. */
    public static Storage local(Path root) {
        return local(new PathResolver(root));
    }

    /** Files as {@code files} confines them only: every {@code s3://} ref is refused. */
    public static Storage local(PathResolver files) {
        return new Storage(files, new AllowList(java.util.List.of()), () -> {
            throw new IllegalStateException("no object storage");
        }, null, 1);
    }

    /** The pool's storage as {@code config} says, objects copied under {@code defaultCacheDir} unless it names one. */
    public static Storage of(Path dataRoot, StorageConfig config, Path defaultCacheDir) {
        AllowList allowed = AllowList.of(config.allowed().orElse(java.util.List.of()));
        S3Settings settings = S3Settings.resolve(config.s3(), System.getenv());
        return new Storage(new PathResolver(dataRoot), allowed, () -> ObjectStore.connect(settings),
                new ObjectCache(config.cacheDir().orElse(defaultCacheDir)), config.s3().parallelGets());
    }

    public PathResolver files() {
        return files;
    }

    public AllowList allowed() {
        return allowed;
    }

    /** The object store cannot be reached as configured (no region found, a bad endpoint, ...). */
    public static final class UnavailableException extends RuntimeException {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The object store (connected now if it was not); {@link UnavailableException} when it cannot be made. */
    public ObjectStore objects() {
        ObjectStore o = objects;
        if (o == null) {
            synchronized (this) {
                if (objects == null) {
                    try {
                        objects = Objects.requireNonNull(connect.get());
                    } catch (RuntimeException e) {
                        throw new UnavailableException("object storage cannot be reached as this pool configures it: "
                                + e.getMessage() + " (tp.storage.s3.*, AWS_REGION, AWS_ENDPOINT_URL)", e);
                    }
                }
                o = objects;
            }
        }
        return o;
    }

    /** Threads that fetch objects for decoding streams, at most {@code parallelGets} GETs at once per stream. */
    public int parallelGets() {
        return parallelGets;
    }

    /** A pool of fetching threads shared by every stream of this process (daemon threads, made on first use). */
    public ExecutorService fetchers() {
        ExecutorService f = fetchers;
        if (f == null) {
            synchronized (this) {
                if (fetchers == null) {
                    fetchers = Executors.newCachedThreadPool(r -> {
                        Thread t = new Thread(r, "object-fetch");
                        t.setDaemon(true);
                        return t;
                    });
                }
                f = fetchers;
            }
        }
        return f;
    }

    /** What a job field names; refused naming {@code field} when it may not be read. */
    public Location resolve(String field, String uri) {
        if (ObjectUri.isObjectUri(uri)) {
            try {
                return object(uri);
            } catch (PathResolver.OutsideRootException e) {
                throw new JobRejectedException(field, "\"" + uri + "\" " + e.getMessage());
            }
        }
        Path p = files.resolve(field, uri);
        return new Location.File(p, files.relative(p));
    }

    /** What a ref in a record names (a sample, a model path): files confined to the root, objects to the allow-list. */
    public Location locate(String ref) throws PathResolver.OutsideRootException {
        if (ObjectUri.isObjectUri(ref)) {
            return object(ref);
        }
        Path p = files.inside(ref);
        return new Location.File(p, ref);
    }

    private Location.StoredObject object(String uri) throws PathResolver.OutsideRootException {
        ObjectUri o;
        try {
            o = ObjectUri.parse(uri);
        } catch (ObjectUri.BadObjectUriException e) {
            throw new PathResolver.OutsideRootException(e.getMessage());
        }
        if (!allowed.allows(o)) {
            throw new PathResolver.OutsideRootException(allowed.refusal());
        }
        return new Location.StoredObject(o);
    }

    /** The object {@code o} if it is allowed (listed objects, external data beside a model). */
    public Location.StoredObject allowedObject(ObjectUri o) throws PathResolver.OutsideRootException {
        return object(o.toString());
    }

    /**
     * A local file with the location's bytes: the file itself, or the object's copy in the object cache (fetched
     * when missing or changed), refused from its size when larger than {@code maxBytes}.
     */
    public Path localFile(Location location, long maxBytes) throws IOException {
        if (location instanceof Location.StoredObject o) {
            try {
                return cache.copy(objects(), o.uri(), maxBytes);
            } catch (UnavailableException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        return ((Location.File) location).path();
    }

    /**
     * What identifies the bytes {@code ref} reads now: size and modification time of a file, size and ETag of an
     * object (one HEAD).
     */
    public String version(String ref) throws IOException {
        Location location = locate(ref);
        if (location instanceof Location.StoredObject o) {
            ObjectStore store;
            try {
                store = objects();
            } catch (UnavailableException e) {
                throw new IOException(e.getMessage(), e);
            }
            ObjectStore.Head head = store.head(o.uri()).orElseThrow(() -> new ObjectStore.MissingObjectException(
                    o.uri()));
            return head.size() + " " + head.etag();
        }
        var a = java.nio.file.Files.readAttributes(((Location.File) location).path(),
                java.nio.file.attribute.BasicFileAttributes.class);
        return a.size() + " " + a.lastModifiedTime();
    }

    @Override
    public void close() {
        ObjectStore o = objects;
        if (o != null) {
            o.close();
        }
        ExecutorService f = fetchers;
        if (f != null) {
            f.shutdownNow();
        }
    }
}
