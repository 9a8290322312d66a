package io.transferpool.pool;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.transferpool.admission.Admission;
import io.transferpool.admission.FeatureReuse;
import io.transferpool.admission.JobPlanner;
import io.transferpool.admission.JobValidator;
import io.transferpool.broker.EmbeddedKafka;
import io.transferpool.coordinator.CoordinatorRole;
import io.transferpool.coordinator.JobIdsTopic;
import io.transferpool.export.ArtifactStore;
import io.transferpool.extract.ExtractConfig;
import io.transferpool.extract.ExtractionMetrics;
import io.transferpool.extract.ExtractorRole;
import io.transferpool.extract.SessionCache;
import io.transferpool.extract.ShardExtractor;
import io.transferpool.features.FeatureCache;
import io.transferpool.kernels.NativeThreads;
import io.transferpool.messaging.Cancellations;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.TopicSetup;
import io.transferpool.messaging.Topics;
import io.transferpool.messaging.TrainerLoads;
import io.transferpool.messaging.WorkerLoop;
import io.transferpool.metrics.KafkaMeters;
import io.transferpool.storage.Mirror;
import io.transferpool.storage.Storage;
import io.transferpool.scheduling.OwnerShares;
import io.transferpool.scheduling.SlotPolicy;
import io.transferpool.train.TrainConfig;
import io.transferpool.train.TrainerRole;
import io.transferpool.train.TrainingRun;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The roles of one process, wired to one Kafka cluster: the embedded broker when none is configured. Closing it
 * stops the roles (each finishes its record in hand and commits), then the broker.
 */
