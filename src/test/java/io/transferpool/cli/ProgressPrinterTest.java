package io.transferpool.cli;

import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressPrinterTest {
    static StatusEvent extracting(int done, int total) {
        return StatusEvent.extracting("j", done, total, 1234.0);
    }

    static StatusEvent training(int epoch, int epochs, double val) {
        return StatusEvent.epoch("j", "epoch " + epoch, epoch, epochs, val);
    }

    static String render(boolean terminal, StatusEvent... events) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressPrinter p = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), terminal);
        for (StatusEvent e : events) {
            p.print(e);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalBarsAreRedrawnInPlaceAndEachStageEndsWithANewline() {
        String out = render(true, StatusEvent.of("j", Stage.QUEUED, "accepted"), extracting(1, 4), extracting(4, 4),
                training(1, 10, 0.9), training(5, 10, 0.91), StatusEvent.of("j", Stage.DONE, "test accuracy 0.9"));

        assertThat(out).contains("\rextracting [########......................] 1/4 shards  1234 images/s")
                .contains("\rextracting [##############################] 4/4 shards")
                .contains("\rtraining   [###############...............] epoch 5/10  val accuracy 0.9100");
        // queued line, extracting bar line, training bar line, done line
        assertThat(out.split("\n")).hasSize(4);
        assertThat(out).endsWith("done        test accuracy 0.9\n");
    }

    @Test
    void elsewherePlainLinesOnePerEvent() {
        String out = render(false, extracting(1, 4), training(1, 10, 0.9));
        assertThat(out).doesNotContain("\r", "[#").isEqualTo(
                "extracting  shard 1/4  1234 images/s\ntraining    epoch 1/10  epoch 1\n");
        assertThat(render(false, StatusEvent.of("j", Stage.TRAINING, "sweep candidate 2/6: {learningRate=0.01}")))
                .as("a training event without an epoch").isEqualTo("training    sweep candidate 2/6: {learningRate=0.01}\n");
    }
}
