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

    PoolSettings settings() {
        return config.toSettings(bootstrapServers.filter(s -> !s.isBlank()));
    }
}
