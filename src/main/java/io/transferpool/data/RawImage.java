package io.transferpool.data;

/** Decoded pixels before preprocessing: unsigned bytes, interleaved, row-major (height, width, channels). */
public record RawImage(int width, int height, int channels, byte[] pixels) {

    public int at(int y, int x, int c) {
        return pixels[(y * width + x) * channels + c] & 0xff;
    }

    /**
     * Bilinear resize to {@code w} x {@code h}, keeping the channel count, antialiased when shrinking: the same bytes
     * PIL's {@code Image.resize(..., BILINEAR)} gives (see {@link Resampler}).
     */
    public RawImage resize(int w, int h) {
        return Resampler.resize(this, w, h);
    }

    /** The {@code w} x {@code h} pixels whose top-left corner is at ({@code left}, {@code top}). */
    public RawImage crop(int left, int top, int w, int h) {
        if (left == 0 && top == 0 && w == width && h == height) {
            return this;
        }
        byte[] out = new byte[w * h * channels];
        for (int y = 0; y < h; y++) {
            System.arraycopy(pixels, ((top + y) * width + left) * channels, out, y * w * channels, w * channels);
        }
        return new RawImage(w, h, channels, out);
    }
}
