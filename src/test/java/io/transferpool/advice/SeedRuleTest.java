package io.transferpool.advice;

import io.transferpool.job.Advice;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed's four cases from size and similarity, and what each chooses. */
class SeedRuleTest {
    private static final SeedRule.Depths DEPTHS = new SeedRule.Depths("flat", "block2", "input");

    private static Advice.Measurements measured(int perClass, double atCut, double earlier) {
        return new Advice.Measurements(perClass * 2, 2, perClass, 400, List.of(new Advice.Probe("flat", 1152, atCut),
                new Advice.Probe("block2", 1024, earlier), new Advice.Probe("block1", 1152, earlier - 0.1)), 0.8,
                SeedRule.LARGE_PER_CLASS, SeedRule.SIMILAR_MARGIN);
    }

    @Test
    void smallAndSimilarIsANewClassifierAtTheCut() {
        Advice a = SeedRule.decide(measured(1500, 0.86, 0.87), DEPTHS);
        assertThat(a.caseNumber()).isEqualTo(1);
        assertThat(a.strategy()).isEqualTo("feature-extraction");
        assertThat(a.cut()).isEqualTo("flat");
        assertThat(a.freezeAt()).isNull();
        assertThat(a.reason()).contains("small: 1500", "similar", "0.860", "Case 1");
    }

    @Test
    void largeAndSimilarFineTunesTheLastBlock() {
        Advice a = SeedRule.decide(measured(SeedRule.LARGE_PER_CLASS, 0.9, 0.9), DEPTHS);
        assertThat(a.caseNumber()).isEqualTo(2);
        assertThat(a.strategy()).isEqualTo("fine-tune");
        assertThat(a.freezeAt()).isEqualTo("block2");
        assertThat(a.cut()).isEqualTo("flat");
        assertThat(SeedRule.decide(measured(6000, 0.9, 0.9), new SeedRule.Depths("flat", null, "input")))
                .as("no boundary before the last block").satisfies(b -> {
                    assertThat(b.caseNumber()).isEqualTo(1);
                    assertThat(b.reason()).contains("Case 2", "case 1");
                });
    }

    @Test
    void smallAndUnlikeCutsWhereTheProbeIsBest() {
        Advice a = SeedRule.decide(measured(150, 0.50, 0.59), DEPTHS);
        assertThat(a.caseNumber()).isEqualTo(3);
        assertThat(a.strategy()).isEqualTo("feature-extraction");
        assertThat(a.cut()).isEqualTo("block2");
        assertThat(a.reason()).contains("unlike", "block2", "0.590", "0.500", "Case 3");
        assertThat(SeedRule.decide(measured(150, 0.50, 0.529), DEPTHS).caseNumber())
                .as("less than the margin better: similar").isEqualTo(1);
    }

    @Test
    void largeAndUnlikeFineTunesEverything() {
        Advice a = SeedRule.decide(measured(5000, 0.7, 0.8), DEPTHS);
        assertThat(a.caseNumber()).isEqualTo(4);
        assertThat(a.freezeAt()).isEqualTo("input");
        assertThat(a.reason()).contains("the whole network");
        assertThat(SeedRule.decide(measured(5000, 0.7, 0.8), new SeedRule.Depths("flat", "block2", null)).freezeAt())
                .as("the input cannot be a boundary: from the last block").isEqualTo("block2");
    }

    @Test
    void saysWhenTheCutAndAnEarlierDepthAreNotToldApart() {
        var close = new Advice.Measurements(200, 2, 100, 200, List.of(new Advice.Probe("flat", 1152, 0.85),
                new Advice.Probe("block2", 3136, 0.87)), null, 1000, 0.03);
        assertThat(SeedRule.withinIntervals(close, close.probes().get(0),
                close.probes().get(1))).contains("within each other's 95% interval on the 200 images probed");
        var apart = new Advice.Measurements(200, 2, 100, 4000, List.of(new Advice.Probe("flat", 1152, 0.80),
                new Advice.Probe("block2", 3136, 0.90)), null, 1000, 0.03);
        assertThat(SeedRule.withinIntervals(apart, apart.probes().get(0),
                apart.probes().get(1))).isEmpty();
    }
}
