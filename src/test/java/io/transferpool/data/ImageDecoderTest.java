package io.transferpool.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ImageDecoderTest {
    @TempDir
    Path root;

    @Test
    void anObjectRefThatIsNotAPathOrNotAllowedIsABadSampleBeforeAnyRequest() {
        // no store behind it: the refs must be refused before one would be asked
        var storage = new io.transferpool.storage.Storage(new io.transferpool.paths.PathResolver(root),
                io.transferpool.storage.AllowList.of(java.util.List.of("s3://data/train")), () -> {
                    throw new AssertionError("no request may be made for a refused ref");
                }, null, 1);
        ImageDecoder decoder = new ImageDecoder(storage);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.decode("s3://data/train/cat//a.png"))
                .isInstanceOf(BadSampleException.class).hasMessageContaining("empty segment");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.decode("s3://data/train/cat/\u0007.png"))
                .isInstanceOf(BadSampleException.class).hasMessageContaining("control character");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.decode("s3://data/test/cat/a.png"))
                .isInstanceOf(BadSampleException.class).hasMessageContaining("outside the allowed buckets");
    }

    @Test
    void greyPngKeepsItsRawValues() throws Exception {
        BufferedImage img = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                img.getRaster().setSample(x, y, 0, 17 * (y * 5 + x));
            }
        }
        ImageIO.write(img, "png", root.resolve("g.png").toFile());
        RawImage raw = new ImageDecoder(root).decode("g.png");
        assertThat(raw.channels()).isEqualTo(1);
        assertThat(raw.width()).isEqualTo(5);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                assertThat(raw.at(y, x, 0)).isEqualTo(17 * (y * 5 + x));
            }
        }
    }

    @Test
    void colourPngAndJpegDecodeToRgb() throws Exception {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 2, 0x102030);
        ImageIO.write(img, "png", root.resolve("c.png").toFile());
        ImageIO.write(img, "jpeg", root.resolve("c.jpg").toFile());
        ImageDecoder decoder = new ImageDecoder(root);
        RawImage png = decoder.decode("c.png");
        assertThat(png.channels()).isEqualTo(3);
        assertThat(new int[]{png.at(2, 1, 0), png.at(2, 1, 1), png.at(2, 1, 2)}).containsExactly(0x10, 0x20, 0x30);
        assertThat(decoder.decode("c.jpg").channels()).isEqualTo(3);
        // The same decoder (and its per-thread readers) decodes again after a different format.
        assertThat(decoder.decode("c.png").at(2, 1, 2)).isEqualTo(0x30);
    }

    @Test
    void decodesTheSamePixelsFromManyThreads() throws Exception {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(3, 4, 0, 200);
        ImageIO.write(img, "png", root.resolve("t.png").toFile());
        ImageDecoder decoder = new ImageDecoder(root);
        assertThat(java.util.stream.IntStream.range(0, 400).parallel().map(i -> {
            try {
                return decoder.decode("t.png").at(4, 3, 0);
            } catch (BadSampleException e) {
                return -1;
            }
        }).distinct().toArray()).containsExactly(200);
    }

    @Test
    void aHeaderPromisingBillionsOfPixelsIsRefusedBeforeDecoding() throws Exception {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        byte[] png = out.toByteArray();
        java.nio.ByteBuffer.wrap(png).putInt(16, 40000).putInt(20, 40000); // IHDR width and height
        java.nio.file.Files.write(root.resolve("bomb.png"), png);
        long t0 = System.nanoTime();
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(BadSampleException.class,
                () -> new ImageDecoder(root).decode("bomb.png")))
                .hasMessageContaining("40000x40000").hasMessageContaining("pixels");
        assertThat((System.nanoTime() - t0) / 1e9).as("refused from the header, nothing allocated").isLessThan(5);
    }
}
