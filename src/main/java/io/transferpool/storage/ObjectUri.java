package io.transferpool.storage;

import java.nio.charset.StandardCharsets;

/**
 * An object, or a prefix of objects, in a bucket: {@code s3://bucket/key}. Keys are taken as paths, as s3fs and
 * fsspec show them: segments between slashes, none empty, none {@code .} or {@code ..}, no control characters, so
 * that a key names what it seems to and a prefix confines what is under it. A trailing slash (how the AWS CLI
 * writes a prefix) is dropped; an empty key is the whole bucket.
 */
public record ObjectUri(String bucket, String key) {
    public static final String SCHEME = "s3://";
    /** S3's limit on a key, in UTF-8 bytes. */
    private static final int MAX_KEY_BYTES = 1024;

    /** A URI or key that names no object this pool will read. */
    public static final class BadObjectUriException extends IllegalArgumentException {
        public BadObjectUriException(String message) {
            super(message);
        }
    }

    public ObjectUri {
        checkBucket(bucket);
        checkKey(key);
    }

    /** Whether {@code s} is meant as an object (and so must parse as one), not a local path. */
    public static boolean isObjectUri(String s) {
        return s.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /** {@code s3://bucket[/key]}; throws {@link BadObjectUriException} saying what is wrong. */
    public static ObjectUri parse(String uri) {
        if (!isObjectUri(uri)) {
            throw new BadObjectUriException("is not an s3:// URI");
        }
        String rest = uri.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String key = slash < 0 ? "" : rest.substring(slash + 1);
        if (key.endsWith("/")) {
            key = key.substring(0, key.length() - 1);
        }
        return new ObjectUri(bucket, key);
    }

    private static void checkBucket(String bucket) {
        // S3's naming rules for buckets made since 2018 (MinIO and Ceph apply the same).
        if (bucket.length() < 3 || bucket.length() > 63 || !bucket.matches("[a-z0-9][a-z0-9.-]*[a-z0-9]")
                || bucket.contains("..")) {
            throw new BadObjectUriException("bucket \"" + printable(bucket) + "\" is not a bucket name (3 to 63 "
                    + "lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)");
        }
    }

    private static void checkKey(String key) {
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new BadObjectUriException("key is longer than " + MAX_KEY_BYTES + " bytes");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw new BadObjectUriException("key \"" + printable(key) + "\" contains a control character");
            }
        }
        if (key.isEmpty()) {
            return;
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new BadObjectUriException("key \"" + key + "\" has an empty segment (\"//\" or a leading "
                        + "\"/\")");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new BadObjectUriException("key \"" + key + "\" has a \"" + segment + "\" segment");
            }
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    /** The object {@code relative} (slash-separated, checked like any key) under this prefix. */
    public ObjectUri resolve(String relative) {
        return new ObjectUri(bucket, key.isEmpty() ? relative : key + "/" + relative);
    }

    /** The prefix this object is in (the bucket itself for a top-level object). */
    public ObjectUri parent() {
        int slash = key.lastIndexOf('/');
        return new ObjectUri(bucket, slash < 0 ? "" : key.substring(0, slash));
    }

    /** The last segment of the key. */
    public String name() {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** Whether this is {@code prefix} or under it, segment by segment ({@code data/train} is not under {@code data/tr}). */
    public boolean isUnder(ObjectUri prefix) {
        return bucket.equals(prefix.bucket) && (prefix.key.isEmpty() || key.equals(prefix.key)
                || key.startsWith(prefix.key + "/"));
    }

    /** The key as a listing prefix: everything under this one ({@code "a/b/"}, or {@code ""} for the bucket). */
    public String listingPrefix() {
        return key.isEmpty() ? "" : key + "/";
    }

    @Override
    public String toString() {
        return SCHEME + bucket + (key.isEmpty() ? "" : "/" + key);
    }
}
