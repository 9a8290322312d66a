package io.transferpool.cli;

import io.smallrye.common.annotation.Identifier;
import io.transferpool.broker.EmbeddedKafka;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.messaging.TopicSetup;
import io.transferpool.messaging.Topics;
import io.transferpool.pool.Cluster;
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
    private Cluster cluster;
    private EmbeddedKafka broker;

    /** The cluster in use, with its address (starting the embedded broker if need be). */
    public synchronized Cluster cluster() throws Exception {
        if (cluster == null) {
            Cluster c = options.cluster();
            if (c.startsBroker()) {
                broker = EmbeddedKafka.start(options.config().brokerDataDir(), true);
                c = Cluster.inProcess(broker.bootstrapServers());
            }
            cluster = c;
        }
        return cluster;
    }

    /** Clients of the cluster in use. */
    public KafkaClients clients() throws Exception {
        Cluster c = cluster();
        return options.config().kafka().clients(c.bootstrapServers(), c.inProcess());
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
        var clients = clients();
        TopicSetup.ensure(clients, options.config().topics(), Map.of(Topics.JOBS, Set.of(AclOperation.WRITE),
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
