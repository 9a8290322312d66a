package io.transferpool.learning;

import org.junit.jupiter.api.Test;

import io.transferpool.job.JobResult;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EvaluationTest {
    @Test
    void metricsOfASmallBinaryCaseComputedByHand() {
        // true: 0 0 0 1 1 ; p(class 1): .1 .6 .3 .8 .4  -> predicted 0 1 0 1 0
        float[] probs = {.9f, .1f, .4f, .6f, .7f, .3f, .2f, .8f, .6f, .4f};
        int[] labels = {0, 0, 0, 1, 1};
        var m = Evaluation.of(probs, labels, List.of("neg", "pos"));
        assertThat(m.accuracy()).isEqualTo(0.6);
        assertThat(m.confusionMatrix()).isDeepEqualTo(new int[][]{{2, 1}, {1, 1}});
        assertThat(m.perClass().get("neg").precision()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(m.perClass().get("pos").recall()).isEqualTo(0.5);
        assertThat(m.perClass().get("pos").f1()).isCloseTo(0.5, within(1e-12));
        // positives .8 and .4 against negatives .1 .6 .3: pairs won 3 + 2 = 5 of 6
        assertThat(m.rocAuc()).isCloseTo(5 / 6.0, within(1e-12));
        double loss = -(Math.log(.9) + Math.log(.4) + Math.log(.7) + Math.log(.8) + Math.log(.4)) / 5;
        assertThat(m.loss()).isCloseTo(loss, within(1e-6));
    }

    @Test
    void aucIsAbsentForMoreThanTwoClassesOrOneClassPresent() {
        float[] three = {1, 0, 0, 0, 1, 0};
        assertThat(Evaluation.of(three, new int[]{0, 1}, List.of("a", "b", "c")).rocAuc()).isNull();
        float[] two = {1, 0, 0.4f, 0.6f};
        assertThat(Evaluation.of(two, new int[]{0, 0}, List.of("a", "b")).rocAuc()).isNull();
    }

    @Test
    void testAccuracyCarriesItsWilsonIntervalAndSampleCount() {
        // 85 of 100 right
        float[] probs = new float[200];
        int[] labels = new int[100];
        for (int i = 0; i < 100; i++) {
            labels[i] = i % 2;
            int predicted = i < 85 ? labels[i] : 1 - labels[i];
            probs[2 * i + predicted] = 0.9f;
            probs[2 * i + 1 - predicted] = 0.1f;
        }
        var t = Evaluation.of(probs, labels, java.util.List.of("a", "b"));
        assertThat(t.accuracy()).isEqualTo(0.85);
        assertThat(t.samples()).isEqualTo(100);
        assertThat(t.accuracy95().low())
                .isCloseTo(0.76716, within(1e-5));
        assertThat(t.accuracy95().high())
                .isCloseTo(0.90694, within(1e-5));
    }

    @Test
    void wilsonStaysInsideZeroAndOneAtTheEdges() {
        var all = JobResult.Interval.wilson(1.0, 10);
        assertThat(all.low())
                .isCloseTo(0.72247, within(1e-5));
        assertThat(all.high()).isLessThanOrEqualTo(1.0).isGreaterThan(0.9999);
        assertThat(JobResult.Interval.wilson(0.0, 10).low())
                .isEqualTo(0.0);
        assertThatThrownBy(() -> JobResult.Interval.wilson(0.5, 0))
                .hasMessageContaining("samples");
    }
}
