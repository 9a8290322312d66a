package io.transferpool.data;

import io.transferpool.paths.PathResolver;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads a sample's pixels from where its ref points: an image file under the data root (PNG, JPEG including
 * progressive and CMYK/YCCK, WebP, TIFF, BMP, GIF: ImageIO with TwelveMonkeys' plugins) or an image inside an IDX
 * file. Thread-safe: extractors decode a batch in parallel.
 */
public final class ImageDecoder {
    static {
        ImageIO.setUseCache(false); // no temporary files while decoding
        // ImageIO finds plugins through the context class loader of the thread that first touches it, which under
        // Quarkus's launcher or a worker thread may not see the application's jars: register them from ours.
        IIORegistry.getDefaultInstance().registerServiceProviders(
                ServiceLoader.load(ImageReaderSpi.class, ImageDecoder.class.getClassLoader()).iterator());
    }

    /** ImageIO readers are not thread-safe; each decoding thread keeps one per format. */
    private static final ThreadLocal<Map<String, ImageReader>> READERS = ThreadLocal.withInitial(HashMap::new);
    private static final ThreadLocal<PngDecoder> PNGS = ThreadLocal.withInitial(PngDecoder::new);

    private final PathResolver paths;
    // IDX files are read whole once and shared by all decoding threads of this extractor (read-only after load).
    private final Map<Path, IdxFile> idxCache = new ConcurrentHashMap<>();

    public ImageDecoder(Path root) {
        this.paths = new PathResolver(root);
    }

    /** Largest image file read. */
    static final long MAX_FILE_BYTES = 256L << 20;

    /** A sample's pixels, and how long of decoding them went to reading its file (or its entry of an IDX file). */
    public record Timed(RawImage image, long readNanos) {
    }

    /** A file's pixels as stored, its bytes (for its metadata) and how long reading it took. */
    private record Stored(RawImage image, byte[] bytes, long readNanos) {
    }

    /**
     * The sample's pixels as stored; anything wrong with it (also a decoder failing on crafted data) is a bad sample.
     */
    public RawImage decode(String ref) throws BadSampleException {
        return decodeTimed(ref, false).image();
    }

    /**
     * {@link #decode}, turned as its EXIF orientation says when {@code exifOrientation} (JPEG, WebP, TIFF), and
     * saying how long reading took (the pipeline's per-image cost breakdown).
     */
    public Timed decodeTimed(String ref, boolean exifOrientation) throws BadSampleException {
        int hash = ref.lastIndexOf('#');
        try {
            if (hash > 0) {
                long t0 = System.nanoTime();
                RawImage image = idx(ref.substring(0, hash), ref.substring(hash + 1));
                return new Timed(image, System.nanoTime() - t0);
            }
            Stored stored = file(ref);
            RawImage image = exifOrientation
                    ? ExifOrientation.apply(stored.image(), ExifOrientation.of(stored.bytes())) : stored.image();
            return new Timed(image, stored.readNanos());
        } catch (RuntimeException e) {
            throw new BadSampleException("cannot decode image: " + e.getClass().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    private Path under(String relative) throws BadSampleException {
        try {
            return paths.inside(relative);
        } catch (PathResolver.OutsideRootException e) {
            throw new BadSampleException("path " + e.getMessage());
        }
    }

    private Stored file(String ref) throws BadSampleException {
        long t0 = System.nanoTime();
        byte[] bytes;
        try {
            Path file = under(ref);
            // One stat for all three checks (a sample's file checks cost more than its PNG decode).
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new BadSampleException("not a regular file");
            }
            if (attributes.size() > MAX_FILE_BYTES) {
                throw new BadSampleException("file has " + attributes.size() + " bytes, more than "
                        + MAX_FILE_BYTES + " for one image");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadSampleException("file not found");
        } catch (IOException e) {
            throw new BadSampleException("cannot read file: " + e.getMessage(), e);
        }
        long readNanos = System.nanoTime() - t0;
        RawImage fast = PNGS.get().decode(bytes);
        if (fast != null) {
            return new Stored(fast, bytes, readNanos);
        }
        BufferedImage img;
        try {
            img = read(bytes);
        } catch (BadSampleException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BadSampleException("cannot decode image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new BadSampleException("not a readable image (no decoder recognised it)");
        }
        return new Stored(RasterPixels.of(img), bytes, readNanos);
    }

    /**
     * Decodes in memory with a reader kept per thread and format: {@code ImageIO.read} would probe every
     * registered reader and go through a temporary-file cache on every call, which costs more than decoding a
     * small image.
     */
    private static BufferedImage read(byte[] bytes) throws IOException, BadSampleException {
        String format = bytes.length > 3 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N'
                ? "png" : bytes.length > 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8 ? "jpeg" : null;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader;
            if (format != null) {
                reader = READERS.get().computeIfAbsent(format, f -> ImageIO.getImageReadersByFormatName(f).next());
            } else {
                var found = ImageIO.getImageReaders(in);
                if (!found.hasNext()) {
                    return null;
                }
                reader = found.next();
            }
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                // a decompression bomb (a header promising far more than the file holds) is refused before the
                // decoder allocates for it: 40000 x 40000 asked 1.6 GB of one JVM shared by every role
                if (pixels > MAX_PIXELS) {
                    throw new BadSampleException("image is " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + ", more than " + MAX_PIXELS + " pixels");
                }
                return reader.read(0);
            } finally {
                reader.setInput(null);
                if (format == null) {
                    reader.dispose();
                }
            }
        }
    }

    /** Most pixels of one image decoded: PIL's limit before it refuses an image as a decompression bomb. */
    static final long MAX_PIXELS = 178_956_970L;

    private RawImage idx(String file, String index) throws BadSampleException {
        Path p = under(file);
        IdxFile idx;
        try {
            idx = idxCache.computeIfAbsent(p, key -> {
                try {
                    return IdxFile.read(key);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
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
