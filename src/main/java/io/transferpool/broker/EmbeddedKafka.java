package io.transferpool.broker;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real single-node KRaft broker (combined broker + controller) started in this process from Apache Kafka's own
 * jars. Used when no external cluster is configured: by the laptop mode, the demo and the integration tests.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedKafka.class);

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /**
     * Formats storage under {@code dataDir} and starts the broker; returns once it accepts clients.
     *
     * @param deleteOnClose whether {@link #close()} removes the data (tests and {@code run}); a long-running
     *                      embedded pool keeps it
     */
    public static EmbeddedKafka start(Path dataDir, boolean deleteOnClose) throws Exception {
        guardProcessExit();
        Files.createDirectories(dataDir);
        long t0 = System.nanoTime();
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(Files.createTempDirectory(dataDir, "kraft-"))
                .build();
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("message.max.bytes", String.valueOf(16 * 1024 * 1024))
                .setDeleteOnClose(deleteOnClose)
                .build();
        try {
            // Kafka's storage formatter prints to System.out; keep stdout for the CLI's own output.
            java.io.PrintStream stdout = System.out;
            System.setOut(System.err);
            try {
                cluster.format();
            } finally {
                System.setOut(stdout);
            }
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        EmbeddedKafka kafka = new EmbeddedKafka(cluster);
        LOG.infof("Embedded Kafka broker ready at %s in %.1f s (data in %s)", kafka.bootstrapServers(),
                (System.nanoTime() - t0) / 1e9, dataDir);
        return kafka;
    }

    /**
     * The broker halts the JVM on a log-dir failure; in a process that also runs workers and a CLI we want an
     * exception and a clean shutdown instead of a silent kill.
     */
    private static void guardProcessExit() {
        Exit.setHaltProcedure((status, message) -> {
            throw new IllegalStateException("embedded Kafka broker asked to halt (" + status + "): " + message);
        });
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("embedded Kafka broker asked to exit (" + status + "): " + message);
        });
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        long t0 = System.nanoTime();
        cluster.close();
        LOG.infof("Embedded Kafka broker stopped in %.1f s", (System.nanoTime() - t0) / 1e9);
    }
}
