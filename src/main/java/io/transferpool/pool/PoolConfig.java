package io.transferpool.pool;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.transferpool.features.FeatureCache;
import io.transferpool.job.Limits;
import io.transferpool.messaging.FeatureType;
import io.transferpool.messaging.TopicSetup;
import io.transferpool.model.ExecutionProvider;
import io.transferpool.model.SessionFactory;
import io.transferpool.train.CheckpointStore;
import io.transferpool.features.HeapBudget;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The pool's configuration keys (README "Configuration"); {@link #toSettings} makes the plain values. */
@ConfigMapping(prefix = "tp")
public interface PoolConfig {

    /** Roles this process runs: any of coordinator, extractor, trainer. */
    @WithDefault("coordinator,extractor,trainer")
    Set<String> roles();

    /** Root that job paths resolve against for jobs arriving on Kafka; nothing outside it is read. */
    @WithDefault(".")
    Path dataRoot();

    /** Working directory: embedded broker data, artifacts and spill files unless set apart. */
    @WithDefault("${java.io.tmpdir}/transferpool")
    Path workDir();

    /** Where job artifacts are written (default: work-dir/artifacts). */
    Optional<Path> artifactsDir();

    /**
     * Samples per extract task: the unit of work an extractor takes, and so of parallelism across extractors.
     * Each task costs a flush and a commit (about 20 ms here), so small shards cost throughput on fast models.
     */
    @WithDefault("2048")
    int shardSize();

    Topics topics();

    /**
     * Producer compression (none, gzip, snappy, lz4, zstd). Default auto: none with the embedded broker (same
     * process: compressing only costs CPU), lz4 with an external cluster.
     */
    @WithName("kafka.compression")
    Optional<String> kafkaCompression();

    /**
     * Further Kafka client settings for every producer, consumer and admin client of the pool, such as
     * {@code tp.kafka.client."security.protocol"=SASL_SSL}. The pool's own delivery settings (acks, idempotence,
     * manual commits) cannot be overridden.
     */
    @WithName("kafka.client")
    Map<String, String> kafkaClient();

    /**
     * Consumer settings of one role, over {@code tp.kafka.client}: how fast a dead worker is noticed, e.g.
     * {@code tp.consumer.extractor."max.poll.interval.ms"=900000} for extractors of slow models. Without them the
     * pool's consumers use session.timeout.ms 10000 and heartbeat.interval.ms 3000.
     */
    @WithName("consumer")
    Map<String, Map<String, String>> consumer();

    Extract extract();

    Train train();

    Features features();

    JobLimits limits();

    /** Bounds on what one job may ask for (README "Security"); a job over one is REJECTED naming the field. */
    interface JobLimits {
        /** Most epochs a job may ask for. */
        @WithDefault("10000")
        int maxEpochs();

        /** Most sample passes (epochs x training samples) of one job. */
        @WithDefault("1000000000")
        long maxEpochSamples();

        /** Most classes of one job. */
        @WithDefault("1000")
        int maxClasses();

        /** Most samples (images) in one split. */
        @WithDefault("10000000")
        int maxSamples();

        /** Most hidden layers of a new head. */
        @WithDefault("16")
        int maxHeadLayers();

        /** Most weights of a new head. */
        @WithDefault("200000000")
        long maxHeadParameters();

        /** Most input values (width x height x channels) per image. */
        @WithDefault("16777216")
        long maxInputValues();

        /** Most bytes of one extraction batch of inputs or one training batch of features. */
        @WithDefault("1073741824")
        long maxBatchBytes();

        /** Longest time to check one job before accepting it; past it the job is REJECTED on "$". */
        @WithDefault("PT2M")
        Duration validationTimeout();

        /** Longest time an extractor spends on one shard; past it the job FAILS. */
        @WithDefault("PT30M")
        Duration shardTimeout();

        /**
         * Longest time a trainer waits for a job's next shard; past it the job FAILS naming the missing shards.
         * Keep it above the longest time shards may queue in tp.extract behind other jobs.
         */
        @WithDefault("PT1H")
        Duration shardArrivalTimeout();

        /** Longest time one job trains; past it the job FAILS. */
        @WithDefault("PT24H")
        Duration trainingTimeout();
    }

    interface Topics {
        /** Partitions of tp.extract: the most extractors that can work at once. */
        @WithDefault("4")
        int extractPartitions();

        /** Partitions of tp.features: the most trainers that can work at once. */
        @WithDefault("4")
        int featuresPartitions();

        /** Replication factor of topics the pool creates (1 for the embedded broker). */
        @WithDefault("1")
        short replication();

        /**
         * Whether the pool creates missing topics (needs the Create permission). Off where an operator owns the
         * topics (Strimzi's KafkaTopics in k8s/): the pool then only checks that its roles may use them.
         */
        @WithDefault("true")
        boolean create();
    }

    interface Extract {
        /** Images per ONNX Runtime inference call. */
        @WithDefault("64")
        int batchSize();

        /**
         * Batches extracted at once, each by its own thread: read, decode, preprocess, then the model (0: one per
         * core).
         */
        @WithDefault("0")
        int streams();

        /** Deprecated, read as {@code streams} when that is 0 (it counted the decode threads before streams). */
        @WithDefault("0")
        int decodeThreads();

