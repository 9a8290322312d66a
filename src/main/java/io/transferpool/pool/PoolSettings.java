package io.transferpool.pool;

import io.transferpool.messaging.FeatureType;
import io.transferpool.messaging.TopicSetup;
import io.transferpool.model.SessionFactory;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a {@link Pool} needs, as plain values (built from Quarkus config by {@link PoolConfig}, or directly
 * in tests). {@code bootstrapServers} empty means: start the embedded broker.
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
        int decodeThreads,
        SessionFactory.Settings session,
        int sessionCacheSize,
        FeatureType featureType,
        int maxRecordBytes,
        Path spillDir,
        long spillThresholdBytes) {

    public static PoolSettings defaults(Path dataRoot, Path workDir) {
        return new PoolSettings(EnumSet.allOf(Role.class), Optional.empty(), workDir.resolve("kafka"),
                TopicSetup.Layout.singleNode(), dataRoot, workDir.resolve("artifacts"), 512, 64,
                Math.max(1, Runtime.getRuntime().availableProcessors()), SessionFactory.Settings.cpu(0), 4,
                FeatureType.FLOAT32, 1_000_000, workDir.resolve("spill"), 512L * 1024 * 1024);
    }

    public PoolSettings withBootstrapServers(String servers) {
        return new PoolSettings(roles, Optional.of(servers), brokerDataDir, topics, dataRoot, artifactsDir, shardSize,
                extractBatchSize, decodeThreads, session, sessionCacheSize, featureType, maxRecordBytes, spillDir,
                spillThresholdBytes);
    }

    public PoolSettings withRoles(Set<Role> newRoles) {
        return new PoolSettings(Set.copyOf(newRoles), bootstrapServers, brokerDataDir, topics, dataRoot, artifactsDir,
                shardSize, extractBatchSize, decodeThreads, session, sessionCacheSize, featureType, maxRecordBytes,
                spillDir, spillThresholdBytes);
    }

    public PoolSettings withDataRoot(Path root) {
        return new PoolSettings(roles, bootstrapServers, brokerDataDir, topics, root, artifactsDir, shardSize,
                extractBatchSize, decodeThreads, session, sessionCacheSize, featureType, maxRecordBytes, spillDir,
                spillThresholdBytes);
    }

    public PoolSettings withSpill(long thresholdBytes) {
        return new PoolSettings(roles, bootstrapServers, brokerDataDir, topics, dataRoot, artifactsDir, shardSize,
                extractBatchSize, decodeThreads, session, sessionCacheSize, featureType, maxRecordBytes, spillDir,
                thresholdBytes);
    }

    public PoolSettings withShardSize(int size) {
        return new PoolSettings(roles, bootstrapServers, brokerDataDir, topics, dataRoot, artifactsDir, size,
                extractBatchSize, decodeThreads, session, sessionCacheSize, featureType, maxRecordBytes, spillDir,
                spillThresholdBytes);
    }

    public PoolSettings withFeatureType(FeatureType type) {
        return new PoolSettings(roles, bootstrapServers, brokerDataDir, topics, dataRoot, artifactsDir, shardSize,
                extractBatchSize, decodeThreads, session, sessionCacheSize, type, maxRecordBytes, spillDir,
                spillThresholdBytes);
    }
}
