package io.transferpool.features;

import io.transferpool.job.JobResult.BadSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class FeatureCacheTest {
    @TempDir
    Path dir;

    private FeatureStore store(int rows, int dim, long seed) {
        return store(dir, rows, dim, seed);
    }

    /** {@code rows} random rows of {@code dim} features, sample ids from 100, labels 0-2. */
    static FeatureStore store(Path dir, int rows, int dim, long seed) {
        FeatureStore s = new FeatureStore(1 << 24, dir.resolve("spill"));
        Random rnd = new Random(seed);
        for (int i = 0; i < rows; i++) {
            float[] x = new float[dim];
            for (int j = 0; j < dim; j++) {
                x[j] = (float) rnd.nextGaussian();
            }
            s.add(new int[]{100 + i}, new int[]{i % 3}, x, dim);
        }
        return s;
    }

    static void assertSameRows(FeatureStore a, FeatureStore b) {
        assertThat(b.size()).isEqualTo(a.size());
        float[] x = new float[a.dimension()];
        float[] y = new float[a.dimension()];
        for (int i = 0; i < a.size(); i++) {
            a.read(i, x, 0);
            b.read(i, y, 0);
            assertThat(y).isEqualTo(x);
            assertThat(b.sampleId(i)).isEqualTo(a.sampleId(i));
            assertThat(b.label(i)).isEqualTo(a.label(i));
        }
    }

    @Test
    void keptRowsComeBackAsTheyWereWithTheirBadSamples() throws Exception {
        FeatureCache cache = new FeatureCache(new FeatureCache.Policy(dir.resolve("kept"), 1 << 20));
        List<BadSample> bad = List.of(new BadSample("train/shirt/x.png", "not a PNG"));
        try (FeatureStore train = store(20, 7, 1); FeatureStore test = store(5, 7, 2);
             FeatureStore train2 = store(0, 7, 3); FeatureStore test2 = store(0, 7, 4)) {
            assertThat(cache.find("k1")).isEmpty();
            cache.keep("k1", "job-a", train, test, bad);

            FeatureCache.Entry e = cache.find("k1").orElseThrow();
            assertThat(e.madeBy()).isEqualTo("job-a");
            assertThat(e.rows()).isEqualTo(25);
            assertThat(cache.load("k1", train2, test2)).contains(e);
            assertSameRows(train, train2);
            assertSameRows(test, test2);
            assertThat(e.badSamples()).isEqualTo(bad);
            try (var left = Files.list(dir.resolve("kept"))) {
                assertThat(left.map(p -> p.getFileName().toString())).as("no temporary folder left")
                        .containsExactly("k1");
            }
        }
    }

    @Test
    void nothingIsKeptWhenOffOrWhenTheRowsAloneExceedTheBound() throws Exception {
        try (FeatureStore train = store(20, 7, 1); FeatureStore test = store(0, 7, 2)) {
            FeatureCache off = new FeatureCache(new FeatureCache.Policy(dir.resolve("off"), 0));
            off.keep("k", "a", train, test, List.of());
            assertThat(off.enabled()).isFalse();
            assertThat(Files.exists(dir.resolve("off"))).isFalse();

            FeatureCache small = new FeatureCache(new FeatureCache.Policy(dir.resolve("small"), 20 * 7 * 4));
            small.keep("k", "a", train, test, List.of());
            assertThat(small.find("k")).as("20 rows of 7 floats plus ids and labels do not fit").isEmpty();
        }
    }

    @Test
    void theLeastRecentlyUsedGoFirstAndRecentlyUsedOnesStay() throws Exception {
        Path kept = dir.resolve("kept");
        // each entry: 10 rows x (8 + 4 x 50) bytes = 2080 bytes of rows plus its entry.json
        FeatureCache cache = new FeatureCache(new FeatureCache.Policy(kept, 5000));
        try (FeatureStore train = store(10, 50, 1); FeatureStore test = store(0, 50, 2)) {
            long old = System.currentTimeMillis() - 2 * FeatureCache.GRACE_MILLIS;
            cache.keep("oldest", "a", train, test, List.of());
            Files.setLastModifiedTime(kept.resolve("oldest/entry.json"), FileTime.fromMillis(old));
            cache.keep("older", "b", train, test, List.of());
            Files.setLastModifiedTime(kept.resolve("older/entry.json"), FileTime.fromMillis(old + 1000));
            cache.keep("newest", "c", train, test, List.of());

            assertThat(cache.find("oldest")).as("least recently used: evicted").isEmpty();
            assertThat(cache.find("older")).isPresent();
            assertThat(cache.find("newest")).isPresent();

            cache.keep("fourth", "d", train, test, List.of());
            assertThat(cache.find("older")).isEmpty();
            assertThat(cache.find("newest")).isPresent();
            assertThat(cache.find("fourth")).isPresent();

            FeatureCache tight = new FeatureCache(new FeatureCache.Policy(kept, 2500));
            tight.keep("fifth", "e", train, test, List.of());
            assertThat(List.of("newest", "fourth", "fifth")).as("all used within the grace period: they stay, "
                    + "though over the bound").allSatisfy(k -> assertThat(tight.find(k)).isPresent());
        }
    }
}
