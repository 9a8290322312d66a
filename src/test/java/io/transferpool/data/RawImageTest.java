package io.transferpool.data;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RawImageTest {

    /** Upscaling's definition, pixel by pixel: bilinear between the four neighbours of the centre mapped back. */
    private static int expected(RawImage in, int w, int h, int y, int x, int c) {
        double fy = Math.max(0, (y + 0.5) * ((double) in.height() / h) - 0.5);
        double fx = Math.max(0, (x + 0.5) * ((double) in.width() / w) - 0.5);
        int y0 = Math.min((int) fy, in.height() - 1);
        int x0 = Math.min((int) fx, in.width() - 1);
        int y1 = Math.min(y0 + 1, in.height() - 1);
        int x1 = Math.min(x0 + 1, in.width() - 1);
        double dy = fy - y0;
        double dx = fx - x0;
        double v = (in.at(y0, x0, c) * (1 - dx) + in.at(y0, x1, c) * dx) * (1 - dy)
                + (in.at(y1, x0, c) * (1 - dx) + in.at(y1, x1, c) * dx) * dy;
        return (int) Math.round(v);
    }

    @Test
    void upscalingIsBilinearBetweenPixelCentres() {
        Random random = new Random(3);
        int[][] sizes = {{28, 28, 224, 224}, {7, 5, 13, 11}, {1, 1, 4, 3}, {9, 1, 12, 6}};
        for (int[] s : sizes) {
            for (int channels : new int[]{1, 3, 4}) {
                byte[] px = new byte[s[0] * s[1] * channels];
                random.nextBytes(px);
                RawImage in = new RawImage(s[0], s[1], channels, px);
                RawImage out = in.resize(s[2], s[3]);
                assertThat(out.width()).isEqualTo(s[2]);
                assertThat(out.height()).isEqualTo(s[3]);
                assertThat(out.channels()).isEqualTo(channels);
                for (int y = 0; y < s[3]; y++) {
                    for (int x = 0; x < s[2]; x++) {
                        for (int c = 0; c < channels; c++) {
                            // two passes rounded to 8 bits each (as PIL) may differ from one rounding by 1
                            assertThat(out.at(y, x, c)).as("%s, %d channels, pixel %d,%d,%d",
                                    java.util.Arrays.toString(s), channels, y, x, c)
                                    .isCloseTo(expected(in, s[2], s[3], y, x, c), org.assertj.core.data.Offset.offset(1));
                        }
                    }
                }
            }
        }
    }

    @Test
    void shrinkingAveragesEverySourcePixelUnderTheOutputPixelAsPilDoes() {
        // the expected bytes are PIL 9.4's Image.resize(..., BILINEAR) of the same arrays
        RawImage row = new RawImage(4, 1, 1, new byte[]{0, 100, (byte) 200, (byte) 250});
        assertThat(row.resize(2, 1).pixels()).containsExactly(71, (byte) 207);
        RawImage grid = new RawImage(4, 3, 1, new byte[]{0, 100, (byte) 200, (byte) 250, 10, 20, 30, 40, (byte) 255,
                0, (byte) 255, 0});
        assertThat(grid.resize(3, 2).pixels()).containsExactly(24, 103, (byte) 161, 117, 89, 61);
        assertThat(row.resize(4, 1)).isSameAs(row);
    }

    @Test
    void cropTakesTheRowsAndColumnsAsked() {
        RawImage in = new RawImage(3, 2, 2, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        assertThat(in.crop(1, 1, 2, 1).pixels()).containsExactly(9, 10, 11, 12);
        assertThat(in.crop(0, 0, 3, 2)).isSameAs(in);
    }
}
