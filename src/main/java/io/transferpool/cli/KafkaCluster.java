package io.transferpool.cli;

import io.smallrye.common.annotation.Identifier;
import io.transferpool.broker.EmbeddedKafka;
import io.transferpool.messaging.TopicSetup;
import io.transferpool.messaging.Topics;
import io.transferpool.pool.PoolSettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.apache.kafka.common.acl.AclOperation;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Kafka cluster of a serving process: {@code kafka.bootstrap.servers} when set, else the embedded broker,
 * started the first time something needs it (the job service's channels at start-up, or the pool) and stopped
 * when the application ends. The pool and the channels share it, so the channels can be pointed at a broker whose
 * address is only known once it runs.
 */
@ApplicationScoped
public class KafkaCluster {
    @Inject
    PoolOptions options;

    // Guarded by this: the channels' start-up and the serve command may ask at once.
    private PoolSettings settings;
    private EmbeddedKafka broker;

    /** The pool's settings with the address of the cluster in use (starting the embedded broker if need be). */
    public synchronized PoolSettings settings() throws Exception {
        if (settings == null) {
            PoolSettings s = options.settings();
            if (s.bootstrapServers().isEmpty()) {
                String compression = s.effectiveCompression(); // none: the broker is in this process
                broker = EmbeddedKafka.start(s.brokerDataDir(), true);
                s = s.toBuilder().bootstrapServers(broker.bootstrapServers()).compression(compression).build();
            }
            settings = s;
        }
        return settings;
    }

    /**
     * The broker settings of every SmallRye Kafka channel (the connector looks them up under this identifier):
     * the cluster's address and the pool's client settings ({@code tp.kafka.client.*}, e.g. security). The topics
     * the channels use are created first when the pool creates topics, else checked.
     */
    @Produces
    @Singleton
    @Identifier("default-kafka-broker")
    Map<String, Object> channelSettings() throws Exception {
        PoolSettings s = settings();
        var clients = s.clients(s.bootstrapServers().orElseThrow());
        TopicSetup.ensure(clients, s.topics(), Map.of(Topics.JOBS, Set.of(AclOperation.WRITE),
                Topics.STATUS, Set.of(AclOperation.READ), Topics.RESULTS, Set.of(AclOperation.READ),
                Topics.JOB_IDS, Set.of(AclOperation.READ), Topics.DLQ, Set.of(AclOperation.WRITE)));
        Map<String, Object> config = new HashMap<>(clients.extra());
        config.put("bootstrap.servers", clients.bootstrapServers());
        return config;
    }

    @PreDestroy
    synchronized void stop() throws Exception {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
