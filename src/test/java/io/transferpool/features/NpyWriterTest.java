package io.transferpool.features;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class NpyWriterTest {
    @TempDir
    Path dir;

    @Test
    void rowsAreWrittenInTheOrderGivenWithNumPysHeader() throws Exception {
        try (FeatureStore store = new FeatureStore(1 << 20, dir)) {
            // ids 7, 3, 5 arriving out of order, 3 values each
            store.add(new int[]{7, 3, 5}, new int[]{1, 0, 1}, new float[]{7, 7.5f, -7, 3, 3.5f, -3, 5, 5.5f, -5}, 3);
            Path file = dir.resolve("train.npy");
            NpyWriter.write(file, store, new int[]{1, 2, 0});
            NpyFile npy = NpyFile.read(file);
            assertThat(npy.shape()).containsExactly(3, 3);
            assertThat(npy.values()).containsExactly(3, 3.5f, -3, 5, 5.5f, -5, 7, 7.5f, -7);
            assertThat(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1))
                    .startsWith("\u0093NUMPY\u0001\u0000").contains("{'descr': '<f4', 'fortran_order': False, "
                            + "'shape': (3, 3), }");
            assertThat(dir.resolve("train.npy.tmp")).doesNotExist();
        }
    }

    @Test
    void anEmptySplitIsAnArrayOfNoRows() throws Exception {
        Path file = Files.write(dir.resolve("test.npy"), NpyWriter.empty());
        NpyFile npy = NpyFile.read(file);
        assertThat(npy.shape()).containsExactly(0, 0);
        assertThat(npy.values()).isEmpty();
    }
}
