package io.transferpool.data;

import io.transferpool.job.JobRejectedException;
import io.transferpool.job.JobSpec;
import io.transferpool.paths.PathResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetListerTest {
    @TempDir
    Path root;

    private void idx(Path file, int magic, int[] dims, byte[] data) throws IOException {
        try (var out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
    }

    @Test
    void idxWithALabelFilterKeepsThoseLabelsInFilterOrder() throws Exception {
        byte[] images = new byte[5 * 2 * 2];
        for (int i = 0; i < images.length; i++) {
            images[i] = (byte) i;
        }
        idx(root.resolve("img.gz"), 0x803, new int[]{5, 2, 2}, images);
        idx(root.resolve("lbl.gz"), 0x801, new int[]{5}, new byte[]{6, 0, 3, 0, 6});
        var source = new JobSpec.Source("img.gz", JobSpec.Format.IDX, "lbl.gz", List.of(6, 0));
        Dataset ds = DatasetLister.list(new PathResolver(root), "data.train", source, List.of());
        assertThat(ds.classes()).containsExactly("6", "0");
        assertThat(ds.samples()).extracting(Sample::ref).containsExactly("img.gz#0", "img.gz#1", "img.gz#3", "img.gz#4");
        assertThat(ds.samples()).extracting(Sample::label).containsExactly(0, 1, 1, 0);
        RawImage third = new ImageDecoder(root).decode("img.gz#3");
        assertThat(third.width()).isEqualTo(2);
        assertThat(third.at(1, 1, 0)).isEqualTo(15);
    }

    @Test
    void imageFolderClassesAreSortedFolderNamesUnlessGiven() throws Exception {
        for (String c : List.of("zebra", "ant")) {
            Files.createDirectories(root.resolve("d").resolve(c));
            Files.write(root.resolve("d").resolve(c).resolve("1.png"), new byte[]{1});
            Files.write(root.resolve("d").resolve(c).resolve("notes.txt"), new byte[]{1});
        }
        var source = new JobSpec.Source("d", JobSpec.Format.IMAGE_FOLDER, null, List.of());
        var paths = new PathResolver(root);
        assertThat(DatasetLister.list(paths, "data.train", source, List.of()).classes()).containsExactly("ant", "zebra");
        Dataset given = DatasetLister.list(paths, "data.train", source, List.of("zebra", "ant"));
        assertThat(given.samples()).extracting(Sample::ref).containsExactly("d/zebra/1.png", "d/ant/1.png");
        assertThatThrownBy(() -> DatasetLister.list(paths, "data.test", source, List.of("ant")))
                .isInstanceOf(JobRejectedException.class).hasMessageContaining("data.test.uri")
                .hasMessageContaining("zebra");
    }

    @Test
    void aClassFolderThatLinksOutOfTheRootIsRefusedAndNotListed() throws Exception {
        Path outside = Files.createTempDirectory("outside");
        Files.write(outside.resolve("secret.png"), new byte[]{1});
        Files.createDirectories(root.resolve("d/ant"));
        Files.write(root.resolve("d/ant/1.png"), new byte[]{1});
        Files.createSymbolicLink(root.resolve("d/zebra"), outside);
        var source = new JobSpec.Source("d", JobSpec.Format.IMAGE_FOLDER, null, List.of());
        assertThatThrownBy(() -> DatasetLister.list(new PathResolver(root), "data.train", source, List.of()))
                .isInstanceOf(JobRejectedException.class).hasMessageContaining("class folder \"zebra\"")
                .hasMessageContaining("symbolic link");
    }

    @Test
    void aCorruptImageIsABadSampleNotACrash() throws Exception {
        Files.write(root.resolve("bad.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        assertThatThrownBy(() -> new ImageDecoder(root).decode("bad.png")).isInstanceOf(BadSampleException.class);
        assertThatThrownBy(() -> new ImageDecoder(root).decode("missing.png")).isInstanceOf(BadSampleException.class)
                .hasMessage("file not found");
    }
}
