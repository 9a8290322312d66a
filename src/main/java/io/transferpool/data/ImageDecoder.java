package io.transferpool.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a sample's pixels from where its ref points: an image file under the data root (PNG, JPEG, BMP, GIF via
 * ImageIO) or an image inside an IDX file. Thread-safe: extractors decode a batch in parallel.
 */
public final class ImageDecoder {
    private final Path root;
    // IDX files are read whole once and shared by all decoding threads of this extractor (read-only after load).
    private final Map<Path, IdxFile> idxCache = new ConcurrentHashMap<>();

    public ImageDecoder(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public RawImage decode(String ref) throws BadSampleException {
        int hash = ref.lastIndexOf('#');
        return hash > 0 ? idx(ref.substring(0, hash), ref.substring(hash + 1)) : file(ref);
    }

    private Path under(String relative) throws BadSampleException {
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root)) {
            throw new BadSampleException("path outside the data root");
        }
        return p;
    }

    private RawImage file(String ref) throws BadSampleException {
        BufferedImage img;
        try (var in = Files.newInputStream(under(ref))) {
            img = ImageIO.read(in);
        } catch (NoSuchFileException e) {
            throw new BadSampleException("file not found");
        } catch (IOException | RuntimeException e) {
            throw new BadSampleException("cannot decode image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new BadSampleException("not a readable image (no decoder recognised it)");
        }
        return fromBuffered(img);
    }

    static RawImage fromBuffered(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        Raster raster = img.getRaster();
        if (raster.getNumBands() == 1 && img.getColorModel().getPixelSize() <= 16 && img.getColorModel()
                .getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY) {
            // Grey images: take raw samples; getRGB would apply a colour-space conversion that changes values.
            byte[] px = new byte[w * h];
            int shift = img.getColorModel().getPixelSize() > 8 ? img.getColorModel().getPixelSize() - 8 : 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    px[y * w + x] = (byte) (raster.getSample(x, y, 0) >> shift);
                }
            }
            return new RawImage(w, h, 1, px);
        }
        boolean alpha = img.getColorModel().hasAlpha();
        int c = alpha ? 4 : 3;
        byte[] px = new byte[w * h * c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                int i = (y * w + x) * c;
                px[i] = (byte) (argb >> 16);
                px[i + 1] = (byte) (argb >> 8);
                px[i + 2] = (byte) argb;
                if (alpha) {
                    px[i + 3] = (byte) (argb >>> 24);
                }
            }
        }
        return new RawImage(w, h, c, px);
    }

    private RawImage idx(String file, String index) throws BadSampleException {
        Path p = under(file);
        IdxFile idx;
        try {
            idx = idxCache.computeIfAbsent(p, key -> {
                try {
                    return IdxFile.read(key);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw new BadSampleException("cannot read IDX file: " + e.getCause().getMessage(), e);
        }
        int i;
        try {
            i = Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw new BadSampleException("bad IDX index \"" + index + "\"");
        }
        if (i < 0 || i >= idx.count() || idx.dims().length < 3) {
            throw new BadSampleException("IDX index " + i + " out of range");
        }
        int h = idx.dims()[1];
        int w = idx.dims()[2];
        int c = idx.dims().length > 3 ? idx.dims()[3] : 1;
        byte[] px = new byte[idx.itemSize()];
        System.arraycopy(idx.data(), i * px.length, px, 0, px.length);
        return new RawImage(w, h, c, px);
    }
}
