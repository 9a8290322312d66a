package io.transferpool.paths;

import io.transferpool.job.JobRejectedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one place that decides whether a path may be read: relative paths resolve against one root, and anything
 * that would leave it (absolute paths elsewhere, {@code ..}, a symbolic link anywhere on the way pointing out) is
 * refused, so neither a job nor a record written straight to a topic can read files the pool was not meant to
 * serve. Jobs get a rejection naming the field; workers reading records get an {@link OutsideRootException}. The
 * root is the pool's data root for jobs and records, a model's folder for its external data ({@link #plainFile}).
 */
public final class PathResolver {
    private final Path root;
    /** How errors name the root: "the allowed root /data", "the model's folder". */
    private final String rootName;
    /**
     * The root with its own links resolved, found once (it was 6 of the 12 us a sample's path check cost); null
     * until the root exists. Racy by design: every thread computes the same value.
     */
    private volatile Path realRoot;

    public PathResolver(Path root) {
        this(root, null);
    }

    /** @param rootName how errors name the root (null: "the allowed root" and its path) */
    public PathResolver(Path root, String rootName) {
        this.root = root.toAbsolutePath().normalize();
        this.rootName = rootName != null ? rootName : "the allowed root " + this.root;
    }

    public Path root() {
        return root;
    }

    private Path realRoot() throws IOException {
        Path r = realRoot;
        if (r == null) {
            r = root.toRealPath();
            realRoot = r;
        }
        return r;
    }

    /** A path that leaves the data root, or cannot be one. */
    public static final class OutsideRootException extends IOException {
        public OutsideRootException(String message) {
            super(message);
        }
    }

    /** The file a job field names; {@code field} is the field's path, for the error. */
    public Path resolve(String field, String uri) {
        String path = uri.startsWith("file:") ? uri.substring("file:".length()) : uri;
        if (path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new JobRejectedException(field, "only local paths are supported, got \"" + uri + "\"");
        }
        try {
            return inside(path);
        } catch (OutsideRootException e) {
            throw new JobRejectedException(field, "\"" + uri + "\" " + e.getMessage());
        }
    }

    /**
     * The file a root-relative path names (a sample ref, a model path from a task or plan). Throws when the path
     * leaves the root, also through a symbolic link, or is not a path at all.
     */
    public Path inside(String relative) throws OutsideRootException {
        if (relative.indexOf('\0') >= 0) {
            throw new OutsideRootException("contains a NUL character");
        }
        Path p;
        try {
            p = root.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            throw new OutsideRootException("is not a valid path: " + e.getMessage());
        }
        if (!p.startsWith(root)) {
            throw new OutsideRootException("is outside " + rootName);
        }
        Path real;
        Path realRoot;
        try {
            real = p.toRealPath();
            realRoot = realRoot();
        } catch (NoSuchFileException e) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) { // a link to nothing (yet): refused
                throw new OutsideRootException("cannot be read: " + e.getMessage());
            }
            return p; // missing: whoever opens it finds nothing
        } catch (IOException e) {
            throw new OutsideRootException("cannot be read: " + e.getMessage());
        }
        if (!real.startsWith(realRoot)) {
            throw new OutsideRootException("is outside " + rootName + " (through a symbolic link to " + real + ")");
        }
        return p;
    }

    /**
     * A regular file under the root, reached through no symbolic link at all: for files another program opens
     * after the check (ONNX Runtime reads a model's external data itself), where a link could be swapped in
     * between. Refused as {@link #inside} refuses, and also the root itself, a link anywhere below the root, and
     * anything but an existing regular file.
     */
    public Path plainFile(String relative) throws OutsideRootException {
        Path file = inside(relative);
        if (file.equals(root)) {
            throw new OutsideRootException("names " + rootName + " itself, not a file in it");
        }
        for (Path p = file; !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new OutsideRootException("goes through a symbolic link (" + root.relativize(p) + "); it must "
                        + "be a plain file in " + rootName);
            }
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new OutsideRootException("does not exist or is not a regular file");
        }
        return file;
    }

    /** The path of a file under the root as the root-relative string that travels in tasks. */
    public String relative(Path file) {
        return root.relativize(file.toAbsolutePath().normalize()).toString();
    }
}
