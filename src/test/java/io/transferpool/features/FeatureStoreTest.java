package io.transferpool.features;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class FeatureStoreTest {
    @TempDir
    Path spill;

    private static float[] rows(int from, int n, int d) {
        float[] f = new float[n * d];
        for (int i = 0; i < f.length; i++) {
            f[i] = from * d + i;
        }
        return f;
    }

    @Test
    void redeliveredSamplesCountOnce() {
        try (FeatureStore store = new FeatureStore(1 << 20, spill)) {
            assertThat(store.add(new int[]{0, 1}, new int[]{0, 1}, rows(0, 2, 3), 3)).isEqualTo(2);
            assertThat(store.add(new int[]{1, 2}, new int[]{1, 0}, rows(1, 2, 3), 3)).isEqualTo(1);
            assertThat(store.add(new int[]{0, 1}, new int[]{0, 1}, rows(0, 2, 3), 3)).isZero();
            assertThat(store.size()).isEqualTo(3);
            assertThat(store.spilled()).isFalse();
        }
    }

    @Test
    void spillsToDiskPastTheHeapLimitAndReadsBackTheSameRows() throws Exception {
        int d = 16;
        try (FeatureStore store = new FeatureStore(10L * d * Float.BYTES, spill)) {
            for (int b = 0; b < 5; b++) {
                store.add(new int[]{b * 4, b * 4 + 1, b * 4 + 2, b * 4 + 3}, new int[]{0, 1, 0, 1},
                        rows(b * 4, 4, d), d);
            }
            // The spill file is opened DELETE_ON_CLOSE, which Linux unlinks at once: nothing is left after a crash.
            assertThat(store.spilled()).isTrue();
            float[] row = new float[d];
            for (int i = 0; i < 20; i++) {
                store.read(i, row, 0);
                assertThat(row).containsExactly(rows(i, 1, d));
                assertThat(store.label(i)).isEqualTo(i % 2);
            }
        }
        try (var files = Files.list(spill)) {
            assertThat(files.count()).as("spill file removed on close").isZero();
        }
    }

    @Test
    void storesShareOneHeapBudgetAndGiveTheirShareBackWhenTheySpillOrClose() {
        int d = 16;
        long row = 16 + d * Float.BYTES;
        HeapBudget budget = new HeapBudget(10 * row);
        try (FeatureStore a = new FeatureStore(budget, spill); FeatureStore b = new FeatureStore(budget, spill)) {
            a.add(new int[]{0, 1, 2, 3, 4, 5}, new int[6], rows(0, 6, d), d);
            assertThat(budget.used()).isEqualTo(6 * row);
            b.add(new int[]{0, 1, 2, 3}, new int[4], rows(0, 4, d), d);
            assertThat(budget.used()).isEqualTo(10 * row);
            assertThat(a.spilled() || b.spilled()).isFalse();
            // No room for one more row: the store that needs it moves to disk and frees its share.
            a.add(new int[]{6}, new int[1], rows(6, 1, d), d);
            assertThat(a.spilled()).isTrue();
            assertThat(budget.used()).isEqualTo(4 * row);
            float[] r = new float[d];
            a.read(6, r, 0);
            assertThat(r).containsExactly(rows(6, 1, d));
            b.close();
            assertThat(budget.used()).isZero();
        }
        assertThat(budget.used()).isZero();
    }
}
