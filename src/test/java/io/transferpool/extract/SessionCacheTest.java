package io.transferpool.extract;

import io.transferpool.TestFiles;
import io.transferpool.model.CutSession;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionCacheTest {
    @Test
    void oneSessionPerDigestAndCutLeastRecentlyUsedEvicted() throws Exception {
        String sha = OnnxModel.sha256(TestFiles.BASE_MODEL);
        List<CutSession> opened = new ArrayList<>();
        try (SessionCache cache = new SessionCache(1, SessionFactory.Settings.cpu(1), opened::add)) {
            var flatten = new SessionCache.Key(sha, "input", TestFiles.CUT);
            CutSession a = cache.get(TestFiles.BASE_MODEL, flatten);
            assertThat(cache.get(TestFiles.BASE_MODEL, flatten)).isSameAs(a);
            assertThat(opened).hasSize(1);
            cache.get(TestFiles.BASE_MODEL, new SessionCache.Key(sha, "input", "/features/features.9/MaxPool_output_0"));
            assertThat(opened).hasSize(2);
            assertThat(cache.size()).isEqualTo(1);
            assertThat(cache.get(TestFiles.BASE_MODEL, flatten)).as("evicted, so opened again").isNotSameAs(a);
        }
    }

    @Test
    void aModelThatChangedSinceTheJobWasAcceptedIsRefused() {
        try (SessionCache cache = new SessionCache(1, SessionFactory.Settings.cpu(1), s -> { })) {
            assertThatThrownBy(() -> cache.get(TestFiles.BASE_MODEL, new SessionCache.Key("0".repeat(64), "input",
                    TestFiles.CUT))).isInstanceOf(IOException.class).hasMessageContaining("changed since the job");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
