package io.transferpool.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.transferpool.TestFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SessionFactoryTest {
    /** True when this onnxruntime jar has the CUDA execution provider (the -Pgpu build). */
    static boolean gpuBuild() throws Exception {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    @Test
    void cudaRequestedWithoutAGpuBuildFallsBackToCpuAndSaysWhy() throws Exception {
        assumeFalse(gpuBuild(), "the CUDA build is on the class path (-Pgpu)");
        byte[] model = Files.readAllBytes(TestFiles.BASE_MODEL);
        try (var opened = SessionFactory.open(model, new SessionFactory.Settings(ExecutionProvider.CUDA, 0, 1))) {
            assertThat(opened.provider()).isEqualTo(ExecutionProvider.CPU);
            assertThat(opened.fallbackReason()).isNotBlank();
            assertThat(opened.session().getInputNames()).containsExactly("input");
        }
    }

    /**
     * With the CUDA build (-Pgpu) a CUDA request runs on the GPU where there is one, and otherwise falls back as
     * above; either way the session runs and the provider it reports is the one that runs it.
     */
    @Test
    void cudaRequestedWithTheGpuBuildRunsOnCudaOrSaysWhyNot() throws Exception {
        assumeTrue(gpuBuild(), "the CPU build of ONNX Runtime (the default)");
        byte[] model = Files.readAllBytes(TestFiles.BASE_MODEL);
        try (var opened = SessionFactory.open(model, new SessionFactory.Settings(ExecutionProvider.CUDA, 0, 1))) {
            if (opened.provider() == ExecutionProvider.CUDA) {
                assertThat(opened.fallbackReason()).isNull();
            } else {
                assertThat(opened.fallbackReason()).as("why CUDA could not be used").isNotBlank();
            }
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