        /** Execution provider: cpu or cuda (falls back to cpu, with a log line and a metric, when unusable). */
        @WithDefault("cpu")
        String provider();

        /** CUDA device id when provider is cuda. */
        @WithDefault("0")
        int cudaDevice();

        /** ONNX Runtime intra-op threads per model run (0: the cores shared out among the streams, at least 1). */
        @WithDefault("0")
        int intraOpThreads();

        /** Open sessions kept per extractor (one per model digest and cut). */
        @WithDefault("4")
        int sessionCacheSize();

        /** Feature values on the wire: float32 or float16. */
        @WithDefault("float32")
        String featureType();

        /** Largest feature record; larger batches are split. Must fit the topic's max.message.bytes. */
        @WithDefault("1000000")
        int maxRecordBytes();
    }

    /** Features kept after extraction so a later job with the same model, cut, preprocessing and data reuses them. */
    interface Features {
        /** Where they are kept: a folder every trainer writes and the coordinator reads (default: artifacts-dir/features). */
        Optional<Path> dir();

        /** The most they may take on disk, least recently used evicted first; 0 turns keeping and reuse off. */
        @WithDefault("4294967296")
        long maxBytes();
    }

    interface Train {
        /**
         * Heap that the feature rows of all jobs of this trainer may take together; a job's split that finds no
         * room moves to disk (0: a quarter of the maximum heap, at most 512 MiB).
         */
        @WithDefault("0")
        long spillThresholdBytes();

        /** Where spilled features go (default: work-dir/spill). */
        Optional<Path> spillDir();

        /**
         * Save a training checkpoint (weights, optimizer, loop state) every this many epochs, so a trainer taking
         * a job over resumes there; 0 with checkpoint-seconds 0 turns checkpoints off.
         */
        @WithDefault("5")
        int checkpointEpochs();

        /** ... or when this many seconds passed since the last checkpoint, whichever comes first. */
        @WithDefault("60")
        double checkpointSeconds();

        /**
         * Candidates of a job's sweep trained at once; 0: a quarter of the cores, at least 1 (each candidate's GEMMs
         * use several cores already).
         */
        @WithDefault("0")
        int sweepParallelism();
    }

    default PoolSettings toSettings(Optional<String> bootstrapServers) {
        Set<Role> roleSet = EnumSet.noneOf(Role.class);
        for (String r : roles()) {
            try {
                roleSet.add(Role.valueOf(r.trim().toUpperCase()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tp.roles: unknown role \"" + r
                        + "\" (allowed: coordinator, extractor, trainer)");
            }
        }
        ExecutionProvider provider;
        FeatureType featureType;
        try {
            provider = ExecutionProvider.valueOf(extract().provider().trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tp.extract.provider: unknown value \"" + extract().provider()
                    + "\" (allowed: cpu, cuda)");
        }
        try {
            featureType = FeatureType.valueOf(extract().featureType().trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tp.extract.feature-type: unknown value \"" + extract().featureType()
                    + "\" (allowed: float32, float16)");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        Path work = workDir();
        return new PoolSettings(roleSet, bootstrapServers, work.resolve("kafka"),
                new TopicSetup.Layout(1, topics().extractPartitions(), topics().featuresPartitions(), 1, 1, 1,
                        topics().replication(), topics().create()),
                dataRoot(), artifactsDir().orElse(work.resolve("artifacts")), shardSize(), extract().batchSize(),
                extract().streams() > 0 ? extract().streams() : extract().decodeThreads() > 0
                        ? extract().decodeThreads() : cores,
                new SessionFactory.Settings(provider, extract().cudaDevice(), extract().intraOpThreads()),
                extract().sessionCacheSize(), featureType, extract().maxRecordBytes(),
                kafkaCompression().filter(c -> !c.equals("auto")).orElse(null), kafkaClient(),
                train().spillDir().orElse(work.resolve("spill")),
                train().spillThresholdBytes() > 0 ? train().spillThresholdBytes() : HeapBudget.defaultLimit(),
                new CheckpointStore.Policy(train().checkpointEpochs(), train().checkpointSeconds()),
                consumerOverrides(), new Limits(limits().maxEpochs(), limits().maxEpochSamples(),
                limits().maxClasses(), limits().maxSamples(), limits().maxHeadLayers(), limits().maxHeadParameters(),
                limits().maxInputValues(), limits().maxBatchBytes()).withTimes(limits().validationTimeout(),
                limits().shardTimeout(), limits().shardArrivalTimeout(), limits().trainingTimeout()),
                new FeatureCache.Policy(features().dir().orElse(artifactsDir().orElse(work.resolve("artifacts"))
                        .resolve("features")), features().maxBytes()),
                train().sweepParallelism() > 0 ? train().sweepParallelism() : Math.max(1, cores / 4));
    }

    private Map<Role, Map<String, String>> consumerOverrides() {
        Map<Role, Map<String, String>> out = new EnumMap<>(Role.class);
        consumer().forEach((role, settings) -> {
            try {
                out.put(Role.valueOf(role.trim().toUpperCase()), Map.copyOf(settings));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tp.consumer." + role + ": unknown role (allowed: coordinator, "
                        + "extractor, trainer)");
            }
        });
        return out;
    }
}
