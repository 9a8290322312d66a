package io.transferpool.model;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl;
import io.transferpool.paths.PathResolver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * ONNX external data: initializers whose bytes live in a file beside the model (every model over 2 GB, and many
 * exporters by default), named by a {@code location} relative to the model's folder with an {@code offset} and
 * {@code length}. A location must stay inside that folder: it is relative, not through a symbolic link, and the
 * file holds offset + length bytes. The same rules are applied when a job is accepted and whenever data is read.
 */
public final class ExternalData {
    private ExternalData() {
    }

    /** Where one tensor's bytes are; {@code length} is -1 when the model leaves it out (then: the whole tensor). */
    public record Ref(String location, long offset, long length) {
    }

    public static boolean isExternal(OnnxMl.TensorProto t) {
        return t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL;
    }

    /** True when any initializer (or Constant value) of the graph keeps its data outside the proto. */
    public static boolean any(OnnxMl.GraphProto g) {
        return g.getInitializerList().stream().anyMatch(ExternalData::isExternal);
    }

    public static Ref ref(OnnxMl.TensorProto t) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> {
                        // "checksum" and keys of later ONNX versions do not change where the bytes are.
                    }
                }
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("external data of tensor \"" + t.getName() + "\": " + e.getKey()
                        + " \"" + e.getValue() + "\" is not a number");
            }
        }
        if (location == null || location.isEmpty()) {
            throw new IllegalArgumentException("external data of tensor \"" + t.getName() + "\" has no location");
        }
        if (offset < 0 || length < -1) {
            throw new IllegalArgumentException("external data of tensor \"" + t.getName() + "\": negative offset or "
                    + "length");
        }
        return new Ref(location, offset, length);
    }

    /** Bytes the tensor's dims and type take. */
    static long expectedBytes(OnnxMl.TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor \"" + t.getName() + "\" has a negative dimension");
            }
            n = Math.multiplyExact(n, d);
        }
        DataType type = DataType.forNumber(t.getDataType());
        return Math.multiplyExact(n, TensorData.elementBytes(t, type == null ? DataType.UNDEFINED : type));
    }

    /**
     * Every problem with the external data of {@code graph}'s initializers, one message per tensor (empty when all
     * are well-formed). {@code folder} is the model's folder; null for a model read from bytes, whose external data
     * cannot be found.
     */
    public static List<String> problems(OnnxMl.GraphProto graph, Path folder) {
        List<String> problems = new ArrayList<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            if (!isExternal(t)) {
                continue;
            }
            try {
                if (folder == null) {
                    throw new IllegalArgumentException("tensor \"" + t.getName() + "\" keeps its data in an external "
                            + "file, but the model was not read from a folder");
                }
                checkedRegion(folder, t);
            } catch (IllegalArgumentException | ArithmeticException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    /**
     * The SHA-256 of each external-data file of {@code graph}, by location, sorted (empty when it has none). Call
     * after {@link #problems} found none: locations are checked again and an IOException names a bad one.
     */
    public static Map<String, String> digests(OnnxMl.GraphProto graph, Path folder) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            if (!isExternal(t) || out.containsKey(ref(t).location())) {
                continue;
            }
            Region r;
            try {
                r = checkedRegion(folder, t);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new IOException(e.getMessage(), e);
            }
            out.put(ref(t).location(), OnnxModel.sha256(r.file()));
        }
        return out;
    }

    /**
     * Why the external data now differs from {@code pinned} (location to SHA-256, as accepted), or null when it
     * matches; a model with external data and no pins does not match.
     */
    public static String mismatch(OnnxMl.GraphProto graph, Path folder, Map<String, String> pinned)
            throws IOException {
        Map<String, String> now = digests(graph, folder);
        Map<String, String> expected = pinned == null ? Map.of() : pinned;
        if (now.equals(expected)) {
            return null;
        }
        List<String> changed = new ArrayList<>();
        for (String location : now.keySet()) { // sorted: digests() returns a TreeMap
            if (!now.get(location).equals(expected.get(location))) {
                changed.add("\"" + location + "\" has SHA-256 " + now.get(location) + (expected.containsKey(location)
                        ? ", accepted with " + expected.get(location) : ", which was not accepted with the job"));
            }
        }
        expected.keySet().stream().filter(l -> !now.containsKey(l)).sorted()
                .forEach(l -> changed.add("\"" + l + "\" is no longer used by the model"));
        return "external data changed after the job was accepted: " + String.join("; ", changed);
    }

    /** The checked file and byte range of one external tensor. */
    private record Region(Path file, long offset, long length) {
    }

    private static Region checkedRegion(Path folder, OnnxMl.TensorProto t) {
        Ref ref = ref(t);
        String name = "tensor \"" + t.getName() + "\": external data location \"" + ref.location() + "\"";
        if (ref.location().indexOf('\0') >= 0) {
            throw new IllegalArgumentException(name + " contains a NUL character");
        }
        Path location;
        try {
            location = Path.of(ref.location());
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException(name + " is not a valid path: " + e.getMessage());
        }
        if (location.isAbsolute() || location.getRoot() != null) {
            throw new IllegalArgumentException(name + " is absolute; it must be relative to the model's folder");
        }
        Path file;
        try {
            file = new PathResolver(folder, "the model's folder").plainFile(ref.location());
        } catch (PathResolver.OutsideRootException e) {
            throw new IllegalArgumentException(name + " " + e.getMessage());
        }
        long expected = expectedBytes(t);
        if (ref.length() >= 0 && ref.length() != expected) {
            throw new IllegalArgumentException(name + " gives length " + ref.length() + " but dims " + t.getDimsList()
                    + " of its type take " + expected + " bytes");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + " cannot be read: " + e.getMessage());
        }
        if (Math.addExact(ref.offset(), expected) > size) {
            throw new IllegalArgumentException(name + " needs bytes " + ref.offset() + " to " + (ref.offset() + expected)
                    + " but the file has " + size);
        }
        return new Region(file, ref.offset(), expected);
    }

    /** Reads one external tensor's bytes after checking its location, as {@link #problems} does. */
    static ByteBuffer read(Path folder, OnnxMl.TensorProto t) throws IOException {
        if (folder == null) {
            throw new IOException("tensor \"" + t.getName() + "\" keeps its data in an external file, but the model "
                    + "was not read from a folder");
        }
        Region r;
        try {
            r = checkedRegion(folder, t);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (r.length() > Integer.MAX_VALUE - 8) {
            throw new IOException("tensor \"" + t.getName() + "\" has " + r.length() + " bytes, more than one array "
                    + "holds");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) r.length());
        try (FileChannel ch = FileChannel.open(r.file(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (buf.hasRemaining()) {
                if (ch.read(buf, r.offset() + buf.position()) < 0) {
                    throw new IOException("external data of tensor \"" + t.getName() + "\" ends early");
                }
            }
        }
        return buf.flip();
    }

    /** Copies one external tensor's bytes into {@code out} (for writing a model with its own data file). */
    static void copy(Path folder, OnnxMl.TensorProto t, FileChannel out) throws IOException {
        Region r;
        try {
            r = checkedRegion(folder, t);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IOException(e.getMessage(), e);
        }
        try (FileChannel in = FileChannel.open(r.file(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long done = 0;
            while (done < r.length()) {
                long n = in.transferTo(r.offset() + done, r.length() - done, out);
                if (n <= 0) {
                    throw new IOException("external data of tensor \"" + t.getName() + "\" ends early");
                }
                done += n;
            }
        }
    }

    /** A proto entry pointing at {@code length} bytes at {@code offset} of {@code location}. */
    static OnnxMl.TensorProto external(OnnxMl.TensorProto t, String location, long offset, long length) {
        return t.toBuilder().clearRawData().clearFloatData().clearDoubleData().clearInt32Data().clearInt64Data()
                .clearUint64Data().clearExternalData().setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location)).addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(length))).build();
    }

    private static OnnxMl.StringStringEntryProto entry(String key, String value) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
