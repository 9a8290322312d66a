package io.transferpool.model;

import ai.onnx.proto.OnnxMl;
import io.transferpool.paths.PathResolver;
import io.transferpool.storage.Location;
import io.transferpool.storage.ObjectUri;
import io.transferpool.storage.Storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A base model as the local file ONNX Runtime and the graph work open: the file itself under the data root, or for
 * an object its copy in the object cache with the external-data objects its initializers name copied beside it, as
 * they lie beside it in the bucket (each location checked as a key under the model's prefix and against the
 * allow-list before it is fetched).
 */
public final class StoredModel {
    /** Largest external-data object fetched (one file of a model's weights). */
    public static final long MAX_EXTERNAL_BYTES = 64L << 30;

    /**
     * The external-data locations of local copies, by copy and its size and time: an extractor asks for its model
     * once per shard, and parsing a large model each time would cost more than the shard. Few models at once;
     * shared by the streams' threads.
     */
    private static final Map<String, Set<String>> LOCATIONS = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
                    return size() > 16;
                }
            });

    private StoredModel() {
    }

    /** The model's local file, its external data beside it. */
    public static Path file(Storage storage, Location location) throws IOException {
        if (location instanceof Location.File f) {
            return f.path();
        }
        ObjectUri uri = ((Location.StoredObject) location).uri();
        Path file = storage.localFile(location, OnnxModel.MAX_BYTES);
        String stamp = file + " " + Files.size(file) + " " + Files.getLastModifiedTime(file);
        Set<String> locations = LOCATIONS.get(stamp);
        if (locations == null) {
            locations = locations(uri, file);
            LOCATIONS.put(stamp, locations);
        }
        for (String l : locations) {
            ObjectUri data;
            try {
                data = uri.parent().resolve(l);
                storage.allowedObject(data);
            } catch (ObjectUri.BadObjectUriException | PathResolver.OutsideRootException e) {
                throw new IOException("external data \"" + l + "\" of " + uri + ": " + e.getMessage(), e);
            }
            Path copy = storage.localFile(new Location.StoredObject(data), MAX_EXTERNAL_BYTES);
            if (!copy.equals(file.getParent().resolve(l).normalize())) {
                throw new IllegalStateException("object cache laid out " + data + " at " + copy);
            }
        }
        return file;
    }

    private static Set<String> locations(ObjectUri uri, Path file) throws IOException {
        OnnxMl.ModelProto proto;
        try {
            proto = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IOException(uri + " is not an ONNX model: " + e.getMessage(), e);
        }
        Set<String> locations = new LinkedHashSet<>();
        for (OnnxMl.TensorProto t : proto.getGraph().getInitializerList()) {
            if (ExternalData.isExternal(t)) {
                try {
                    locations.add(ExternalData.ref(t).location());
                } catch (IllegalArgumentException e) {
                    continue; // ExternalData.problems names it when the model is checked
                }
            }
        }
        return Set.copyOf(locations);
    }

    /** The model, read from its local file; errors name where the job said it is. */
    public static OnnxModel load(Storage storage, Location location) throws IOException {
        return read(location, file(storage, location));
    }

    /** The model at {@code location}, read from its local {@code file} ({@link #file}). */
    public static OnnxModel read(Location location, Path file) throws IOException {
        if (location instanceof Location.StoredObject o) {
            if (Files.size(file) > OnnxModel.MAX_BYTES) {
                throw new IOException(o.uri() + " is larger than an ONNX file can be");
            }
            return OnnxModel.parse(Files.readAllBytes(file), o.uri().toString(), file.getParent());
        }
        return OnnxModel.load(file);
    }
}
