package io.transferpool.data;

/**
 * Bilinear resizing as PIL does it (Pillow's Resample.c, which torchvision's Resize uses on PIL images): a triangle
 * filter widened by the scale factor when shrinking (antialiasing: every source pixel under an output pixel counts),
 * weights normalised per output pixel and rounded to 22-bit fixed point, a horizontal pass into 8-bit rows and then
 * a vertical pass, each rounding and clipping to 8 bits. Doing the same steps gives the same bytes as PIL, so
 * features of a resized photo are those a PyTorch user's pipeline makes.
 */
final class Resampler {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    /** For each output position, its first source index, how many it reads, and their fixed-point weights. */
    private record Kernel(int[] first, int[] count, int[] weights, int size) {
        static Kernel of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(1.0, scale);
            double support = filterScale; // the bilinear filter's support is 1
            int size = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * size];
            double[] w = new double[size];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                int min = Math.max(0, (int) (center - support + 0.5));
                int max = Math.min(inSize, (int) (center + support + 0.5)) - min;
                double total = 0;
                for (int i = 0; i < max; i++) {
                    double x = Math.abs((i + min - center + 0.5) / filterScale);
                    w[i] = x < 1.0 ? 1.0 - x : 0.0;
                    total += w[i];
                }
                for (int i = 0; i < max; i++) {
                    double normalised = total != 0.0 ? w[i] / total : w[i];
                    weights[o * size + i] = (int) (0.5 + normalised * (1 << PRECISION_BITS));
                }
                first[o] = min;
                count[o] = max;
            }
            return new Kernel(first, count, weights, size);
        }
    }

    private Resampler() {
    }

    static RawImage resize(RawImage img, int w, int h) {
        if (w == img.width() && h == img.height()) {
            return img;
        }
        int c = img.channels();
        byte[] px = img.pixels();
        int inW = img.width();
        int inH = img.height();
        Kernel vertical = Kernel.of(inH, h);
        // only the source rows the vertical pass reads go through the horizontal one
        int rowFirst = vertical.first()[0];
        int rowLast = vertical.first()[h - 1] + vertical.count()[h - 1];
        if (w != inW) {
            Kernel horizontal = Kernel.of(inW, w);
            int rows = rowLast - rowFirst;
            byte[] out = new byte[rows * w * c];
            for (int y = 0; y < rows; y++) {
                int from = (y + rowFirst) * inW * c;
                int to = y * w * c;
                for (int x = 0; x < w; x++) {
                    int start = from + horizontal.first()[x] * c;
                    int k = x * horizontal.size();
                    int n = horizontal.count()[x];
                    for (int ch = 0; ch < c; ch++) {
                        int sum = HALF;
                        for (int i = 0, p = start + ch; i < n; i++, p += c) {
                            sum += (px[p] & 0xff) * horizontal.weights()[k + i];
                        }
                        out[to + x * c + ch] = clip(sum);
                    }
                }
            }
            px = out;
            inW = w;
        } else {
            rowFirst = 0;
        }
        if (h == inH) {
            return new RawImage(w, h, c, px);
        }
        byte[] out = new byte[w * h * c];
        int stride = w * c;
        for (int y = 0; y < h; y++) {
            int start = (vertical.first()[y] - rowFirst) * stride;
            int k = y * vertical.size();
            int n = vertical.count()[y];
            int to = y * stride;
            for (int i = 0; i < stride; i++) {
                int sum = HALF;
                for (int j = 0, p = start + i; j < n; j++, p += stride) {
                    sum += (px[p] & 0xff) * vertical.weights()[k + j];
                }
                out[to + i] = clip(sum);
            }
        }
        return new RawImage(w, h, c, out);
    }

    private static byte clip(int sum) {
        if (sum >= (1 << PRECISION_BITS << 8)) {
            return (byte) 255;
        }
        return sum <= 0 ? 0 : (byte) (sum >> PRECISION_BITS);
    }
}
