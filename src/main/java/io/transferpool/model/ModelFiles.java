package io.transferpool.model;

import ai.onnx.proto.OnnxMl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a model made from a base (a combined or fine-tuned model) as a file. When the base kept its weights in
 * external data, or the model would come near protobuf's 2 GB limit, every initializer of {@value #THRESHOLD} bytes
 * or more goes to one data file beside the model ({@code <name>.data}, offsets aligned to {@value #ALIGNMENT} bytes
 * so ONNX Runtime can map them), copied from the base's files where it came from there: the artifact of a 3 GB base
 * is a small model file and a data file, never one 3 GB protobuf. Otherwise the model is one file, as before.
 */
public final class ModelFiles {
    /** Initializers this size or larger go to the data file (ONNX's own default threshold). */
    public static final int THRESHOLD = 1024;
    static final int ALIGNMENT = 4096;
    /** Inline weights beyond this make a data file even for a base without one. */
    static final long INLINE_LIMIT = 1L << 30;

    private ModelFiles() {
    }

    /** The files written; {@code data} is null when the model holds all its weights. */
    public record Written(Path model, Path data) {
    }

    /**
     * @param source the folder the model's external data resolves against now (the base model's folder), or null
     */
    public static Written write(OnnxMl.ModelProto model, Path source, Path target) throws IOException {
        OnnxMl.GraphProto g = model.getGraph();
        long inline = g.getInitializerList().stream().mapToLong(t -> t.getRawData().size()).sum();
        if (!ExternalData.any(g) && inline < INLINE_LIMIT) {
            atomicWrite(target, model.toByteArray());
            return new Written(target, null);
        }
        String dataName = target.getFileName() + ".data";
        Path data = target.resolveSibling(dataName);
        Path dataTmp = target.resolveSibling(dataName + ".tmp");
        OnnxMl.GraphProto.Builder out = g.toBuilder();
        try (FileChannel ch = FileChannel.open(dataTmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int i = 0; i < g.getInitializerCount(); i++) {
                OnnxMl.TensorProto t = g.getInitializer(i);
                boolean external = ExternalData.isExternal(t);
                if (!external && t.getRawData().size() < THRESHOLD) {
                    continue;
                }
                long offset = (ch.position() + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
                ch.position(offset);
                if (external) {
                    ExternalData.copy(source, t, ch);
                } else {
                    ByteBuffer bytes = t.getRawData().asReadOnlyByteBuffer();
                    while (bytes.hasRemaining()) {
                        ch.write(bytes);
                    }
                }
                out.setInitializer(i, ExternalData.external(t, dataName, offset, ch.position() - offset));
            }
        }
        Files.move(dataTmp, data, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        atomicWrite(target, model.toBuilder().setGraph(out).build().toByteArray());
        return new Written(target, data);
    }

    private static void atomicWrite(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
