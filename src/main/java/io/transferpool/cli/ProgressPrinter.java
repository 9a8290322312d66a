package io.transferpool.cli;

import io.transferpool.messaging.StatusEvent;

import java.io.PrintStream;

/** Prints a job's status events as plain lines, one per event (shards are printed at most once each). */
final class ProgressPrinter {
    private final PrintStream out;

    ProgressPrinter(PrintStream out) {
        this.out = out;
    }

    void print(StatusEvent e) {
        String line = switch (e.stage()) {
            case "extracting" -> String.format("extracting  shard %d/%d  %.0f images/s", e.shardsDone(), e.shardsTotal(),
                    e.imagesPerSecond());
            case "training" -> String.format("training    epoch %d/%d  %s", e.epoch(), e.epochs(), e.message());
            default -> String.format("%-11s %s", e.stage(), e.message() == null ? "" : e.message());
        };
        out.println(line);
        out.flush();
    }
}
