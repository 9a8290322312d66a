package io.transferpool.messaging;

import io.smallrye.config.WithName;

import java.util.Map;
import java.util.Optional;

/** The pool's Kafka clients ({@code tp.kafka.*}); the cluster itself is {@code kafka.bootstrap.servers}. */
public interface KafkaConfig {
    /**
     * Producer compression (none, gzip, snappy, lz4, zstd). Default (or {@code auto}): none with a broker in the
     * same process (compressing only costs CPU), lz4 with an external cluster.
     */
    Optional<String> compression();

    /**
     * Further Kafka client settings for every producer, consumer and admin client of the pool, such as
     * {@code tp.kafka.client."security.protocol"=SASL_SSL}. The pool's own delivery settings (acks, idempotence,
     * manual commits) cannot be overridden.
     */
    @WithName("client")
    Map<String, String> client();

    /** The compression in effect for a cluster in this process ({@code inProcess}) or elsewhere. */
    default String compression(boolean inProcess) {
        return compression().filter(c -> !c.isBlank() && !c.equals("auto")).orElse(inProcess ? "none" : "lz4");
    }

    /** The clients of the cluster at {@code servers}. */
    default KafkaClients clients(String servers, boolean inProcess) {
        return new KafkaClients(servers, compression(inProcess), client());
    }
}
