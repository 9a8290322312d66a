package io.transferpool.data;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The EXIF orientation a camera wrote instead of turning the pixels (TIFF tag 274: 1 as stored, 2 mirrored, 3 half
 * a turn, 4 flipped, 5 transposed, 6 a quarter turn clockwise to view, 7 transversed, 8 a quarter turn
 * counter-clockwise), found where JPEG (APP1 "Exif"), WebP (the RIFF chunk "EXIF") and TIFF (the first IFD) keep
 * it, and read with TwelveMonkeys' TIFF structure reader. Applied only when a job asks for it
 * ({@code preprocess.exifOrientation}), as PIL, torchvision and Keras leave pixels as stored unless told.
 */
final class ExifOrientation {
    static final int AS_STORED = 1;

    private ExifOrientation() {
    }

    /** The orientation of an encoded image, {@link #AS_STORED} when it has none or it cannot be read. */
    static int of(byte[] bytes) {
        try {
            Directory ifd = null;
            if (bytes.length > 3 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8) {
                ifd = jpeg(bytes);
            } else if (bytes.length > 12 && bytes[0] == 'R' && bytes[1] == 'I' && bytes[8] == 'W' && bytes[9] == 'E') {
                ifd = webp(bytes);
            } else if (bytes.length > 4 && ((bytes[0] == 'I' && bytes[1] == 'I') || (bytes[0] == 'M' && bytes[1] == 'M'))) {
                ifd = tiff(new ByteArrayInputStream(bytes));
            }
            Entry e = ifd == null ? null : ifd.getEntryById(TIFF.TAG_ORIENTATION);
            int value = e == null ? AS_STORED : ((Number) e.getValue()).intValue();
            return value >= 1 && value <= 8 ? value : AS_STORED;
        } catch (IOException | RuntimeException e) {
            return AS_STORED; // damaged metadata: the pixels as stored, as viewers do
        }
    }

    private static Directory jpeg(byte[] bytes) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            List<JPEGSegment> exif = JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif");
            if (exif.isEmpty()) {
                return null;
            }
            InputStream data = exif.get(0).data();
            data.read(); // the second NUL of "Exif\0\0"
            return tiff(data);
        }
    }

    /** RIFF: "RIFF" size "WEBP", then chunks of a four-letter name, a little-endian size and data padded to even. */
    private static Directory webp(byte[] bytes) throws IOException {
        int at = 12;
        while (at + 8 <= bytes.length) {
            long size = (bytes[at + 4] & 0xffL) | (bytes[at + 5] & 0xffL) << 8 | (bytes[at + 6] & 0xffL) << 16
                    | (bytes[at + 7] & 0xffL) << 24;
            if (bytes[at] == 'E' && bytes[at + 1] == 'X' && bytes[at + 2] == 'I' && bytes[at + 3] == 'F') {
                int from = at + 8;
                int length = (int) Math.min(size, bytes.length - from);
                // some writers keep JPEG's "Exif\0\0" in front of the TIFF structure
                if (length > 6 && bytes[from] == 'E' && bytes[from + 1] == 'x' && bytes[from + 4] == 0) {
                    from += 6;
                    length -= 6;
                }
                return tiff(new ByteArrayInputStream(bytes, from, length));
            }
            at += 8 + (int) Math.min(Integer.MAX_VALUE - 16, size + (size & 1));
        }
        return null;
    }

    private static Directory tiff(InputStream data) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(data)) {
            Directory d = new TIFFReader().read(in);
            // TIFFReader answers all IFDs of a file as one compound directory: the first is the image's
            return d instanceof com.twelvemonkeys.imageio.metadata.CompoundDirectory c && c.directoryCount() > 0
                    ? c.getDirectory(0) : d;
        }
    }

    /** The image as it is meant to be viewed. */
    static RawImage apply(RawImage img, int orientation) {
        if (orientation == AS_STORED) {
            return img;
        }
        int w = img.width();
        int h = img.height();
        int c = img.channels();
        boolean turned = orientation >= 5; // width and height swap
        int ow = turned ? h : w;
        int oh = turned ? w : h;
        byte[] in = img.pixels();
        byte[] out = new byte[in.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sy;
                int sx;
                switch (orientation) {
                    case 2 -> { sy = y; sx = w - 1 - x; }
                    case 3 -> { sy = h - 1 - y; sx = w - 1 - x; }
                    case 4 -> { sy = h - 1 - y; sx = x; }
                    case 5 -> { sy = x; sx = y; }
                    case 6 -> { sy = h - 1 - x; sx = y; }
                    case 7 -> { sy = h - 1 - x; sx = w - 1 - y; }
                    default -> { sy = x; sx = w - 1 - y; } // 8
                }
                System.arraycopy(in, (sy * w + sx) * c, out, (y * ow + x) * c, c);
            }
        }
        return new RawImage(ow, oh, c, out);
    }
}
