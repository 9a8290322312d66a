package io.transferpool;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.transferpool.broker.EmbeddedKafka;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.pool.Cluster;
import io.transferpool.pool.Pool;
import io.transferpool.pool.PoolConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A pool for a test class, on one embedded broker for the whole class: a folder of its own (data root
 * {@code root/}, work folder {@code work/}), the data laid out once, the pool configured through the application's
 * mapping with the class's overrides ({@link TestConfig}), started before the first test and closed after the last.
 * Register it as a static field:
 * <pre>{@code
 * @RegisterExtension
 * static final TestPool POOL = TestPool.allRoles()
 *         .data(root -> TestFiles.demoRoot(root, "train", 40, "test", 20))
 *         .with("tp.shard-size", "16");
 * }</pre>
 * {@link #brokerOnly()} starts the broker alone; the tests then start pools on it with {@link #start} (closed after
 * the class at the latest), e.g. a coordinator and a trainer apart, or pools with other limits.
 */
public final class TestPool implements BeforeAllCallback, AfterAllCallback {
    /** Lays out the data root before the pool starts. */
    @FunctionalInterface
    public interface Layout {
        void in(Path root) throws Exception;
    }

    private final boolean startPool;
    private Layout layout = root -> { };
    private final Map<String, String> overrides = new HashMap<>();
    private MeterRegistry meters = new SimpleMeterRegistry();

    // Set in beforeAll, read by the tests of the class (JUnit runs them after it, on one thread by default).
    private Path dir;
    private EmbeddedKafka broker;
    private Pool pool;
    private final List<Pool> started = Collections.synchronizedList(new ArrayList<>());

    private TestPool(boolean startPool) {
        this.startPool = startPool;
    }

    /** A pool running every role, its broker embedded in it. */
    public static TestPool allRoles() {
        return new TestPool(true);
    }

    /** An embedded broker and no pool: tests start their own pools on it ({@link #start}). */
    public static TestPool brokerOnly() {
        return new TestPool(false);
    }

    /** What the data root holds (called once, before the pool starts). */
    public TestPool data(Layout layout) {
        this.layout = layout;
        return this;
    }

    /** Configuration of every pool of the class: key, value, key, value, ... */
    public TestPool with(String... keyValues) {
        overrides.putAll(TestConfig.pairs(keyValues));
        return this;
    }

    /** The registry the class's pool reports to (a fresh one by default). */
    public TestPool meters(MeterRegistry registry) {
        this.meters = registry;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("tp-" + context.getRequiredTestClass().getSimpleName() + "-");
        Files.createDirectories(root());
        Files.createDirectories(work());
        layout.in(root());
        if (startPool) {
            pool = Pool.start(config(), Cluster.embedded(), meters);
        } else {
            broker = EmbeddedKafka.start(work().resolve("kafka"), true);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        List<Pool> all = new ArrayList<>(started);
        Collections.reverse(all);
        for (Pool p : all) {
            p.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (broker != null) {
            broker.close();
        }
        deleteQuietly(dir);
    }

    /** The data root: job paths resolve against it. */
    public Path root() {
        return dir.resolve("root");
    }

    /** The pools' work folder (broker data, artifacts, spill files). */
    public Path work() {
        return dir.resolve("work");
    }

    /** The class's folder, holding root/ and work/; a test may put what it likes beside them. */
    public Path dir() {
        return dir;
    }

    /** The pool of {@link #allRoles()}. */
    public Pool pool() {
        if (pool == null) {
            throw new IllegalStateException("a brokerOnly() TestPool has no pool of its own: start one");
        }
        return pool;
    }

    /** Clients of the class's broker. */
    public KafkaClients clients() {
        return pool != null ? pool.clients() : new KafkaClients(bootstrapServers(), "none", Map.of());
    }

    public String bootstrapServers() {
        return pool != null ? pool.clients().bootstrapServers() : broker.bootstrapServers();
    }

    /** The class's configuration with further overrides (key, value, ...), as a pool on this broker would get it. */
    public PoolConfig config(String... keyValues) {
        Map<String, String> values = new HashMap<>(overrides);
        values.putAll(TestConfig.pairs(keyValues));
        return TestConfig.pool(root(), work(), values);
    }

    /** Starts another pool on the class's broker with further overrides (e.g. {@code "tp.roles", "trainer"}). */
    public Pool start(String... keyValues) throws Exception {
        return start(new SimpleMeterRegistry(), keyValues);
    }

    /** As {@link #start(String...)}, reporting to {@code registry}. */
    public Pool start(MeterRegistry registry, String... keyValues) throws Exception {
        Pool p = Pool.start(config(keyValues), Cluster.at(bootstrapServers()), registry);
        started.add(p);
        return p;
    }

    /**
     * Starts a pool on a broker of its own (embedded in it, its data in {@code work/<name>/}), with the class's
     * configuration and further overrides: jobs submitted to it never meet the class's pool.
     */
    public Pool startApart(String name, String... keyValues) throws Exception {
        Map<String, String> values = new HashMap<>(overrides);
        values.putAll(TestConfig.pairs(keyValues));
        Pool p = Pool.start(TestConfig.pool(root(), work().resolve(name), values), Cluster.embedded(),
                new SimpleMeterRegistry());
        started.add(p);
        return p;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a file the broker still held: the temp folder is the OS's to clean
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // as above
        }
    }
}
