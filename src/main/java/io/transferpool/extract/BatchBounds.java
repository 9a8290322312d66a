package io.transferpool.extract;

/**
 * Where a shard's batches start and end. Batches hold {@code batchSize} samples, except in the last round (what
 * would be the last batch of each stream): its samples are cut into up to four smaller batches per stream (of at
 * least {@value #MIN_PIECE} samples), so the streams finish within a small batch of each other. Streams take
 * batches as they come free and are never in step, so at the end one of them waits for the other's batch in hand:
 * on MobileNetV2 a batch of 64 takes about 0.4 s on one core, half of which was lost on average. A shard smaller
 * than a batch per stream is split over the streams too.
 */
final class BatchBounds {
    /** Smallest batch the last round is cut into (smaller ones cost more per image in ONNX Runtime). */
    static final int MIN_PIECE = 8;
    /** Batches per stream the last round is cut into at most. */
    static final int PIECES_PER_STREAM = 4;

    private BatchBounds() {
    }

    /** Batch b holds samples {@code [bounds[b], bounds[b + 1])}; {@code bounds.length - 1} batches, none empty. */
    static int[] of(int samples, int batchSize, int streams) {
        if (samples <= 0) {
            return new int[]{0};
        }
        int s = Math.max(1, streams);
        int full = (samples + batchSize - 1) / batchSize;
        int before = full - Math.min(s, full); // full batches before the last round
        int tail = samples - before * batchSize;
        // one batch per stream at least, up to four per stream when the tail has enough samples
        int pieces = Math.min(tail, Math.max(s, Math.min(s * PIECES_PER_STREAM, tail / MIN_PIECE)));
        int[] bounds = new int[before + pieces + 1];
        for (int b = 0; b < before; b++) {
            bounds[b + 1] = (b + 1) * batchSize;
        }
        for (int i = 0; i < pieces; i++) {
            // the first tail % pieces of them get one sample more
            int size = tail / pieces + (i < tail % pieces ? 1 : 0);
            bounds[before + i + 1] = bounds[before + i] + size;
        }
        return bounds;
    }
}
