package io.transferpool.admission;

import io.transferpool.storage.Storage;
import io.transferpool.features.FeatureCache;
import io.transferpool.features.FeatureKey;
import io.transferpool.messaging.FeatureType;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Decides, for an accepted job, under which key its features are kept and whether features kept from an earlier
 * job serve it (then nothing is extracted). Kept features serve a job only when the entry holds exactly as many
 * rows and bad samples as the job has samples.
 */
public final class FeatureReuse {
    private static final Logger LOG = Logger.getLogger(FeatureReuse.class);
    /** Nothing is kept or reused. */
    public static final FeatureReuse OFF = new FeatureReuse(null, null, FeatureType.FLOAT32);

    /** @param key null when nothing is kept; {@code madeBy} the job whose features are reused */
    public record Decision(String key, boolean reuse, String madeBy) {
    }

    private final FeatureCache cache;
    private final Storage storage;
    private final FeatureType wire;

    /** @param wire how this pool's extractors send values (the pool's {@code tp.extract.feature-type}) */
    public FeatureReuse(FeatureCache cache, Storage storage, FeatureType wire) {
        this.cache = cache;
        this.storage = storage;
        this.wire = wire;
    }

    public Decision decide(AcceptedJob job) {
        if (cache == null || !cache.enabled()) {
            return new Decision(null, false, null);
        }
        String key;
        try {
            key = FeatureKey.of(job.spec(), job.modelSha256(), job.train(), job.test(), storage, wire);
        } catch (IOException | RuntimeException e) {
            // a file that vanished since validation: its shard will report it; nothing is kept for this job
            LOG.warnf("Job %s: its features are not kept (%s)", job.spec().jobId(), e.toString());
            return new Decision(null, false, null);
        }
        int samples = job.train().samples().size() + (job.test() == null ? 0 : job.test().samples().size());
        Optional<FeatureCache.Entry> kept = cache.find(key)
                .filter(e -> e.rows() + e.badSamples().size() == samples);
        return new Decision(key, kept.isPresent(), kept.map(FeatureCache.Entry::madeBy).orElse(null));
    }
}
