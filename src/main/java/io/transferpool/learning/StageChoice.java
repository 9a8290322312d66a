package io.transferpool.learning;

/**
 * Whether a fine-tune keeps its second stage or falls back to its warm-up (which is method 1: the new head on the
 * frozen base). Comparing the two stages' best validation loss or accuracy picked the fine-tune on noise: on 100
 * validation images, a lower loss or one or two more right answers happen by chance, and the fine-tune stage, which
 * starts where the warm-up ended and has as many epochs to pick the best from, wins such draws more often than not
 * (issue 25: chosen at val accuracy 0.84 against the warm-up's 0.85, test accuracy 0.8365 against method 1's 0.860).
 * So the fine-tune is kept only when it gets significantly more validation images right than the warm-up, image by
 * image: of the images exactly one of them gets right, the fine-tune must have so many that equal chances would
 * give as many or more with probability below {@link #SIGNIFICANCE} (McNemar's exact test, one-sided). On small
 * data the result is then method 1's unless fine-tuning clearly helps; on large data a real gain is significant.
 */
public final class StageChoice {
    /** The one-sided p-value below which the fine-tune's extra right answers are taken as real. */
    public static final double SIGNIFICANCE = 0.05;

    private StageChoice() {
    }

    /**
     * @param onlyFineTuneRight images the fine-tuned network gets right and the warm-up wrong
     * @param onlyWarmupRight   images the warm-up gets right and the fine-tuned network wrong
     * @return the probability of at least {@code onlyFineTuneRight} of the discordant images going to the
     * fine-tune if both were equally good
     */
    public static double pValue(int onlyFineTuneRight, int onlyWarmupRight) {
        int n = onlyFineTuneRight + onlyWarmupRight;
        if (n == 0) {
            return 1.0;
        }
        // P(X >= b), X ~ Binomial(n, 1/2), summed in log space (n can be thousands)
        double p = 0;
        for (int k = onlyFineTuneRight; k <= n; k++) {
            p += Math.exp(logChoose(n, k) - n * Math.log(2));
        }
        return Math.min(1.0, p);
    }

    /** Whether the fine-tuned network is significantly better than the warm-up on these validation answers. */
    public static boolean keepFineTune(boolean[] fineTuneRight, boolean[] warmupRight) {
        int onlyFine = 0;
        int onlyWarm = 0;
        for (int i = 0; i < fineTuneRight.length; i++) {
            if (fineTuneRight[i] && !warmupRight[i]) {
                onlyFine++;
            } else if (warmupRight[i] && !fineTuneRight[i]) {
                onlyWarm++;
            }
        }
        return pValue(onlyFine, onlyWarm) < SIGNIFICANCE;
    }

    /** Which rows the predicted probabilities (rows x classes) get right. */
    public static boolean[] right(float[] probabilities, int[] labels, int classes) {
        boolean[] out = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (probabilities[i * classes + c] > probabilities[i * classes + best]) {
                    best = c;
                }
            }
            out[i] = best == labels[i];
        }
        return out;
    }

    private static double logChoose(int n, int k) {
        double s = 0;
        for (int i = 1; i <= k; i++) {
            s += Math.log(n - k + i) - Math.log(i);
        }
        return s;
    }
}
