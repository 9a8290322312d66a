package io.transferpool.learning;

/** Training produced a loss that is not a finite number: the job fails, naming the epoch. */
public final class DivergedException extends RuntimeException {
    private final int epoch;

    DivergedException(int epoch, double loss) {
        super("the training loss became " + loss + " in epoch " + epoch + " (try a smaller learning rate, or check "
                + "preprocess.scale, mean and std)");
        this.epoch = epoch;
    }

    public int epoch() {
        return epoch;
    }
}
