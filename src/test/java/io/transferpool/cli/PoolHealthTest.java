package io.transferpool.cli;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.transferpool.TestConfig;
import io.transferpool.TestFiles;
import io.transferpool.pool.Cluster;
import io.transferpool.pool.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The probes Kubernetes uses: ready only while the pool's roles run, live while their loops run. */
@QuarkusTest
class PoolHealthTest {
    @TestHTTPResource("/q/health")
    URL health;

    @Inject
    PoolHealth poolHealth;

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();

    int status(String probe) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(health + "/" + probe)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void readyOnlyWhileTheRolesRunAndNotAfterSigterm() throws Exception {
        assertThat(status("ready")).as("no pool yet").isEqualTo(503);
        assertThat(status("live")).as("starting is alive").isEqualTo(200);
        TestFiles.demoRoot(dir.resolve("root"), "train", 1, "test", 1);
        try (Pool pool = Pool.start(TestConfig.pool(dir.resolve("root"), dir.resolve("work")),
                Cluster.embedded())) {
            poolHealth.started(pool);
            assertThat(status("ready")).isEqualTo(200);
            assertThat(status("live")).isEqualTo(200);
            poolHealth.stopping();
            assertThat(status("ready")).as("after SIGTERM").isEqualTo(503);
        }
    }

    @Test
    void notLiveOnceARoleLoopHasDied() throws Exception {
        TestFiles.demoRoot(dir.resolve("root"), "train", 1, "test", 1);
        Pool pool = Pool.start(TestConfig.pool(dir.resolve("root"), dir.resolve("work")),
                Cluster.embedded());
        poolHealth.started(pool);
        assertThat(status("live")).isEqualTo(200);
        pool.close(); // the loops end without a SIGTERM: as when a loop dies of an error
        assertThat(status("live")).isEqualTo(503);
        assertThat(status("ready")).as("still marked started").isEqualTo(200);
    }
}
