package io.transferpool.data;

import io.transferpool.job.JobSpec;

/**
 * Turns decoded pixels into the model's input for one image: size policy, channel conversion, scale, per-channel
 * mean/std, then NCHW or NHWC layout. Kept apart from the model so it can be tested and reused alone.
 */
public final class Preprocessor {
    private final JobSpec.Preprocess spec;
    private final float[] mean;
    private final float[] std;
    /** Each channel's input for each of the 256 values a pixel byte can have. */
    private final float[][] values;

    public Preprocessor(JobSpec.Preprocess spec) {
        this.spec = spec;
        this.mean = perChannel(spec.mean().isEmpty() ? null : spec.mean().stream().mapToDouble(d -> d).toArray(), 0);
        this.std = perChannel(spec.std().isEmpty() ? null : spec.std().stream().mapToDouble(d -> d).toArray(), 1);
        float scale = (float) spec.scale();
        this.values = new float[spec.channels()][256];
        for (int c = 0; c < values.length; c++) {
            for (int v = 0; v < 256; v++) {
                values[c][v] = (v * scale - mean[c]) / std[c];
            }
        }
    }

    private float[] perChannel(double[] given, double fallback) {
        float[] out = new float[spec.channels()];
        for (int c = 0; c < out.length; c++) {
            out[c] = (float) (given == null ? fallback : given[given.length == 1 ? 0 : c]);
        }
        return out;
    }

    /** Floats per image: channels x height x width. */
    public int inputSize() {
        return spec.channels() * spec.height() * spec.width();
    }

    /** Writes one image's input into {@code out} starting at {@code offset}. */
    public void apply(RawImage image, float[] out, int offset) throws BadSampleException {
        int w = spec.width();
        int h = spec.height();
        image = sized(image);
        int channels = spec.channels();
        boolean nchw = spec.layout() == JobSpec.Layout.NCHW;
        float scale = (float) spec.scale();
        if (image.channels() == channels) {
            same(image.pixels(), w * h, channels, nchw, out, offset);
            return;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < channels; c++) {
                    float v = (channel(image, y, x, c, channels) * scale - mean[c]) / std[c];
                    int i = nchw ? (c * h + y) * w + x : (y * w + x) * channels + c;
                    out[offset + i] = v;
                }
            }
        }
    }

    /**
     * The image at width x height: resized as {@code resize} says (to resizeSize, by default the larger of width and
     * height, when a crop follows), then its centre cut out when {@code crop} is "center". The arithmetic of sizes
     * and offsets is torchvision's (Resize(int): the longer side truncated; CenterCrop: offsets rounded half to
     * even, as Python's round).
     */
    public RawImage sized(RawImage image) throws BadSampleException {
        int w = spec.width();
        int h = spec.height();
        boolean crop = spec.crop() == JobSpec.Crop.CENTER;
        int size = spec.resizeSize() > 0 ? spec.resizeSize() : Math.max(w, h);
        switch (spec.resize()) {
            case STRETCH -> image = crop ? image.resize(size, size) : image.resize(w, h);
            case SHORTER_SIDE -> {
                int iw = image.width();
                int ih = image.height();
                long longer = (long) size * Math.max(iw, ih) / Math.min(iw, ih);
                if (longer > 65536) {
                    throw new BadSampleException("image is " + iw + "x" + ih + ": its longer side would be " + longer
                            + " pixels at a shorter side of " + size);
                }
                image = iw <= ih ? image.resize(size, (int) longer) : image.resize((int) longer, size);
            }
            case NONE -> {
            }
        }
        if (crop && image.width() >= w && image.height() >= h) {
            image = image.crop((int) Math.rint((image.width() - w) / 2.0), (int) Math.rint((image.height() - h) / 2.0),
                    w, h);
        }
        if (image.width() != w || image.height() != h) {
            throw new BadSampleException("image is " + image.width() + "x" + image.height() + ", preprocess expects "
                    + w + "x" + h + (spec.resize() == JobSpec.Resize.NONE
                    ? " (set preprocess.resize to \"stretch\" or \"shorter-side\" to resize)" : ""));
        }
        return image;
    }

    /** Turn JPEG, WebP and TIFF images as their EXIF orientation says before anything else. */
    public boolean exifOrientation() {
        return spec.exifOrientation();
    }

    /**
     * The common case, the image already has the model's channels: one tight loop per channel over the pixels,
     * reading each value from a table of the 256 a channel can take, made with the same arithmetic as the general
     * path (so the same floats); a division per value took 100-140 us of a 224x224 RGB image.
     */
    private void same(byte[] pixels, int n, int channels, boolean nchw, float[] out, int offset) {
        for (int c = 0; c < channels; c++) {
            float[] t = values[c];
            int to = nchw ? offset + c * n : offset + c;
            int step = nchw ? 1 : channels;
            for (int i = 0, p = c; i < n; i++, p += channels, to += step) {
                out[to] = t[pixels[p] & 0xff];
            }
        }
    }

    /** Channel {@code c} of the target layout from whatever the image has (grey, RGB or RGBA). */
    private static int channel(RawImage img, int y, int x, int c, int target) {
        int have = img.channels();
        if (target == 1) {
            if (have == 1) {
                return img.at(y, x, 0);
            }
            // ITU-R BT.601 luma, the usual grey conversion.
            return (int) Math.round(0.299 * img.at(y, x, 0) + 0.587 * img.at(y, x, 1) + 0.114 * img.at(y, x, 2));
        }
        if (have == 1) {
            return c == 3 ? 255 : img.at(y, x, 0);
        }
        if (c == 3 && have == 3) {
            return 255;
        }
        return img.at(y, x, c);
    }
}
