package io.transferpool.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    @Test
    void onlyServeWithTheCoordinatorRoleOpensTheJobService() {
        assertThat(Main.servesTheApi(new String[]{"serve"}, null)).isTrue();
        assertThat(Main.servesTheApi(new String[]{"-Dx=y", "serve"}, "coordinator,trainer")).isTrue();
        assertThat(Main.servesTheApi(new String[]{"serve"}, "extractor,trainer")).isFalse();
        assertThat(Main.servesTheApi(new String[]{"run", "job.json"}, null)).isFalse();
        assertThat(Main.servesTheApi(new String[]{"model", "inspect", "serve.onnx"}, null)).isFalse();
        assertThat(Main.servesTheApi(new String[]{}, null)).isFalse();
    }
}
