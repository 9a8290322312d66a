package io.transferpool.data;

import io.transferpool.paths.PathResolver;
import io.transferpool.storage.Location;
import io.transferpool.storage.ObjectUri;
import io.transferpool.storage.Storage;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bytes of a batch's images in object storage, fetched ahead with at most {@code tp.storage.s3.parallel-gets}
 * GETs at once, while the stream decodes the ones already in: one GET after the other would leave a stream waiting
 * a round trip per image. Refs that are files, or that may not be read, are left to the decoder (which says why).
 */
public final class ObjectFetch {
    public static final ObjectFetch NONE = new ObjectFetch(Map.of());

    /** Reads one object now (when it was not fetched ahead). */
    interface Read {
        byte[] get() throws IOException;
    }

    private final Map<String, CompletableFuture<byte[]>> pending;

    private ObjectFetch(Map<String, CompletableFuture<byte[]>> pending) {
        this.pending = pending;
    }

    /** Starts fetching the objects of {@code part}. */
    public static ObjectFetch start(Storage storage, List<Sample> part) {
        Map<String, CompletableFuture<byte[]>> pending = new HashMap<>();
        List<ObjectUri> uris = new java.util.ArrayList<>();
        List<CompletableFuture<byte[]>> futures = new java.util.ArrayList<>();
        for (Sample s : part) {
            if (!ObjectUri.isObjectUri(s.ref()) || pending.containsKey(s.ref())) {
                continue;
            }
            Location location;
            try {
                location = storage.locate(s.ref());
            } catch (PathResolver.OutsideRootException e) {
                continue; // the decoder refuses it, naming why
            }
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            pending.put(s.ref(), f);
            uris.add(((Location.StoredObject) location).uri());
            futures.add(f);
        }
        if (uris.isEmpty()) {
            return NONE;
        }
        AtomicInteger next = new AtomicInteger();
        int fetchers = Math.min(storage.parallelGets(), uris.size());
        for (int w = 0; w < fetchers; w++) {
            storage.fetchers().execute(() -> {
                for (int i; (i = next.getAndIncrement()) < uris.size(); ) {
                    try {
                        futures.get(i).complete(storage.objects().read(uris.get(i), ImageDecoder.MAX_FILE_BYTES));
                    } catch (Throwable t) {
                        futures.get(i).completeExceptionally(t);
                    }
                }
            });
        }
        return new ObjectFetch(pending);
    }

    /** The ref's bytes: fetched ahead, else read now by {@code direct}; a failure is the sample's reason. */
    byte[] bytes(String ref, Read direct) throws BadSampleException {
        CompletableFuture<byte[]> f = pending.get(ref);
        try {
            return f == null ? direct.get() : f.get();
        } catch (IOException e) {
            throw ImageDecoder.objectFailure(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw ImageDecoder.objectFailure(io);
            }
            throw new BadSampleException("cannot read object: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadSampleException("interrupted while reading the object");
        }
    }
}
