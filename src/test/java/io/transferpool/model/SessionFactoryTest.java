package io.transferpool.model;

import io.transferpool.TestFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

class SessionFactoryTest {
    @Test
    void cudaRequestedWithoutAGpuBuildFallsBackToCpuAndSaysWhy() throws Exception {
        byte[] model = Files.readAllBytes(TestFiles.BASE_MODEL);
        try (var opened = SessionFactory.open(model, new SessionFactory.Settings(ExecutionProvider.CUDA, 0, 1))) {
            assertThat(opened.provider()).isEqualTo(ExecutionProvider.CPU);
            assertThat(opened.fallbackReason()).isNotBlank();
            assertThat(opened.session().getInputNames()).containsExactly("input");
        }
    }

    @Test
    void cpuIsTheDefaultAndHasNoFallback() throws Exception {
        byte[] model = Files.readAllBytes(TestFiles.BASE_MODEL);
        try (var opened = SessionFactory.open(model, SessionFactory.Settings.cpu(1))) {
            assertThat(opened.provider()).isEqualTo(ExecutionProvider.CPU);
            assertThat(opened.fallbackReason()).isNull();
        }
    }

    @Test
    void streamsRunningOneSessionShareTheCoresUnlessThreadsAreSet() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(SessionFactory.Settings.cpu(0).sharedBy(cores).intraOpThreads()).isEqualTo(1);
        assertThat(SessionFactory.Settings.cpu(0).sharedBy(1).intraOpThreads()).isEqualTo(cores);
        assertThat(SessionFactory.Settings.cpu(0).sharedBy(4 * cores).intraOpThreads()).isEqualTo(1);
        assertThat(SessionFactory.Settings.cpu(3).sharedBy(cores).intraOpThreads()).as("set by the user").isEqualTo(3);
        var cuda = new SessionFactory.Settings(ExecutionProvider.CUDA, 0, 0);
        assertThat(cuda.sharedBy(cores)).isEqualTo(cuda);
    }
}
