package io.transferpool;

import io.transferpool.job.Limits;
import io.transferpool.pool.PoolConfig;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Configuration for tests and benchmarks, built through the application's own mapping ({@link PoolConfig#of}:
 * SmallRye's config builder with overrides): the defaults are the application's, and a test says only what it
 * changes, by key, as a user would in application.properties.
 */
public final class TestConfig {
    /**
     * What tests change from the application's defaults unless they say otherwise: keeping features is off, so a
     * test (or benchmark) that submits the same images twice extracts them twice.
     */
    public static final Map<String, String> TEST_DEFAULTS = Map.of("tp.features.max-bytes", "0");

    private TestConfig() {
    }

    /** The pool's configuration for a data root and work folder, with {@code overrides} (key, value, ...). */
    public static PoolConfig pool(Path dataRoot, Path work, String... overrides) {
        return pool(dataRoot, work, pairs(overrides));
    }

    public static PoolConfig pool(Path dataRoot, Path work, Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>(TEST_DEFAULTS);
        values.put("tp.data-root", dataRoot.toString());
        values.put("tp.work-dir", work.toString());
        values.putAll(overrides);
        return PoolConfig.of(List.of(), values);
    }

    /** The pool's limits (tp.limits.*) with {@code overrides} (key, value, ...). */
    public static Limits limits(String... overrides) {
        return pool(Path.of("."), Path.of(System.getProperty("java.io.tmpdir"), "transferpool-test"), overrides)
                .limits();
    }

    /** key, value, key, value, ... as a map. */
    public static Map<String, String> pairs(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("overrides come in key, value pairs: " + String.join(", ", keyValues));
        }
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put(keyValues[i], keyValues[i + 1]);
        }
        return out;
    }
}
