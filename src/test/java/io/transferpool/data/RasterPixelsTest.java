package io.transferpool.data;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Point;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RasterPixelsTest {
    private static final Random RANDOM = new Random(7);

    /** What the general path gives: each pixel's getRGB, as R, G, B (and A when the image has alpha). */
    private static byte[] viaGetRgb(BufferedImage img) {
        boolean alpha = img.getColorModel().hasAlpha();
        int c = alpha ? 4 : 3;
        byte[] px = new byte[img.getWidth() * img.getHeight() * c];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int argb = img.getRGB(x, y);
                int i = (y * img.getWidth() + x) * c;
                px[i] = (byte) (argb >> 16);
                px[i + 1] = (byte) (argb >> 8);
                px[i + 2] = (byte) argb;
                if (alpha) {
                    px[i + 3] = (byte) (argb >>> 24);
                }
            }
        }
        return px;
    }

    private static BufferedImage noise(int type, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, RANDOM.nextInt());
            }
        }
        return img;
    }

    private static void assertSameAsGetRgb(BufferedImage img) {
        RawImage raw = RasterPixels.of(img);
        assertThat(raw.width()).isEqualTo(img.getWidth());
        assertThat(raw.height()).isEqualTo(img.getHeight());
        assertThat(raw.channels()).isEqualTo(img.getColorModel().hasAlpha() ? 4 : 3);
        assertThat(raw.pixels()).isEqualTo(viaGetRgb(img));
    }

    @Test
    void byteColourImagesGiveWhatGetRgbGives() {
        for (int type : new int[]{BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR,
                BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_4BYTE_ABGR_PRE}) {
            assertSameAsGetRgb(noise(type, 13, 7));
        }
    }

    @Test
    void aJpegPhotoGivesWhatGetRgbGives() throws Exception {
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(noise(BufferedImage.TYPE_INT_RGB, 37, 21), "jpeg", jpeg);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg.toByteArray()));
        assertThat(decoded.getType()).isEqualTo(BufferedImage.TYPE_3BYTE_BGR);
        assertSameAsGetRgb(decoded);
    }

    @Test
    void partOfALargerImageIsReadFromItsOwnOrigin() {
        BufferedImage whole = noise(BufferedImage.TYPE_3BYTE_BGR, 20, 15);
        BufferedImage part = whole.getSubimage(3, 5, 9, 6);
        assertThat(part.getRaster().getSampleModelTranslateX()).isNotZero();
        assertSameAsGetRgb(part);
    }

    @Test
    void rgbInAnyBandOrderAndPadding() {
        // R, G, B stored as bytes 1, 3, 0 of a 4-byte pixel with rows padded: only the layout differs from BGR.
        int w = 6;
        int h = 4;
        var model = new PixelInterleavedSampleModel(DataBuffer.TYPE_BYTE, w, h, 4, 4 * w + 5, new int[]{1, 3, 0});
        WritableRaster raster = Raster.createWritableRaster(model, new Point(0, 0));
        var colours = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int b = 0; b < 3; b++) {
                    raster.setSample(x, y, b, RANDOM.nextInt(256));
                }
            }
        }
        BufferedImage img = new BufferedImage(colours, raster, false, null);
        assertSameAsGetRgb(img);
        assertThat(RasterPixels.of(img).at(2, 5, 1)).isEqualTo(raster.getSample(5, 2, 1));
    }

    @Test
    void greyKeepsRawSamples() {
        BufferedImage img = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage wide = new BufferedImage(5, 3, BufferedImage.TYPE_USHORT_GRAY);
        for (int i = 0; i < 15; i++) {
            img.getRaster().setSample(i % 5, i / 5, 0, 17 * i);
            wide.getRaster().setSample(i % 5, i / 5, 0, 17 * i * 256 + 255);
        }
        for (BufferedImage grey : new BufferedImage[]{img, wide, img.getSubimage(1, 1, 4, 2)}) {
            RawImage raw = RasterPixels.of(grey);
            assertThat(raw.channels()).isEqualTo(1);
            for (int y = 0; y < grey.getHeight(); y++) {
                for (int x = 0; x < grey.getWidth(); x++) {
                    assertThat(raw.at(y, x, 0)).isEqualTo(grey.getRaster().getSample(x, y, 0) >> (grey == wide ? 8 : 0));
                }
            }
        }
    }
}
