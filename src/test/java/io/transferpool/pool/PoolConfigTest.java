package io.transferpool.pool;

import io.smallrye.config.SysPropConfigSource;
import io.transferpool.features.FeatureCache;
import io.transferpool.features.HeapBudget;
import io.transferpool.messaging.FeatureType;
import io.transferpool.model.ExecutionProvider;
import io.transferpool.train.CheckpointStore;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The keys of README "Configuration" through the mapping: defaults, what each reaches, and bad values named. */
class PoolConfigTest {
    private static PoolConfig config(Map<String, String> props) {
        // system properties only: the default work-dir is ${java.io.tmpdir}/transferpool
        return PoolConfig.of(List.of(new SysPropConfigSource()), props);
    }

    @Test
    void artifactsGoToAFolderOrThroughTheWorkFolderToABucket() {
        PoolConfig folder = config(Map.of("tp.artifacts-dir", "/arts"));
        assertThat(folder.artifacts()).isEqualTo(Path.of("/arts"));
        assertThat(folder.artifactsBucket()).isEmpty();
        PoolConfig bucket = config(Map.of("tp.artifacts-dir", "s3://artifacts/pool/"));
        assertThat(bucket.artifactsBucket()).contains(io.transferpool.storage.ObjectUri.parse("s3://artifacts/pool"));
        assertThat(bucket.artifacts()).as("the local folder files go through").isEqualTo(bucket.workDir()
                .resolve("artifacts"));
        assertThat(config(Map.of()).storage().allowed()).isEmpty();
        assertThat(config(Map.of()).storage().s3().parallelGets()).isEqualTo(16);
        assertThatThrownBy(() -> config(Map.of("tp.artifacts-dir", "s3://artifacts/../x")).artifactsBucket())
                .hasMessageContaining("tp.artifacts-dir").hasMessageContaining("\"..\" segment");
        assertThatThrownBy(() -> config(Map.of("tp.storage.allowed", "/data")).openStorage())
                .hasMessageContaining("tp.storage.allowed");
    }

