package io.transferpool.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A fast path for the PNGs data sets are usually made of: 8-bit grey, RGB or RGBA, not interlaced. Decoding a
 * small image this way costs a fraction of what ImageIO's general reader does (its set-up dominates for 28x28
 * images). Anything else returns null and goes to ImageIO. One instance per thread (the inflater is reused).
 */
final class PngDecoder {
    private static final long SIGNATURE = 0x89504E470D0A1A0AL;
    private final Inflater inflater = new Inflater();

    /** The image, or null when this PNG is not one the fast path handles. */
    RawImage decode(byte[] png) throws BadSampleException {
        ByteBuffer b = ByteBuffer.wrap(png);
        if (png.length < 33 || b.getLong() != SIGNATURE) {
            return null;
        }
        int width = 0;
        int height = 0;
        int channels = 0;
        byte[] raw = null;
        int rawSize = 0;
        inflater.reset();
        try {
            while (b.remaining() >= 12) {
                int length = b.getInt();
                String type = new String(png, b.position(), 4, StandardCharsets.US_ASCII);
                b.position(b.position() + 4);
                if (length < 0 || length > b.remaining() - 4) {
                    throw new BadSampleException("truncated PNG (chunk " + type + ")");
                }
                int data = b.position();
                switch (type) {
                    case "IHDR" -> {
                        width = b.getInt(data);
                        height = b.getInt(data + 4);
                        int depth = png[data + 8];
                        int colour = png[data + 9];
                        int interlace = png[data + 12];
                        channels = colour == 0 ? 1 : colour == 2 ? 3 : colour == 6 ? 4 : -1;
                        if (depth != 8 || channels < 0 || interlace != 0 || width <= 0 || height <= 0
                                || (long) width * height * channels > 1 << 28) {
                            return null;
                        }
                        raw = new byte[(width * channels + 1) * height];
                    }
                    case "IDAT" -> {
                        if (raw == null) {
                            throw new BadSampleException("PNG data before its header");
                        }
                        inflater.setInput(png, data, length);
                        while (!inflater.needsInput() && rawSize < raw.length) {
                            int n = inflater.inflate(raw, rawSize, raw.length - rawSize);
                            rawSize += n;
                            if (n == 0 && (inflater.finished() || inflater.needsDictionary())) {
                                break;
                            }
                        }
                    }
                    case "PLTE", "tRNS" -> {
                        return null; // palettes and transparency keys: leave to ImageIO
                    }
                    default -> {
                        // ancillary chunks (gAMA, pHYs, text, ...) do not change the pixel values we use
                    }
                }
                b.position(data + length + 4); // skip data and CRC
                if (type.equals("IEND")) {
                    break;
                }
            }
        } catch (DataFormatException e) {
            throw new BadSampleException("corrupt PNG data: " + e.getMessage(), e);
        }
        if (raw == null) {
            throw new BadSampleException("PNG without a header");
        }
        if (rawSize < raw.length) {
            throw new BadSampleException("truncated PNG: " + rawSize + " of " + raw.length + " bytes of pixels");
        }
        return new RawImage(width, height, channels, unfilter(raw, width, height, channels));
    }

    /** Reverses PNG's per-row filters (none, sub, up, average, Paeth). */
    private static byte[] unfilter(byte[] raw, int width, int height, int bpp) throws BadSampleException {
        int stride = width * bpp;
        byte[] out = new byte[stride * height];
        for (int y = 0; y < height; y++) {
            int filter = raw[y * (stride + 1)];
            int in = y * (stride + 1) + 1;
            int row = y * stride;
            int prev = row - stride;
            for (int x = 0; x < stride; x++) {
                int a = x >= bpp ? out[row + x - bpp] & 0xff : 0;
                int up = y > 0 ? out[prev + x] & 0xff : 0;
                int c = x >= bpp && y > 0 ? out[prev + x - bpp] & 0xff : 0;
                int v = raw[in + x] & 0xff;
                out[row + x] = (byte) switch (filter) {
                    case 0 -> v;
                    case 1 -> v + a;
                    case 2 -> v + up;
                    case 3 -> v + ((a + up) >>> 1);
                    case 4 -> v + paeth(a, up, c);
                    default -> throw new BadSampleException("corrupt PNG: unknown row filter " + filter);
                };
            }
        }
        return out;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
