package io.transferpool;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.transferpool.pool.PoolConfig;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Configuration for tests and benchmarks, built through the application's own mapping ({@link PoolConfig}) with
 * SmallRye's config builder: the defaults are the application's, and a test says only what it changes, by key, as a
 * user would in application.properties.
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
        return build(values).getConfigMapping(PoolConfig.class);
    }

    static SmallRyeConfig build(Map<String, String> values) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(values, "test overrides", 500))
                .withMapping(PoolConfig.class)
                .build();
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
