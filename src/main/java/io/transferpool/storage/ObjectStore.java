package io.transferpool.storage;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Objects in S3 or an S3-compatible store, through the AWS SDK v2's S3 client: the few operations the pool needs,
 * with the failures it tells apart (missing, too large) as their own exceptions. Thread-safe (the SDK client is).
 */
public final class ObjectStore implements AutoCloseable {
    private final S3Client s3;
    /** Keys per listing page (S3's most is 1000; tests make it small to see pages). */
    private final int pageSize;

    /** An object that is not there (404). */
    public static final class MissingObjectException extends IOException {
        MissingObjectException(ObjectUri uri) {
            super(uri + " does not exist");
        }
    }

    /** An object larger than the reader allows; found from its length before its bytes are read. */
    public static final class TooLargeException extends IOException {
        TooLargeException(ObjectUri uri, long size, long max) {
            super(uri + " has " + size + " bytes, more than the " + max + " allowed");
        }
    }

    public ObjectStore(S3Client s3) {
        this(s3, 1000);
    }

    ObjectStore(S3Client s3, int pageSize) {
        this.s3 = s3;
        this.pageSize = pageSize;
    }

    /** A client as {@code settings} say, credentials from the SDK's default chain. */
    public static ObjectStore connect(S3Settings settings) {
        S3ClientBuilder b = S3Client.builder()
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(settings.maxConnections()))
                .forcePathStyle(settings.pathStyle());
        if (settings.region() != null) {
            b.region(Region.of(settings.region()));
        }
        settings.endpoint().ifPresent(endpoint -> {
            b.endpointOverride(endpoint);
            // S3-compatible stores do not all know the SDK's newer default checksums; send them when required.
            b.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
            b.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        });
        return new ObjectStore(b.build());
    }

    /** What a HEAD says of an object. */
    public record Head(long size, String etag) {
    }

    /** The object's size and ETag, or empty when it does not exist. */
    public Optional<Head> head(ObjectUri uri) throws IOException {
        try {
            HeadObjectResponse r = s3.headObject(h -> h.bucket(uri.bucket()).key(uri.key()));
            return Optional.of(new Head(r.contentLength(), r.eTag()));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("HEAD", uri, e);
        } catch (SdkException e) {
            throw failure("HEAD", uri, e);
        }
    }

    /** What a GET read: the bytes, or the size that was too large (then no bytes). */
    private record Body(byte[] bytes, long tooLarge) {
    }

    /** The object's bytes, refused from its length when it has more than {@code maxBytes}. */
    public byte[] read(ObjectUri uri, long maxBytes) throws IOException {
        Body body;
        try {
            // read straight from the response stream (no stream handed out: about 10% less client CPU per small
            // object than ResponseTransformer.toInputStream here), the length checked before any byte is read
            body = s3.getObject(g -> g.bucket(uri.bucket()).key(uri.key()), (response, in) -> {
                Long size = response.contentLength();
                if (size != null && size > maxBytes) {
                    in.abort(); // do not drain a huge body to reuse the connection
                    return new Body(null, size);
                }
                byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
                if (bytes.length > maxBytes) {
                    in.abort();
                    return new Body(null, bytes.length);
                }
                return new Body(bytes, -1);
            });
        } catch (SdkException e) {
            throw getFailure(uri, e);
        }
        if (body.bytes() == null) {
            throw new TooLargeException(uri, body.tooLarge(), maxBytes);
        }
        return body.bytes();
    }

    /**
     * Writes the object to {@code target} (through a temporary file beside it, moved in place when whole); says
     * the size and ETag of what it wrote.
     */
    public Head download(ObjectUri uri, Path target, long maxBytes) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
        try (ResponseInputStream<GetObjectResponse> in = open(uri)) {
            Long size = in.response().contentLength();
            if (size != null && size > maxBytes) {
                in.abort();
                throw new TooLargeException(uri, size, maxBytes);
            }
            long copied = copy(in, tmp, maxBytes);
            if (copied > maxBytes) {
                in.abort();
                throw new TooLargeException(uri, copied, maxBytes);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Head(copied, in.response().eTag());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static long copy(InputStream in, Path file, long maxBytes) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            byte[] buf = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                total += n;
                if (total > maxBytes) {
                    break;
                }
            }
            return total;
        }
    }

    private ResponseInputStream<GetObjectResponse> open(ObjectUri uri) throws IOException {
        try {
            return s3.getObject(g -> g.bucket(uri.bucket()).key(uri.key()), ResponseTransformer.toInputStream());
        } catch (SdkException e) {
            throw getFailure(uri, e);
        }
    }

    public void upload(Path file, ObjectUri uri) throws IOException {
        try {
            s3.putObject(p -> p.bucket(uri.bucket()).key(uri.key()), RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw failure("PUT", uri, e);
        }
    }

    public void put(byte[] bytes, ObjectUri uri) throws IOException {
        try {
            s3.putObject(p -> p.bucket(uri.bucket()).key(uri.key()), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw failure("PUT", uri, e);
        }
    }

    public void delete(ObjectUri uri) throws IOException {
        try {
            s3.deleteObject(d -> d.bucket(uri.bucket()).key(uri.key()));
        } catch (SdkException e) {
            throw failure("DELETE", uri, e);
        }
    }

    /**
     * One entry of a listing: a "folder" (a common prefix, its key without the trailing slash) or an object with
     * its size and ETag. Keys are as the store has them, not yet checked as paths ({@link #uri()} checks).
     */
    public record Entry(String bucket, String key, boolean folder, long size, String etag, long modifiedMillis) {
        /** {@code s3://bucket/key}, unchecked: what a sample ref carries (its reader checks it). */
        public String ref() {
            return ObjectUri.SCHEME + bucket + "/" + key;
        }

        /** The last segment of the key. */
        public String name() {
            return key.substring(key.lastIndexOf('/') + 1);
        }

        /** The key as a checked object URI (throws {@link ObjectUri.BadObjectUriException}). */
        public ObjectUri uri() {
            return new ObjectUri(bucket, key);
        }
    }

    /**
     * What is directly under {@code prefix}, as {@code aws s3 ls} shows it: sub-prefixes and objects, page by page
     * as the stream is consumed (a prefix of millions of images is never held whole). Folder marker objects
     * ({@code "x/"}) are skipped. A listing that fails throws {@link ListingException} from the stream.
     */
    public Stream<Entry> children(ObjectUri prefix) {
        return pages(prefix, "/").flatMap(page -> Stream.concat(
                page.commonPrefixes().stream().map(CommonPrefix::prefix)
                        .map(p -> new Entry(prefix.bucket(), p.substring(0, p.length() - 1), true, 0, null, 0)),
                objects(prefix, page)));
    }

    /** Every object under {@code prefix}, at any depth, page by page. */
    public Stream<Entry> all(ObjectUri prefix) {
        return pages(prefix, null).flatMap(page -> objects(prefix, page));
    }

    private static Stream<Entry> objects(ObjectUri prefix, ListObjectsV2Response page) {
        return page.contents().stream().filter(o -> !o.key().endsWith("/"))
                .map(o -> new Entry(prefix.bucket(), o.key(), false, o.size(), o.eTag(),
                        o.lastModified() == null ? 0 : o.lastModified().toEpochMilli()));
    }

    private Stream<ListObjectsV2Response> pages(ObjectUri prefix, String delimiter) {
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(prefix.bucket())
                .prefix(prefix.listingPrefix()).delimiter(delimiter).maxKeys(pageSize).build();
        Iterator<ListObjectsV2Response> it = new Iterator<>() {
            private String token;
            private boolean more = true;

            @Override
            public boolean hasNext() {
                return more;
            }

            @Override
            public ListObjectsV2Response next() {
                if (!more) {
                    throw new NoSuchElementException();
                }
                ListObjectsV2Response page;
                try {
                    page = s3.listObjectsV2(request.toBuilder().continuationToken(token).build());
                } catch (S3Exception e) {
                    throw new ListingException(e.statusCode() == 404
                            ? "bucket " + prefix.bucket() + " does not exist"
                            : "cannot list " + prefix + ": " + message(e), e);
                } catch (SdkException e) {
                    throw new ListingException("cannot list " + prefix + ": " + message(e), e);
                }
                token = page.nextContinuationToken();
                more = Boolean.TRUE.equals(page.isTruncated()) && token != null;
                return page;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false);
    }

    /** A listing that failed part way (thrown from the stream's consumption). */
    public static final class ListingException extends RuntimeException {
        ListingException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A GET that failed: a missing object (404) told apart. */
    private static IOException getFailure(ObjectUri uri, SdkException e) {
        if (e instanceof S3Exception s && s.statusCode() == 404) {
            return new MissingObjectException(uri);
        }
        return failure("GET", uri, e);
    }

    private static IOException failure(String verb, ObjectUri uri, SdkException e) {
        return new IOException(verb + " " + uri + " failed: " + message(e), e);
    }

    private static String message(SdkException e) {
        if (e instanceof S3Exception s && s.awsErrorDetails() != null) {
            return s.statusCode() + " " + s.awsErrorDetails().errorCode() + ": " + s.awsErrorDetails().errorMessage();
        }
        return e.getMessage();
    }

    @Override
    public void close() {
        s3.close();
    }
}
