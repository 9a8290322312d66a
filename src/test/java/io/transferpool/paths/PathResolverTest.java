package io.transferpool.paths;

import io.transferpool.data.BadSampleException;
import io.transferpool.data.ImageDecoder;
import io.transferpool.job.JobRejectedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one containment check, for job fields and for paths that arrive in records. */
class PathResolverTest {
    @TempDir
    Path dir;
    Path root;
    Path outside;
    PathResolver paths;

    @BeforeEach
    void layout() throws Exception {
        root = Files.createDirectories(dir.resolve("root"));
        outside = Files.createDirectories(dir.resolve("secret"));
        Files.writeString(outside.resolve("key.txt"), "secret");
        Files.createDirectories(root.resolve("data"));
        Files.writeString(root.resolve("data/a.png"), "x");
        Files.createSymbolicLink(root.resolve("data/out.png"), outside.resolve("key.txt"));
        Files.createSymbolicLink(root.resolve("linked-dir"), outside);
        Files.createSymbolicLink(root.resolve("inside-link.png"), root.resolve("data/a.png"));
        paths = new PathResolver(root);
    }

    @Test
    void pathsInsideTheRootResolveAlsoThroughLinksThatStayInside() throws Exception {
        assertThat(paths.inside("data/a.png")).isEqualTo(root.resolve("data/a.png"));
        assertThat(paths.inside("data/../data/a.png")).isEqualTo(root.resolve("data/a.png"));
        assertThat(paths.inside("inside-link.png")).isEqualTo(root.resolve("inside-link.png"));
        assertThat(paths.inside("data/not-yet.png")).as("a missing file is the reader's problem")
                .isEqualTo(root.resolve("data/not-yet.png"));
    }

    @Test
    void everyWayOutIsRefused() {
        assertThatThrownBy(() -> paths.inside("../secret/key.txt")).hasMessageContaining("outside the allowed root");
        assertThatThrownBy(() -> paths.inside(outside.resolve("key.txt").toString()))
                .hasMessageContaining("outside the allowed root");
        assertThatThrownBy(() -> paths.inside("data/out.png")).hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> paths.inside("linked-dir/key.txt")).hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> paths.inside("data/a.png\0.txt")).hasMessageContaining("NUL");
    }

    @Test
    void aLinkToNothingIsRefusedAndTheRootsOwnLinksAreFollowedOnce() throws Exception {
        // A dangling link could be pointed outside between the check and the read.
        Files.createSymbolicLink(root.resolve("data/dangling.png"), outside.resolve("not-yet.txt"));
        assertThatThrownBy(() -> paths.inside("data/dangling.png")).hasMessageContaining("cannot be read");
        // A root reached through a link of its own: files inside it are inside.
        Path linkedRoot = Files.createSymbolicLink(dir.resolve("root-link"), root);
        PathResolver viaLink = new PathResolver(linkedRoot);
        assertThat(viaLink.inside("data/a.png")).isEqualTo(linkedRoot.resolve("data/a.png"));
        assertThat(viaLink.inside("inside-link.png")).isEqualTo(linkedRoot.resolve("inside-link.png"));
        assertThatThrownBy(() -> viaLink.inside("data/out.png")).hasMessageContaining("symbolic link");
    }

    @Test
    void aJobFieldIsRejectedNamingTheField() {
        assertThatThrownBy(() -> paths.resolve("baseModel.uri", "linked-dir/key.txt"))
                .isInstanceOf(JobRejectedException.class).hasMessageContaining("baseModel.uri")
                .hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> paths.resolve("data.train.uri", "https://example.org/x"))
                .isInstanceOf(JobRejectedException.class).hasMessageContaining("only local paths");
    }

    @Test
    void anImageThatLinksOutIsABadSampleSayingWhy() {
        assertThatThrownBy(() -> new ImageDecoder(root).decode("data/out.png")).isInstanceOf(BadSampleException.class)
                .hasMessageContaining("symbolic link");
    }
}
