package io.transferpool.pool;

/**
 * The Kafka cluster a pool works on: one at {@code kafka.bootstrap.servers}, or the embedded broker, which the pool
 * starts itself ({@link #embedded()}) or which another part of this process started ({@link #inProcess}).
 * Producers compress by default only for a cluster elsewhere (see messaging.KafkaConfig).
 *
 * @param bootstrapServers null for {@link #embedded()}: the pool starts the broker and learns its address
 */
public record Cluster(String bootstrapServers, boolean inProcess) {
    /** A broker the pool starts in this process, in {@code work-dir/kafka}, and stops when it closes. */
    public static Cluster embedded() {
        return new Cluster(null, true);
    }

    /** A cluster elsewhere, at {@code servers}. */
    public static Cluster at(String servers) {
        return new Cluster(servers, false);
    }

    /** A broker this process runs already, at {@code servers}. */
    public static Cluster inProcess(String servers) {
        return new Cluster(servers, true);
    }

    /** The cluster {@code kafka.bootstrap.servers} names, else one the pool starts. */
    public static Cluster of(java.util.Optional<String> servers) {
        return servers.filter(s -> !s.isBlank()).map(Cluster::at).orElseGet(Cluster::embedded);
    }

    /** True when the pool must start the broker. */
    public boolean startsBroker() {
        return bootstrapServers == null;
    }
}
