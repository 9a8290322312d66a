package io.transferpool.export;

import ai.onnx.proto.OnnxMl;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult.Artifact;
import io.transferpool.model.ModelFiles;
import io.transferpool.model.OnnxModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a job's artifacts go: {@code <root>/<jobId>/<name>} for its first run, {@code <root>/<jobId>/run-<n>/<name>}
 * for a rerun. A directory (a shared volume in a cluster); the URI and digest in the result let a reader on another
 * machine find and check the file. The job id comes from a plan on a topic, so it is checked to be a job id (no
 * path separators, no "..") before it names a directory.
 */
public record ArtifactStore(Path root) {

    public Path dirFor(String jobId) throws IOException {
        return dirFor(jobId, 1);
    }

    public Path dirFor(String jobId, int run) throws IOException {
        if (!JobParser.isJobId(jobId)) {
            throw new IOException("\"" + jobId + "\" is not a job id; no artifacts are written for it");
        }
        Path dir = root.toAbsolutePath().normalize().resolve(jobId);
        return Files.createDirectories(run <= 1 ? dir : dir.resolve("run-" + run));
    }

    /**
     * Where one submission of a job keeps its training checkpoints ({@code submission} null: a job that did not
     * come through tp.jobs).
     */
    public Path checkpointDir(String jobId, String submission) throws IOException {
        String name = submission == null ? "unsubmitted" : submission.replaceAll("[^A-Za-z0-9._-]", "_");
        return dirFor(jobId).resolve("checkpoints").resolve(name);
    }

    /** A model and, when it keeps weights outside, its data file (see {@link ModelFiles}). */
    public record ModelArtifacts(Artifact model, Artifact data) {
    }

    /**
     * Writes a model made from a base: {@code source} is the folder its external data resolves against now (the
     * base model's folder), or null.
     */
    public ModelArtifacts putModel(String jobId, int run, String name, OnnxMl.ModelProto model, Path source)
            throws IOException {
        ModelFiles.Written w = ModelFiles.write(model, source, dirFor(jobId, run).resolve(name));
        return new ModelArtifacts(artifact(w.model()), w.data() == null ? null : artifact(w.data()));
    }

    private static Artifact artifact(Path file) throws IOException {
        return new Artifact(file.toUri().toString(), OnnxModel.sha256(file));
    }

    public Artifact put(String jobId, int run, String name, byte[] bytes) throws IOException {
        Path file = dirFor(jobId, run).resolve(name);
        Path tmp = file.resolveSibling(name + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new Artifact(file.toUri().toString(), OnnxModel.sha256(bytes));
    }
}
