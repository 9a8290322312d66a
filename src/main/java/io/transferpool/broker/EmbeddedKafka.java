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

    /** Cluster id of brokers kept on disk: a restart on the same data finds the id it was formatted with. */
    private static final String CLUSTER_ID = "transferpool-embedded-0";
    private static final String FIXED_LISTENER = "FIXED";

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaClusterTestKit cluster, String bootstrapServers) {
        this.cluster = cluster;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats storage under {@code dataDir} and starts the broker; returns once it accepts clients.
     *
     * @param deleteOnClose whether {@link #close()} removes the data (tests and {@code run}); a long-running
     *                      embedded pool keeps it
     */
    public static EmbeddedKafka start(Path dataDir, boolean deleteOnClose) throws Exception {
        return start(dataDir, deleteOnClose, -1);
    }

    /**
     * A broker that clients reach on a fixed {@code port} of localhost (0: a free one) and that keeps its data in
     * {@code dataDir/kraft}: started again on the same folder and port (after {@link #close()} without deleting),
     * it comes back with its topics, offsets and records, as a restarted cluster node would.
     */
    public static EmbeddedKafka startOnPort(Path dataDir, int port) throws Exception {
        return start(dataDir, false, port == 0 ? freePort() : port);
    }

    private static EmbeddedKafka start(Path dataDir, boolean deleteOnClose, int port) throws Exception {
        guardProcessExit();
        Files.createDirectories(dataDir);
        long t0 = System.nanoTime();
        boolean fixed = port > 0;
        Path base = fixed ? dataDir.resolve("kraft") : Files.createTempDirectory(dataDir, "kraft-");
        boolean formatted = fixed && Files.isDirectory(base) && hasFiles(base);
        Files.createDirectories(base);
        TestKitNodes.Builder nodeBuilder = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(base);
        if (fixed) {
            nodeBuilder.setClusterId(CLUSTER_ID);
        }
        TestKitNodes nodes = nodeBuilder.build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        if (fixed) {
            // The test kit binds its own listeners to free ports; clients use one more, on the fixed port.
            builder.setConfigProp("listeners", "EXTERNAL://localhost:0,CONTROLLER://localhost:0,"
                            + FIXED_LISTENER + "://localhost:" + port)
                    .setConfigProp("listener.security.protocol.map",
                            "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT," + FIXED_LISTENER + ":PLAINTEXT");
        }
        KafkaClusterTestKit cluster = builder
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
                if (!formatted) {
                    cluster.format();
                }
            } finally {
                System.setOut(stdout);
            }
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        EmbeddedKafka kafka = new EmbeddedKafka(cluster, fixed ? "localhost:" + port : cluster.bootstrapServers());
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
        return bootstrapServers;
    }

    private static boolean hasFiles(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.findAny().isPresent();
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        long t0 = System.nanoTime();
        cluster.close();
        LOG.infof("Embedded Kafka broker stopped in %.1f s", (System.nanoTime() - t0) / 1e9);
    }
}
