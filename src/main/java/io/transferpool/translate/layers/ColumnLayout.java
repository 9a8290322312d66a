package io.transferpool.translate.layers;

import java.util.stream.IntStream;

/**
 * Where each value of a convolution's im2col columns comes from: batch {@code n} of NCHW images {@code in x h x w},
 * a {@code kh x kw} kernel with stride, padding and dilation (height first), output {@code oh x ow}. Columns are
 * [n * oh * ow, in * kh * kw], rows in (image, y, x) order, each row (channel, ky, kx): DL4J's own layout. Images
 * are split over the common pool's threads.
 */
record ColumnLayout(int n, int in, int h, int w, int kh, int kw, int[] stride, int[] pad, int[] dilation, int oh,
                    int ow) {

    /** im2col: the columns of these images, zeros where the kernel reads padding. */
    float[] toColumns(float[] images) {
        float[] cols = new float[n * oh * ow * in * kh * kw];
        walk(images, cols, true);
        return cols;
    }

    /** col2im: each column value added back onto the pixel it was read from (the gradient of {@link #toColumns}). */
    float[] toImages(float[] cols) {
        float[] images = new float[n * in * h * w];
        walk(images, cols, false);
        return images;
    }

    private void walk(float[] images, float[] cols, boolean gather) {
        int row = in * kh * kw;
        IntStream.range(0, n).parallel().forEach(b -> {
            int o = b * oh * ow * row;
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    for (int ch = 0; ch < in; ch++) {
                        int base = (b * in + ch) * h * w;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = y * stride[0] + ky * dilation[0] - pad[0];
                            for (int kx = 0; kx < kw; kx++, o++) {
                                int ix = x * stride[1] + kx * dilation[1] - pad[1];
                                boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                                if (gather) {
                                    cols[o] = inside ? images[base + iy * w + ix] : 0f;
                                } else if (inside) {
                                    images[base + iy * w + ix] += cols[o];
                                }
                            }
                        }
                    }
                }
            }
        });
    }
}
