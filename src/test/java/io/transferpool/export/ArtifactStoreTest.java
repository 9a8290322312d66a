package io.transferpool.export;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactStoreTest {
    @TempDir
    Path root;

    @Test
    void eachRunHasItsFolderAndAJobIdFromARecordMustBeAJobId() throws Exception {
        ArtifactStore store = new ArtifactStore(root);
        assertThat(store.dirFor("job", 1)).isEqualTo(root.resolve("job"));
        assertThat(store.dirFor("job", 3)).isEqualTo(root.resolve("job/run-3"));
        for (String forged : new String[]{"..", "../outside", "a/b", "/etc"}) {
            assertThatThrownBy(() -> store.put(forged, 1, "x", new byte[1])).as(forged)
                    .isInstanceOf(IOException.class).hasMessageContaining("is not a job id");
        }
        assertThat(root.getParent().resolve("outside")).doesNotExist();
    }
}
