package io.transferpool.data;

import io.transferpool.job.JobRejectedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves a job's relative paths against one root and refuses anything that would leave it (absolute paths
 * elsewhere, {@code ..}, symbolic links pointing out), so a job cannot read files the pool was not meant to serve.
 */
public record PathResolver(Path root) {

    public PathResolver {
        root = root.toAbsolutePath().normalize();
    }

    /** The file a job field names; {@code field} is the field's path, for the error. */
    public Path resolve(String field, String uri) {
        String path = uri.startsWith("file:") ? uri.substring("file:".length()) : uri;
        if (path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new JobRejectedException(field, "only local paths are supported, got \"" + uri + "\"");
        }
        Path p = root.resolve(path).normalize();
        Path real = p;
        try {
            if (Files.exists(p)) {
                real = p.toRealPath();
            }
            if (!real.startsWith(root) && !real.startsWith(root.toRealPath())) {
                throw outside(field, uri);
            }
        } catch (IOException e) {
            throw new JobRejectedException(field, "cannot read \"" + uri + "\": " + e.getMessage());
        }
        if (!p.startsWith(root)) {
            throw outside(field, uri);
        }
        return p;
    }

    /** The path of a file under the root as the root-relative string that travels in tasks. */
    public String relative(Path file) {
        return root.relativize(file.toAbsolutePath().normalize()).toString();
    }

    private JobRejectedException outside(String field, String uri) {
        return new JobRejectedException(field, "\"" + uri + "\" is outside the allowed root " + root);
    }
}
