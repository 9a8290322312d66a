package io.transferpool.data;

import io.transferpool.paths.PathResolver;
import io.transferpool.storage.Location;
import io.transferpool.storage.ObjectStore;
import io.transferpool.storage.Storage;

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
 * Reads a sample's pixels from where its ref points: an image file under the data root or an object in an allowed
 * bucket (PNG, JPEG including progressive and CMYK/YCCK, WebP, TIFF, BMP, GIF: ImageIO with TwelveMonkeys'
 * plugins) or an image inside an IDX file (an object's copied whole). Thread-safe: extractors decode a batch in
 * parallel.
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

    private final Storage storage;
    // IDX files are read whole once and shared by all decoding threads of this extractor (read-only after load).
    private final Map<Path, IdxFile> idxCache = new ConcurrentHashMap<>();

    public ImageDecoder(Storage storage) {
        this.storage = storage;
    }

    /** Files under {@code root} only. */
    public ImageDecoder(Path root) {
        this(Storage.local(root));
    }

    /** Where samples are read from. */
    public Storage storage() {
        return storage;
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
        return decodeTimed(ref, exifOrientation, ObjectFetch.NONE);
    }

    /** {@link #decodeTimed(String, boolean)} taking an object's bytes from {@code fetched} when it has them. */
    public Timed decodeTimed(String ref, boolean exifOrientation, ObjectFetch fetched) throws BadSampleException {
        int hash = ref.lastIndexOf('#');
        try {
            if (hash > 0) {
                long t0 = System.nanoTime();
                RawImage image = idx(ref.substring(0, hash), ref.substring(hash + 1));
                return new Timed(image, System.nanoTime() - t0);
            }
            Stored stored = file(ref, fetched);
            RawImage image = exifOrientation
                    ? ExifOrientation.apply(stored.image(), ExifOrientation.of(stored.bytes())) : stored.image();
            return new Timed(image, stored.readNanos());
        } catch (RuntimeException e) {
            throw new BadSampleException("cannot decode image: " + e.getClass().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    private Location under(String ref) throws BadSampleException {
        try {
            return storage.locate(ref);
        } catch (PathResolver.OutsideRootException e) {
            throw new BadSampleException("path " + e.getMessage());
        }
    }

    private Stored file(String ref, ObjectFetch fetched) throws BadSampleException {
        long t0 = System.nanoTime();
        Location location = under(ref);
        if (location instanceof Location.StoredObject o) {
            byte[] bytes = fetched.bytes(ref, () -> storage.objects().read(o.uri(), MAX_FILE_BYTES));
            return decodeBytes(bytes, System.nanoTime() - t0);
        }
        byte[] bytes;
        try {
            Path file = ((Location.File) location).path();
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
        return decodeBytes(bytes, System.nanoTime() - t0);
    }

    /** Why an object could not be read, as a bad sample's reason. */
    static BadSampleException objectFailure(IOException e) {
        if (e instanceof ObjectStore.MissingObjectException) {
            return new BadSampleException("object not found");
        }
        if (e instanceof ObjectStore.TooLargeException) {
            return new BadSampleException(e.getMessage() + " for one image");
        }
        return new BadSampleException("cannot read object: " + e.getMessage(), e);
    }

    private static Stored decodeBytes(byte[] bytes, long readNanos) throws BadSampleException {
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
        Path p;
        try {
            p = storage.localFile(under(file), IdxFile.MAX_BYTES);
        } catch (IOException e) {
            throw new BadSampleException("cannot read IDX file: " + e.getMessage(), e);
        }
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
