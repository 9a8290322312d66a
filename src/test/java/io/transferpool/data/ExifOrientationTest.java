package io.transferpool.data;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** All eight EXIF orientations on a 3x2 grey image whose pixels are numbered 1..6 row by row (1 2 3 / 4 5 6). */
class ExifOrientationTest {
    private static final RawImage STORED = new RawImage(3, 2, 1, new byte[]{1, 2, 3, 4, 5, 6});

    private static void viewed(int orientation, int width, int height, int... pixels) {
        RawImage v = ExifOrientation.apply(STORED, orientation);
        assertThat(new int[]{v.width(), v.height()}).as("orientation %d size", orientation)
                .containsExactly(width, height);
        byte[] expected = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            expected[i] = (byte) pixels[i];
        }
        assertThat(v.pixels()).as("orientation %d", orientation).containsExactly(expected);
    }

    @Test
    void eachOrientationTurnsOrMirrorsAsTheExifSpecificationSays() {
        viewed(1, 3, 2, 1, 2, 3, 4, 5, 6);
        viewed(2, 3, 2, 3, 2, 1, 6, 5, 4);     // mirrored left-right
        viewed(3, 3, 2, 6, 5, 4, 3, 2, 1);     // half a turn
        viewed(4, 3, 2, 4, 5, 6, 1, 2, 3);     // mirrored top-bottom
        viewed(5, 2, 3, 1, 4, 2, 5, 3, 6);     // transposed
        viewed(6, 2, 3, 4, 1, 5, 2, 6, 3);     // a quarter turn clockwise
        viewed(7, 2, 3, 6, 3, 5, 2, 4, 1);     // transversed
        viewed(8, 2, 3, 3, 6, 2, 5, 1, 4);     // a quarter turn counter-clockwise
    }
}
