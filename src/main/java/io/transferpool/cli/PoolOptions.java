package io.transferpool.cli;

import io.transferpool.pool.PoolConfig;
import io.transferpool.pool.PoolSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/** The pool settings from Quarkus configuration, with the external cluster when kafka.bootstrap.servers is set. */
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

    /**
     * The clients of the running pool a client verb talks to; empty, after saying so on stdout, when
     * kafka.bootstrap.servers is not set (the verb then exits with the usage code).
     */
    Optional<io.transferpool.messaging.KafkaClients> runningPool(String verb) {
        PoolSettings s = settings();
        if (s.bootstrapServers().isEmpty()) {
            System.out.println("error: " + verb + " needs a running pool: set kafka.bootstrap.servers"
                    + " (e.g. -Dkafka.bootstrap.servers=host:9092 or KAFKA_BOOTSTRAP_SERVERS)");
            return Optional.empty();
        }
        return Optional.of(s.clients(s.bootstrapServers().get()));
    }

    PoolSettings settings() {
        return config.toSettings(bootstrapServers.filter(s -> !s.isBlank()));
    }
}
