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
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

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
        return RasterPixels.of(ImageIO.read(new ByteArrayInputStream(bytes)));
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

    /**
     * Every row filter on every row position, for grey, RGB and RGBA: rows filtered here by PNG's definitions (the
     * filter types cycling down the image, so each one follows every other and also sits on the first row) decode
     * to the original pixels, and ImageIO agrees.
     */
    @Test
    void eachRowFilterReversesExactly() throws Exception {
        Random rnd = new Random(5);
        for (int channels : new int[]{1, 3, 4, 2}) {
            for (int firstFilter = 0; firstFilter < 5; firstFilter++) {
                int width = 19;
                int height = 11;
                byte[] pixels = new byte[width * height * channels];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (byte) (i % 7 == 0 ? rnd.nextInt(256) : (i * 5 + rnd.nextInt(40)));
                }
                byte[] bytes = pngWithFilters(pixels, width, height, channels, firstFilter);
                RawImage fast = png.decode(bytes);
                if (channels == 2) {
                    assertThat(fast).as("grey + alpha goes to ImageIO").isNull();
                    continue;
                }
                assertThat(fast).isNotNull();
                assertThat(fast.pixels()).as("%d channels, first filter %d", channels, firstFilter)
                        .isEqualTo(pixels);
                assertThat(viaImageIo(bytes).pixels()).isEqualTo(pixels);
            }
        }
    }

    /** An 8-bit PNG whose row y is filtered with type (firstFilter + y) % 5. */
    private static byte[] pngWithFilters(byte[] pixels, int width, int height, int channels, int firstFilter)
            throws Exception {
        int stride = width * channels;
        ByteArrayOutputStream filtered = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(filtered)) {
            for (int y = 0; y < height; y++) {
                int filter = (firstFilter + y) % 5;
                z.write(filter);
                for (int x = 0; x < stride; x++) {
                    int v = pixels[y * stride + x] & 0xff;
                    int a = x >= channels ? pixels[y * stride + x - channels] & 0xff : 0;
                    int b = y > 0 ? pixels[(y - 1) * stride + x] & 0xff : 0;
                    int c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] & 0xff : 0;
                    int predicted = switch (filter) {
                        case 0 -> 0;
                        case 1 -> a;
                        case 2 -> b;
                        case 3 -> (a + b) / 2;
                        default -> {
                            int p = a + b - c;
                            int pa = Math.abs(p - a);
                            int pb = Math.abs(p - b);
                            int pc = Math.abs(p - c);
                            yield pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                        }
                    };
                    z.write((v - predicted) & 0xff);
                }
            }
        }
        int colour = switch (channels) {
            case 1 -> 0;
            case 2 -> 4;
            case 3 -> 2;
            default -> 6;
        };
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) colour).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", header.array());
        chunk(png, "IDAT", filtered.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        png.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(t);
        png.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        png.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
