package io.transferpool.extract;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BatchBoundsTest {
    private static int[] sizes(int[] bounds) {
        int[] s = new int[bounds.length - 1];
        for (int b = 0; b < s.length; b++) {
            s[b] = bounds[b + 1] - bounds[b];
        }
        return s;
    }

    @Test
    void theLastRoundIsCutIntoSmallBatchesSoTheStreamsEndTogether() {
        // 2000 MobileNetV2 images on two streams: 30 full batches, then the last 80 as 8 x 10 instead of 64 + 16
        int[] sizes = sizes(BatchBounds.of(2000, 64, 2));
        assertThat(sizes).hasSize(38);
        assertThat(java.util.Arrays.copyOf(sizes, 30)).containsOnly(64);
        assertThat(java.util.Arrays.copyOfRange(sizes, 30, 38)).containsOnly(10);
        // a shard of full batches too: the last batch per stream becomes four of 16
        int[] whole = sizes(BatchBounds.of(2048, 64, 2));
        assertThat(whole).hasSize(38);
        assertThat(java.util.Arrays.copyOfRange(whole, 30, 38)).containsOnly(16);
        assertThat(sizes(BatchBounds.of(131, 64, 2))).containsExactly(64, 9, 9, 9, 8, 8, 8, 8, 8);
        // never below eight samples a batch unless a stream would otherwise get none
        assertThat(sizes(BatchBounds.of(40, 64, 2))).containsExactly(8, 8, 8, 8, 8);
        assertThat(sizes(BatchBounds.of(10, 4, 2))).containsExactly(4, 3, 3);
        assertThat(sizes(BatchBounds.of(100, 64, 3))).hasSize(12).containsOnly(8, 9);
    }

    @Test
    void batchesBeforeTheLastRoundStayFullAndEverySampleIsInExactlyOneBatch() {
        for (int n = 1; n < 400; n += 7) {
            for (int streams = 1; streams <= 4; streams++) {
                int[] bounds = BatchBounds.of(n, 64, streams);
                assertThat(bounds[0]).isZero();
                assertThat(bounds[bounds.length - 1]).isEqualTo(n);
                assertThat(bounds.length - 1).as("one batch per stream at least")
                        .isGreaterThanOrEqualTo(Math.min(streams, n));
                int[] sizes = sizes(bounds);
                for (int b = 0; b < sizes.length; b++) {
                    assertThat(sizes[b]).isBetween(1, 64);
                    if (b + Math.min(streams, sizes.length) < (n + 63) / 64) {
                        assertThat(sizes[b]).as("batch %d of %d samples on %d streams", b, n, streams).isEqualTo(64);
                    }
                }
            }
        }
        assertThat(sizes(BatchBounds.of(5, 64, 8))).containsExactly(1, 1, 1, 1, 1);
        assertThat(BatchBounds.of(0, 64, 2)).containsExactly(0);
    }
}
