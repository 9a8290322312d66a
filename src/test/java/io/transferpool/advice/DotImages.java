package io.transferpool.advice;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A task unlike the demo base's clothing: count the bright dots (3 to 6) on a dark, noisy 28x28 grey image.
 * Counting needs where things are; a classifier's last layers keep little of it (after three 2x2 max-pools the
 * demo base sees a 3x3 grid), its earlier layers more. Seeded: the same images every run.
 */
final class DotImages {
    static final List<Integer> COUNTS = List.of(3, 4, 5, 6);

    private DotImages() {
    }

    /** Writes {@code perClass} images of each count to {@code dir/n<count>/<i>.png}. */
    static void write(Path dir, int perClass, long seed) throws IOException {
        Random rnd = new Random(seed);
        for (int k : COUNTS) {
            Path cls = Files.createDirectories(dir.resolve("n" + k));
            for (int i = 0; i < perClass; i++) {
                ImageIO.write(draw(k, rnd), "png", cls.resolve(i + ".png").toFile());
            }
        }
    }

    static BufferedImage draw(int dots, Random rnd) {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        var raster = img.getRaster();
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                raster.setSample(x, y, 0, (int) Math.max(0, Math.min(255, 20 + rnd.nextGaussian() * 10)));
            }
        }
        List<int[]> placed = new ArrayList<>();
        while (placed.size() < dots) {
            int y = 2 + rnd.nextInt(23);
            int x = 2 + rnd.nextInt(23);
            if (placed.stream().allMatch(p -> Math.abs(p[0] - y) > 3 || Math.abs(p[1] - x) > 3)) {
                placed.add(new int[]{y, x});
                int v = 150 + rnd.nextInt(106);
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        raster.setSample(x + dx, y + dy, 0, v);
                    }
                }
            }
        }
        return img;
    }
}
