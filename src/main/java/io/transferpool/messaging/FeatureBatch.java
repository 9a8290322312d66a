package io.transferpool.messaging;

import io.transferpool.model.Half;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Features of some samples of one shard, as they travel on {@code tp.features}. {@code features} holds
 * {@code sampleIds.length} rows of {@code dimension} floats. Binary on the wire (see {@link #encode}): a 1152-d
 * batch of 64 is 295 kB as float32, half that as float16, before the producer's compression.
 */
public record FeatureBatch(String jobId, Split split, int shard, int dimension, int[] sampleIds, int[] labels,
                           float[] features) {

    public enum Split { TRAIN, TEST }

    private static final int MAGIC = 0x54504642; // "TPFB"
    private static final byte VERSION = 1;

    public int size() {
        return sampleIds.length;
    }

    /**
     * Layout, big-endian: magic "TPFB", version, type (0 float32, 1 float16), split (0 train, 1 test), shard,
     * count n, dimension d, job id (length-prefixed UTF-8), n sample ids, n labels, n x d values.
     */
    public byte[] encode(FeatureType type) {
        byte[] job = jobId.getBytes(StandardCharsets.UTF_8);
        int n = sampleIds.length;
        ByteBuffer b = ByteBuffer.allocate(4 + 3 + 12 + 2 + job.length + 8 * n + features.length * type.bytes());
        b.putInt(MAGIC).put(VERSION).put((byte) type.ordinal()).put((byte) split.ordinal())
                .putInt(shard).putInt(n).putInt(dimension).putShort((short) job.length).put(job);
        for (int id : sampleIds) {
            b.putInt(id);
        }
        for (int l : labels) {
            b.putInt(l);
        }
        if (type == FeatureType.FLOAT32) {
            b.asFloatBuffer().put(features);
        } else {
            for (float f : features) {
                b.putShort(Half.fromFloat(f));
            }
        }
        return b.array();
    }

    /**
     * Reads a batch, checking every length against the record's size before allocating: a corrupt or hostile
     * record is refused with the reason (and dead-lettered by the worker), never a huge allocation.
     */
    public static FeatureBatch decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.remaining() < 21 || b.getInt() != MAGIC) {
            throw new IllegalArgumentException("not a feature batch (bad magic)");
        }
        byte version = b.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("feature batch version " + version + " is not supported");
        }
        int typeCode = b.get();
        int splitCode = b.get();
        if (typeCode < 0 || typeCode >= FeatureType.values().length || splitCode < 0
                || splitCode >= Split.values().length) {
            throw new IllegalArgumentException("feature batch with value type " + typeCode + " and split " + splitCode);
        }
        FeatureType type = FeatureType.values()[typeCode];
        Split split = Split.values()[splitCode];
        int shard = b.getInt();
        int n = b.getInt();
        int d = b.getInt();
        int jobLength = b.getShort() & 0xffff;
        if (n < 0 || d < 0 || jobLength > b.remaining()) {
            throw new IllegalArgumentException("feature batch declares " + n + " rows of " + d + " values and a "
                    + jobLength + "-byte job id in a record of " + bytes.length + " bytes");
        }
        byte[] job = new byte[jobLength];
        b.get(job);
        long need = 8L * n + (long) n * d * type.bytes();
        if (need != b.remaining() || (long) n * d > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("feature batch declares " + n + " rows of " + d + " values (" + need
                    + " bytes) but carries " + b.remaining());
        }
        int[] ids = new int[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = b.getInt();
        }
        for (int i = 0; i < n; i++) {
            labels[i] = b.getInt();
        }
        float[] features = new float[n * d];
        if (type == FeatureType.FLOAT32) {
            b.asFloatBuffer().get(features);
        } else {
            for (int i = 0; i < features.length; i++) {
                features[i] = Half.toFloat(b.getShort());
            }
        }
        return new FeatureBatch(new String(job, StandardCharsets.UTF_8), split, shard, d, ids, labels, features);
    }
}
