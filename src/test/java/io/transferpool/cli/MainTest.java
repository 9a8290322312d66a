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

    @Test
    void onlyServeListensForHttp() {
        assertThat(Main.listens(new String[]{"serve"})).isTrue();
        assertThat(Main.listens(new String[]{"-Dx=y", "serve"})).isTrue();
        for (String verb : new String[]{"run", "demo", "advise", "model", "submit", "cancel"}) {
            assertThat(Main.listens(new String[]{verb, "serve"})).as(verb).isFalse();
        }
        assertThat(Main.listens(new String[]{})).isFalse();
    }
}
