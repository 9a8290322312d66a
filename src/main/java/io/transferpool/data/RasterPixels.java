package io.transferpool.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/**
 * The pixels of an image ImageIO decoded, as {@link RawImage} bytes (grey, RGB or RGBA). Images stored as one byte
 * per sample (JPEG photos, most PNGs ImageIO reads) are copied sample by sample: {@code getRGB} converts each pixel
 * through its colour model and took twice as long as decoding a 500x375 JPEG (2.1 ms against 1.0).
 */
final class RasterPixels {
    private RasterPixels() {
    }

    static RawImage of(BufferedImage img) {
        RawImage direct = bytes(img);
        if (direct != null) {
            return direct;
        }
        int w = img.getWidth();
        int h = img.getHeight();
        Raster raster = img.getRaster();
        if (raster.getNumBands() == 1 && img.getColorModel().getPixelSize() <= 16 && img.getColorModel()
                .getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            // Other grey images: take raw samples; getRGB would apply a colour-space conversion that changes values.
            int shift = Math.max(0, img.getColorModel().getPixelSize() - 8);
            int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            byte[] px = new byte[w * h];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) (samples[i] >> shift);
            }
            return new RawImage(w, h, 1, px);
        }
        boolean alpha = img.getColorModel().hasAlpha();
        int c = alpha ? 4 : 3;
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        byte[] px = new byte[w * h * c];
        for (int p = 0; p < argb.length; p++) {
            int i = p * c;
            px[i] = (byte) (argb[p] >> 16);
            px[i + 1] = (byte) (argb[p] >> 8);
            px[i + 2] = (byte) argb[p];
            if (alpha) {
                px[i + 3] = (byte) (argb[p] >>> 24);
            }
        }
        return new RawImage(w, h, c, px);
    }

    /**
     * 8-bit grey, or 8-bit sRGB with or without (straight) alpha, one byte per sample: the samples as they are,
     * which for sRGB is exactly what {@code getRGB} returns and for grey the raw values the general path takes.
     * Null for any other kind of image.
     */
    private static RawImage bytes(BufferedImage img) {
        Raster raster = img.getRaster();
        if (!(img.getColorModel() instanceof ComponentColorModel cm) || cm.isAlphaPremultiplied()
                || !(raster.getSampleModel() instanceof ComponentSampleModel sm)
                || !(raster.getDataBuffer() instanceof DataBufferByte db)) {
            return null;
        }
        int bands = raster.getNumBands();
        ColorSpace space = cm.getColorSpace();
        boolean grey = bands == 1 && space.getType() == ColorSpace.TYPE_GRAY;
        boolean rgb = (bands == 3 || bands == 4) && space.isCS_sRGB() && cm.hasAlpha() == (bands == 4);
        if (!(grey || rgb) || cm.getNumComponents() != bands) {
            return null;
        }
        for (int b = 0; b < bands; b++) {
            if (cm.getComponentSize(b) != 8) {
                return null;
            }
        }
        int w = img.getWidth();
        int h = img.getHeight();
        int pixelStride = sm.getPixelStride();
        int scanline = sm.getScanlineStride();
        int tx = raster.getSampleModelTranslateX();
        int ty = raster.getSampleModelTranslateY();
        byte[] px = new byte[w * h * bands];
        int[] banks = sm.getBankIndices();
        int[] offsets = sm.getBandOffsets();
        if (bands == 3 && pixelStride == 3 && banks[0] == banks[1] && banks[1] == banks[2]
                && offsets[0] == 2 && offsets[1] == 1 && offsets[2] == 0) {
            // B, G, R in one array, what ImageIO makes of a JPEG: with the offsets constants a row copies in a third
            // of the time the general loop takes (100 against 300 us at 500x375).
            byte[] data = db.getData(banks[0]);
            int origin = db.getOffsets()[banks[0]] - ty * scanline - tx * pixelStride;
            for (int y = 0; y < h; y++) {
                int from = origin + y * scanline;
                int to = y * w * 3;
                for (int x = 0; x < 3 * w; x += 3) {
                    px[to + x] = data[from + x + 2];
                    px[to + x + 1] = data[from + x + 1];
                    px[to + x + 2] = data[from + x];
                }
            }
            return new RawImage(w, h, bands, px);
        }
        for (int b = 0; b < bands; b++) {
            int bank = banks[b];
            byte[] data = db.getData(bank);
            // ComponentSampleModel: sample (x, y, b) at y * scanline + x * pixelStride + bandOffsets[b]
            int origin = db.getOffsets()[bank] + offsets[b] - ty * scanline - tx * pixelStride;
            for (int y = 0; y < h; y++) {
                int from = origin + y * scanline;
                int to = y * w * bands + b;
                for (int x = 0; x < w; x++, from += pixelStride, to += bands) {
                    px[to] = data[from];
                }
            }
        }
        return new RawImage(w, h, bands, px);
    }
}
