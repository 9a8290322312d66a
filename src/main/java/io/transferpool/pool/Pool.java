package io.transferpool.pool;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.transferpool.broker.EmbeddedKafka;
import io.transferpool.coordinator.CoordinatorRole;
import io.transferpool.admission.FeatureReuse;
import io.transferpool.coordinator.JobIdsTopic;
import io.transferpool.admission.JobPlanner;
import io.transferpool.admission.Admission;
import io.transferpool.admission.JobValidator;
import io.transferpool.paths.PathResolver;
import io.transferpool.features.FeatureCache;
import io.transferpool.extract.ExtractorRole;
import io.transferpool.extract.SessionCache;
import io.transferpool.extract.ShardExtractor;
import io.transferpool.messaging.Cancellations;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.TopicSetup;
import io.transferpool.messaging.Topics;
import io.transferpool.messaging.WorkerLoop;
import io.transferpool.extract.ExtractionMetrics;
import io.transferpool.metrics.KafkaMeters;
import io.transferpool.export.ArtifactStore;
import io.transferpool.kernels.NativeThreads;
import io.transferpool.train.TrainerRole;
import io.transferpool.train.TrainingRun;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The roles of one process, wired to one Kafka cluster: the embedded broker when none is configured. Closing it
 * stops the roles (each finishes its record in hand and commits), then the broker.
 */
public final class Pool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Pool.class);

    private final PoolSettings settings;
    private final EmbeddedKafka broker;
    private final KafkaClients clients;
    private final List<AutoCloseable> closeables = Collections.synchronizedList(new ArrayList<>());
    private final List<WorkerLoop> loops = new ArrayList<>();
    private boolean closed;

    private Pool(PoolSettings settings, EmbeddedKafka broker, KafkaClients clients) {
        this.settings = settings;
        this.broker = broker;
        this.clients = clients;
    }

    public static Pool start(PoolSettings settings) throws Exception {
        return start(settings, Metrics.globalRegistry);
    }

    public static Pool start(PoolSettings settings, MeterRegistry metrics) throws Exception {
        NativeThreads.configure(); // before any role touches ND4J
        EmbeddedKafka broker = null;
        String servers;
        if (settings.bootstrapServers().isPresent()) {
            servers = settings.bootstrapServers().get();
        } else {
            broker = EmbeddedKafka.start(settings.brokerDataDir(), true);
            servers = broker.bootstrapServers();
        }
        Pool pool = new Pool(settings, broker, settings.clients(servers));
        try {
            TopicSetup.ensure(pool.clients, settings.topics(), Role.needs(settings.roles()));
            pool.startRoles(metrics);
        } catch (Exception e) {
            pool.close();
            throw e;
        }
        return pool;
    }

    private void startRoles(MeterRegistry metrics) {
        var producer = clients.producer("tp-" + ProcessHandle.current().pid());
        closeables.add(producer);
        // Kafka's own client metrics (incl. consumer lag per partition) as kafka_* meters; closed before the client.
        closeables.add(KafkaMeters.bind(producer, metrics));
        Publisher out = new Publisher(producer);
        Cancellations cancellations = new Cancellations();
        if (settings.roles().contains(Role.EXTRACTOR) || settings.roles().contains(Role.TRAINER)) {
            cancellations = Cancellations.follow(clients);
            closeables.add(cancellations);
        }
        if (settings.roles().contains(Role.COORDINATOR)) {
            var role = new CoordinatorRole(new Admission(new JobValidator(new PathResolver(settings.dataRoot())),
                    new JobPlanner(settings.dataRoot(), settings.limits(), settings.extractBatchSize(),
                            settings.shardSize())), out, metrics,
                    new JobIdsTopic(() -> clients.reader("tp-coordinator-jobids"), java.time.Duration.ofSeconds(60)),
                    new FeatureReuse(new FeatureCache(settings.featureCache()), settings.dataRoot(),
                            settings.featureType()));
            // The job service (io.transferpool.web) follows status and results on its own channel.
            loop(Role.COORDINATOR, "coordinator", "tp-coordinators", Topics.JOBS, 1, producer, role, metrics);
        }
        if (settings.roles().contains(Role.EXTRACTOR)) {
            AtomicInteger n = new AtomicInteger();
            int streams = settings.extractStreams();
            ExecutorService streamPool = Executors.newFixedThreadPool(streams, r -> {
                Thread t = new Thread(r, "tp-extract-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            closeables.add(streamPool::shutdownNow);
            ExtractionMetrics em = new ExtractionMetrics(metrics, settings.session().provider());
            SessionCache sessions = new SessionCache(settings.sessionCacheSize(), settings.session().sharedBy(streams),
                    em::sessionOpened);
            closeables.add(sessions);
            ShardExtractor extractor = new ShardExtractor(sessions, settings.dataRoot(), streamPool,
                    settings.extractBatchSize(), streams, em, settings.limits().shardExtraction());
            var role = new ExtractorRole(extractor, out, settings.featureType(), settings.maxRecordBytes(), metrics,
                    cancellations);
            loop(Role.EXTRACTOR, "extractor", "tp-extractors", Topics.EXTRACT, 1, producer, role, metrics);
        }
        if (settings.roles().contains(Role.TRAINER)) {
            var role = new TrainerRole(settings.spillDir(), settings.spillThresholdBytes(),
                    new TrainingRun(settings.dataRoot(), new ArtifactStore(settings.artifactsDir()),
                            settings.checkpoints(), new FeatureCache(settings.featureCache()),
                            settings.sweepParallelism()), out, metrics,
                    settings.limits(), cancellations);
            closeables.add(role);
            loop(Role.TRAINER, "trainer", "tp-trainers", Topics.FEATURES, 500, producer, role, metrics);
        }
        LOG.infof("Pool running roles %s on %s (data root %s)", settings.roles(), clients.bootstrapServers(),
                settings.dataRoot());
    }

    private void loop(Role kind, String name, String group, String topic, int maxPoll,
                      org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer, WorkerLoop.Role role,
                      MeterRegistry metrics) {
        var consumer = clients.consumer(group, name + "-" + ProcessHandle.current().pid(), maxPoll,
                settings.consumerOverrides().getOrDefault(kind, Map.of()));
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

    public PoolSettings settings() {
        return settings;
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
