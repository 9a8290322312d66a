package io.transferpool.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report as a browser shows it: headless Chromium (Debian's chromium, installed by the test script) renders
 * the page to a screenshot, which must not be blank and must contain the curves' colours.
 */
class ReportRenderingTest {
    @TempDir
    Path dir;

    @Test
    void chromiumDrawsTheLearningCurves() throws Exception {
        Path chromium = io.transferpool.Chromium.path();
        Path page = dir.resolve("report.html");
        Files.writeString(page, JobReport.html(ReportFixtures.succeeded(18)));
        Path shot = dir.resolve("shot.png");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + dir.resolve("profile"), "--hide-scrollbars",
                "--window-size=1000,900", "--screenshot=" + shot, page.toUri().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(shot).as(Files.readString(dir.resolve("chromium.log"))).exists();

        BufferedImage img = ImageIO.read(new File(shot.toString()));
        int white = 0;
        int blue = 0;
        int red = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                if (rgb == 0xffffff) {
                    white++;
                } else if (near(rgb, 0x0969da)) {
                    blue++;
                } else if (near(rgb, 0xcf222e)) {
                    red++;
                }
            }
        }
        int total = img.getWidth() * img.getHeight();
        assertThat(white).as("not blank").isLessThan(total * 95 / 100);
        assertThat(blue).as("train curves drawn").isGreaterThan(200);
        assertThat(red).as("validation curves drawn").isGreaterThan(200);
    }

    private static boolean near(int rgb, int target) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs(((rgb >> shift) & 0xff) - ((target >> shift) & 0xff)) > 24) {
                return false;
            }
        }
        return true;
    }
}
