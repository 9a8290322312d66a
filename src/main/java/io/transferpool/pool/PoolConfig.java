package io.transferpool.pool;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.transferpool.extract.ExtractConfig;
import io.transferpool.features.FeaturesConfig;
import io.transferpool.job.Limits;
import io.transferpool.messaging.KafkaConfig;
import io.transferpool.messaging.TopicsConfig;
import io.transferpool.scheduling.SchedulingConfig;
import io.transferpool.storage.Mirror;
import io.transferpool.storage.ObjectUri;
import io.transferpool.storage.Storage;
import io.transferpool.storage.StorageConfig;
import io.transferpool.train.TrainConfig;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pool's configuration, {@code tp.*} (README "Configuration"): the keys of the whole process here, each
 * concern's keys in a group declared next to the code that uses them ({@link ExtractConfig}, {@link TrainConfig},
 * {@link FeaturesConfig}, {@link Limits}, {@link SchedulingConfig}, {@link TopicsConfig}, {@link KafkaConfig}). Every default is written once,
 * on its key. Tests and benchmarks build it through this same mapping, with their overrides.
 */
@ConfigMapping(prefix = "tp")
public interface PoolConfig {

    /** Roles this process runs: any of coordinator, extractor, trainer. */
    @WithDefault("coordinator,extractor,trainer")
    Set<Role> roles();

    /** Root that job paths resolve against for jobs arriving on Kafka; nothing outside it is read. */
    @WithDefault(".")
    Path dataRoot();

    /** Working directory: embedded broker data, artifacts and spill files unless set apart. */
    @WithDefault("${java.io.tmpdir}/transferpool")
    Path workDir();

    /**
     * Where job artifacts, checkpoints and kept features go: a folder (default: work-dir/artifacts; a shared volume
     * in a cluster), or a bucket prefix {@code s3://bucket/prefix} (written through work-dir/artifacts).
     */
    Optional<String> artifactsDir();

    /**
     * Samples per extract task: the unit of work an extractor takes, and so of parallelism across extractors.
     * Each task costs a flush and a commit (about 20 ms here), so small shards cost throughput on fast models.
     */
    @WithDefault("2048")
    int shardSize();

    TopicsConfig topics();

    KafkaConfig kafka();

    /**
     * Consumer settings of one role, over {@code tp.kafka.client}: how fast a dead worker is noticed, e.g.
     * {@code tp.consumer.extractor."max.poll.interval.ms"=900000} for extractors of slow models. Without them the
     * pool's consumers use session.timeout.ms 10000 and heartbeat.interval.ms 3000.
     */
    @WithName("consumer")
    Map<String, Map<String, String>> consumer();

    ExtractConfig extract();

    TrainConfig train();

    FeaturesConfig features();

    Limits limits();

    SchedulingConfig scheduling();

    StorageConfig storage();

    /** Where data and models are read from: the data root and the allowed buckets (close it with the pool). */
    default Storage openStorage() {
        return Storage.of(dataRoot(), storage(), workDir().resolve("object-cache"));
    }

    /**
     * This mapping over {@code sources} with {@code overrides} on top: how the {@code run} verb derives its
     * one-process pool from the application's configuration, and how tests and benchmarks configure theirs.
     */
    static PoolConfig of(Iterable<ConfigSource> sources, Map<String, String> overrides) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().addDefaultInterceptors();
        sources.forEach(builder::withSources);
        return builder
                .withSources(new PropertiesConfigSource(overrides, "overrides", Integer.MAX_VALUE))
                .withMapping(PoolConfig.class)
                .withValidateUnknown(false) // other tp.* groups (tp.api) are mapped elsewhere
                .build()
                .getConfigMapping(PoolConfig.class);
    }

    /** The local folder of the artifacts: the store itself, or the one files go through to the bucket. */
    default Path artifacts() {
        return artifactsDir().filter(d -> !ObjectUri.isObjectUri(d)).map(Path::of)
                .orElse(workDir().resolve("artifacts"));
    }

    /** The bucket prefix artifacts go to, when tp.artifacts-dir names one. */
    default Optional<ObjectUri> artifactsBucket() {
        return artifactsDir().filter(ObjectUri::isObjectUri).map(d -> {
            try {
                return ObjectUri.parse(d);
            } catch (ObjectUri.BadObjectUriException e) {
                throw new IllegalArgumentException("tp.artifacts-dir: \"" + d + "\" " + e.getMessage());
            }
        });
    }

    /** Where artifacts go in effect: the folder, or the bucket prefix through it. */
    default Mirror artifactsMirror(Storage storage) {
        return artifactsBucket().map(b -> Mirror.of(artifacts(), storage.objects(), b))
                .orElseGet(() -> Mirror.local(artifacts()));
    }

    /** Where the embedded broker keeps its data. */
    default Path brokerDataDir() {
        return workDir().resolve("kafka");
    }

    /** Where trainers spill features in effect. */
    default Path spillDir() {
        return train().spillDir().orElse(workDir().resolve("spill"));
    }

    /** {@link #consumer()} by role; a key naming no role is an error naming it. */
    default Map<Role, Map<String, String>> consumerOverrides() {
        Map<Role, Map<String, String>> out = new EnumMap<>(Role.class);
        consumer().forEach((role, settings) -> {
            try {
                out.put(Role.valueOf(role.trim().toUpperCase(java.util.Locale.ROOT)), Map.copyOf(settings));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tp.consumer." + role + ": unknown role (allowed: coordinator, "
                        + "extractor, trainer)");
            }
        });
        return out;
    }
}
