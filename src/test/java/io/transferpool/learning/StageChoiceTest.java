package io.transferpool.learning;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StageChoiceTest {
    @Test
    void pValueIsTheExactBinomialTailOfTheDiscordantImages() {
        assertThat(StageChoice.pValue(0, 0)).isEqualTo(1.0);
        assertThat(StageChoice.pValue(5, 0)).isCloseTo(1 / 32.0, within(1e-12));
        assertThat(StageChoice.pValue(4, 0)).isCloseTo(1 / 16.0, within(1e-12));
        // (C(11,9) + C(11,10) + C(11,11)) / 2^11
        assertThat(StageChoice.pValue(9, 2)).isCloseTo(67 / 2048.0, within(1e-12));
        assertThat(StageChoice.pValue(0, 3)).isCloseTo(1.0, within(1e-12));
        // thousands of images: no overflow, a half-and-half split is no evidence
        assertThat(StageChoice.pValue(2000, 2000)).isBetween(0.49, 0.52);
        assertThat(StageChoice.pValue(2100, 1900)).isLessThan(0.001);
    }

    @Test
    void theFineTuneIsKeptOnlyWhenItIsSignificantlyRighter() {
        // one or two more right answers on 100 images: noise, the warm-up (method 1) stays
        boolean[] warm = new boolean[100];
        boolean[] fine = new boolean[100];
        for (int i = 0; i < 85; i++) {
            warm[i] = true;
            fine[i] = true;
        }
        fine[90] = true;
        fine[91] = true;
        assertThat(StageChoice.keepFineTune(fine, warm)).isFalse();
        // six more, none fewer: kept
        for (int i = 92; i < 96; i++) {
            fine[i] = true;
        }
        assertThat(StageChoice.keepFineTune(fine, warm)).isTrue();
        // the same six more, but it also loses three the warm-up had
        fine[0] = fine[1] = fine[2] = false;
        assertThat(StageChoice.keepFineTune(fine, warm)).isFalse();
    }

    @Test
    void rightComparesTheArgmaxWithTheLabel() {
        float[] p = {0.2f, 0.8f, 0.9f, 0.1f, 0.3f, 0.7f};
        assertThat(StageChoice.right(p, new int[]{1, 1, 0}, 2)).containsExactly(true, false, false);
    }
}
