package io.transferpool.advice;

import io.transferpool.job.Advice;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;

import java.util.Comparator;
import java.util.Locale;

/**
 * The seed's decision rule (DESIGN.md section 2) on what the {@link Advisor} measured: dataset small or large,
 * similar to the base's data or not, gives one of four cases. Plain logic, no model.
 * <ul>
 * <li>Large: the smallest class has at least {@link #LARGE_PER_CLASS} training images (fine-tuning a block of a
 * CNN on fewer overfits; the demo's 1,350 per class fine-tunes to +0.007 over a new head at best).</li>
 * <li>Similar: no earlier depth's linear probe beats the cut's by {@link #SIMILAR_MARGIN} or more. A base whose
 * last layers learned features that fit the new classes separates them at the cut as well as anywhere; when an
 * earlier depth separates them clearly better, the later layers are specific to the base's own task.</li>
 * </ul>
 */
public final class SeedRule {
    /** Training images in the smallest class from which a task counts as large. */
    public static final int LARGE_PER_CLASS = 4000;
    /** How much better an earlier depth must probe than the cut for the data to count as unlike the base's. */
    public static final double SIMILAR_MARGIN = 0.03;

    /**
     * Where each case would cut or freeze.
     *
     * @param cut       the head's attachment point (case 1, and the head of cases 2 and 4)
     * @param lastBlock the freeze boundary before the base's last block (case 2), or null when there is none
     * @param input     the image input, when fine-tuning can start from it (case 4), else null
     */
    public record Depths(String cut, String lastBlock, String input) {
    }

    private SeedRule() {
    }

    public static Advice decide(Advice.Measurements m, Depths d) {
        boolean large = m.minImagesPerClass() >= m.largePerClass();
        Advice.Probe atCut = m.probes().get(0);
        // the cut is first: it wins a tie
        Advice.Probe best = m.probes().stream().max(Comparator.comparingDouble(Advice.Probe::valAccuracy)
                .thenComparing(p -> -m.probes().indexOf(p))).orElseThrow();
        boolean similar = best.valAccuracy() - atCut.valAccuracy() < m.similarMargin();
        String size = String.format(Locale.ROOT, "%s: %d training images in the smallest class (large from %d)",
                large ? "large" : "small", m.minImagesPerClass(), m.largePerClass());
        String likeness = similar
                ? String.format(Locale.ROOT, "similar to the base's data: a linear classifier on the cut %s reaches "
                + "%.3f validation accuracy and no earlier depth does %.2f better%s", atCut.tensor(),
                atCut.valAccuracy(), m.similarMargin(), earlier(m, atCut))
                : String.format(Locale.ROOT, "unlike the base's data: a linear classifier on the earlier %s reaches "
                + "%.3f validation accuracy, on the cut %s only %.3f", best.tensor(), best.valAccuracy(),
                atCut.tensor(), atCut.valAccuracy());
        Advice.Probe rival = similar ? m.probes().stream().filter(p -> p != atCut)
                .max(Comparator.comparingDouble(Advice.Probe::valAccuracy)).orElse(null) : best;
        likeness += withinIntervals(m, atCut, rival);
        String confidence = m.baseConfidence() == null ? "" : String.format(Locale.ROOT,
                "; the base's own classifier gives these images a mean top probability of %.2f",
                m.baseConfidence());
        String measured = size + "; " + likeness + confidence + ". ";
        String fe = JobSpec.Strategy.FEATURE_EXTRACTION.wire();
        String ft = JobSpec.Strategy.FINE_TUNE.wire();
        if (!large && similar) {
            return new Advice(1, fe, d.cut(), null, m, measured + "Case 1 of the seed: a new classifier on the "
                    + "base's features at " + d.cut() + " (fine-tuning so few images would overfit).");
        }
        if (!large) {
            return new Advice(3, fe, best.tensor(), null, m, measured + "Case 3 of the seed: a classifier on the "
                    + "features of the earlier layer " + best.tensor() + " (the later layers are specific to the "
                    + "base's task and there are too few images to retrain them).");
        }
        if (similar) {
            if (d.lastBlock() == null) {
                return new Advice(1, fe, d.cut(), null, m, measured + "Case 2 of the seed, but the base has no "
                        + "freeze boundary before its last block that fine-tuning could start from: a new "
                        + "classifier on its features at " + d.cut() + " instead (case 1).");
            }
            return new Advice(2, ft, d.cut(), d.lastBlock(), m, measured + "Case 2 of the seed: fine-tune the "
                    + "layers after " + d.lastBlock() + " with a new head at " + d.cut() + ", at the small rate 1e-4 "
                    + "after warming the head up.");
        }
        String from = d.input() != null ? d.input() : d.lastBlock();
        if (from == null) {
            return new Advice(3, fe, best.tensor(), null, m, measured + "Case 4 of the seed, but fine-tuning cannot "
                    + "start anywhere in this base: a classifier on the features of " + best.tensor()
                    + " instead (case 3).");
        }
        return new Advice(4, ft, d.cut(), from, m, measured + "Case 4 of the seed: fine-tune "
                + (from.equals(d.input()) ? "the whole network" : "everything after " + from) + " from its "
                + "pretrained weights with a new head at " + d.cut() + ", at the small rate 1e-4 after warming the "
                + "head up.");
    }

    /**
     * Says when two probes' validation accuracies are each inside the other's 95% interval (Wilson, on the images
     * probed): the sample does not tell those depths apart, and the rule's choice between them may be chance.
     */
    static String withinIntervals(Advice.Measurements m, Advice.Probe a, Advice.Probe b) {
        if (b == null || a == b || m.probedImages() <= 0) {
            return "";
        }
        JobResult.Interval ia = JobResult.Interval.wilson(a.valAccuracy(), m.probedImages());
        JobResult.Interval ib = JobResult.Interval.wilson(b.valAccuracy(), m.probedImages());
        if (!ia.contains(b.valAccuracy()) || !ib.contains(a.valAccuracy())) {
            return "";
        }
        return String.format(Locale.ROOT, " (%s and %s are within each other's 95%% interval on the %d images "
                + "probed, %.3f-%.3f and %.3f-%.3f: the sample does not tell them apart)", a.tensor(), b.tensor(),
                m.probedImages(), ia.low(), ia.high(), ib.low(), ib.high());
    }

    private static String earlier(Advice.Measurements m, Advice.Probe cut) {
        return m.probes().stream().filter(p -> p != cut).max(Comparator.comparingDouble(Advice.Probe::valAccuracy))
                .map(p -> String.format(Locale.ROOT, " (best earlier: %s, %.3f)", p.tensor(), p.valAccuracy()))
                .orElse("");
    }
}
