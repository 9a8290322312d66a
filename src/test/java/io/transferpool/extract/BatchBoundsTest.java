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
    void theLastBatchOfEachStreamShareWhatIsLeft() {
        // 2000 MobileNetV2 images on two streams: 30 full batches, then 80 left as 40 + 40 instead of 64 + 16
        int[] sizes = sizes(BatchBounds.of(2000, 64, 2));
        assertThat(sizes).hasSize(32);
        assertThat(sizes[29]).isEqualTo(64);
        assertThat(sizes[30]).isEqualTo(40);
        assertThat(sizes[31]).isEqualTo(40);
        assertThat(sizes(BatchBounds.of(100, 64, 3))).containsExactly(34, 33, 33);
        assertThat(sizes(BatchBounds.of(131, 64, 2))).containsExactly(64, 34, 33);
    }

    @Test
    void fullBatchesStayFullAndEverySampleIsInExactlyOneBatch() {
        assertThat(sizes(BatchBounds.of(2048, 64, 2))).hasSize(32).containsOnly(64);
        for (int n = 1; n < 400; n += 7) {
            for (int streams = 1; streams <= 4; streams++) {
                int[] bounds = BatchBounds.of(n, 64, streams);
                assertThat(bounds[0]).isZero();
                assertThat(bounds[bounds.length - 1]).isEqualTo(n);
                assertThat(bounds.length - 1).as("as many batches as full batches would make, one per stream at least")
                        .isEqualTo(Math.max((n + 63) / 64, Math.min(streams, n)));
                for (int size : sizes(bounds)) {
                    assertThat(size).isBetween(1, 64);
                }
            }
        }
        assertThat(sizes(BatchBounds.of(5, 64, 8))).containsExactly(1, 1, 1, 1, 1);
        assertThat(BatchBounds.of(0, 64, 2)).containsExactly(0);
    }
}