    @Test
    void defaultsDescribeALaptopPoolWithEveryRole() {
        PoolConfig c = config(Map.of());
        assertThat(c.roles()).isEqualTo(EnumSet.allOf(Role.class));
        assertThat(c.shardSize()).isEqualTo(2048);
        assertThat(c.extract().provider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(c.extract().featureType()).isEqualTo(FeatureType.FLOAT32);
        assertThat(c.kafka().compression(true)).as("a broker in this process").isEqualTo("none");
        assertThat(c.kafka().compression(false)).as("a cluster elsewhere").isEqualTo("lz4");
        assertThat(c.brokerDataDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "transferpool", "kafka"));
        assertThat(c.artifacts()).isEqualTo(c.workDir().resolve("artifacts"));
        assertThat(c.spillDir()).isEqualTo(c.workDir().resolve("spill"));
        assertThat(c.limits().maxEpochs()).isEqualTo(10_000);
        assertThat(c.limits().validationTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.train().heapBudgetBytes()).as("a quarter of the heap, at most 512 MiB")
                .isEqualTo(HeapBudget.defaultLimit())
                .isEqualTo(Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 4));
        assertThat(config(Map.of("tp.train.spill-threshold-bytes", "1000")).train().heapBudgetBytes())
                .isEqualTo(1000);
        assertThat(c.topics().extractPartitions()).isEqualTo(4);
        assertThat(c.topics().create()).isTrue();
    }

    @Test
    void limitsAndTimeLimitsHaveTheirKeys() {
        PoolConfig c = config(Map.of("tp.limits.max-classes", "7", "tp.limits.shard-arrival-timeout", "PT90S",
                "tp.limits.training-timeout", "PT2H"));
        assertThat(c.limits().maxClasses()).isEqualTo(7);
        assertThat(c.limits().shardArrivalTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.limits().trainingTimeout()).isEqualTo(Duration.ofHours(2));
        assertThat(c.limits().shardTimeout()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void extractionStreamsDefaultToOnePerCoreAndTheOldKeyStillCounts() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(config(Map.of()).extract().streamCount()).isEqualTo(cores);
        assertThat(config(Map.of("tp.extract.streams", "3")).extract().streamCount()).isEqualTo(3);
        assertThat(config(Map.of("tp.extract.decode-threads", "5")).extract().streamCount()).isEqualTo(5);
        assertThat(config(Map.of("tp.extract.decode-threads", "5", "tp.extract.streams", "2")).extract()
                .streamCount()).isEqualTo(2);
        assertThat(config(Map.of("tp.extract.streams", String.valueOf(cores))).extract().session().intraOpThreads())
                .as("the cores shared out among the streams").isEqualTo(1);
    }

    @Test
    void keysReachTheirGroups() {
        PoolConfig c = config(Map.of("tp.roles", "extractor", "tp.extract.provider", "cuda",
                "tp.extract.feature-type", "float16", "tp.kafka.compression", "zstd",
                "tp.kafka.client.\"security.protocol\"", "SSL", "tp.shard-size", "100"));
        assertThat(c.roles()).containsExactly(Role.EXTRACTOR);
        assertThat(c.extract().provider()).isEqualTo(ExecutionProvider.CUDA);
        assertThat(c.extract().session().provider()).isEqualTo(ExecutionProvider.CUDA);
        assertThat(c.extract().featureType()).isEqualTo(FeatureType.FLOAT16);
        assertThat(c.kafka().compression(true)).isEqualTo("zstd");
        assertThat(c.kafka().client()).containsEntry("security.protocol", "SSL");
        assertThat(c.kafka().clients("k:9092", false).extra()).containsEntry("security.protocol", "SSL");
        assertThat(c.shardSize()).isEqualTo(100);
        assertThat(config(Map.of("tp.kafka.compression", "auto")).kafka().compression(false)).isEqualTo("lz4");
    }

    @Test
    void keptFeaturesAndSweepParallelismHaveDefaults() {
        PoolConfig d = config(Map.of("tp.artifacts-dir", "/arts"));
        assertThat(d.features().policy(d.artifacts())).as("on, 4 GiB, beside the artifacts")
                .isEqualTo(new FeatureCache.Policy(Path.of("/arts/features"), 4L << 30));
        assertThat(d.train().sweepThreads()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 4));
        PoolConfig s = config(Map.of("tp.features.dir", "/kept", "tp.features.max-bytes", "0",
                "tp.train.sweep-parallelism", "3"));
        assertThat(s.features().policy(s.artifacts())).isEqualTo(new FeatureCache.Policy(Path.of("/kept"), 0));
        assertThat(new FeatureCache(s.features().policy(s.artifacts())).enabled()).isFalse();
        assertThat(s.train().sweepThreads()).isEqualTo(3);
    }

    @Test
    void consumerSettingsPerRoleAndCheckpointsHaveTheirKeys() {
        PoolConfig c = config(Map.of("tp.consumer.extractor.\"max.poll.interval.ms\"", "900000",
                "tp.train.checkpoint-epochs", "3", "tp.train.checkpoint-seconds", "0", "tp.topics.create", "false"));
        assertThat(c.consumerOverrides()).containsOnlyKeys(Role.EXTRACTOR);
        assertThat(c.consumerOverrides().get(Role.EXTRACTOR)).containsEntry("max.poll.interval.ms", "900000");
        assertThat(c.train().checkpoints()).isEqualTo(new CheckpointStore.Policy(3, 0));
        assertThat(c.topics().create()).isFalse();
        assertThatThrownBy(() -> config(Map.of("tp.consumer.baker.\"x\"", "1")).consumerOverrides())
                .hasMessageContaining("tp.consumer.baker");
    }

    @Test
    void aBadValueNamesItsKey() {
        assertThatThrownBy(() -> config(Map.of("tp.roles", "cook")))
                .hasMessageContaining("tp.roles").hasMessageContaining("cook");
        assertThatThrownBy(() -> config(Map.of("tp.extract.provider", "tpu")))
                .hasMessageContaining("tp.extract.provider").hasMessageContaining("tpu");
        assertThatThrownBy(() -> config(Map.of("tp.shard-size", "many")))
                .hasMessageContaining("tp.shard-size");
    }
}
