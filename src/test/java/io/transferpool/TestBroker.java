package io.transferpool;

import io.transferpool.broker.EmbeddedKafka;
import io.transferpool.pool.PoolSettings;

import java.nio.file.Path;

/**
 * An embedded broker of a test class's own, for tests that start and stop pools on it (a coordinator restarted,
 * a trainer joining, pools with different limits); {@code settings} are the pool defaults pointed at it.
 */
public record TestBroker(EmbeddedKafka kafka, PoolSettings settings) implements AutoCloseable {

    public static TestBroker start(Path dataRoot, Path work) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), true);
        return new TestBroker(kafka, PoolSettings.defaults(dataRoot, work).toBuilder()
                .bootstrapServers(kafka.bootstrapServers()).build());
    }

    @Override
    public void close() throws Exception {
        kafka.close();
    }
}
