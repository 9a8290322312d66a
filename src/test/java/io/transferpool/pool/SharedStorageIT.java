package io.transferpool.pool;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.transferpool.TestConfig;
import io.transferpool.TestFiles;
import io.transferpool.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** `serve` hands its pool the storage its job service checks jobs against: one S3 client and fetch pool a process. */
class SharedStorageIT {
    @TempDir
    Path work;

    @Test
    void aPoolGivenAStorageHoldsThatOneAndLeavesItOpen() throws Exception {
        PoolConfig config = TestConfig.pool(TestFiles.DEMO, work, "tp.roles", "coordinator,extractor,trainer");
        try (Storage shared = config.openStorage()) {
            var fetchers = shared.fetchers();
            try (Pool pool = Pool.start(config, Cluster.embedded(), new SimpleMeterRegistry(), shared)) {
                assertThat(pool.storage()).isSameAs(shared);
            }
            assertThat(fetchers.isShutdown()).as("the caller's storage, still open").isFalse();
        }
        // a pool left to open its own closes it with itself
        Pool own = Pool.start(config, Cluster.embedded(), new SimpleMeterRegistry());
        var ownFetchers = own.storage().fetchers();
        own.close();
        assertThat(ownFetchers.isShutdown()).isTrue();
    }
}