public final class Pool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Pool.class);

    private final PoolConfig config;
    private final EmbeddedKafka broker;
    private final KafkaClients clients;
    private final List<AutoCloseable> closeables = Collections.synchronizedList(new ArrayList<>());
    private final List<WorkerLoop> loops = new ArrayList<>();
    private boolean closed;
    private final Storage given;
    private Storage storage;

    private Pool(PoolConfig config, EmbeddedKafka broker, KafkaClients clients, Storage given) {
        this.config = config;
        this.broker = broker;
        this.clients = clients;
        this.given = given;
    }

    public static Pool start(PoolConfig config, Cluster cluster) throws Exception {
        return start(config, cluster, Metrics.globalRegistry);
    }

    public static Pool start(PoolConfig config, Cluster cluster, MeterRegistry metrics) throws Exception {
        return start(config, cluster, metrics, null);
    }

    /**
     * A pool whose roles read data and models, and write artifacts, through {@code storage}: the caller's, left open
     * when the pool closes (`serve` passes the one its job service checks jobs against, so the process holds one S3
     * client and one pool of fetching threads). Null: the pool opens its own from {@code tp.storage.*}.
     */
    public static Pool start(PoolConfig config, Cluster cluster, MeterRegistry metrics, Storage storage)
            throws Exception {
        NativeThreads.configure(); // before any role touches ND4J
        Map<Role, Map<String, String>> consumers = config.consumerOverrides(); // a bad key fails before anything starts
        EmbeddedKafka broker = null;
        String servers = cluster.bootstrapServers();
        if (cluster.startsBroker()) {
            broker = EmbeddedKafka.start(config.brokerDataDir(), true);
            servers = broker.bootstrapServers();
        }
        Pool pool = new Pool(config, broker, config.kafka().clients(servers, cluster.inProcess()), storage);
        try {
            TopicSetup.ensure(pool.clients, config.topics(), Role.needs(config.roles()));
            pool.startRoles(metrics, consumers);
        } catch (Exception e) {
            pool.close();
            throw e;
        }
        return pool;
    }

    private void startRoles(MeterRegistry metrics, Map<Role, Map<String, String>> consumers) {
        var producer = clients.producer("tp-" + ProcessHandle.current().pid());
        closeables.add(producer);
        // Kafka's own client metrics (incl. consumer lag per partition) as kafka_* meters; closed before the client.
        closeables.add(KafkaMeters.bind(producer, metrics));
        Publisher out = new Publisher(producer);
        Set<Role> roles = config.roles();
        Path root = config.dataRoot();
        storage = given != null ? given : config.openStorage();
        if (given == null) {
            closeables.add(storage);
        }
        ExtractConfig extract = config.extract();
        Mirror artifacts = config.artifactsMirror(storage);
        FeatureCache.Policy kept = config.features().policy(config.artifacts());
        // kept features follow the artifacts into their bucket unless tp.features.dir names a folder of their own
        Mirror keptIn = config.features().dir().isPresent() ? Mirror.local(kept.dir()) : artifacts.child("features");
        Cancellations cancellations = new Cancellations();
        if (roles.contains(Role.EXTRACTOR) || roles.contains(Role.TRAINER)) {
            cancellations = Cancellations.follow(clients);
            closeables.add(cancellations);
        }
        if (roles.contains(Role.COORDINATOR)) {
            var role = new CoordinatorRole(new Admission(new JobValidator(storage),
                    new JobPlanner(storage, config.limits(), extract.batchSize(), config.shardSize())), out, metrics,
                    new JobIdsTopic(() -> clients.reader("tp-coordinator-jobids"), java.time.Duration.ofSeconds(60)),
                    new FeatureReuse(new FeatureCache(kept, keptIn), storage, extract.featureType()));
            // The job service (io.transferpool.web) follows status and results on its own channel.
            loop(Role.COORDINATOR, "coordinator", "tp-coordinators", Topics.JOBS, 1, producer, role, metrics,
                    consumers);
        }
        if (roles.contains(Role.EXTRACTOR)) {
            AtomicInteger n = new AtomicInteger();
            int streams = extract.streamCount();
            ExecutorService streamPool = Executors.newFixedThreadPool(streams, r -> {
                Thread t = new Thread(r, "tp-extract-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            closeables.add(streamPool::shutdownNow);
            ExtractionMetrics em = new ExtractionMetrics(metrics, extract.provider());
            SessionCache sessions = new SessionCache(extract.sessionCacheSize(), extract.session(), em::sessionOpened);
            closeables.add(sessions);
            ShardExtractor extractor = new ShardExtractor(sessions, storage, streamPool, extract.batchSize(), streams, em,
                    config.limits().shardTimeout());
            var role = new ExtractorRole(extractor, out, extract.featureType(), extract.maxRecordBytes(), metrics,
                    cancellations, OwnerShares.of(config.scheduling()), extract.readAheadBytes());
            // Tasks are read ahead (they are small) and extracted one per poll, in turns across owners and jobs.
            loop(Role.EXTRACTOR, "extractor", "tp-extractors", Topics.EXTRACT, 100, producer, role, metrics,
                    consumers);
        }
        if (roles.contains(Role.TRAINER)) {
            TrainConfig train = config.train();
            TrainerLoads loads = null;
            FeatureCache handoffs = FeatureCache.OFF;
            if (train.handoff()) {
                loads = TrainerLoads.follow(clients);
                closeables.add(loads);
                // Rows of jobs handed between trainers: on the artifacts volume, removed once the job is trained.
                handoffs = new FeatureCache(new FeatureCache.Policy(config.artifacts().resolve("handoff"),
                        Long.MAX_VALUE), artifacts.child("handoff"));
            }
            var role = new TrainerRole(config.spillDir(), train.heapBudgetBytes(),
                    new TrainingRun(storage, new ArtifactStore(artifacts), train.checkpoints(),
                            new FeatureCache(kept, keptIn), train.sweepThreads(), handoffs), out, metrics, config.limits(),
                    cancellations, new SlotPolicy(train.slotCount(), train.quantum(),
                    OwnerShares.of(config.scheduling())), loads);
            closeables.add(role);
            loop(Role.TRAINER, "trainer", "tp-trainers", Topics.FEATURES, 500, producer, role, metrics, consumers);
        }
        LOG.infof("Pool running roles %s on %s (data root %s)", roles, clients.bootstrapServers(), root);
    }

    private void loop(Role kind, String name, String group, String topic, int maxPoll,
                      org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer, WorkerLoop.Role role,
                      MeterRegistry metrics, Map<Role, Map<String, String>> consumers) {
        var consumer = clients.consumer(group, name + "-" + ProcessHandle.current().pid(), maxPoll,
                consumers.getOrDefault(kind, Map.of()));
        closeables.add(KafkaMeters.bind(consumer, metrics));
        loops.add(new WorkerLoop(name, consumer, List.of(topic), producer, role, metrics).start());
    }

    /** True while every role's loop is running: the liveness probe's answer. */
    public boolean healthy() {
        return loops.stream().allMatch(WorkerLoop::alive);
    }

    public KafkaClients clients() {
        return clients;
    }

    /** What the roles read and write through: the storage the pool was given, or its own. */
    public Storage storage() {
        return storage;
    }

    public PoolConfig config() {
        return config;
    }

    /** Stops the roles and the broker; a second call (shutdown hook, then try-with-resources) does nothing. */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        for (WorkerLoop l : loops) {
            l.close();
        }
        List<AutoCloseable> reversed = new ArrayList<>(closeables);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warnf("Closing %s: %s", c, e.getMessage());
            }
        }
        if (broker != null) {
            broker.close();
        }
    }
}
