package io.transferpool.model;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A parsed ONNX model together with the digest of its bytes, which names it everywhere (caches, results), and the
 * folder its external data resolves against (null for a model read from bytes). On parsing, a batch dimension
 * fixed to 1 by the exporter is made symbolic ({@link BatchDimension}), so every model runs on batches.
 */
public record OnnxModel(OnnxMl.ModelProto proto, String sha256, long sizeBytes, Path folder) {

    /** Largest model file read: protobuf itself stops at 2 GiB; larger models keep their weights outside. */
    public static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    /** Reads a model file; only a regular file no larger than {@link #MAX_BYTES} (checked before reading). */
    public static OnnxModel load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " is not a regular file");
        }
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new IOException(file + " has " + size + " bytes; an ONNX file holds at most 2 GB (larger models "
                    + "keep their weights in external data)");
        }
        return parse(Files.readAllBytes(file), file.toString(), file.toAbsolutePath().getParent());
    }

    public static OnnxModel parse(byte[] bytes, String where) throws IOException {
        return parse(bytes, where, null);
    }

    /** @param folder where external data resolves (the model file's folder), or null */
    public static OnnxModel parse(byte[] bytes, String where, Path folder) throws IOException {
        try {
            OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(bytes);
            OnnxMl.ModelProto general = BatchDimension.generalize(proto);
            OnnxModel model = new OnnxModel(general, sha256(bytes), bytes.length, folder);
            // an input fixed to a batch of 1: where the cheap rewrite is not enough, follow the batch through
            return general == proto ? model : FixedBatch.generalize(model);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(where + " is not an ONNX model: " + e.getMessage(), e);
        }
    }

    /** A model derived from this one (cut, written back, combined): its external data stays in this folder. */
    public OnnxModel derive(OnnxMl.ModelProto derived) {
        byte[] bytes = derived.toByteArray();
        return new OnnxModel(derived, sha256(bytes), bytes.length, folder);
    }

    public OnnxMl.GraphProto graph() {
        return proto.getGraph();
    }

    /** The values of one of this model's tensors, reading external data from the model's folder. */
    public TensorData values(OnnxMl.TensorProto t) throws IOException {
        if (!ExternalData.isExternal(t)) {
            return TensorData.of(t);
        }
        try {
            return TensorData.decode(t, ExternalData.read(folder, t));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public boolean hasExternalData() {
        return ExternalData.any(graph());
    }

    /** Names of the real inputs (graph inputs that are not initializers, which old exporters also list). */
    public List<String> dataInputs() {
        Set<String> initializers = initializerNames();
        return graph().getInputList().stream().map(OnnxMl.ValueInfoProto::getName)
                .filter(n -> !initializers.contains(n)).toList();
    }

    public Set<String> initializerNames() {
        Set<String> names = new LinkedHashSet<>();
        graph().getInitializerList().forEach(t -> names.add(t.getName()));
        return names;
    }

    /** Every tensor a cut can name, in graph order: the inputs, then each node's outputs. */
    public List<String> tensorNames() {
        Set<String> names = new LinkedHashSet<>(dataInputs());
        for (OnnxMl.NodeProto node : graph().getNodeList()) {
            node.getOutputList().stream().filter(n -> !n.isEmpty()).forEach(names::add);
        }
        return List.copyOf(names);
    }

    /** Static dims of a graph input; -1 where the dimension is symbolic or unknown (such as the batch). */
    public long[] inputShape(String input) {
        for (OnnxMl.ValueInfoProto vi : graph().getInputList()) {
            if (vi.getName().equals(input)) {
                return dims(vi);
            }
        }
        throw new IllegalArgumentException("no graph input " + input);
    }

    static long[] dims(OnnxMl.ValueInfoProto vi) {
        if (!vi.getType().hasTensorType() || !vi.getType().getTensorType().hasShape()) {
            return new long[0];
        }
        return vi.getType().getTensorType().getShape().getDimList().stream()
                .mapToLong(d -> d.hasDimValue() ? d.getDimValue() : -1).toArray();
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    public static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
