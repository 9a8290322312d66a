package io.transferpool.features;

import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Features kept after extraction so a later job with the same model, cut, preprocessing and data reuses them
 * ({@code tp.features.*}; see {@link FeatureCache}).
 */
public interface FeaturesConfig {
    /** Where they are kept: a folder every trainer writes and the coordinator reads (default: artifacts-dir/features). */
    Optional<Path> dir();

    /** The most they may take on disk, least recently used evicted first; 0 turns keeping and reuse off. */
    @WithDefault("4294967296")
    long maxBytes();

    /** The cache's policy, kept in {@code dir} or else under {@code artifacts}. */
    default FeatureCache.Policy policy(Path artifacts) {
        return new FeatureCache.Policy(dir().orElse(artifacts.resolve("features")), maxBytes());
    }
}
