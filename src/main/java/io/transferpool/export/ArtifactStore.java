package io.transferpool.export;

import ai.onnx.proto.OnnxMl;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult.Artifact;
import io.transferpool.model.ModelFiles;
import io.transferpool.model.OnnxModel;
import io.transferpool.storage.Mirror;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a job's artifacts go: {@code <root>/<jobId>/<name>} for its first run, {@code <root>/<jobId>/run-<n>/<name>}
 * for a rerun. A folder (a shared volume in a cluster), or a bucket prefix ({@code tp.artifacts-dir=s3://...}):
 * then files are written to a local folder first and uploaded, and the result names them by their {@code s3://}
 * URIs. The URI and digest in the result let a reader on another machine find and check the file. The job id comes
 * from a plan on a topic, so it is checked to be a job id (no path separators, no "..") before it names anything.
 */
public record ArtifactStore(Mirror mirror) {

    /** Artifacts in a folder alone. */
    public ArtifactStore(Path root) {
        this(Mirror.local(root));
    }

    /** The local folder (the store itself, or the staging folder of a bucket). */
    public Path root() {
        return mirror.dir();
    }

    public Path dirFor(String jobId) throws IOException {
        return dirFor(jobId, 1);
    }

    public Path dirFor(String jobId, int run) throws IOException {
        return Files.createDirectories(mirror.dir().resolve(relative(jobId, run)));
    }

    private static String relative(String jobId, int run) throws IOException {
        if (!JobParser.isJobId(jobId)) {
            throw new IOException("\"" + jobId + "\" is not a job id; no artifacts are written for it");
        }
        return run <= 1 ? jobId : jobId + "/run-" + run;
    }

    /**
     * Where one submission of a job keeps its training checkpoints ({@code submission} null: a job that did not
     * come through tp.jobs), so that any trainer taking the job over finds them.
     */
    public Mirror checkpoints(String jobId, String submission) throws IOException {
        String name = submission == null ? "unsubmitted" : submission.replaceAll("[^A-Za-z0-9._-]", "_");
        return mirror.child(relative(jobId, 1)).child("checkpoints").child(name);
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
        if (w.data() != null) {
            mirror.push(w.data()); // the weights before the model that names them
        }
        mirror.push(w.model());
        return new ModelArtifacts(artifact(w.model()), w.data() == null ? null : artifact(w.data()));
    }

    private Artifact artifact(Path file) throws IOException {
        return new Artifact(mirror.uri(file), OnnxModel.sha256(file));
    }

    public Artifact put(String jobId, int run, String name, byte[] bytes) throws IOException {
        Path file = dirFor(jobId, run).resolve(name);
        mirror.write(file, bytes);
        return new Artifact(mirror.uri(file), OnnxModel.sha256(bytes));
    }

    /** Uploads a folder written under {@link #dirFor} and names it (no digest: a folder has none). */
    public Artifact putFolder(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            mirror.push(f);
        }
        return new Artifact(mirror.uri(dir), null);
    }
}
