package io.transferpool.pool;

import io.transferpool.features.FeatureCache;
import io.transferpool.job.Limits;
import io.transferpool.messaging.FeatureType;
import io.transferpool.messaging.TopicSetup;
import io.transferpool.model.SessionFactory;
import io.transferpool.train.CheckpointStore;
import io.transferpool.features.HeapBudget;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a {@link Pool} needs, as plain values (built from Quarkus config by {@link PoolConfig}, or directly
 * in tests through {@link #defaults} and {@link #toBuilder}). {@code bootstrapServers} empty means: start the
 * embedded broker. {@code compression} null means: none with the embedded broker (same process, so compressing
 * only costs CPU), lz4 with an external cluster.
 */
public record PoolSettings(
        Set<Role> roles,
        Optional<String> bootstrapServers,
        Path brokerDataDir,
        TopicSetup.Layout topics,
        Path dataRoot,
        Path artifactsDir,
        int shardSize,
        int extractBatchSize,
        int extractStreams,
        SessionFactory.Settings session,
        int sessionCacheSize,
        FeatureType featureType,
        int maxRecordBytes,
        String compression,
        Map<String, String> kafkaClient,
        Path spillDir,
        long spillThresholdBytes,
        CheckpointStore.Policy checkpoints,
        Map<Role, Map<String, String>> consumerOverrides,
        Limits limits,
        FeatureCache.Policy featureCache,
        int sweepParallelism) {

    public PoolSettings {
        roles = Set.copyOf(roles);
        kafkaClient = Map.copyOf(kafkaClient);
        consumerOverrides = Map.copyOf(consumerOverrides);
    }

    public static PoolSettings defaults(Path dataRoot, Path workDir) {
        return new PoolSettings(EnumSet.allOf(Role.class), Optional.empty(), workDir.resolve("kafka"),
                TopicSetup.Layout.singleNode(), dataRoot, workDir.resolve("artifacts"), 2048, 64,
                Math.max(1, Runtime.getRuntime().availableProcessors()), SessionFactory.Settings.cpu(0), 4,
                FeatureType.FLOAT32, 1_000_000, null, Map.of(), workDir.resolve("spill"),
                HeapBudget.defaultLimit(),
                new CheckpointStore.Policy(5, 60), Map.of(), Limits.DEFAULT,
                // Off here (tests, benchmarks), on by default in the application (tp.features.max-bytes): a run
                // that submits the same data twice to measure extraction must extract it twice.
                new FeatureCache.Policy(workDir.resolve("artifacts").resolve("features"), 0), 1);
    }

    /** The Kafka clients these settings describe (for a pool started on {@code servers}). */
    public io.transferpool.messaging.KafkaClients clients(String servers) {
        return new io.transferpool.messaging.KafkaClients(servers, effectiveCompression(), kafkaClient);
    }

    /** The producer compression in effect. */
    public String effectiveCompression() {
        return compression != null ? compression : bootstrapServers.isPresent() ? "lz4" : "none";
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public PoolSettings withBootstrapServers(String servers) {
        return toBuilder().bootstrapServers(servers).build();
    }

    public PoolSettings withRoles(Set<Role> newRoles) {
        return toBuilder().roles(newRoles).build();
    }

    public PoolSettings withShardSize(int size) {
        return toBuilder().shardSize(size).build();
    }

    /** Changes some settings of a copy; unchanged ones keep their values. */
    public static final class Builder {
        private Set<Role> roles;
        private Optional<String> bootstrapServers;
        private Path brokerDataDir;
        private TopicSetup.Layout topics;
        private Path dataRoot;
        private Path artifactsDir;
        private int shardSize;
        private int extractBatchSize;
        private int extractStreams;
        private SessionFactory.Settings session;
        private int sessionCacheSize;
        private FeatureType featureType;
        private int maxRecordBytes;
        private String compression;
        private Map<String, String> kafkaClient;
        private Path spillDir;
        private long spillThresholdBytes;
        private CheckpointStore.Policy checkpoints;
        private Map<Role, Map<String, String>> consumerOverrides;
        private Limits limits;
        private FeatureCache.Policy featureCache;
        private int sweepParallelism;

        private Builder(PoolSettings s) {
            roles = s.roles;
            bootstrapServers = s.bootstrapServers;
            brokerDataDir = s.brokerDataDir;
            topics = s.topics;
            dataRoot = s.dataRoot;
            artifactsDir = s.artifactsDir;
            shardSize = s.shardSize;
            extractBatchSize = s.extractBatchSize;
            extractStreams = s.extractStreams;
            session = s.session;
            sessionCacheSize = s.sessionCacheSize;
            featureType = s.featureType;
            maxRecordBytes = s.maxRecordBytes;
            compression = s.compression;
            kafkaClient = s.kafkaClient;
            spillDir = s.spillDir;
            spillThresholdBytes = s.spillThresholdBytes;
            checkpoints = s.checkpoints;
            consumerOverrides = s.consumerOverrides;
            limits = s.limits;
            featureCache = s.featureCache;
            sweepParallelism = s.sweepParallelism;
        }

        public Builder roles(Set<Role> v) {
            roles = v;
            return this;
        }

        public Builder bootstrapServers(String v) {
            bootstrapServers = Optional.of(v);
            return this;
        }

        public Builder brokerDataDir(Path v) {
            brokerDataDir = v;
            return this;
        }

        public Builder topics(TopicSetup.Layout v) {
            topics = v;
            return this;
        }

        public Builder dataRoot(Path v) {
            dataRoot = v;
            return this;
        }

        public Builder artifactsDir(Path v) {
            artifactsDir = v;
            return this;
        }

        public Builder shardSize(int v) {
            shardSize = v;
            return this;
        }

        public Builder featureType(FeatureType v) {
            featureType = v;
            return this;
        }

        public Builder compression(String v) {
            compression = v;
            return this;
        }

        public Builder kafkaClient(Map<String, String> v) {
            kafkaClient = v;
            return this;
        }

        public Builder spillDir(Path v) {
            spillDir = v;
            return this;
        }

        public Builder spillThresholdBytes(long v) {
            spillThresholdBytes = v;
            return this;
        }

        public Builder checkpoints(CheckpointStore.Policy v) {
            checkpoints = v;
            return this;
        }

        public Builder consumerOverrides(Map<Role, Map<String, String>> v) {
            consumerOverrides = v;
            return this;
        }

        public Builder limits(Limits v) {
            limits = v;
            return this;
        }

        /** Where extracted features are kept for later jobs and how much they may take (0: not kept). */
        public Builder featureCache(FeatureCache.Policy v) {
            featureCache = v;
            return this;
        }

        /** Sweep candidates a trainer trains at once. */
        public Builder sweepParallelism(int v) {
            sweepParallelism = v;
            return this;
        }

        public PoolSettings build() {
            return new PoolSettings(roles, bootstrapServers, brokerDataDir, topics, dataRoot, artifactsDir, shardSize,
                    extractBatchSize, extractStreams, session, sessionCacheSize, featureType, maxRecordBytes,
                    compression, kafkaClient, spillDir, spillThresholdBytes, checkpoints, consumerOverrides, limits,
                    featureCache, sweepParallelism);
        }
    }
}
