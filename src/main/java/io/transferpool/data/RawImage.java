package io.transferpool.data;

/** Decoded pixels before preprocessing: unsigned bytes, interleaved, row-major (height, width, channels). */
public record RawImage(int width, int height, int channels, byte[] pixels) {

    public int at(int y, int x, int c) {
        return pixels[(y * width + x) * channels + c] & 0xff;
    }

    /** Bilinear resize to {@code w} x {@code h}, keeping the channel count. */
    public RawImage resize(int w, int h) {
        if (w == width && h == height) {
            return this;
        }
        byte[] out = new byte[w * h * channels];
        double sx = (double) width / w;
        double sy = (double) height / h;
        for (int y = 0; y < h; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, height - 1);
            int y1 = Math.min(y0 + 1, height - 1);
            double dy = fy - y0;
            for (int x = 0; x < w; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, width - 1);
                int x1 = Math.min(x0 + 1, width - 1);
                double dx = fx - x0;
                for (int c = 0; c < channels; c++) {
                    double v = (at(y0, x0, c) * (1 - dx) + at(y0, x1, c) * dx) * (1 - dy)
                            + (at(y1, x0, c) * (1 - dx) + at(y1, x1, c) * dx) * dy;
                    out[(y * w + x) * channels + c] = (byte) Math.round(v);
                }
            }
        }
        return new RawImage(w, h, channels, out);
    }
}
