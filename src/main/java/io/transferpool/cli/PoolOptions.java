package io.transferpool.cli;

import io.smallrye.config.SmallRyeConfig;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.pool.Cluster;
import io.transferpool.pool.PoolConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;
import java.util.Optional;

/** The pool's configuration from Quarkus, and the cluster kafka.bootstrap.servers names. */
@ApplicationScoped
class PoolOptions {
    @Inject
    PoolConfig config;

    /** An external Kafka cluster; when unset the pool starts its embedded broker. */
    @ConfigProperty(name = "kafka.bootstrap.servers")
    Optional<String> bootstrapServers;

    /** Quarkus' registry, served at /q/metrics. */
    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    /** Called through the bean's client proxy, so a method (a field read on the proxy would see null). */
    io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    PoolConfig config() {
        return config;
    }

    /** The application's configuration with {@code overrides} on top (the run verb's one-process pool). */
    PoolConfig config(Map<String, String> overrides) {
        return PoolConfig.of(ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getConfigSources(), overrides);
    }

    /** The configured cluster, else the embedded broker. */
    Cluster cluster() {
        return Cluster.of(bootstrapServers);
    }

    /**
     * The clients of the running pool a client verb talks to; empty, after saying so on stdout, when
     * kafka.bootstrap.servers is not set (the verb then exits with the usage code).
     */
    Optional<KafkaClients> runningPool(String verb) {
        Cluster c = cluster();
        if (c.startsBroker()) {
            System.out.println("error: " + verb + " needs a running pool: set kafka.bootstrap.servers"
                    + " (e.g. -Dkafka.bootstrap.servers=host:9092 or KAFKA_BOOTSTRAP_SERVERS)");
            return Optional.empty();
        }
        return Optional.of(config.kafka().clients(c.bootstrapServers(), c.inProcess()));
    }
}
