package io.transferpool.data;

import io.transferpool.job.JobSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PreprocessorTest {
    /** A 2x2 RGB image: pixel (y, x) channel c = 10 * (2y + x) + c. */
    private static final RawImage RGB = new RawImage(2, 2, 3, new byte[]{0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32});

    private static JobSpec.Preprocess spec(int channels, JobSpec.Layout layout, List<Double> mean, List<Double> std,
                                           JobSpec.Resize resize, int size) {
        return new JobSpec.Preprocess(size, size, channels, 1.0, mean, std, layout, resize);
    }

    @Test
    void nchwPutsChannelsFirstNhwcLast() throws Exception {
        float[] nchw = new float[12];
        new Preprocessor(spec(3, JobSpec.Layout.NCHW, List.of(), List.of(), JobSpec.Resize.NONE, 2)).apply(RGB, nchw, 0);
        assertThat(nchw).containsExactly(0, 10, 20, 30, 1, 11, 21, 31, 2, 12, 22, 32);
        float[] nhwc = new float[12];
        new Preprocessor(spec(3, JobSpec.Layout.NHWC, List.of(), List.of(), JobSpec.Resize.NONE, 2)).apply(RGB, nhwc, 0);
        assertThat(nhwc).containsExactly(0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32);
    }

    @Test
    void scaleMeanAndStdPerChannel() throws Exception {
        var p = new JobSpec.Preprocess(2, 2, 3, 0.5, List.of(1.0, 2.0, 3.0), List.of(2.0), JobSpec.Layout.NHWC,
                JobSpec.Resize.NONE);
        float[] out = new float[12];
        new Preprocessor(p).apply(RGB, out, 0);
        assertThat(out[3]).isEqualTo((10 * 0.5f - 1) / 2);
        assertThat(out[5]).isEqualTo((12 * 0.5f - 3) / 2);
    }

    /** Every byte value of every channel, ImageNet's normalization: exactly the floats of the formula. */
    @Test
    void everyPixelValueGetsTheFormulasFloat() throws Exception {
        byte[] pixels = new byte[16 * 16 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7 + i / 3);
        }
        List<Double> mean = List.of(0.485, 0.456, 0.406);
        List<Double> std = List.of(0.229, 0.224, 0.225);
        var p = new JobSpec.Preprocess(16, 16, 3, 1 / 255.0, mean, std, JobSpec.Layout.NCHW, JobSpec.Resize.NONE);
        float[] out = new float[pixels.length];
        new Preprocessor(p).apply(new RawImage(16, 16, 3, pixels), out, 0);
        float scale = (float) (1 / 255.0);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 256; i++) {
            for (int c = 0; c < 3; c++) {
                int v = pixels[i * 3 + c] & 0xff;
                seen.add(v);
                float expected = (v * scale - (float) (double) mean.get(c)) / (float) (double) std.get(c);
                assertThat(out[c * 256 + i]).as("pixel %d channel %d value %d", i, c, v).isEqualTo(expected);
            }
        }
        assertThat(seen).hasSize(256);
    }

    @Test
    void greyFromColourUsesLuma() throws Exception {
        float[] out = new float[4];
        new Preprocessor(spec(1, JobSpec.Layout.NCHW, List.of(), List.of(), JobSpec.Resize.NONE, 2)).apply(RGB, out, 0);
        assertThat(out[3]).isCloseTo((float) Math.round(0.299 * 30 + 0.587 * 31 + 0.114 * 32), within(1e-6f));
    }

    @Test
    void wrongSizeIsABadSampleUnlessResizing() throws Exception {
        var strict = new Preprocessor(spec(3, JobSpec.Layout.NCHW, List.of(), List.of(), JobSpec.Resize.NONE, 4));
        assertThatThrownBy(() -> strict.apply(RGB, new float[48], 0)).isInstanceOf(BadSampleException.class)
                .hasMessageContaining("2x2").hasMessageContaining("4x4");
        float[] out = new float[48];
        new Preprocessor(spec(3, JobSpec.Layout.NHWC, List.of(), List.of(), JobSpec.Resize.STRETCH, 4)).apply(RGB, out, 0);
        assertThat(out[0]).isEqualTo(0f);
        assertThat(out[47]).isEqualTo(32f);
    }

    @Test
    void stretchWithACropStretchesToTheResizeSizeSquareThenCutsTheMiddle() throws Exception {
        byte[] px = new byte[8 * 4];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 7);
        }
        RawImage image = new RawImage(8, 4, 1, px);
        var p = new JobSpec.Preprocess(4, 4, 1, 1.0, List.of(), List.of(), JobSpec.Layout.NCHW,
                JobSpec.Resize.STRETCH, 8, JobSpec.Crop.CENTER, false);
        RawImage sized = new Preprocessor(p).sized(image);
        assertThat(sized.pixels()).containsExactly(image.resize(8, 8).crop(2, 2, 4, 4).pixels());
        // without the crop, stretched straight to width x height
        var plain = new JobSpec.Preprocess(4, 4, 1, 1.0, List.of(), List.of(), JobSpec.Layout.NCHW,
                JobSpec.Resize.STRETCH);
        assertThat(new Preprocessor(plain).sized(image).pixels()).containsExactly(image.resize(4, 4).pixels());
        // crop alone: a larger image's middle, a smaller one a bad sample naming both sizes
        var cropOnly = new JobSpec.Preprocess(4, 2, 1, 1.0, List.of(), List.of(), JobSpec.Layout.NCHW,
                JobSpec.Resize.NONE, 0, JobSpec.Crop.CENTER, false);
        assertThat(new Preprocessor(cropOnly).sized(image).pixels()).containsExactly(image.crop(2, 1, 4, 2).pixels());
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(BadSampleException.class,
                () -> new Preprocessor(cropOnly).sized(new RawImage(3, 3, 1, new byte[9]))))
                .hasMessageContaining("3x3").hasMessageContaining("4x2");
    }
}
