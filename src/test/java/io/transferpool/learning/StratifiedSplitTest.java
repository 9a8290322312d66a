package io.transferpool.learning;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class StratifiedSplitTest {
    @Test
    void keepsEachClassShareAndIsReproducible() {
        int[] labels = new int[1000];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i < 800 ? 0 : 1;
        }
        StratifiedSplit a = StratifiedSplit.of(labels, 2, 0.1, 7);
        StratifiedSplit b = StratifiedSplit.of(labels, 2, 0.1, 7);
        assertThat(a.validation()).containsExactly(b.validation());
        assertThat(a.validation()).hasSize(100);
        assertThat(Arrays.stream(a.validation()).filter(i -> labels[i] == 1).count()).isEqualTo(20);
        assertThat(IntStream.concat(Arrays.stream(a.train()), Arrays.stream(a.validation())).sorted().toArray())
                .containsExactly(IntStream.range(0, 1000).toArray());
        assertThat(StratifiedSplit.of(labels, 2, 0.1, 8).validation()).isNotEqualTo(a.validation());
    }
}
