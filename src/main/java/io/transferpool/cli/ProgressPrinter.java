package io.transferpool.cli;

import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows a job's status events. On a terminal: one live progress bar per stage, redrawn in place (shards
 * extracted with images/s, epochs with validation accuracy), finished with a newline when the stage changes.
 * Otherwise (a pipe, a file, CI logs): plain lines, one per event.
 */
final class ProgressPrinter {
    static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean terminal;
    private Stage barStage;

    ProgressPrinter(PrintStream out) {
        this(out, System.console() != null && out == System.out);
    }

    ProgressPrinter(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void print(StatusEvent e) {
        if (terminal && bar(e) != null) {
            if (barStage != null && !barStage.equals(e.stage())) {
                out.println();
            }
            barStage = e.stage();
            // \r returns to the line start; the trailing spaces wipe what a longer previous line left.
            out.print("\r" + bar(e) + "   ");
        } else {
            if (barStage != null) {
                out.println();
                barStage = null;
            }
            out.println(line(e));
        }
        out.flush();
    }

    /** The bar for stages with a known total, else null. */
    static String bar(StatusEvent e) {
        if (e.stage() == null) {
            return null;
        }
        return switch (e.stage()) {
            case EXTRACTING -> e.shardsTotal() == null || e.shardsTotal() == 0 ? null
                    : String.format(Locale.ROOT, "extracting %s %d/%d shards  %.0f images/s",
                    bar(e.shardsDone(), e.shardsTotal()), e.shardsDone(), e.shardsTotal(), e.imagesPerSecond());
            case TRAINING -> e.epochs() == null || e.epochs() == 0 ? null
                    : String.format(Locale.ROOT, "training   %s epoch %d/%d  val accuracy %s",
                    bar(e.epoch(), e.epochs()), e.epoch(), e.epochs(), e.valAccuracy() == null
                            || e.valAccuracy().isNaN() ? "n/a" : String.format(Locale.ROOT, "%.4f", e.valAccuracy()));
            default -> null;
        };
    }

    static String bar(int done, int total) {
        int filled = (int) Math.round(WIDTH * Math.min(1.0, (double) done / total));
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "]";
    }

    static String line(StatusEvent e) {
        if (e.stage() == null) {
            return e.message() == null ? "" : e.message();
        }
        return switch (e.stage()) {
            case EXTRACTING -> String.format(Locale.ROOT, "extracting  shard %d/%d  %.0f images/s", e.shardsDone(),
                    e.shardsTotal(), e.imagesPerSecond());
            case TRAINING -> e.epoch() == null ? String.format(Locale.ROOT, "training    %s", e.message())
                    : String.format(Locale.ROOT, "training    epoch %d/%d  %s", e.epoch(), e.epochs(), e.message());
            default -> String.format(Locale.ROOT, "%-11s %s", e.stage().wire(), e.message() == null ? ""
                    : e.message());
        };
    }
}
