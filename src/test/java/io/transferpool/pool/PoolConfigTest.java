package io.transferpool.pool;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.transferpool.messaging.FeatureType;
import io.transferpool.model.ExecutionProvider;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoolConfigTest {
    private static PoolConfig config(Map<String, String> props) {
        SmallRyeConfig c = new SmallRyeConfigBuilder().addDefaultInterceptors().addSystemSources()
                .withMapping(PoolConfig.class)
                .withSources(new PropertiesConfigSource(props, "test", 500)).build();
        return c.getConfigMapping(PoolConfig.class);
    }

    @Test
    void defaultsDescribeALaptopPoolWithEveryRole() {
        PoolSettings s = config(Map.of()).toSettings(Optional.empty());
        assertThat(s.roles()).isEqualTo(EnumSet.allOf(Role.class));
        assertThat(s.shardSize()).isEqualTo(2048);
        assertThat(s.session().provider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(s.featureType()).isEqualTo(FeatureType.FLOAT32);
        assertThat(s.effectiveCompression()).isEqualTo("none");
        assertThat(s.brokerDataDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "transferpool", "kafka"));
        assertThat(s.withBootstrapServers("k:9092").effectiveCompression()).isEqualTo("lz4");
        assertThat(s.limits()).isEqualTo(io.transferpool.job.Limits.DEFAULT);
        assertThat(s.spillThresholdBytes()).as("a quarter of the heap, at most 512 MiB")
                .isEqualTo(Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 4));
        assertThat(config(Map.of("tp.train.spill-threshold-bytes", "1000")).toSettings(Optional.empty())
                .spillThresholdBytes()).isEqualTo(1000);
    }

    @Test
    void limitsAndTimeLimitsReachTheSettings() {
        PoolSettings s = config(Map.of("tp.limits.max-classes", "7", "tp.limits.shard-arrival-timeout", "PT90S",
                "tp.limits.training-timeout", "PT2H")).toSettings(Optional.empty());
        assertThat(s.limits().maxClasses()).isEqualTo(7);
        assertThat(s.limits().shardArrival()).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(s.limits().training()).isEqualTo(java.time.Duration.ofHours(2));
        assertThat(s.limits().validation()).isEqualTo(io.transferpool.job.Limits.DEFAULT_VALIDATION);
    }

    @Test
    void extractionStreamsDefaultToOnePerCoreAndTheOldKeyStillCounts() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(config(Map.of()).toSettings(Optional.empty()).extractStreams()).isEqualTo(cores);
        assertThat(config(Map.of("tp.extract.streams", "3")).toSettings(Optional.empty()).extractStreams())
                .isEqualTo(3);
        assertThat(config(Map.of("tp.extract.decode-threads", "5")).toSettings(Optional.empty()).extractStreams())
                .isEqualTo(5);
        assertThat(config(Map.of("tp.extract.decode-threads", "5", "tp.extract.streams", "2"))
                .toSettings(Optional.empty()).extractStreams()).isEqualTo(2);
    }

    @Test
    void keysReachTheSettings() {
        PoolSettings s = config(Map.of("tp.roles", "extractor", "tp.extract.provider", "cuda",
                "tp.extract.feature-type", "float16", "tp.kafka.compression", "zstd",
                "tp.kafka.client.\"security.protocol\"", "SSL", "tp.shard-size", "100"))
                .toSettings(Optional.of("k:9092"));
        assertThat(s.roles()).containsExactly(Role.EXTRACTOR);
        assertThat(s.session().provider()).isEqualTo(ExecutionProvider.CUDA);
        assertThat(s.featureType()).isEqualTo(FeatureType.FLOAT16);
        assertThat(s.effectiveCompression()).isEqualTo("zstd");
        assertThat(s.kafkaClient()).containsEntry("security.protocol", "SSL");
        assertThat(s.clients("k:9092").extra()).containsEntry("security.protocol", "SSL");
        assertThat(s.shardSize()).isEqualTo(100);
    }

    @Test
    void keptFeaturesAndSweepParallelismHaveDefaultsAndReachTheSettings() {
        PoolSettings d = config(Map.of("tp.artifacts-dir", "/arts")).toSettings(Optional.empty());
        assertThat(d.featureCache()).as("on, 4 GiB, beside the artifacts")
                .isEqualTo(new io.transferpool.features.FeatureCache.Policy(Path.of("/arts/features"), 4L << 30));
        assertThat(d.sweepParallelism()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 4));
        PoolSettings s = config(Map.of("tp.features.dir", "/kept", "tp.features.max-bytes", "0",
                "tp.train.sweep-parallelism", "3")).toSettings(Optional.empty());
        assertThat(s.featureCache()).isEqualTo(new io.transferpool.features.FeatureCache.Policy(Path.of("/kept"), 0));
        assertThat(new io.transferpool.features.FeatureCache(s.featureCache()).enabled()).isFalse();
        assertThat(s.sweepParallelism()).isEqualTo(3);
    }

    @Test
    void consumerSettingsPerRoleAndCheckpointsReachTheSettings() {
        PoolSettings s = config(Map.of("tp.consumer.extractor.\"max.poll.interval.ms\"", "900000",
                "tp.train.checkpoint-epochs", "3", "tp.train.checkpoint-seconds", "0", "tp.topics.create", "false"))
                .toSettings(Optional.empty());
        assertThat(s.consumerOverrides()).containsOnlyKeys(Role.EXTRACTOR);
        assertThat(s.consumerOverrides().get(Role.EXTRACTOR)).containsEntry("max.poll.interval.ms", "900000");
        assertThat(s.checkpoints()).isEqualTo(new io.transferpool.train.CheckpointStore.Policy(3, 0));
        assertThat(s.topics().create()).isFalse();
        assertThatThrownBy(() -> config(Map.of("tp.consumer.baker.\"x\"", "1")).toSettings(Optional.empty()))
                .hasMessageContaining("tp.consumer.baker");
    }

    @Test
    void aBadValueNamesItsKey() {
        assertThatThrownBy(() -> config(Map.of("tp.roles", "cook")).toSettings(Optional.empty()))
                .hasMessageContaining("tp.roles").hasMessageContaining("cook");
        assertThatThrownBy(() -> config(Map.of("tp.extract.provider", "tpu")).toSettings(Optional.empty()))
                .hasMessageContaining("tp.extract.provider");
    }
}
