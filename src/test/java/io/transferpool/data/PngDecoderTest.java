package io.transferpool.data;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The PNG fast path gives exactly what ImageIO gives, and leaves what it does not handle to ImageIO. */
class PngDecoderTest {
    private final PngDecoder png = new PngDecoder();

    private static byte[] write(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static RawImage viaImageIo(byte[] bytes) throws Exception {
        return ImageDecoder.fromBuffered(ImageIO.read(new ByteArrayInputStream(bytes)));
    }

    @Test
    void everyDemoImageDecodesAsImageIoDecodesIt() throws Exception {
        try (Stream<Path> files = Files.walk(Path.of("demo/tshirt-vs-shirt/data"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".png")).limit(400).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                RawImage fast = png.decode(bytes);
                assertThat(fast).as("%s takes the fast path", f).isNotNull();
                assertThat(fast.pixels()).as("%s", f).isEqualTo(viaImageIo(bytes).pixels());
            }
        }
    }

    @Test
    void noisyColourImagesExerciseEveryRowFilter() throws Exception {
        Random rnd = new Random(1);
        for (int type : new int[]{BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR,
                BufferedImage.TYPE_BYTE_GRAY}) {
            BufferedImage img = new BufferedImage(37, 23, type);
            for (int y = 0; y < 23; y++) {
                for (int x = 0; x < 37; x++) {
                    // smooth gradients plus noise, so the writer picks different filters for different rows
                    int v = (x * 7 + y * 3 + rnd.nextInt(y % 3 == 0 ? 200 : 8)) & 0xff;
                    img.setRGB(x, y, (0x80 + x) << 24 | v << 16 | (255 - v) << 8 | (v * 3 & 0xff));
                }
            }
            byte[] bytes = write(img);
            RawImage fast = png.decode(bytes);
            RawImage reference = viaImageIo(bytes);
            assertThat(fast).isNotNull();
            assertThat(fast.channels()).isEqualTo(reference.channels());
            assertThat(Arrays.equals(fast.pixels(), reference.pixels())).as("type %d", type).isTrue();
        }
    }

    @Test
    void palettePngsGoToImageIoAndTruncatedOnesAreBadSamples() throws Exception {
        BufferedImage indexed = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED);
        assertThat(png.decode(write(indexed))).isNull();
        assertThat(png.decode("not a png at all, just some text".getBytes())).isNull();
        byte[] good = write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY));
        assertThatThrownBy(() -> png.decode(Arrays.copyOf(good, good.length - 30)))
                .isInstanceOf(BadSampleException.class).hasMessageContaining("truncated");
    }
}
